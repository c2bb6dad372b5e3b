"""Reliability on the simulated board: watchdog, cancellation everywhere,
long runs across tick wraps with no memory growth."""

import gc

from simboard import SimReset, SimStop
from simsupport import board, run_until_stop
from support import ACTIVE, HIT, MICROPYTHON, WANT, raises

import board_config as cfg
import pollen
from pollen import timer
from pollen.gpio import _claimed
from pollen.combinators import yield_now
from pollen.timer import Ticker, sleep_ms
from pollen.watchdog import Watchdog

import apps
from scenarios import demo


def test_the_watchdog_resets_a_board_whose_task_is_stuck_in_a_busy_loop():
    b = board()
    ex = pollen.Executor(4)
    Watchdog(ex, timeout_ms=2000)

    async def main():
        await sleep_ms(100)
        b.advance(10 * 1000 * 1000)  # a task computes for 10 s without yielding

    e = raises(SimReset, ex.run, main())
    assert "watchdog" in str(e)
    assert b.now == 0 + 2000000  # reset 2 s after the last feed: the keeper's, at 0 ms


def test_an_idle_board_with_a_watchdog_runs_for_a_minute_without_reset():
    b = board(stop_after_ms=60000)
    ex = pollen.Executor(4)
    wd = Watchdog(ex, timeout_ms=2000)

    async def main():
        while True:
            await sleep_ms(30000)  # long idle stretches

    run_until_stop(b, main(), ex=ex)
    assert b.now == 60000000 and wd.feeds >= 60
    raises(ValueError, b.machine.WDT, timeout=9000)  # rp2's limit: 8388 ms


def test_a_watchdog_made_inside_the_main_task_keeps_a_busy_board_alive():
    # where most programs make it; the board is never idle: one task computes
    # 1 ms at a time between yields, another sleeps in short steps
    b = board(stop_after_ms=10000)
    ex = pollen.Executor(4)
    done = {"slices": 0, "naps": 0}

    async def compute():
        while True:
            b.advance(1000)
            done["slices"] += 1
            await yield_now()

    async def nap():
        while True:
            await sleep_ms(7)
            done["naps"] += 1

    async def main():
        wd = Watchdog(ex, timeout_ms=100)
        ex.spawn(compute())
        ex.spawn(nap())
        while True:
            await sleep_ms(1000)
            done["feeds"] = wd.feeds

    run_until_stop(b, main(), ex=ex)  # SimStop at 10 s: 100 timeouts, no SimReset
    assert b.now == 10000000
    assert done["feeds"] >= 9000 // 50  # every 50 ms, up to the last second
    assert done["slices"] >= 5000 and done["naps"] >= 700


def test_a_watchdog_made_inside_the_main_task_resets_a_board_whose_task_gets_stuck():
    b = board()
    ex = pollen.Executor(4)

    async def main():
        Watchdog(ex, timeout_ms=2000)
        for _ in range(10):  # 10 s of progress: five timeouts
            await sleep_ms(1000)
        b.advance(60 * 1000 * 1000)  # then a task computes for a minute without yielding

    e = raises(SimReset, ex.run, main())
    assert "watchdog" in str(e)
    fed = b.wdt_fed_at
    assert 9000000 <= fed <= 10000000  # fed while the task made progress
    assert b.now == fed + 2000000      # and reset 2 s after the last feed


def _stopped_after(n):
    """Run the button demo and stop it at its n-th poll; (executor, board)."""
    b = board(stop_after_ms=10000)
    demo(b, cfg)
    state = {"polls": 0}

    class Halt(Exception):
        pass

    def stop_at_n(kind, task):
        state["polls"] += 1
        if state["polls"] == n:
            raise Halt()

    ex = pollen.Executor(8, tracer=stop_at_n)
    try:
        apps.start(cfg, log=lambda s: None, executor=ex)
    except (Halt, SimStop):
        pass
    return ex, b, state["polls"]


def test_cancelling_the_demo_at_every_await_point_leaks_nothing():
    ex, b, total = _stopped_after(-1)
    assert total > 30
    for n in range(1, total + 1):
        _claimed.clear()
        ex, b, _ = _stopped_after(n)
        ex.shutdown()
        assert ex.tasks() == 0, "slots left after cancelling at poll %d" % n
        assert timer.queue().in_use() == 0, "timer nodes left at poll %d" % n
        for owner in list(_claimed.values()):
            if hasattr(owner, "_st"):
                assert owner._st[WANT] == 0 and owner._st[ACTIVE] == 0, \
                    "pin interrupt state left at poll %d" % n
        assert b.irq_errors == []


def _long_run(rounds, seconds):
    """Two tasks waking each other `rounds` times (two wakes a round) while a
    24 ms Ticker runs for `seconds` of virtual time, starting 5 s before the
    tick counter wraps.  Everything is made and dropped in here."""
    b = board(start_us=(1 << 30) - 5000000, stop_after_ms=seconds * 1000 + 1)
    ex = pollen.Executor(4)
    sig_a, sig_b = pollen.Signal(), pollen.Signal()
    tk = Ticker(24)
    counts = {"rounds": 0, "wraps": 0}

    async def pong():
        while True:
            await sig_a.wait()
            sig_b.set(1)

    async def ping():
        for _ in range(rounds):
            sig_a.set(1)
            await sig_b.wait()
        counts["rounds"] = rounds

    async def ticking():
        last = b.time.ticks_us()
        while True:
            await tk.next()
            now = b.time.ticks_us()
            if now < last:
                counts["wraps"] += 1
            last = now

    async def main():
        ex.spawn(pong())
        ex.spawn(ticking())
        await ping()
        while True:
            await sleep_ms(60000)

    run_until_stop(b, main(), ex=ex)
    ex.shutdown()
    return counts["rounds"], ex.polls, tk.ticks, tk.missed, counts["wraps"], ex.tasks()


def test_a_million_wakes_and_100k_timer_expiries_across_two_tick_wraps_leave_no_garbage():
    _long_run(10, 1)  # first use of everything: module-level state settles
    gc.collect()
    before = gc.mem_alloc() if MICROPYTHON else 0
    # 40 virtual minutes: ticks_us (period 2**30 us, ~17.9 min) wraps twice
    rounds, polls, ticks, missed, wraps, left = _long_run(500000, 2400)
    gc.collect()
    after = gc.mem_alloc() if MICROPYTHON else 0
    assert rounds == 500000 and polls >= 1000000
    assert ticks == 100000 and missed == 0
    assert wraps >= 2 and left == 0
    assert after == before, "memory grew by %d bytes" % (after - before)
