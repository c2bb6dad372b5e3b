"""Signal, Event, Channel: interrupt handlers handing data to tasks.

'Interrupts' are the ScriptedPort's: each time the executor (or block_on)
goes to sleep, the next scripted function runs, as a handler would.
"""

import gc
import sys

from support import (MICROPYTHON, ScriptedPort, allocated_in_a_running_executor, allocation_free,
                     interrupt_at_every_bytecode, raises)

from pollen import (PENDING, CancelledError, Context, CountingWaker, Executor,
                    block_on, oneshot, select, yield_now)
from pollen import sync
from pollen.sync import Channel, Event, Signal


def quiet(task, exc):
    return 0  # LOG, and the test looks at the handle


class InterruptingContext(Context):
    """A context whose waker() lets an interrupt fire at that moment: the
    instant a future asks for its waker, between 'not ready yet' and
    'registered' in a future that looks before it registers."""

    def __init__(self, isr):
        self.cw = CountingWaker()
        Context.__init__(self, self.cw.waker, True)  # counting: the fast paths call waker()
        self.isr = isr

    def waker(self):
        isr = self.isr
        if isr is not None:
            self.isr = None
            isr()
        return self._waker


# -- Signal -------------------------------------------------------------------


def test_signal_keeps_only_the_latest_value():
    s = Signal()
    seen = []

    async def main():
        await s.wait()
        seen.append(s.value)
        await s.wait()
        seen.append(s.value)

    def burst():
        s.set(1)
        s.set(2)
        s.set(3)

    port = ScriptedPort(burst, lambda: s.set(4))
    block_on(main(), port=port)
    assert seen == [3, 4], seen
    assert port.sleeps == 2  # the burst woke the task once; the second wait slept


def test_signal_value_stays_what_the_wait_consumed_until_the_next_wait():
    s = Signal()
    seen = []

    async def main():
        await s.wait()
        v = s.value
        s.set("newer")  # an interrupt while the task works on the value
        seen.append((v, s.value))
        await s.wait()  # the newer one is pending, not lost: no sleep
        seen.append(s.value)

    block_on(main(), port=ScriptedPort(lambda: s.set("first")))
    assert seen == [("first", "first"), "newer"], seen


def test_awaiting_the_signal_itself_returns_the_value():
    s = Signal()

    async def main():
        a = await s
        b = await s
        return a, b

    port = ScriptedPort(lambda: s.set("rising"), lambda: s.set(None))
    assert block_on(main(), port=port) == ("rising", None)


def test_a_signal_set_before_the_wait_is_ready_at_once():
    s = Signal()
    s.set(5)

    async def main():
        await s.wait()
        return s.value

    assert block_on(main(), port=ScriptedPort()) == 5  # never slept


def test_signal_take_returns_a_pending_value_once():
    s = Signal()
    assert s.take() is None and s.take("nothing") == "nothing"
    s.set(0)
    assert s.is_set()
    assert s.take("nothing") == 0
    assert not s.is_set()
    assert s.take("nothing") == "nothing"
    assert s.value == 0  # the last value consumed stays readable
    s.set(1)
    s.clear()
    assert s.take("nothing") == "nothing"


def test_a_second_task_waiting_on_a_signal_is_refused():
    s = Signal()
    ex = Executor(3, port=ScriptedPort(), on_error=quiet)

    async def waiter():
        await s.wait()

    async def main():
        ex.spawn(waiter())
        second = ex.spawn(waiter())
        await yield_now()
        try:
            await second
        except RuntimeError as e:
            return str(e)

    msg = ex.run(main())
    assert "Event" in msg, msg


def test_a_pending_signal_taken_by_another_task_leaves_the_waiter_waiting():
    # Awaiting a Signal whose set() is pending completes at once (like take()),
    # even while another task is registered; that task was woken by the set(),
    # finds nothing, waits again -- and the next set() still reaches it.
    s = Signal()
    got = []
    ex = Executor(3, port=ScriptedPort(), on_error=quiet)

    async def waiter():
        await s.wait()
        got.append(("waiter", s.value))

    async def main():
        w = ex.spawn(waiter())
        await yield_now()  # the waiter is registered now
        s.set(1)
        await s.wait()  # pending: taken here, no RuntimeError
        got.append(("main", s.value))
        await yield_now()  # the waiter runs, finds nothing, registers again
        assert not w.done()
        s.set(2)
        await w

    ex.run(main())
    assert got == [("main", 1), ("waiter", 2)], got


# -- Event --------------------------------------------------------------------


def test_event_set_from_an_interrupt_wakes_every_waiter():
    ev = Event(max_waiters=4)
    done = []
    port = ScriptedPort(ev.set)
    ex = Executor(6, port=port)

    async def waiter(i):
        await ev.wait()
        done.append(i)

    async def main():
        ts = [ex.spawn(waiter(i)) for i in range(4)]
        for t in ts:
            await t

    ex.run(main())
    assert sorted(done) == [0, 1, 2, 3], done
    assert port.sleeps == 1  # one interrupt woke them all
    assert ev.waiting() == 0 and ev.is_set()


def test_event_waiters_complete_even_if_it_is_cleared_before_they_run():
    ev = Event()
    done = []

    def pulse():
        ev.set()
        ev.clear()

    ex = Executor(4, port=ScriptedPort(pulse))

    async def waiter(i):
        await ev.wait()
        done.append(i)

    async def main():
        ts = [ex.spawn(waiter(i)) for i in range(3)]
        for t in ts:
            await t

    ex.run(main())
    assert sorted(done) == [0, 1, 2] and not ev.is_set()


def test_event_wait_passes_at_once_while_set_and_blocks_after_clear():
    ev = Event()
    port = ScriptedPort(ev.set)

    async def main():
        ev.set()
        await ev.wait()
        await ev.wait()
        sleeps_while_set = port.sleeps
        ev.clear()
        await ev.wait()  # needs the interrupt now
        return sleeps_while_set

    assert block_on(main(), port=port) == 0
    assert port.sleeps == 1


def test_one_waiter_too_many_fails_in_its_task_not_in_the_interrupt():
    ev = Event(max_waiters=2)
    done = []
    ex = Executor(5, port=ScriptedPort(ev.set), on_error=quiet)

    async def waiter(i):
        await ev.wait()
        done.append(i)

    async def main():
        a = ex.spawn(waiter(0))
        b = ex.spawn(waiter(1))
        c = ex.spawn(waiter(2))
        try:
            await c
        except RuntimeError as e:
            msg = str(e)
        await a
        await b
        return msg

    msg = ex.run(main())
    assert "max_waiters=4" in msg and "2" in msg, msg
    assert sorted(done) == [0, 1]


def test_an_event_of_no_waiter_slots_is_refused():
    e = raises(ValueError, Event, 0)
    assert "at least 1" in str(e)


# -- Channel ------------------------------------------------------------------


def test_channel_of_capacity_zero_is_refused():
    e = raises(ValueError, Channel, 0)
    assert "at least 1" in str(e) and "got 0" in str(e), str(e)
    raises(ValueError, Channel, -3)


def test_channel_delivers_items_in_order():
    ch = Channel(4)

    def two():
        ch.send_nowait("a")
        ch.send_nowait("b")

    async def main():
        got = []
        for _ in range(3):
            got.append(await ch.recv())
        return got

    port = ScriptedPort(two, lambda: ch.send_nowait("c"))
    assert block_on(main(), port=port) == ["a", "b", "c"]
    assert port.sleeps == 2 and len(ch) == 0


def test_channel_wait_then_get_nowait_drains_a_burst():
    ch = Channel(8)

    def burst():
        for i in range(5):
            ch.send_nowait(i)

    async def main():
        await ch.wait()
        assert len(ch) == 5  # wait() does not take anything
        got = []
        while len(ch):
            got.append(ch.get_nowait())
        return got

    assert block_on(main(), port=ScriptedPort(burst)) == [0, 1, 2, 3, 4]


def test_channel_overflow_is_counted_and_nothing_is_corrupted():
    ch = Channel(4)
    accepted = [ch.send_nowait(i) for i in range(6)]  # an interrupt burst
    assert accepted == [True, True, True, True, False, False]
    assert ch.overflow == 2 and len(ch) == 4
    assert [ch.get_nowait() for _ in range(4)] == [0, 1, 2, 3]
    assert len(ch) == 0 and ch.overflow == 2


def test_channel_recovers_when_the_reader_catches_up():
    for cap in (1, 3, 4):
        ch = Channel(cap)
        for i in range(cap + 2):
            ch.send_nowait(i)
        assert ch.overflow == 2 and len(ch) == cap
        assert [ch.get_nowait() for _ in range(cap)] == list(range(cap))
        nxt = 100
        expect = 100
        for _ in range(50):  # wraps the indices many times over
            for _ in range(cap):
                assert ch.send_nowait(nxt)
                nxt += 1
            assert len(ch) == cap
            while len(ch):
                assert ch.get_nowait() == expect
                expect += 1
        assert expect == nxt and ch.overflow == 2


def test_get_nowait_on_an_empty_channel_raises_or_returns_the_default():
    ch = Channel(2)
    e = raises(IndexError, ch.get_nowait)
    assert "wait()" in str(e)
    assert ch.get_nowait(None) is None
    ch.send_nowait(0)
    assert ch.get_nowait(None) == 0


def test_send_waits_while_full_and_resumes_when_the_reader_takes_one():
    ch = Channel(2)
    ex = Executor(3, port=ScriptedPort())
    log = []

    async def producer():
        for i in range(6):
            await ch.send(i)
            log.append("sent %d" % i)

    async def main():
        p = ex.spawn(producer())
        await yield_now()
        assert len(ch) == 2 and "sent 2" not in log  # blocked on the full channel
        got = []
        for _ in range(6):
            got.append(await ch.recv())
        await p
        return got

    assert ex.run(main()) == [0, 1, 2, 3, 4, 5]
    assert ch.overflow == 0


def test_a_second_receiver_is_refused():
    ch = Channel(2)
    ex = Executor(3, port=ScriptedPort(), on_error=quiet)

    async def receiver():
        await ch.recv()

    async def main():
        ex.spawn(receiver())
        second = ex.spawn(receiver())
        await yield_now()
        try:
            await second
        except RuntimeError as e:
            return str(e)

    assert "one task receives" in ex.run(main())


# -- registration: cancellation, select, the racing interrupt ------------------


def test_cancelled_wait_leaves_no_stale_waker():
    s = Signal()
    ev = Event(max_waiters=1)
    ch = Channel(1)
    port = ScriptedPort(lambda: (s.set("s"), ev.set(), ch.send_nowait("c")))
    ex = Executor(8, port=port)

    async def wait_signal():
        await s.wait()
        return s.value

    async def wait_event():
        await ev.wait()
        return "e"

    async def wait_channel():
        return await ch.recv()

    async def main():
        first = [ex.spawn(f()) for f in (wait_signal, wait_event, wait_channel)]
        await yield_now()  # all three registered
        assert ev.waiting() == 1
        for t in first:
            t.cancel()
        assert ev.waiting() == 0
        assert s._waker is None and not ch._rx.waiting()
        # new waiters take the places (a stale one would refuse them)
        second = [ex.spawn(f()) for f in (wait_signal, wait_event, wait_channel)]
        got = []
        for t in second:
            got.append(await t)
        for t in first:
            try:
                await t
            except CancelledError:
                got.append("cancelled")
        return got

    assert ex.run(main()) == ["s", "e", "c", "cancelled", "cancelled", "cancelled"]


def test_a_wait_dropped_by_select_releases_its_registration():
    s = Signal()
    ev = Event(max_waiters=1)
    ch = Channel(1)
    f, r = oneshot()

    async def main():
        return await select(s.wait(), ev.wait(), ch.wait(), f)

    assert block_on(main(), port=ScriptedPort(lambda: r.resolve("other"))) == (3, "other")
    assert ev.waiting() == 0 and s._waker is None and not ch._rx.waiting()
    # nothing left registered: the interrupt side wakes no one
    s.set(1)
    ev.set()
    ch.send_nowait(1)


def test_an_interrupt_while_the_wait_registers_is_never_lost():
    s = Signal()
    ev = Event()
    ch = Channel(2)
    cases = ((s.wait(), lambda: s.set(1)),
             (ev.wait(), ev.set),
             (ch.wait(), lambda: ch.send_nowait(1)),
             (ch.recv(), lambda: ch.send_nowait(2)))
    for fut, isr in cases:
        cx = InterruptingContext(isr)
        r = fut.poll(cx)
        # either the poll saw the interrupt's data, or the waker it stored was woken
        assert r is not PENDING or cx.cw.wakes > 0, fut


def test_a_pending_wait_is_woken_exactly_by_the_interrupt():
    s = Signal()
    ev = Event()
    ch = Channel(2)
    for fut, isr in ((s.wait(), lambda: s.set(1)), (ev.wait(), ev.set),
                     (ch.wait(), lambda: ch.send_nowait(1))):
        cw = CountingWaker()
        cx = Context.from_waker(cw.waker)
        assert fut.poll(cx) is PENDING
        assert fut.poll(cx) is PENDING  # polling again neither wakes nor completes
        assert cw.wakes == 0
        isr()
        assert cw.wakes == 1
        assert fut.poll(cx) is None


def test_an_interrupt_at_any_bytecode_of_a_wait_is_never_lost():
    isr = [None]
    fut = [None]
    kinds = ("signal", "event", "channel", "recv")

    for kind in kinds:
        def setup():
            if kind == "signal":
                s = Signal()
                isr[0] = lambda: s.set(1)
                fut[0] = s.wait()
            elif kind == "event":
                e = Event()
                isr[0] = e.set
                fut[0] = e.wait()
            else:
                c = Channel(1)
                isr[0] = lambda: c.send_nowait(1)
                fut[0] = c.wait() if kind == "channel" else c.recv()

        def poll_once():
            cw = CountingWaker()
            r = fut[0].poll(Context.from_waker(cw.waker))
            # the poll saw the interrupt's data, or the waker it stored was woken
            return r is not PENDING or cw.wakes > 0

        steps = 0
        for ok in interrupt_at_every_bytecode(sync, setup, poll_once, lambda: isr[0]()):
            assert ok, "%s: an interrupt at bytecode %d was lost" % (kind, steps)
            steps += 1
        assert MICROPYTHON or steps > 5, steps


def test_a_set_preempting_take_is_delivered_once_and_never_lost():
    s = Signal()
    isr = [lambda: s.set("new")]

    def setup():
        s.clear()
        s.set("old")

    def take_all():
        got = []
        while True:
            v = s.take(PENDING)
            if v is PENDING:
                return got
            got.append(v)

    n = 0
    for got in interrupt_at_every_bytecode(sync, setup, take_all, lambda: isr[0]()):
        got += take_all()  # a set() after the last look is still pending
        assert got in (["new"], ["old", "new"]), got
        n += 1
    assert MICROPYTHON or n > 5


def test_a_send_preempting_the_reader_loses_nothing_uncounted():
    ch = Channel(2)

    def two():
        ch.send_nowait(1)
        ch.send_nowait(2)

    isr = [two]

    def setup():
        while len(ch):
            ch.get_nowait()
        ch.overflow = 0
        ch.send_nowait(0)

    def read_all():
        got = []
        while True:
            v = ch.get_nowait(None)
            if v is None:
                return got, ch.overflow
            got.append(v)

    n = 0
    for got, overflow in interrupt_at_every_bytecode(sync, setup, read_all, lambda: isr[0]()):
        got += read_all()[0]  # items sent after the last look are still queued
        overflow = ch.overflow
        assert got[0] == 0 and got == sorted(got), got  # in order, nothing stale
        assert len(got) + overflow == 3, (got, overflow)  # every loss counted
        n += 1
    assert MICROPYTHON or n > 5


# -- allocation ---------------------------------------------------------------


def test_signal_set_from_an_interrupt_allocates_nothing():
    s = Signal()
    cw = CountingWaker()
    s.wait().poll(Context.from_waker(cw.waker))  # a task waits

    def set_10000():
        cw.wakes = 0
        for i in range(10000):
            s.set(i)
        return cw.wakes

    assert allocation_free(set_10000) == 10000
    assert s.take() == 9999


def test_event_set_from_an_interrupt_allocates_nothing():
    ev = Event(max_waiters=8)
    cws = [CountingWaker() for _ in range(8)]
    wait = ev.wait()
    for cw in cws:
        assert wait.poll(Context.from_waker(cw.waker)) is PENDING  # 8 tasks wait

    def set_10000():
        for cw in cws:
            cw.wakes = 0
        for _ in range(10000):
            ev.set()
            ev.clear()

    allocation_free(set_10000)
    assert [cw.wakes for cw in cws] == [10000] * 8  # every waiter, every set


def test_channel_send_nowait_from_an_interrupt_allocates_nothing():
    ch = Channel(16)
    cw = CountingWaker()
    ch.wait().poll(Context.from_waker(cw.waker))  # the receiver waits

    taken = [0]

    def send_10000():
        while len(ch):
            ch.get_nowait()
        ch.overflow = 0
        taken[0] = 0
        for i in range(10000):
            ch.send_nowait(i & 0xFF)  # overflows too: the reader is slow
            if i & 31 == 31:
                while len(ch) > 4:
                    ch.get_nowait()
                    taken[0] += 1

    allocation_free(send_10000)
    assert ch.overflow > 0 and taken[0] + len(ch) + ch.overflow == 10000
    assert cw.wakes > 0


def test_a_task_receiving_1000_items_from_an_interrupt_allocates_nothing():
    ch = Channel(8)
    st = [0, 0, 0]  # items sent, items received, items out of order

    def isr():  # a burst of two per interrupt
        n = st[0]
        ch.send_nowait(n & 0xFF)
        ch.send_nowait((n + 1) & 0xFF)
        st[0] = n + 2

    async def receive_1000():
        k = 0
        while k < 1000:
            await ch.wait()
            while len(ch):
                if ch.get_nowait() != st[1] & 0xFF:
                    st[2] += 1
                st[1] += 1
                k += 1

    grown = allocated_in_a_running_executor(receive_1000, isr)
    assert grown == 0, "receiving allocated %d bytes" % grown
    assert st[2] == 0 and st[1] == st[0] and ch.overflow == 0


def test_a_task_waiting_on_a_signal_1000_times_allocates_nothing():
    s = Signal()
    st = [0, 0]  # sets, values seen out of order

    def isr():
        st[0] += 1
        s.set(st[0] & 0xFF)

    async def wait_1000():
        for _ in range(1000):
            await s.wait()
            if s.value != st[0] & 0xFF:
                st[1] += 1

    assert allocated_in_a_running_executor(wait_1000, isr) == 0
    assert st[1] == 0


def test_a_task_waiting_on_an_event_1000_times_allocates_nothing():
    ev = Event(max_waiters=2)
    st = [0, 0]  # sets, waits completed

    def isr():
        st[0] += 1
        ev.set()

    async def wait_1000():
        for _ in range(1000):
            await ev.wait()
            ev.clear()
            st[1] += 1

    assert allocated_in_a_running_executor(wait_1000, isr) == 0
    assert st[0] == st[1]  # one interrupt per wait: none spun, none missed


# -- methods bound on the instance (future.bind) --------------------------------


def test_a_subclass_override_of_set_and_clear_is_the_one_called():
    # Signal and Event store set()/clear() on each instance (future.bind, on
    # MicroPython): the binding takes the subclass's method, not the base's.
    calls = []

    class LoudSignal(Signal):
        def set(self, value=None):
            calls.append(("signal", value))
            Signal.set(self, value)

    class LoudEvent(Event):
        def set(self):
            calls.append("set")
            Event.set(self)

        def clear(self):
            calls.append("clear")
            Event.clear(self)

    s = LoudSignal()
    e = LoudEvent()
    s.set(7)
    e.set()
    e.clear()
    assert calls == [("signal", 7), "set", "clear"]
    assert s.take() == 7 and not e.is_set()
