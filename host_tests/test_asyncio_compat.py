"""pollen.asyncio: asyncio's API and order, on pollen, on the simulated board.

Times are the board's virtual clock (ms from its start).  The same programs
run under MicroPython's own asyncio in test_asyncio_differential_cpython.py,
which compares the two outputs line for line; here each behaviour is pinned
down on its own, on both interpreters.
"""

import gc

from simsupport import board
from support import MICROPYTHON, allocation_free, raises

import pollen
import pollen.asyncio as asyncio
from pollen.gpio import Input
from pollen.sync import Signal
from pollen.timer import sleep_ms as pollen_sleep_ms


def fresh(**kw):
    """A fresh simulated board and a fresh asyncio loop on it."""
    b = board(**kw)
    asyncio.new_event_loop()
    asyncio.get_event_loop().set_exception_handler(None)
    return b


# -- order ----------------------------------------------------------------------


def test_ready_tasks_run_first_in_first_out_and_sleep0_lets_every_queued_task_run():
    fresh()
    log = []

    async def worker(name, n):
        for i in range(n):
            log.append("%s%d" % (name, i))
            await asyncio.sleep(0)

    async def main():
        for name in "abc":
            asyncio.create_task(worker(name, 2))
        log.append("main")
        await asyncio.sleep(0)  # behind a, b and c
        log.append("main again")
        asyncio.create_task(worker("d", 1))  # behind a1, b1, c1, queued before it
        await asyncio.sleep(0)
        log.append("main last")

    asyncio.run(main())
    assert log == ["main", "a0", "b0", "c0", "main again", "a1", "b1", "c1", "d0", "main last"]


def test_sleepers_wake_in_deadline_order_and_equal_deadlines_first_come_first_served():
    b = fresh()
    log = []

    async def sleeper(name, ms):
        await asyncio.sleep_ms(ms)
        log.append((name, b.ticks_ms()))

    async def main():
        asyncio.create_task(sleeper("late", 30))
        asyncio.create_task(sleeper("x", 10))
        asyncio.create_task(sleeper("y", 10))
        asyncio.create_task(sleeper("early", 5))
        await asyncio.sleep(0.05)

    asyncio.run(main())
    assert log == [("early", 5), ("x", 10), ("y", 10), ("late", 30)]


def _counting_clock(b):
    """Count the run queue's clock comparisons: the port's ticks_diff, which
    asyncio binds at its next create_task."""
    n = [0]
    port = pollen.port.current()
    diff = port.ticks_diff

    def counting(a, c):
        n[0] += 1
        return diff(a, c)

    port.ticks_diff = counting
    return n


def test_a_ready_task_is_queued_in_constant_time_while_another_task_sleeps():
    # asyncio's run queue is a heap: a sleeper does not slow the ready tasks.
    # 300 ready tasks and one sleeper; each sleep(0) must compare clocks a
    # few times, not once per queued task
    b = fresh()
    n = _counting_clock(b)
    switches = [0]

    async def spin():
        for _ in range(10):
            switches[0] += 1
            await asyncio.sleep(0)

    async def sleeper():
        await asyncio.sleep_ms(1000)

    async def main():
        s = asyncio.create_task(sleeper())
        ts = [asyncio.create_task(spin()) for _ in range(300)]
        for t in ts:
            await t
        s.cancel()

    asyncio.run(main())
    assert switches[0] == 3000
    assert n[0] < 3 * switches[0], "%d clock comparisons for %d switches" % (n[0], switches[0])


def test_sleepers_due_while_tasks_are_ready_run_in_asyncio_order():
    # a deadline that passes while ready tasks keep yielding: the sleeper runs
    # after the tasks queued before its deadline and before those queued after
    b = fresh()
    log = []

    async def sleeper(name, ms):
        await asyncio.sleep_ms(ms)
        log.append(name)

    async def busy(name):
        for i in range(3):
            log.append("%s%d" % (name, i))
            b.advance(1000)  # a millisecond of work
            await asyncio.sleep(0)

    async def main():
        asyncio.create_task(sleeper("s2", 2))
        asyncio.create_task(sleeper("s1", 1))
        ts = [asyncio.create_task(busy(n)) for n in "ab"]
        for t in ts:
            await t

    asyncio.run(main())
    assert log == ["a0", "b0", "s1", "a1", "s2", "b1", "a2", "b2"], log


def test_a_task_nobody_awaits_is_left_queued_and_runs_in_the_next_run():
    fresh()
    log = []

    async def background():
        for i in range(3):
            log.append("bg%d" % i)
            await asyncio.sleep(0)

    async def main(tag):
        if tag == 1:
            asyncio.create_task(background())
        await asyncio.sleep(0)
        log.append("main%d" % tag)

    asyncio.run(main(1))
    assert log == ["bg0", "main1"]  # run() returns when main does
    asyncio.run(main(2))  # bg was queued before this main: it runs first
    assert log == ["bg0", "main1", "bg1", "bg2", "main2"]


def test_a_task_that_awaits_a_pollen_future_is_woken_by_it():
    b = fresh()
    sig = Signal()
    log = []

    async def listener():
        await sig.wait()
        log.append(("got", sig.value, b.ticks_ms()))

    async def main():
        t = asyncio.create_task(listener())
        await pollen_sleep_ms(7)  # pollen's own sleep, inside an asyncio task
        sig.set(42)
        await t

    asyncio.run(main())
    assert log == [("got", 42, 7)]


# -- cancellation -----------------------------------------------------------------


def test_cancel_throws_cancelled_error_into_the_task_when_it_next_runs():
    b = fresh()
    log = []

    async def sleeper():
        try:
            await asyncio.sleep(10)
        except asyncio.CancelledError:
            log.append(("cancelled", b.ticks_ms()))
            raise
        finally:
            log.append("finally")

    async def main():
        t = asyncio.create_task(sleeper())
        await asyncio.sleep_ms(5)
        assert t.cancel() is True
        log.append("cancel called")  # the task has not run yet
        try:
            await t
        except asyncio.CancelledError:
            log.append("await raised")
        assert t.done() and t.cancel() is False

    asyncio.run(main())
    assert log == ["cancel called", ("cancelled", 5), "finally", "await raised"]


def test_cancelling_a_task_that_awaits_another_cancels_the_inner_one():
    fresh()
    log = []

    async def inner():
        try:
            await asyncio.sleep(1)
        except asyncio.CancelledError:
            log.append("inner")
            raise

    async def outer():
        try:
            await asyncio.create_task(inner())
        except asyncio.CancelledError:
            log.append("outer")
            raise

    async def main():
        t = asyncio.create_task(outer())
        await asyncio.sleep_ms(1)
        t.cancel()
        await asyncio.sleep_ms(1)
        assert raises(RuntimeError, asyncio.current_task().cancel)  # "can't cancel self"

    asyncio.run(main())
    assert log == ["inner", "outer"]


def test_cancelling_a_task_in_a_pollen_future_releases_the_future():
    b = fresh()
    button = Input(14, pull="up")
    log = []

    async def press():
        await button.wait_for_falling_edge()
        log.append(("edge", button.edge_ms))

    async def napper():
        try:
            await pollen_sleep_ms(50)
        except asyncio.CancelledError:
            await pollen_sleep_ms(1)  # "already in a sleep" if the first one's timer node leaked
            log.append(("napped after cancel", b.ticks_ms()))
            raise

    async def main():
        try:
            await asyncio.wait_for_ms(press(), 10)  # nobody presses: times out
        except asyncio.TimeoutError:
            log.append(("timeout", b.ticks_ms()))
        b.set_level(14, 0, at_us=(b.ticks_ms() + 5) * 1000)
        await press()  # the pin wait was released: it can be waited on again
        t = asyncio.create_task(napper())
        await asyncio.sleep_ms(10)
        t.cancel()
        try:
            await t
        except asyncio.CancelledError:
            log.append("cancelled")

    asyncio.run(main())
    assert log == [("timeout", 10), ("edge", 15), ("napped after cancel", 26), "cancelled"]


def test_pollen_futures_are_accepted_where_asyncio_takes_a_coroutine():
    b = fresh()
    from pollen.timer import Delay

    async def main():
        try:
            await asyncio.wait_for_ms(Delay(50), 10)
        except asyncio.TimeoutError:
            pass
        return await asyncio.gather(Delay(3), _after(1, "x"))

    assert asyncio.run(main()) == [None, "x"]
    assert b.ticks_ms() == 13


# -- gather and wait_for --------------------------------------------------------


async def _after(ms, value, fail=False):
    await asyncio.sleep_ms(ms)
    if fail:
        raise ValueError(value)
    return value


def test_gather_returns_results_in_argument_order():
    fresh()
    assert asyncio.run(asyncio.gather(_after(30, "a"), _after(10, "b"), _after(20, "c"))) == \
        ["a", "b", "c"]
    assert asyncio.run(asyncio.gather()) == []


def test_gather_with_return_exceptions_lists_each_exception_in_its_place():
    fresh()

    async def main():
        return await asyncio.gather(_after(5, 1), _after(1, 2, fail=True), return_exceptions=True)

    r = asyncio.run(main())
    assert r[0] == 1 and isinstance(r[1], ValueError) and r[1].args == (2,)


def test_gather_raises_the_first_exception_and_leaves_the_others_running():
    b = fresh()
    log = []

    async def slow():
        await asyncio.sleep_ms(20)
        log.append(("slow done", b.ticks_ms()))

    async def main():
        t = asyncio.create_task(slow())
        try:
            await asyncio.gather(t, _after(5, "x", fail=True))
        except ValueError as e:
            log.append(("raised", e.args[0], b.ticks_ms()))
        await t

    asyncio.run(main())
    assert log == [("raised", "x", 5), ("slow done", 20)]


def test_wait_for_returns_the_result_in_time_or_cancels_and_raises_timeout_error():
    b = fresh()
    log = []

    async def main():
        log.append(await asyncio.wait_for_ms(_after(5, "fast"), 10))
        try:
            await asyncio.wait_for(_after(50, "slow"), 0.01)
        except asyncio.TimeoutError:
            log.append(("timeout", b.ticks_ms()))
        ev = asyncio.Event()
        try:
            await asyncio.wait_for_ms(ev.wait(), 5)  # Event.wait() is accepted where a coroutine is
        except asyncio.TimeoutError:
            log.append(("event timeout", b.ticks_ms()))
        log.append(await asyncio.wait_for(_after(1, "no limit"), None))

    asyncio.run(main())
    assert log == ["fast", ("timeout", 15), ("event timeout", 20), "no limit"]


# -- Event, Lock -----------------------------------------------------------------


def test_event_wakes_every_waiter_in_wait_order_and_wait_returns_true():
    fresh()
    ev = asyncio.Event()
    log = []

    async def waiter(i):
        log.append(("wait", i, await ev.wait()))

    async def main():
        for i in range(3):
            asyncio.create_task(waiter(i))
        await asyncio.sleep(0)
        assert not ev.is_set()
        ev.set()
        ev.clear()  # the waiters were already queued: they still run
        log.append("set")
        await asyncio.sleep(0)
        ev.set()
        assert await ev.wait() is True  # set: no wait at all

    asyncio.run(main())
    assert log == ["set", ("wait", 0, True), ("wait", 1, True), ("wait", 2, True)]


def test_an_event_set_by_a_scheduled_callback_wakes_the_loop_while_every_task_waits():
    # a soft timer's callback runs as micropython.schedule runs it, in the
    # idle sleep: Event.set from there must end the sleep (asyncio polls every
    # 3 ms when nothing can wake it; pollen wakes its executor)
    b = fresh()
    ev = asyncio.Event()
    log = []
    tim = b.machine.Timer(-1)

    def soft(_):
        log.append(("set", b.ticks_ms()))
        ev.set()

    async def waiter(i):
        await ev.wait()
        log.append(("woke", i, b.ticks_ms()))

    async def main():
        ts = [asyncio.create_task(waiter(i)) for i in range(3)]
        tim.init(mode=tim.ONE_SHOT, period=5, callback=soft, hard=False)
        for t in ts:
            await t

    asyncio.run(main())
    assert log == [("set", 5), ("woke", 0, 5), ("woke", 1, 5), ("woke", 2, 5)], log


def test_lock_hands_over_in_wait_order_and_a_cancelled_waiter_passes_it_on():
    fresh()
    lock = asyncio.Lock()
    log = []

    async def user(i):
        try:
            async with lock as got:
                log.append(("have", i, got))
                await asyncio.sleep(0)
        except asyncio.CancelledError:
            log.append(("cancelled", i))

    async def main():
        await lock.acquire()
        ts = [asyncio.create_task(user(i)) for i in range(3)]
        await asyncio.sleep(0)  # all three wait, in order
        lock.release()          # 0 is chosen...
        ts[0].cancel()          # ...but cancelled before it runs: 1 gets the lock
        for t in ts:
            try:
                await t
            except asyncio.CancelledError:
                pass
        assert not lock.locked()
        e = raises(RuntimeError, lock.release)
        assert "not acquired" in str(e)

    asyncio.run(main())
    assert log == [("cancelled", 0), ("have", 1, True), ("have", 2, True)]


# -- exceptions and the loop API --------------------------------------------------


def test_an_unretrieved_exception_reaches_the_exception_handler_when_asyncio_would():
    fresh()
    seen = []
    log = []

    def handler(loop, context):
        seen.append((context["message"], repr(context["exception"]), context["future"]))
        log.append("handler")

    async def bad():
        raise ValueError("boom")

    async def main():
        loop = asyncio.get_event_loop()
        loop.set_exception_handler(handler)
        assert loop.get_exception_handler() is handler
        t = asyncio.create_task(bad())
        await asyncio.sleep(0)  # bad runs and raises: queued again, for the report
        log.append("one")
        await asyncio.sleep(0)  # reported now
        log.append("two")
        try:
            await t  # retrieving it later still raises it
        except ValueError:
            log.append("retrieved")
        t2 = asyncio.create_task(bad())
        await asyncio.sleep(0)
        try:
            await t2  # retrieved before the report: no report
        except ValueError:
            log.append("retrieved 2")
        await asyncio.sleep(0)

    asyncio.run(main())
    assert log == ["one", "handler", "two", "retrieved", "retrieved 2"]
    assert len(seen) == 1 and seen[0][0] == "Task exception wasn't retrieved"
    assert "boom" in seen[0][1] and repr(seen[0][2]) == "<Task>"


def test_the_main_task_exception_propagates_out_of_run():
    fresh()

    async def main():
        await asyncio.sleep(0)
        raise KeyError("main")

    e = raises(KeyError, asyncio.run, main())
    assert e.args == ("main",)


def test_run_forever_runs_until_stop_and_current_task_is_known_only_inside():
    fresh()
    loop = asyncio.get_event_loop()
    log = []

    async def main():
        log.append(asyncio.current_task() is me[0])
        await asyncio.sleep_ms(3)
        loop.stop()
        log.append("stopped")

    me = [loop.create_task(main())]
    loop.run_forever()
    assert log == [True, "stopped"]
    assert raises(RuntimeError, asyncio.current_task)
    assert loop.run_until_complete(_after(1, "r")) == "r"
    loop.close()


def test_create_task_of_something_not_a_coroutine_raises_type_error():
    fresh()
    e = raises(TypeError, asyncio.create_task, 42)
    assert "coroutine expected" in str(e)


def test_there_is_no_task_limit_in_a_one_slot_executor():
    fresh()
    done = []

    async def one(i):
        await asyncio.sleep_ms(i % 7)
        done.append(i)

    async def main():
        await asyncio.gather(*[one(i) for i in range(200)])

    asyncio.run(main())
    assert sorted(done) == list(range(200))


def test_run_shares_an_executor_with_pollen_tasks():
    b = fresh()
    ex = pollen.Executor(3)
    sig = Signal()
    log = []

    async def pollen_task():  # a plain pollen task, in a slot of its own
        await sig.wait()
        log.append(("pollen got", sig.value, b.ticks_ms()))

    async def main():
        ex.spawn(pollen_task())
        await asyncio.sleep_ms(4)
        sig.set("hi")
        await asyncio.sleep_ms(1)
        log.append("main done")

    asyncio.run(main(), executor=ex)
    assert log == [("pollen got", "hi", 4), "main done"]


# -- ThreadSafeFlag -----------------------------------------------------------------


def test_threadsafeflag_set_from_a_hard_pin_irq_wakes_the_waiting_task_at_the_edge():
    b = fresh()
    flag = asyncio.ThreadSafeFlag()
    pin = b.machine.Pin(14, b.machine.Pin.IN, b.machine.Pin.PULL_UP)
    pin.irq(lambda p: flag.set(), b.machine.Pin.IRQ_FALLING, hard=True)
    b.press(14, at_ms=12, hold_ms=5)
    b.press(14, at_ms=40, hold_ms=5)
    log = []

    async def main():
        for _ in range(2):
            await flag.wait()
            log.append(b.ticks_ms())

    asyncio.run(main())
    assert log == [12, 40]
    assert b.irq_errors == []  # the handler allocated nothing (MicroPython: under heap_lock)


def test_one_threadsafeflag_set_releases_every_task_waiting_on_it():
    b = fresh()
    flag = asyncio.ThreadSafeFlag()
    log = []

    async def waiter(i):
        await flag.wait()
        log.append(i)

    async def main():
        ts = [asyncio.create_task(waiter(i)) for i in range(3)]
        await asyncio.sleep(0)
        flag.set()
        for t in ts:
            await t
        flag.set()
        flag.clear()
        try:
            await asyncio.wait_for_ms(flag.wait(), 5)  # consumed, then cleared: it waits
        except asyncio.TimeoutError:
            log.append("cleared")

    asyncio.run(main())
    assert log == [0, 1, 2, "cleared"]


def _irq_order(b, port_knows):
    """Three busy tasks (1 ms of CPU each per slice) and a task waiting on a
    ThreadSafeFlag that a hard pin IRQ sets at 2.5 ms.  Returns the order."""
    if port_knows:
        from pollen import port
        port.current().in_hard_irq = lambda: b.in_hard_irq  # what the port would report
    flag = asyncio.ThreadSafeFlag()
    pin = b.machine.Pin(14, b.machine.Pin.IN, b.machine.Pin.PULL_UP)
    pin.irq(lambda p: flag.set(), b.machine.Pin.IRQ_FALLING, hard=True)
    b.set_level(14, 0, at_us=2500)
    log = []

    async def busy(name):
        for i in range(3):
            b.advance(1000)  # a slice of work: the IRQ lands during one of these
            log.append(name)
            await asyncio.sleep(0)

    async def waiter():
        await flag.wait()
        log.append("W")

    async def main():
        w = asyncio.create_task(waiter())
        ts = [asyncio.create_task(busy(n)) for n in "abc"]
        await w
        for t in ts:
            await t

    asyncio.run(main())
    return log


def test_a_flag_set_in_a_hard_irq_runs_its_waiter_next_when_the_port_can_tell():
    b = fresh()
    try:
        # the edge lands in c's first slice: W runs right after it
        assert _irq_order(b, True) == ["a", "b", "c", "W", "a", "b", "c", "a", "b", "c"]
    finally:
        from pollen import port
        del port.current().in_hard_irq


def test_a_flag_set_elsewhere_queues_its_waiter_behind_the_ready_tasks_as_asyncio_does():
    b = fresh()
    # the edge lands in c's first slice: W is queued behind a, b and c
    assert _irq_order(b, False) == ["a", "b", "c", "a", "b", "c", "W", "a", "b", "c"]


# -- allocation ---------------------------------------------------------------------


def test_threadsafeflag_set_allocates_nothing():
    fresh()
    flag = asyncio.ThreadSafeFlag()
    allocation_free(flag.set)


def _round_trips_allocate(make_pair, n=200):
    """Bytes allocated by n round trips between two asyncio tasks (after a
    warm-up), and whether n more ran under heap_lock.  (0, True) on CPython.
    Each loop's coroutine is made before measuring: making it allocates."""
    fresh()
    result = {"grown": 0, "locked": True}

    async def main():
        ping, pong = make_pair()
        t = asyncio.create_task(pong(3 * n + 5))
        await ping(5)  # warm up
        if MICROPYTHON:
            import micropython
            c = ping(n)
            gc.collect()
            gc.disable()
            before = gc.mem_alloc()
            await c
            result["grown"] = gc.mem_alloc() - before
            gc.enable()
            c = ping(n)
            micropython.heap_lock()
            try:
                await c
            except MemoryError:
                result["locked"] = False
            micropython.heap_unlock()
        else:
            await ping(2 * n)
        await ping(n)
        await t

    asyncio.run(main())
    return result["grown"], result["locked"]


def _event_pair():
    a = asyncio.Event()
    bb = asyncio.Event()

    async def ping(n):
        for _ in range(n):
            a.set()
            await bb.wait()
            bb.clear()

    async def pong(n):
        for _ in range(n):
            await a.wait()
            a.clear()
            bb.set()

    return ping, pong


def _flag_pair():
    a = asyncio.ThreadSafeFlag()
    bb = asyncio.ThreadSafeFlag()

    async def ping(n):
        for _ in range(n):
            a.set()
            await bb.wait()

    async def pong(n):
        for _ in range(n):
            await a.wait()
            bb.set()

    return ping, pong


def _lock_pair():
    lock = asyncio.Lock()

    async def ping(n):
        for _ in range(n):
            async with lock:
                await asyncio.sleep_ms(0)

    return ping, ping


def test_event_round_trips_allocate_nothing():
    assert _round_trips_allocate(_event_pair) == (0, True)


def test_threadsafeflag_round_trips_allocate_nothing():
    assert _round_trips_allocate(_flag_pair) == (0, True)


def test_lock_and_sleep_ms_0_round_trips_allocate_nothing():
    assert _round_trips_allocate(_lock_pair) == (0, True)


def test_sleep_ms_allocates_nothing_with_the_heap_locked_on_the_board():
    b = fresh()
    result = {"ok": None}  # keys made before the heap is locked

    async def ticker(n):
        for _ in range(n):
            await asyncio.sleep_ms(3)

    async def main():
        t = asyncio.create_task(ticker(1000))
        await ticker(3)  # warm up
        c = ticker(100)
        b.heap_lock()
        try:
            await c
            result["ok"] = True
        except MemoryError:
            result["ok"] = False
        b.heap_unlock()
        t.cancel()

    asyncio.run(main())
    assert result["ok"], "sleep_ms allocated with the heap locked"
    assert b.irq_errors == []


def test_a_sleep_longer_than_one_alarm_chunk_wakes_on_time_on_the_board():
    # The loop sleeps on one timer node for at most timer.MAX_CHUNK_US (about
    # 268 s) at a time: a 20-minute sleep is five idle waits, then the task
    b = fresh()
    woke = []

    async def main():
        t0 = b.now
        await asyncio.sleep_ms(20 * 60 * 1000)
        woke.append(b.now - t0)

    asyncio.run(main())
    late = woke[0] - 20 * 60 * 1000 * 1000
    assert 0 <= late < 5000, late  # never early; late by less than 1 ms per chunk
    assert b.irq_errors == []


# -- streams --------------------------------------------------------------------


def test_a_stream_reader_and_writer_on_one_uart_share_it_in_virtual_time():
    b = fresh()
    uart = b.machine.UART(0, 115200)
    writer = asyncio.StreamWriter(uart, {})
    reader = asyncio.StreamReader(uart)  # the usual asyncio pair on one UART
    t_ok = b.uart_feed(0, b"OK\r\n", at_ms=50)
    log = []

    async def main():
        writer.write(b"AT\r\n")
        await writer.drain()
        log.append(await reader.readline())
        log.append(b.now >= t_ok)
        buf = bytearray(8)
        b.uart_feed(0, b"xyz", at_ms=80)
        n = await reader.readinto(buf)
        log.append(bytes(buf[:n]))
        await reader.wait_closed()

    asyncio.run(main())
    assert log == [b"OK\r\n", True, b"xyz"]
    assert b.uart_sent(0) == b"AT\r\n"
    assert not b.port()._streams  # wait_closed gave the UART back: nothing is watched


def test_a_stream_read_that_times_out_leaves_no_watch_behind():
    b = fresh()
    reader = asyncio.StreamReader(b.machine.UART(1, 9600))
    log = []

    async def main():
        try:
            await asyncio.wait_for_ms(reader.readline(), 10)
        except asyncio.TimeoutError:
            log.append(("timeout", b.ticks_ms()))
        assert not b.port()._streams
        b.uart_feed(1, b"late\n", at_ms=30)
        log.append(await reader.readline())
        await reader.wait_closed()

    asyncio.run(main())
    assert log == [("timeout", 10), b"late\n"]


def test_a_stream_that_becomes_ready_while_tasks_are_busy_is_served_in_asyncio_order():
    # asyncio asks its poller at every step, so a busy loop does not starve
    # a stream: the loop asks the port as often
    b = fresh()
    reader = asyncio.StreamReader(b.machine.UART(0, 115200))
    b.uart_feed(0, b"data", at_us=1500)  # 4 bytes: the RX interrupt at the 4th
    log = []

    async def busy(name):
        for i in range(4):
            b.advance(1000)  # a slice of work
            log.append(name)
            await asyncio.sleep(0)

    async def read():
        log.append("read " + (await reader.read(10)).decode())

    async def main():
        r = asyncio.create_task(read())
        ts = [asyncio.create_task(busy(n)) for n in "ab"]
        await r
        for t in ts:
            await t
        await reader.wait_closed()

    asyncio.run(main())
    assert log.index("read data") < len(log) - 2, log  # served while a and b still run
    assert log.count("a") == log.count("b") == 4


def test_a_stream_write_with_the_heap_locked_allocates_nothing():
    # asyncio's StreamWriter.write hands the bytes to the object at once; so
    # does pollen's, with its buffers made with the StreamWriter
    b = fresh()
    writer = asyncio.StreamWriter(b.machine.UART(0, 115200), {})
    msg = b"AT\r\n"
    result = {"ok": None}

    async def main():
        b.heap_lock()
        try:
            writer.write(msg)
            result["ok"] = True
        except MemoryError:
            result["ok"] = False
        b.heap_unlock()
        await writer.drain()
        await asyncio.sleep_ms(1)  # 4 bytes on the wire at 115200 baud: 350 us
        await writer.wait_closed()

    asyncio.run(main())
    assert result["ok"], "write() allocated with the heap locked"
    assert b.uart_sent(0) == msg


def test_a_main_task_that_ends_with_the_heap_locked_ends_run_with_its_own_exception():
    # its MemoryError, raised when an allocation failed: the loop's own way
    # out must not allocate (it raised a StopIteration out of the executor)
    b = fresh()

    async def main():
        await asyncio.sleep_ms(1)
        b.heap_lock()
        return bytearray(16)  # fails on MicroPython: the heap is locked

    try:
        asyncio.run(main())
        got = None
    except BaseException as e:  # noqa: B036 -- a StopIteration out of the loop is the bug
        got = e
    b.heap_unlock()
    if MICROPYTHON:
        assert isinstance(got, MemoryError), repr(got)
    else:
        assert got is None, repr(got)
