"""On-target: the Button's gesture table on the firmware's own pins and timer.

The same gestures as host_tests/test_button.py, made without wiring: GP16
is unconnected, so pulling it down is a press and pulling it up a release;
a few quick flips are the contact's bounce.  Times are checked against the
ticks_ms of the flips that made the edges, within a millisecond or two
(the emulated chip runs Python slower than it sleeps).
"""

import time

from machine import Pin

import pollen
from pollen.button import Button
from pollen.gpio import _claimed
from pollen.timer import sleep_ms

PIN = 16


def _flip(btn, down):
    btn.input.pin.init(Pin.IN, Pin.PULL_DOWN if down else Pin.PULL_UP)


async def _press(btn, hold_ms, bounce=0):
    t = time.ticks_ms()
    for i in range(bounce):  # bounce: the contact chatters for well under debounce_ms
        _flip(btn, i % 2 == 0)
    _flip(btn, True)
    await sleep_ms(hold_ms)
    r = time.ticks_ms()
    for i in range(bounce):
        _flip(btn, i % 2 == 1)
    _flip(btn, False)
    return t, r


def _run(script, stop_ms, **kw):
    seen = []
    marks = []

    async def main(ex):
        btn = Button(PIN, executor=ex, **kw)
        reader = ex.spawn(read(btn))
        await sleep_ms(30)
        await script(btn, marks)
        await sleep_ms(stop_ms)
        reader.cancel()
        btn.input.release()

    async def read(btn):
        async for ev in btn:
            seen.append((ev.name, ev.ms))

    _claimed.clear()
    ex = pollen.Executor(6)
    ex.run(main(ex))
    return seen, marks


def _near(ms, mark):
    return abs(time.ticks_diff(ms, mark)) <= 2


def test_a_bouncing_click_gives_press_then_release_at_the_edge_times():
    async def script(btn, marks):
        marks.extend(await _press(btn, 150, bounce=5))

    ev, (t, r) = _run(script, 100)
    assert [n for n, _ in ev] == ["PRESS", "RELEASE"], ev
    assert _near(ev[0][1], t) and _near(ev[1][1], r), (ev, t, r)


def test_a_long_press_gives_press_then_long_then_release():
    async def script(btn, marks):
        marks.extend(await _press(btn, 450))

    ev, (t, r) = _run(script, 100, long_ms=300)
    assert [n for n, _ in ev] == ["PRESS", "LONG", "RELEASE"], ev
    assert _near(ev[1][1], t), (ev, t)  # LONG carries the press's time


def test_a_double_click_gives_the_documented_sequence():
    async def script(btn, marks):
        marks.extend(await _press(btn, 60))
        await sleep_ms(80)
        marks.extend(await _press(btn, 60))

    ev, _ = _run(script, 100)
    assert [n for n, _ in ev] == ["PRESS", "RELEASE", "PRESS", "DOUBLE", "RELEASE"], ev


def test_a_glitch_shorter_than_debounce_makes_nothing():
    async def script(btn, marks):
        _flip(btn, True)
        await sleep_ms(3)
        _flip(btn, False)

    ev, _ = _run(script, 100)
    assert ev == [], ev
