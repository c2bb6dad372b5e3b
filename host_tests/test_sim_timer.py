"""Time on the simulated board: one alarm, many sleeps, Ticker, timeouts."""

from simboard import SimDeadlock
from simsupport import board, heap_locked, run, run_until_stop
from support import MICROPYTHON, raises

import pollen
from pollen import TimeoutError, join, timer
from pollen.timer import Delay, Ticker, sleep_ms, sleep_until, sleep_us, with_timeout


def test_a_sleep_wakes_exactly_at_its_deadline_in_virtual_time():
    b = board()

    async def main():
        t0 = b.now
        await sleep_ms(250)
        return b.now - t0

    assert run(b, main())[0] == 250000


def test_sleeps_with_random_deadlines_wake_in_order_and_never_early():
    b = board()
    seed = [12345]

    def rnd(n):
        seed[0] = (seed[0] * 1103515245 + 12345) & 0x7FFFFFFF
        return seed[0] % n

    woke = []
    deadlines = [rnd(2000000) + 1 for _ in range(1000)]

    async def sleeper(d):
        await sleep_us(d)
        woke.append((b.now, d))

    async def main():
        # 1000 sleepers in waves of 30 (the executor's capacity) -- deadlines from the same start
        for start in range(0, 1000, 30):
            t0 = b.now
            ts = [ex.spawn(sleeper(d)) for d in deadlines[start:start + 30]]
            for t in ts:
                await t
            wave = woke[start:start + 30]
            for now, d in wave:
                assert now - t0 == d, "woke at %d, deadline %d" % (now - t0, d)
            times = [now for now, d in wave]
            assert times == sorted(times), "woke out of deadline order"

    timer.init(capacity=32)
    ex = pollen.Executor(32)
    ex.run(main())
    assert len(woke) == 1000


def test_one_hardware_timer_serves_every_sleep():
    b = board()

    async def napper(ms):
        for _ in range(5):
            await sleep_ms(ms)

    async def main():
        await join(napper(7), napper(11), napper(13))

    run(b, main())
    assert timer.queue().in_use() == 0
    # every sleep registered on the single queue; the alarm fired only for deadlines
    assert timer.queue().expiries == 15


def test_a_ticker_at_10ms_for_10_virtual_minutes_has_zero_drift():
    b = board(stop_after_ms=600000 + 5)
    tk = Ticker(10)
    seen = []

    async def main():
        t0 = b.now
        while True:
            await tk.next()
            seen.append(b.now - t0)

    run_until_stop(b, main())
    assert tk.ticks == 60000
    assert seen[-1] == 600000 * 1000  # tick k at exactly k*10 ms: no drift
    assert tk.max_late_us == 0 and tk.missed == 0


def test_a_late_ticker_skips_and_counts_missed_ticks_instead_of_bunching():
    b = board()
    tk = Ticker(10)

    async def main():
        await tk.next()          # t = 10 ms
        b.advance(35000)         # the task is busy for 35 ms (until 45 ms)
        await tk.next()          # the 20, 30, 40 ms ticks have passed
        late = tk.late_us
        await tk.next()          # back on the grid: 50 ms
        return late, b.now

    (late, now), _ = run(b, main())
    assert tk.missed == 2        # 20 and 30 skipped, 40 delivered late
    assert late == 5000
    assert now == 50000


def test_the_tick_counter_wrapping_mid_sleep_changes_nothing():
    # start 3 ms before ticks_us wraps at 2**30
    b = board(start_us=(1 << 30) - 3000)

    async def main():
        before = b.time.ticks_us()
        await sleep_ms(10)
        after = b.time.ticks_us()
        return before, after, b.now

    (before, after, now), _ = run(b, main())
    assert after < before           # the counter wrapped...
    assert now == 10000             # ...and the sleep still lasted exactly 10 ms


def test_sleep_until_a_past_deadline_completes_at_once():
    b = board()

    async def main():
        await sleep_ms(5)
        past = b.time.ticks_add(b.time.ticks_us(), -100)
        await sleep_until(past)
        return b.now

    assert run(b, main())[0] == 5000


def test_with_timeout_raises_and_cancels_the_inner_sleep():
    b = board()

    async def slow():
        await Delay(100)
        return "late"

    async def main():
        try:
            await with_timeout(30, slow())
        except TimeoutError:
            return b.now, timer.queue().in_use()

    (now, in_use), _ = run(b, main())
    assert now == 30000 and in_use == 0


def test_with_timeout_returns_the_result_when_in_time():
    b = board()

    async def quick():
        await Delay(10)
        return 5

    async def main():
        return await with_timeout(30, quick())

    assert run(b, main())[0] == 5
    assert timer.queue().in_use() == 0


def test_a_long_sleep_beyond_the_tick_range_is_chunked_exactly():
    b = board()

    async def main():
        await sleep_ms(20 * 60 * 1000)  # 20 minutes: more than ticks_diff can span
        return b.now

    assert run(b, main())[0] == 20 * 60 * 1000 * 1000


def test_bad_durations_are_refused_at_the_call_site():
    board()
    e = raises(ValueError, sleep_ms, -5)
    assert "negative" in str(e)
    raises(TypeError, sleep_ms, 1.5)
    raises(ValueError, Ticker, 0)
    e = raises(ValueError, sleep_ms, 10 ** 12)
    assert "beyond" in str(e)


def test_idle_sleeps_the_cpu_a_few_times_per_second_not_every_millisecond():
    b = board(stop_after_ms=10000)

    async def main():
        while True:
            await sleep_ms(1000)

    ex = run_until_stop(b, main())
    # 10 s of 1 s sleeps: the CPU wakes once per alarm, not 1000 times a second
    assert b.cpu_wakeups <= 12, b.cpu_wakeups
    assert ex.idle_wakeups <= 12


def test_a_program_that_waits_on_nothing_is_reported_as_a_deadlock():
    b = board()

    async def main():
        await pollen.oneshot()[0]

    raises(SimDeadlock, run, b, main())


def _steady_state(b, n, first=None):
    """Sleeps and a Ticker on board `b`, `n` rounds with the heap locked
    (after `first()`, awaited, and a warm-up): whether nothing allocated."""
    tk = Ticker(5)
    result = {"ok": None}  # keys made before the heap is locked

    async def loop(n):
        for _ in range(n):
            await sleep_ms(3)
            await tk.next()

    async def main():
        if first is not None:
            await first()
        await loop(3)  # warm up
        c = loop(n)
        b.heap_lock()
        try:
            await c
            result["ok"] = True
        except MemoryError:
            result["ok"] = False
        b.heap_unlock()

    run(b, main())
    assert tk.missed == 0
    return result["ok"]


def test_sleeps_and_ticker_run_in_the_steady_state_without_allocating():
    b = board()
    assert _steady_state(b, 200), "sleep/Ticker allocated with the heap locked"
    assert b.irq_errors == []


def test_an_executor_given_a_port_makes_its_timers_use_that_port():
    from pollen import port
    from pollen.port_host import HostPort
    b = board()  # installs the simulated board's port
    hp = HostPort()
    ex = pollen.Executor(2, port=hp)

    async def main():
        await sleep_us(200)  # on the host port's alarm, in real time
        return port.current() is hp

    assert ex.run(main())
    b.port()  # leave the simulated board installed for whoever comes next


# port_rp2's alarm, modelled (SimBoard(alarm="rp2")): hardware alarm 0 only
# ends the WFI; the timer's handler runs in task context -- from the port's
# wait() and from the executor loop, which compares the clock with the armed
# deadline on every pass (loop.py asks port.due(); loop_viper reads the word)


def test_with_the_rp2_alarm_sleeps_end_exactly_at_their_deadlines_and_no_irq_runs_python():
    b = board(alarm="rp2")
    q = timer.queue()
    assert pollen.port.current().alarm is not None and not q._masked
    slept = []

    async def main():
        for us in (300, 1000, 2500, 1):
            t0 = b.now
            await sleep_us(us)
            slept.append(b.now - t0)

    run(b, main())
    assert slept == [300, 1000, 2500, 1]
    assert q.expiries == 4 and q.in_use() == 0
    assert b.irq_errors == []


def test_with_the_rp2_alarm_busy_tasks_do_not_keep_a_sleep_from_ending():
    b = board(alarm="rp2")
    late = []
    stop = [False]

    async def busy():
        while not stop[0]:
            b.advance(100)  # the CPU is busy for 100 us
            await pollen.yield_now()

    async def sleeper():
        for _ in range(10):
            t0 = b.now
            await sleep_us(1500)
            late.append(b.now - t0 - 1500)
        stop[0] = True

    async def main(ex):
        bs = [ex.spawn(busy()) for _ in range(3)]
        await sleeper()
        for t in bs:
            await t

    ex = pollen.Executor(6)
    ex.run(main(ex))
    assert ex.idle_wakeups == 0  # never idle: the loop itself saw every deadline
    assert len(late) == 10 and min(late) >= 0 and max(late) <= 300, late  # one round of busy tasks


def test_with_the_rp2_alarm_the_tick_wrap_and_the_steady_state_are_as_before():
    b = board(alarm="rp2", start_us=(1 << 30) - 3000)
    took = []

    async def across_the_wrap():
        t0 = b.now
        await sleep_ms(10)
        took.append(b.now - t0)

    assert _steady_state(b, 100, across_the_wrap), "sleep/Ticker allocated with the heap locked"
    assert took == [10000]
