"""Executor: slots, task-id wakers, fairness, handles, cancellation, errors."""

import gc

from support import MICROPYTHON, ScriptedPort, allocation_free, raises

from pollen import (PENDING, CancelledError, ContractError, Executor, Future,
                    SpawnError, block_on, join, oneshot, select, yield_now)


class Gate(Future):
    """Pending until opened; keeps the waker; counts polls; close() logged."""

    def __init__(self):
        self.open = False
        self.waker = None
        self.polls = 0
        self.closed = 0

    def poll(self, cx):
        self.polls += 1
        if self.open:
            return None
        self.waker = cx.waker()
        return PENDING

    def close(self):
        self.closed += 1
        self.waker = None

    def fire(self):  # what an interrupt handler does
        self.open = True
        if self.waker is not None:
            self.waker.wake_by_ref()


def quiet(task, exc):
    return 0


def test_run_returns_main_result():
    async def main():
        return 7

    assert Executor(2, port=ScriptedPort()).run(main()) == 7


def test_spawned_task_handle_gives_result_and_exception():
    ex = Executor(4, port=ScriptedPort(), on_error=quiet)

    async def child(x):
        await yield_now()
        return x * 2

    async def bad():
        raise KeyError("k")

    async def main():
        a = ex.spawn(child(21))
        b = ex.spawn(bad())
        r = await a
        try:
            await b
        except KeyError:
            return r, "KeyError"
        return r, None

    assert ex.run(main()) == (42, "KeyError")


def test_a_full_executor_says_how_to_fix_it():
    ex = Executor(2, port=ScriptedPort())

    async def idle():
        await Gate()

    ex.spawn(idle())
    ex.spawn(idle())
    e = raises(SpawnError, ex.spawn, idle())
    assert "capacity=4" in str(e) and "2 task slots" in str(e)


def test_a_task_woken_twice_before_it_runs_is_polled_once():
    g = Gate()
    ex = Executor(2, port=ScriptedPort())

    async def waiter():
        await g

    async def main():
        t = ex.spawn(waiter())
        await yield_now()  # waiter polls once, registers
        g.waker.wake_by_ref()
        g.waker.wake_by_ref()
        await yield_now()
        return g.polls

    assert ex.run(main()) == 2


def test_a_wake_during_the_poll_is_not_lost():
    # The interrupt fires while the task is being polled, after it looked.
    class Racy(Future):
        def __init__(self):
            self.ready = False
            self.polls = 0

        def poll(self, cx):
            self.polls += 1
            if self.ready:
                return "done"
            w = cx.waker()
            self.ready = True  # the event happens...
            w.wake_by_ref()    # ...and its interrupt wakes us, mid-poll
            return PENDING

    r = Racy()
    ex = Executor(1, port=ScriptedPort())  # sleeping would be an error here
    assert ex.run(r) == "done" and r.polls == 2


def test_an_old_waker_never_wakes_the_task_that_reused_its_slot():
    g1, g2 = Gate(), Gate()
    ex = Executor(1, port=ScriptedPort(g1.fire))

    async def first():
        await g1
        return 1

    async def second():
        await g2
        return 2

    assert ex.run(first()) == 1
    stale = g1.waker  # the first task's waker, kept by a careless driver
    assert stale is not None
    ex._port = ScriptedPort(stale.wake_by_ref, g2.fire)
    # the stale wake is delivered first: if it reached the new task (same
    # slot), the task would be polled once more than the gate requires
    assert ex.run(second()) == 2
    assert g2.polls == 2, g2.polls
    assert stale.clone().data == stale.data  # a clone of a stale waker stays stale


def test_round_robin_runs_every_yielding_task_in_turn():
    ex = Executor(4, port=ScriptedPort())
    order = []

    async def worker(name):
        for _ in range(3):
            order.append(name)
            await yield_now()

    async def main():
        ts = [ex.spawn(worker(n)) for n in "abc"]
        for t in ts:
            await t

    ex.run(main())
    assert "".join(order) == "abcabcabc"


def test_an_interrupt_woken_task_runs_after_at_most_one_busy_slice():
    g = Gate()
    ex = Executor(5, port=ScriptedPort())
    log = []
    state = {"n": 0}

    async def busy(name):
        while True:
            log.append(name)
            state["n"] += 1
            if state["n"] == 10:
                g.fire()  # an interrupt lands during this slice
            await yield_now()

    async def woken():
        await g
        log.append("W")

    async def main():
        for n in "xyz":
            ex.spawn(busy(n))
        w = ex.spawn(woken())
        await w

    ex.run(main())
    i = log.index("W")
    assert i == 10, log  # ran right after the slice the interrupt landed in


def test_cancel_closes_the_awaited_future_and_frees_the_slot():
    g = Gate()
    ex = Executor(2, port=ScriptedPort())

    async def waiter():
        await g

    async def main():
        t = ex.spawn(waiter())
        await yield_now()
        assert ex.tasks() == 2
        assert t.cancel()
        assert ex.tasks() == 1 and t.done()
        try:
            await t
        except CancelledError:
            return g.closed

    assert ex.run(main()) == 1
    assert not g.cancel() if hasattr(g, "cancel") else True


def test_an_exception_in_a_task_is_reported_once_and_others_keep_running():
    seen = []
    ex = Executor(3, port=ScriptedPort(), on_error=lambda t, e: seen.append((t.name, str(e))))

    async def crash():
        raise ValueError("boom")

    async def main():
        ex.spawn(crash(), name="crasher")
        for _ in range(3):
            await yield_now()
        return "still here"

    assert ex.run(main()) == "still here"
    assert seen == [("crasher", "boom")]


def test_restart_policy_respawns_from_the_factory():
    runs = []

    async def flaky():
        runs.append(1)
        if len(runs) < 3:
            raise OSError("i2c")
        return "ok"

    ex = Executor(3, port=ScriptedPort(), on_error=lambda t, e: 2)  # RESTART

    async def main():
        ex.spawn(None, name="flaky", factory=flaky)
        for _ in range(10):
            await yield_now()
        return len(runs)

    assert ex.run(main()) == 3


def test_stop_policy_makes_run_raise_and_refuses_new_tasks():
    ex = Executor(3, port=ScriptedPort(), on_error=lambda t, e: 1)  # STOP

    async def crash():
        raise ValueError("fatal")

    async def main():
        ex.spawn(crash())
        while True:
            await yield_now()

    e = raises(ValueError, ex.run, main())
    assert "fatal" in str(e)
    e = raises(SpawnError, ex.spawn, main())
    assert "stopped" in str(e)


def test_select_returns_the_first_and_cancels_the_others():
    a, b = Gate(), Gate()

    async def main():
        return await select(a, b)

    port = ScriptedPort(b.fire)
    assert block_on(main(), port=port) == (1, None)
    assert a.closed == 1 and b.closed == 0


def test_join_returns_all_results_in_order():
    f1, r1 = oneshot()
    f2, r2 = oneshot()

    async def main():
        return await join(f1, f2)

    port = ScriptedPort(lambda: r2.resolve("b"), lambda: r1.resolve("a"))
    assert block_on(main(), port=port) == ["a", "b"]


class Forgetful(Future):
    """The classic bug: returns PENDING and stores no waker.  Counts close()."""

    def __init__(self):
        self.closed = 0

    def poll(self, cx):
        return PENDING

    def close(self):
        self.closed += 1


class FastForgetful(Forgetful):
    """The same bug in a leaf with a __next__ of its own (the shape of
    pollen's fast leaves: timer._Sleep, sync._SignalWait, gpio._EdgeWait),
    which an await reaches without going through Future.__next__."""

    def __next__(self):
        return None  # pending; CURRENT.cx.waker() never asked for


def _contract_error_of(leaf):
    """Run a task `sensor` stuck on `leaf` in read_sensor(), awaited by the
    task's own coroutine, on a debug executor; returns the ContractError."""
    errors = []
    ex = Executor(2, port=ScriptedPort(), debug=True,
                  on_error=lambda t, e: errors.append(e) or 0)

    async def read_sensor():
        await leaf

    async def poll_sensor():
        await read_sensor()

    async def main():
        t = ex.spawn(poll_sensor(), name="sensor")
        try:
            await t
        except ContractError as e:
            return e

    e = ex.run(main())
    assert errors == [e], errors  # reported once, through on_error
    return e


def test_debug_mode_names_a_future_that_never_arranges_a_wake():
    leaf = Forgetful()
    msg = str(_contract_error_of(leaf))
    # the task, and the innermost await: where to look
    assert "task sensor" in msg and "PENDING" in msg, msg
    assert "test_executor.py" in msg and "in read_sensor" in msg, msg
    assert leaf.closed == 1  # the task is unwound as a cancelled one is


def test_debug_mode_reports_a_leaf_with_its_own_next_that_forgets_its_waker():
    leaf = FastForgetful()
    msg = str(_contract_error_of(leaf))
    assert "task sensor" in msg and "in read_sensor" in msg, msg
    assert leaf.closed == 1


def test_debug_mode_names_a_forgetful_future_spawned_as_a_task():
    class Named(Forgetful):
        def __repr__(self):
            return "<Named>"

    ex = Executor(2, port=ScriptedPort(), debug=True, on_error=quiet)

    async def main():
        t = ex.spawn(Named(), name="bare")
        try:
            await t
        except ContractError as e:
            return str(e)

    msg = ex.run(main())
    assert "task bare" in msg and "<Named>" in msg, msg


def test_debug_mode_accepts_coroutines_that_wait_inside_join():
    # the joined coroutines take their waker through contexts of their own:
    # those calls count for the task, so a second pending poll is no violation
    g1, g2 = Gate(), Gate()
    ex = Executor(2, port=ScriptedPort(g1.fire, g2.fire), debug=True,
                  on_error=lambda t, e: 1)  # STOP: a ContractError would end run()

    async def wait(g, v):
        await g
        return v

    async def main():
        return await join(wait(g1, 1), wait(g2, 2))

    assert ex.run(main()) == [1, 2]


def test_a_debug_executor_changes_nothing_outside_itself():
    from pollen.future import CURRENT, Context

    next_before = Future.__next__
    ex = Executor(2, port=ScriptedPort(), debug=True)

    async def step():
        await yield_now()
        return 1

    assert ex.run(step()) == 1
    assert Future.__next__ is next_before and Future.__next__.__name__ == "__next__"

    # a normal executor afterwards: plain contexts, the loop's debug branch never taken
    g = Gate()
    plain = Executor(2, port=ScriptedPort(g.fire))
    calls = []
    plain._before_poll = lambda *a: calls.append(a) or 0
    plain._after_poll = lambda *a: calls.append(a)
    seen = []

    async def waiter():
        seen.append(type(CURRENT.cx))
        await g
        return 2

    assert plain.run(waiter()) == 2
    assert seen == [Context] and calls == []


def test_block_on_inside_a_task_is_refused():
    async def inner():
        return 1

    async def main():
        try:
            block_on(inner())
        except RuntimeError as e:
            return str(e)

    msg = Executor(1, port=ScriptedPort()).run(main())
    assert "await" in msg


def test_awaiting_a_foreign_awaitable_fails_the_task_clearly():
    class Foreign:  # awaits like an asyncio object: yields something of its own
        def __await__(self):
            yield "asyncio-ish"

        __iter__ = __await__  # MicroPython's await uses __iter__

    errors = []

    async def main():
        await Foreign()

    ex = Executor(1, port=ScriptedPort(), on_error=lambda t, e: errors.append(e) or 0)
    e = raises(ContractError, ex.run, main())
    assert "not a pollen future" in str(e)


def test_10000_switches_among_8_tasks_allocate_nothing():
    failures = []
    ex = Executor(8, port=ScriptedPort(), on_error=lambda t, e: failures.append(e) or 0)
    result = {}

    async def spinner():
        while True:
            await yield_now()

    async def switch_1250_times():
        for _ in range(1250):  # x 8 tasks = 10,000 switches
            await yield_now()

    async def measured():
        await switch_1250_times()  # warm up
        if MICROPYTHON:
            import micropython
            c = switch_1250_times()
            gc.collect()
            gc.disable()
            before = gc.mem_alloc()
            await c
            result["grown"] = gc.mem_alloc() - before
            gc.enable()
            c = switch_1250_times()  # making a coroutine allocates; running it must not
            micropython.heap_lock()
            try:
                await c
            finally:
                micropython.heap_unlock()
        else:
            await switch_1250_times()
            result["grown"] = 0
        return ex.polls

    for _ in range(7):
        ex.spawn(spinner())
    ex.run(measured())
    assert not failures, failures
    assert result["grown"] == 0, "switching allocated %d bytes" % result["grown"]
    assert ex.polls >= 2 * 10000  # written back when a task ends


def test_waking_a_task_by_id_allocates_nothing():
    g = Gate()
    ex = Executor(2, port=ScriptedPort())

    async def waiter():
        await g

    t = ex.spawn(waiter())
    ex._port = ScriptedPort()
    ex._ready[t._slot] = 0
    w = ex.waker_for(t)

    def wake_10000():
        for _ in range(10000):
            w.wake_by_ref()
        return ex._ready[t._slot]

    assert allocation_free(wake_10000) == 1
