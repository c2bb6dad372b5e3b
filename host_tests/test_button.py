"""The Button's gesture table, on the simulated board (docs: README, button.py)."""

import gc

from simsupport import board, run_until_stop
from support import MICROPYTHON, raises

import pollen
from pollen.button import Button
from pollen.timer import Ticker


def gestures(script, stop_ms, start_ms=0, queue=16, read=True, **kw):
    """Run a Button on GP14 with `script(board)` driving it; the events as
    'NAME@ms' strings and the button."""
    b = board(stop_after_ms=stop_ms, start_ms=start_ms)
    seen = []
    btn = [None]

    async def main():
        btn[0] = Button(14, queue=queue, executor=ex, **kw)
        script(b)
        if not read:
            await pollen.oneshot()[0]  # never reads: let the queue overflow
        async for ev in btn[0]:
            seen.append(repr(ev))

    ex = pollen.Executor(4)
    run_until_stop(b, main(), ex=ex)
    return seen, btn[0], b


def test_a_click_gives_press_then_release_at_the_edge_times():
    ev, _, _ = gestures(lambda b: b.press(14, at_ms=100, hold_ms=150), 1000)
    assert ev == ["PRESS@100", "RELEASE@250"]


def test_bounce_inside_the_debounce_window_never_makes_an_extra_event():
    ev, _, _ = gestures(lambda b: b.press(14, at_ms=100, hold_ms=150, bounce_us=8000, flips=9), 1000)
    assert ev == ["PRESS@100", "RELEASE@250"]


def test_a_glitch_shorter_than_debounce_makes_nothing():
    ev, _, _ = gestures(lambda b: b.press(14, at_ms=100, hold_ms=5), 1000)
    assert ev == []


def test_a_long_press_gives_press_then_long_then_release():
    ev, _, _ = gestures(lambda b: b.press(14, at_ms=100, hold_ms=1600, bounce_us=3000), 3000)
    assert ev == ["PRESS@100", "LONG@100", "RELEASE@1700"]


def test_a_double_click_gives_the_documented_sequence():
    def script(b):
        b.press(14, at_ms=100, hold_ms=80, bounce_us=2000)
        b.press(14, at_ms=300, hold_ms=80, bounce_us=2000)  # 120 ms after the release

    ev, _, _ = gestures(script, 2000)
    assert ev == ["PRESS@100", "RELEASE@180", "PRESS@300", "DOUBLE@300", "RELEASE@380"]


def test_two_clicks_further_apart_than_double_ms_are_two_clicks():
    def script(b):
        b.press(14, at_ms=100, hold_ms=80)
        b.press(14, at_ms=700, hold_ms=80)  # 520 ms after the release

    ev, _, _ = gestures(script, 2000)
    assert ev == ["PRESS@100", "RELEASE@180", "PRESS@700", "RELEASE@780"]


def test_a_triple_click_is_one_double_then_a_click():
    def script(b):
        for t in (100, 300, 500):
            b.press(14, at_ms=t, hold_ms=80)

    ev, _, _ = gestures(script, 2000)
    assert ev == ["PRESS@100", "RELEASE@180", "PRESS@300", "DOUBLE@300", "RELEASE@380",
                  "PRESS@500", "RELEASE@580"]


def test_timestamps_and_double_clicks_survive_the_tick_counter_wrapping():
    top = 1 << 30  # ticks_ms wraps here (about 12.4 days after boot)

    def script(b):
        b.press(14, at_ms=100, hold_ms=80)
        b.press(14, at_ms=300, hold_ms=80)

    ev, _, _ = gestures(script, 2000, start_ms=top - 250)
    assert ev == ["PRESS@%d" % (top - 150), "RELEASE@%d" % (top - 70),
                  "PRESS@50", "DOUBLE@50", "RELEASE@130"]


def test_a_full_queue_counts_what_it_dropped_and_recovers():
    def script(b):
        for i in range(10):
            b.press(14, at_ms=100 + i * 1000, hold_ms=100)

    ev, btn, _ = gestures(script, 12000, queue=4, read=False)
    assert btn.overflow == 20 - 4  # 10 clicks = 20 events, 4 fit
    got = []
    while len(btn._events):
        got.append(repr(btn._events.get_nowait()))
    assert got == ["PRESS@100", "RELEASE@200", "PRESS@1100", "RELEASE@1200"]


def test_a_100khz_bounce_storm_gives_exactly_one_press_and_keeps_a_ticker_on_time():
    b = board(stop_after_ms=1000)
    seen = []
    tk = Ticker(5)

    async def ticking():
        while True:
            await tk.next()

    async def main():
        btn = Button(14, executor=ex)
        ex.spawn(ticking())
        b.bounce(14, 100000, 0, 5000, 10)  # 5000 flips, 10 us apart: 50 ms, ends low
        b.set_level(14, 1, 600000)
        gc.collect()
        seen.append(gc.mem_alloc() if MICROPYTHON else 0)
        async for ev in btn:
            seen.append(repr(ev))

    ex = pollen.Executor(4)
    run_until_stop(b, main(), ex=ex)
    gc.collect()
    used_after = gc.mem_alloc() if MICROPYTHON else 0
    assert seen[1:] == ["PRESS@100", "RELEASE@600"]
    assert tk.missed == 0 and tk.max_late_us == 0
    assert used_after <= seen[0] + 1024, (seen[0], used_after)  # 5000 interrupts: no growth
    assert b.irq_errors == []


def test_bad_button_settings_are_refused():
    board()
    e = raises(ValueError, Button, 14, debounce_ms=50, long_ms=20)
    assert "debounce_ms" in str(e)
