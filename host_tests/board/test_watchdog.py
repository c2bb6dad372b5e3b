"""On-target: pollen's Watchdog on the RP2040's own watchdog, read through
its counter (WATCHDOG CTRL.TIME: ticks left before the chip resets, two per
microsecond on the RP2040 -- erratum RP2040-E1 -- as the SDK loads it and
the emulated Pico counts it).

The tier never lets the watchdog fire: the emulated Pico's hard reset keeps
the old watchdog's alarm and resets for ever (docs/FIRMWARE_FACTS.md), and a
real board would drop off USB.  What these prove instead, on the chip: a
Watchdog made inside the main task is fed while tasks give control back,
the feeding stops while a task is stuck and the count runs on toward the
reset, and the keeper feeds again once the task lets go.  (The reset itself
is proven on the simulated board: test_reliability.py.)  Each test stops the
hardware watchdog at its end: a soft reset leaves it running."""

import time

import machine

import pollen
from pollen.timer import sleep_ms
from pollen.watchdog import Watchdog

_CTRL = 0x40058000  # WATCHDOG_BASE: CTRL, TIME in bits 0..23, ENABLE bit 30
_PER_MS = 2000      # counter ticks per millisecond


def _left_ms():
    """Milliseconds before the watchdog resets the chip, if nobody feeds it."""
    return (machine.mem32[_CTRL] & 0xFFFFFF) / _PER_MS


def _stop():
    machine.mem32[_CTRL] &= ~(1 << 30)


async def _busy():
    while True:
        for i in range(200):
            pass
        await pollen.yield_now()


def test_a_watchdog_made_in_main_is_fed_while_busy_tasks_give_control_back():
    left = []

    async def main(ex):
        wd = Watchdog(ex, 300)  # inside the main task, where most programs make it
        for i in range(3):
            ex.spawn(_busy())
        for i in range(20):
            await sleep_ms(50)
            left.append(_left_ms())
        return wd.feeds

    ex = pollen.Executor(6)
    try:
        feeds = ex.run(main(ex))
    finally:
        _stop()
    assert feeds >= 6, "fed %d times in 1 s (every 150 ms expected)" % feeds
    # fed every 150 ms: never closer to the reset than that, plus a slice
    assert min(left) > 100, "%.1f ms from a reset at worst" % min(left)


def test_a_stuck_task_stops_the_feeding_until_it_gives_control_back():
    async def main(ex):
        wd = Watchdog(ex, 400)  # the keeper feeds every 200 ms
        await sleep_ms(250)
        feeds = wd.feeds
        a = _left_ms()
        t0 = time.ticks_ms()
        while time.ticks_diff(time.ticks_ms(), t0) < 150:  # stuck: no await
            pass
        b = _left_ms()
        await sleep_ms(300)  # control back: the overdue keeper runs
        return feeds, wd.feeds, a, b, _left_ms()

    ex = pollen.Executor(4)
    try:
        before, after, a, b, c = ex.run(main(ex))
    finally:
        _stop()
    # the count ran down through the whole stuck stretch: nothing fed it
    assert abs((a - b) - 150) < 5, "%.1f ms counted in a 150 ms stuck stretch" % (a - b)
    assert b < 400 - 150 + 1, "%.1f ms left after 150 ms stuck" % b
    assert after > before and c > b, "not fed again after the task let go (%d -> %d feeds, %.1f -> %.1f ms)" % (
        before, after, b, c)
