"""On-target: the one hardware alarm behind every sleep and Ticker, on the
firmware's own timer.  On an RP2040 it is hardware alarm 0 (port_rp2): it
only wakes the CPU, and the timer's handler runs in task context -- from
the idle wait, and from the executor loop when tasks keep it busy."""

import gc
import time

import micropython

import pollen
from pollen import timer, yield_now  # (imported here: its first import compiles viper code)
from pollen.ticker import Ticker
from pollen.timer import sleep_ms, sleep_us

# port_rp2's alarm: the simulated board's is a machine.Timer (its handler in
# a hard IRQ), and its clock moves only while the CPU sleeps, so tasks that
# never let it sleep would never see a deadline there
CHIP_ONLY = ("test_the_rp2_board_alarm_is_pollens_and_wakes_nothing_in_python",
             "test_a_sleep_ends_on_time_while_busy_tasks_never_let_the_executor_idle",
             "test_claiming_alarm_0_again_sets_its_interrupt_enables_again")


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


def test_the_alarm_rearms_from_its_own_handler():
    # Deadlines 150 us apart: the second is armed by the alarm's own handler
    # while it handles the first (TimerQueue._on_alarm, or on an RP2040
    # timer_viper.on_due, run by the executor once alarm 0 ends the WFI).
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


def test_the_rp2_board_alarm_is_pollens_and_wakes_nothing_in_python():
    from pollen import port
    p = port.current()
    assert p.alarm is not None, "hardware alarm 0 was not claimed: the machine.Timer alarm runs"
    q = timer.queue()
    assert not q._masked  # its handler runs in task context: the queue needs no IRQ masking


def test_a_sleep_ends_on_time_while_busy_tasks_never_let_the_executor_idle():
    # The board alarm only ends a WFI.  With tasks always ready the executor
    # never sleeps, so its loop must see the deadline itself (every pass).
    late = []
    stop = [False]

    async def busy():
        while not stop[0]:
            for _ in range(20):
                pass
            await yield_now()

    async def sleeper():
        for _ in range(20):
            t0 = time.ticks_us()
            await sleep_us(1500)
            late.append(time.ticks_diff(time.ticks_us(), t0) - 1500)
        stop[0] = True

    async def main(ex):
        bs = [ex.spawn(busy()) for _ in range(3)]
        await sleeper()
        for b in bs:
            await b

    ex = pollen.Executor(6)
    ex.run(main(ex))
    assert ex.idle_wakeups == 0, "the executor went idle %d times" % ex.idle_wakeups
    assert len(late) == 20
    assert min(late) >= 0, "a sleep ended %d us early" % -min(late)
    # late by at most a few busy slices (each about 0.3 ms here)
    assert max(late) < 3000, "a sleep ended %d us late" % max(late)


def test_claiming_alarm_0_again_sets_its_interrupt_enables_again():
    # After a soft reset the vector is pollen's already; whatever cleared the
    # enables meanwhile, board_port() (claim_alarm) sets them again -- or the
    # WFI would never end for a sleep.
    from machine import mem32
    from pollen import port_rp2
    mem32[0x40054038] &= ~1        # TIMER INTE: alarm 0 off
    mem32[0xE000E180] = 1          # NVIC ICER: TIMER_IRQ_0 off
    assert port_rp2.claim_alarm()
    assert mem32[0x40054038] & 1 and mem32[0xE000E100] & 1

    async def main():
        t0 = time.ticks_us()
        await sleep_ms(5)
        return time.ticks_diff(time.ticks_us(), t0)

    took = pollen.Executor(2).run(main())
    assert 5000 <= took < 6000, took
