"""On-target: the one hardware alarm (machine.Timer, hard IRQ, 1 MHz) behind
every sleep and Ticker, on the firmware's own timer."""

import gc
import time

import micropython

import pollen
from pollen import timer
from pollen.ticker import Ticker
from pollen.timer import sleep_ms, sleep_us


def test_sleeps_across_many_deadlines_wake_on_time():
    late = []
    # Three tasks whose deadlines often coincide: the last of three woken by
    # one alarm runs after the other two's slices (a few hundred us each here).

    async def sleeper(period_us, n):
        for _ in range(n):
            t0 = time.ticks_us()
            await sleep_us(period_us)
            late.append(time.ticks_diff(time.ticks_us(), t0) - period_us)

    async def main(ex):
        ts = [ex.spawn(sleeper(p, 40)) for p in (700, 1100, 2300)]
        for t in ts:
            await t

    ex = pollen.Executor(6)
    ex.run(main(ex))
    assert len(late) == 120
    assert min(late) >= 0, "a sleep ended %d us early" % -min(late)
    assert max(late) < 4000, "a sleep ended %d us late" % max(late)
    late.sort()
    assert late[len(late) // 2] < 1000, "median lateness %d us" % late[len(late) // 2]


def test_the_alarm_rearms_from_its_own_hard_irq():
    # Deadlines 150 us apart: the second is armed by the alarm's own IRQ
    # while it handles the first (TimerQueue._on_alarm).
    woke = []

    async def at(us):
        await sleep_us(us)
        woke.append(us)

    async def main(ex):
        ts = [ex.spawn(at(us)) for us in (300, 450, 600, 750)]
        for t in ts:
            await t

    ex = pollen.Executor(6)
    q = timer.queue()
    before = q.expiries
    ex.run(main(ex))
    assert woke == [300, 450, 600, 750], woke
    assert q.expiries - before == 4
    assert q.in_use() == 0


def test_a_ticker_keeps_its_grid_on_the_chip():
    async def main():
        t = Ticker(10)
        for _ in range(30):
            await t.next()
        return t

    t = pollen.Executor(4).run(main())
    assert t.ticks == 30 and t.missed == 0, (t.ticks, t.missed)
    assert t.max_late_us < 1000, "a tick came %d us late" % t.max_late_us


def test_sleep_ms_in_a_loop_allocates_nothing_on_the_chip():
    # On a 32-bit port every int past 2**30 is a heap object: a sleep that
    # computed one per call would fail here (it did, before check_us was fixed).
    async def main():
        await sleep_ms(1)  # first use: the timer queue exists
        gc.collect()
        micropython.heap_lock()
        try:
            for _ in range(50):
                await sleep_ms(1)
            for _ in range(50):
                await sleep_us(300)
        finally:
            micropython.heap_unlock()
        return True

    assert pollen.Executor(4).run(main())
