"""pollen.irq.Interrupt: any .irq() source as a future that counts.

The source here is a stand-in with MicroPython's irq() protocol; its
"interrupts" are calls of the handler it was given, made where a real one
could land: from the ScriptedPort's sleeps (an interrupt while every task
waits), from another task, and between the bytecodes of a wait.  Shared:
CPython, the unix MicroPython and the chip run these same bodies.
"""

import sys

from support import (MICROPYTHON, ScriptedPort, allocated_in_a_running_executor, allocation_free,
                     interrupt_at_every_bytecode, raises)

import pollen
from pollen import (PENDING, Context, CountingWaker, Executor, Interrupt, select,
                    yield_now)
from pollen import irq as irqmod


class _IrqObj:
    def __init__(self, src):
        self._src = src

    def flags(self):
        return self._src.flags_now


class Source:
    """A source with the rp2 irq() protocol: irq(handler=, trigger=, hard=)
    sets the handler (None removes it) and returns the irq object, whose
    flags() are the flags of the interrupt being handled."""

    def __init__(self, takes_hard=True):
        self.handler = None
        self.trigger = None
        self.hard = None
        self.calls = 0
        self.flags_now = 0
        self.takes_hard = takes_hard
        self._irq = _IrqObj(self)

    def irq(self, handler=None, trigger=None, hard=None):
        if hard is not None and not self.takes_hard:
            raise TypeError("unexpected keyword argument 'hard'")
        self.calls += 1
        self.handler = handler
        self.trigger = trigger
        self.hard = hard
        return self._irq

    def fire(self, flags=1):
        """One interrupt: the handler, with irq().flags() == flags."""
        self.flags_now = flags
        h = self.handler
        if h is not None:
            h(self)


def quiet(task, exc):
    return 0


def run(main, *interrupts):
    ex = Executor(4, port=ScriptedPort(*interrupts), on_error=quiet)
    return ex.run(main)


# -- counting -------------------------------------------------------------------

def test_a_wait_returns_how_many_interrupts_came_since_the_last_one():
    src = Source()
    it = Interrupt(src)
    got = []

    async def main():
        for _ in range(4):
            got.append(await it.wait())
        return it.count

    # the first sleep brings one interrupt, the next three, then eight, then eleven
    last = run(main(), lambda: src.fire(), lambda: [src.fire() for _ in range(3)],
               lambda: [src.fire() for _ in range(8)], lambda: [src.fire() for _ in range(11)])
    assert got == [1, 3, 8, 11], got
    assert last == 11


def test_interrupts_before_the_first_wait_are_counted_by_it():
    src = Source()
    it = Interrupt(src)
    src.fire()
    src.fire()

    async def main():
        return await it.wait()

    assert run(main()) == 2  # ready at once: no sleep, so no scripted interrupt is needed


def test_none_lost_none_counted_twice_when_interrupts_land_between_waits():
    src = Source()
    it = Interrupt(src)
    fired = [0]
    total = [0]

    def burst(k):
        def isr():
            for _ in range(k):
                src.fire()
            fired[0] += k
        return isr

    async def other():  # interrupts from a task too: they land while the waiter is queued
        for k in (2, 5, 1):
            await yield_now()
            burst(k)()

    async def main(ex):
        t = ex.spawn(other())
        while total[0] < 1 + 2 + 5 + 1 + 4 + 7:
            total[0] += await it.wait()
        await t

    ex = Executor(4, port=ScriptedPort(burst(1), burst(4), burst(7)), on_error=quiet)
    ex.run(main(ex))
    assert total[0] == fired[0] == 20, (total[0], fired[0])
    assert not it.pending()


def test_an_interrupt_while_the_wait_registers_is_never_lost():
    src = Source()
    it = Interrupt(src)

    class InterruptingContext(Context):
        def __init__(self):
            self.cw = CountingWaker()
            Context.__init__(self, self.cw.waker, True)
            self.fired = False

        def waker(self):
            if not self.fired:
                self.fired = True
                src.fire()
            return self._waker

    cx = InterruptingContext()
    r = it.wait().poll(cx)
    # either the poll counted the interrupt, or the waker it stored was woken
    assert r == 1 or (r is PENDING and cx.cw.wakes == 1), r


def test_an_interrupt_at_any_bytecode_of_a_wait_is_counted_exactly_once():
    state = {}

    def setup():
        src = Source()
        it = Interrupt(src)
        src.fire()  # one before the wait; the preempting one makes two
        state["src"], state["it"] = src, it

    def wait_then_drain():
        it = state["it"]
        cw = CountingWaker()
        cx = Context.from_waker(cw.waker)
        w = it.wait()
        first = w.poll(cx)
        second = w.poll(cx)  # what the first left pending
        st = it._st  # read here, not with take(): only pollen/irq.py is preempted
        left = (st[0] - st[1]) & 0x3FFFFFFF  # what neither poll saw: then the second's waker was woken
        if second is PENDING and left and not cw.wakes:
            return -1
        return (first if first is not PENDING else 0) + (second if second is not PENDING else 0) + left

    steps = 0
    for seen in interrupt_at_every_bytecode(irqmod, setup, wait_then_drain, lambda: state["src"].fire()):
        assert seen == 2, "an interrupt at bytecode %d was counted %d times of 2 (-1: lost)" % (steps, seen)
        steps += 1
    assert MICROPYTHON or steps > 10, steps


def test_flags_are_those_of_the_last_interrupt_counted():
    src = Source()
    it = Interrupt(src)

    async def main():
        n = await it.wait()
        return n, it.flags

    assert run(main(), lambda: (src.fire(4), src.fire(8))) == (2, 8)


def test_the_count_wraps_at_2_30_without_miscounting():
    src = Source()
    it = Interrupt(src)
    st = it._st
    st[0] = st[1] = 0x3FFFFFFF - 1  # two interrupts short of the wrap

    async def main():
        return await it.wait()

    assert run(main(), lambda: [src.fire() for _ in range(5)]) == 5
    assert st[0] == 3


def test_take_counts_without_waiting():
    src = Source()
    it = Interrupt(src)
    assert it.take() == 0 and not it.pending()
    src.fire(2)
    src.fire(3)
    assert it.pending()
    assert it.take() == 2 and it.count == 2 and it.flags == 3
    assert it.take() == 0


# -- registration, cancel and close --------------------------------------------

def test_it_takes_a_hard_irq_where_the_source_allows_one():
    src = Source()
    it = Interrupt(src, trigger=0x40)
    assert src.handler is it.handler and src.hard is True and src.trigger == 0x40
    assert it.hard is True
    soft = Source(takes_hard=False)  # an irq() without `hard`: a scheduled handler
    it2 = Interrupt(soft)
    assert soft.handler is it2.handler and it2.hard is False
    raises(TypeError, Interrupt, Source(takes_hard=False), hard=True)  # asked for hard: no fallback
    src3 = Source()
    Interrupt(src3, hard=False)
    assert src3.hard is False


def test_no_trigger_given_leaves_the_sources_own_default():
    class NoTrigger(Source):  # rp2.DMA.irq(handler=None, hard=False): no trigger argument
        def irq(self, handler=None, hard=False):
            return Source.irq(self, handler, None, hard)

    src = NoTrigger()
    it = Interrupt(src)
    assert src.handler is it.handler


def test_close_removes_the_handler_and_a_waiting_task_hears_of_it():
    src = Source()
    it = Interrupt(src)
    seen = []

    async def waiter():
        try:
            await it.wait()
        except ValueError as e:
            seen.append(str(e))

    async def main(ex):
        t = ex.spawn(waiter())
        await yield_now()
        it.close()
        await t

    ex = Executor(4, port=ScriptedPort(), on_error=quiet)
    ex.run(main(ex))
    assert src.handler is None
    assert seen == ["Interrupt is closed"], seen
    it.close()  # twice: nothing more
    assert src.calls == 2


def test_a_wait_on_a_closed_interrupt_still_returns_what_came_before():
    src = Source()
    with Interrupt(src) as it:
        src.fire()
    assert src.handler is None

    async def main():
        return await it.wait()

    assert run(main()) == 1


def test_a_cancelled_wait_leaves_nothing_registered():
    src = Source()
    it = Interrupt(src)

    async def waiter():
        await it.wait()

    async def main(ex):
        t = ex.spawn(waiter())
        await yield_now()
        assert it._slot.waiting()
        t.cancel()
        await yield_now()
        await yield_now()
        return it._slot.waiting()

    ex = Executor(4, port=ScriptedPort(), on_error=quiet)
    assert ex.run(main(ex)) is False
    assert src.handler is it.handler  # the handler stays: it keeps counting
    src.fire()
    assert it.take() == 1


def test_a_wait_that_loses_a_select_releases_its_registration():
    src = Source()
    it = Interrupt(src)
    other = Source()
    it2 = Interrupt(other)

    async def main():
        i, n = await select(it.wait(), it2.wait())
        return i, n, it._slot.waiting(), it2._slot.waiting()

    assert run(main(), lambda: other.fire()) == (1, 1, False, False)
    src.fire()

    async def again():  # the loser's interrupt is still counted by the next wait
        return await it.wait()

    assert run(again()) == 1


def test_a_second_task_waiting_is_refused():
    src = Source()
    it = Interrupt(src)
    errors = []

    async def one():
        await it.wait()

    async def two():
        try:
            await it.wait()
        except RuntimeError as e:
            errors.append(str(e))

    async def main(ex):
        a = ex.spawn(one())
        await yield_now()
        b = ex.spawn(two())
        await b
        a.cancel()

    ex = Executor(4, port=ScriptedPort(), on_error=quiet)
    ex.run(main(ex))
    assert len(errors) == 1 and "already has a waiting task" in errors[0], errors


def test_a_sourceless_interrupt_counts_calls_of_its_handler():
    it = Interrupt(None)  # machine.Timer(callback=it.handler), or any callback API
    h = it.handler

    async def main():
        return await it.wait()

    assert run(main(), lambda: (h(None), h(None), h(None))) == 3
    it.close()


def test_pollen_exports_interrupt_lazily():
    assert pollen.Interrupt is irqmod.Interrupt


# -- allocation ------------------------------------------------------------------

def test_the_handler_allocates_nothing():
    src = Source()
    it = Interrupt(src)
    h = it.handler

    def fire_1000():
        for _ in range(1000):
            h(src)

    allocation_free(fire_1000)
    allocation_free(fire_1000)
    # allocation_free runs fn twice on MicroPython (under heap_lock, then measured)
    assert it.take() == (4000 if MICROPYTHON else 2000)


def test_waiting_1000_times_allocates_nothing_while_at_most_8_come_between():
    src = Source()
    it = Interrupt(src)
    k = [0]
    sent = [0]
    got = [0, 0]  # interrupts counted, waits whose count was wrong

    def isr():  # 1, 2, ... 8, 1, 2, ... interrupts per sleep
        n = k[0] % 8 + 1
        k[0] += 1
        for _ in range(n):
            src.fire()
        sent[0] += n

    async def wait_1000():
        for i in range(1000):
            n = await it.wait()
            got[0] += n
            if n != it.count:
                got[1] += 1

    grown = allocated_in_a_running_executor(wait_1000, isr)
    assert grown == 0, "waiting allocated %d bytes" % grown
    assert got[0] == sent[0] and got[1] == 0, (got, sent)


def test_under_heap_lock_the_waits_return_the_right_counts():
    # the preallocated StopIteration(n) carries n through the await: a value
    # made under heap_lock would be lost (None) or a MemoryError
    src = Source()
    it = Interrupt(src)
    want = [1, 8, 3, 5, 2, 7, 4, 6]
    got = []
    for n in want:
        got.append(0)  # made before the lock
    i = [0]

    def isr():
        for _ in range(want[i[0]]):
            src.fire()

    async def loop():
        while i[0] < len(want):
            got[i[0]] = await it.wait()
            i[0] += 1

    port = ScriptedPort()
    port.idle = isr
    ex = Executor(2, port=port, on_error=quiet)

    async def measured():
        c = loop()
        if MICROPYTHON:
            import micropython
            micropython.heap_lock()
            try:
                await c
            finally:
                micropython.heap_unlock()
        else:
            await c

    ex.run(measured())
    assert got == want, got


def test_more_than_8_at_once_is_counted_right_at_the_cost_of_one_exception():
    src = Source()
    it = Interrupt(src)

    async def main():
        return await it.wait()

    assert run(main(), lambda: [src.fire() for _ in range(100)]) == 100
    assert len(irqmod._STOPS) == 9  # 1..8 preallocated
