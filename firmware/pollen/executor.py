"""Executor: a fixed pool of task slots, task-id wakers, fair scheduling.

Slot life cycle (one slot, one task at a time):

  FREE --spawn--> READY --poll--> WAITING --wake--> READY --poll--> ... --> FREE
    * spawn takes a free slot, counts the spawn and makes the slot's waker,
      whose data is the tag `spawns * capacity + slot` (spawns counted mod
      2**30 // capacity: a tag is a small int, and a slot's tag repeats only
      after that many spawns).
    * wake(tag) -- from a task, the executor or an interrupt handler -- sets
      ready[slot] = 1 ("woken") if the tag is still current, and sets the
      executor's look byte, ready[capacity].  Nothing else.  A stale tag
      (the task ended, the slot was reused) is ignored, so an old waker can
      never wake a newer task.  pollen's interrupt handlers make the same
      two stores themselves (Waker.cell / Waker.index): see future.py for
      why they may skip the tag check.
    * The executor clears ready[slot] *before* polling, so a wake that lands
      during the poll marks it ready again: it is never lost, and a task woken
      twice before it runs is polled once.
    * A task that yields (yield_now) is marked ready[slot] = 2 ("yielded") by
      the executor itself, and so is a task woken while it was being polled
      (a self-wake: yield_now inside join does that).  Woken tasks go before
      yielded ones, and take turns among themselves (round robin from the
      task polled last): a task woken by an interrupt while it waits runs
      after the slice that is running and at most one slice of each other
      woken task -- never behind tasks that merely yield, and never starved
      by tasks that keep waking each other.
    * When the task returns or raises, the slot is FREE again; its handle
      keeps the result.

What allocates: spawn (the handle, the waker, the context).  The loop, wake
and the task-id waker's clone allocate nothing.

Idle: with nothing ready the loop calls its port's wait(cell), where cell
is a one-byte view of the look byte: the port sleeps until an interrupt
handler sets it (port_rp2: WFI in machine code).
"""

import sys

from . import port as _port
from .future import (CURRENT, Context, Leaf, RawWaker, RawWakerVTable, Waker, _nothing, _stop,
                     as_future, is_coroutine)
from .port import twin as _twin
_loop = _twin("loop_viper")  # machine code for this CPU (a board, unix MicroPython): pollen.port.twin
if _loop is None:
    from .loop import schedule  # the portable twin
else:
    schedule = _loop.schedule
del _loop, _twin

_MASK = 0x3FFFFFFF

# Task handle states
RUNNING = 0
DONE = 1
FAILED = 2
CANCELLED = 3

# What on_error returns: the executor's answer to a task that raised.
LOG = 0      # report it and carry on (the default)
STOP = 1     # report it and make run() raise it
RESTART = 2  # report it and spawn the task's factory again (spawn(factory=...))


class Task(Leaf):
    """The handle spawn() returns.  Await it for the task's result; the
    task's exception is raised to whoever awaits it."""

    def __init__(self, ex, slot, tag, name, factory):
        self._ex = ex
        self._slot = slot
        self._tag = tag
        self.name = name
        self._factory = factory
        self._state = RUNNING
        self._value = None
        self._waiters = None  # wakers of tasks awaiting this one
        self._reported = False

    def done(self):
        return self._state != RUNNING

    def cancel(self):
        """Stop the task at its current await.  Its leaf futures' close() runs,
        releasing interrupt and timer registrations.  Awaiting the handle then
        raises CancelledError.  Returns False if the task had already ended."""
        if self._state != RUNNING:
            return False
        self._ex._cancel(self)
        return True

    def result(self):
        """The result of a finished task; raises what the task raised."""
        s = self._state
        if s == RUNNING:
            raise RuntimeError("task %s has not finished: await it instead" % self.name)
        if s == DONE:
            return self._value
        self._reported = True  # somebody looked at it
        raise self._value

    def __next__(self):
        if self._state == RUNNING:
            w = self._waiters
            waker = CURRENT.cx.waker()
            if w is None:
                self._waiters = [waker]
            else:
                for x in w:
                    if x.will_wake(waker):
                        break
                else:
                    w.append(waker)
            return None
        _stop(self.result())

    def close(self):
        w = self._waiters
        if w:
            waker = CURRENT.cx.waker() if CURRENT.cx is not None else None
            for i in range(len(w)):
                if waker is not None and w[i].will_wake(waker):
                    del w[i]
                    break

    def _finish(self, state, value):
        self._state = state
        self._value = value
        w = self._waiters
        self._waiters = None
        if w:
            for x in w:
                x.wake()

    def __repr__(self):
        return "<Task %s>" % self.name


def report_exception(task, exc):
    """Print a task's exception with its traceback (both interpreters)."""
    print("pollen: task %s raised:" % task.name)
    pe = getattr(sys, "print_exception", None)
    if pe is not None:
        pe(exc)
    else:
        import traceback
        traceback.print_exception(type(exc), exc, exc.__traceback__)


class Executor:
    """Runs up to `capacity` tasks on one core.

    spawn(awaitable) -> Task.  run(main) runs until `main` finishes and
    returns its result (or raises its exception).  on_error(task, exc) is
    called once for every task that raises, and returns LOG, STOP or RESTART.
    tracer(kind, task), if given, is told of every poll (the simulator's
    trace uses it).  debug=True checks the poll contract: a task whose
    future returns PENDING without asking for its waker (a silent hang on a
    board) fails with a ContractError naming the task and the await it is
    stuck in (pollen.debug; the check is this executor's own: nothing else
    is slowed or changed).  Counters: wakes and idle_wakeups are live; polls
    is brought up to date whenever the executor goes idle or a task ends
    (the loop keeps it in a local: it is paid on every switch).
    """

    def __init__(self, capacity=8, port=None, debug=False, on_error=None, tracer=None):
        if capacity < 1:
            raise ValueError("Executor capacity must be at least 1 task slot")
        self._cap = capacity
        # ready[i]: 0 waiting, 1 woken, 2 yielded; ready[capacity], the look
        # byte: set by every wake, "look at ready[]"; what the idle port sleeps on
        self._ready = bytearray(capacity + 1)
        self._look = memoryview(self._ready)[capacity:]  # made once: wait() allocates nothing
        self._coro = [None] * capacity
        self._cx = [None] * capacity
        self._task = [None] * capacity
        self._tag = [-1] * capacity        # the waker data valid for each slot
        self._spawns = 0                   # spawns so far, mod _MASK // capacity: tags' upper part
        self._port = port
        self._debug = None  # the debug module, in debug mode
        if debug:
            from . import debug as dbg
            self._debug = dbg
        self._on_error = on_error
        self._tracer = tracer                # tracer("poll", task): the simulator's trace
        self._stopped = False
        self._stop_exc = None
        # Bound methods made once, here: calling them from an ISR allocates nothing.
        self._vt = RawWakerVTable(self._clone, self._wake, self._wake, _nothing)
        self.polls = 0
        self.idle_wakeups = 0

    # -- the task-id waker ----------------------------------------------------

    def _wake(self, tag):
        """Make the task with this tag ready.  ISR-safe: stores only."""
        i = tag % self._cap
        if self._tag[i] == tag:  # a stale tag (task ended, slot reused) wakes nobody
            r = self._ready
            r[i] = 1
            r[-1] = 1  # the look byte

    def _clone(self, tag):
        i = tag % self._cap
        cx = self._cx[i]
        if cx is not None and self._tag[i] == tag:
            return cx._waker._raw  # the slot's own raw waker: Waker.clone() returns itself
        return RawWaker(tag, self._vt)  # a clone of a stale waker stays stale

    def waker_for(self, task):
        """The task-id Waker of a running task (for tests and drivers)."""
        return self._cx[task._slot].waker()

    # -- spawning -------------------------------------------------------------

    def spawn(self, aw, name=None, factory=None):
        """Start `aw` (a coroutine or a poll()-future) in a free slot.

        `factory`, if given, is a function that makes the coroutine anew; with
        on_error returning RESTART the task is restarted from it.
        """
        if self._stopped:
            from .errors import SpawnError  # (loaded when first raised: no RAM until then)
            raise SpawnError(
                "this Executor was stopped (a task failed under the STOP policy); "
                "make a new Executor to run more tasks"
            )
        if factory is not None and aw is None:
            aw = factory()
        if is_coroutine(aw):
            coro = aw
        else:  # a poll()-future: in a coroutine's place (loaded on first use: no RAM until then)
            from .combinators import Drive
            coro = Drive(as_future(aw))  # raises TypeError with the fix
        coros = self._coro
        for i in range(self._cap):
            if coros[i] is None:
                break
        else:
            if coro is aw and hasattr(aw, "close"):
                aw.close()  # it will never run: close it rather than leak it half-made
            from .errors import SpawnError
            raise SpawnError(
                "Executor is full: all %d task slots are in use. Create it with "
                "more slots (Executor(capacity=%d)) or let a task finish first"
                % (self._cap, self._cap * 2)
            )
        n = self._spawns = (self._spawns + 1) % (_MASK // self._cap)
        tag = n * self._cap + i
        waker = Waker(RawWaker(tag, self._vt), self._ready, i)  # the fast wake: ready[i] = 1, look byte = 1
        self._cx[i] = Context(waker) if self._debug is None else self._debug.DebugContext(waker)
        if name is None:
            name = getattr(coro, "__name__", None) or "#%d" % i
        t = Task(self, i, tag, name, factory)
        self._task[i] = t
        coros[i] = coro
        self._tag[i] = tag
        r = self._ready
        r[i] = 1
        r[-1] = 1
        return t

    def tasks(self):
        """Number of occupied slots."""
        n = 0
        for c in self._coro:
            if c is not None:
                n += 1
        return n

    # -- ending tasks ---------------------------------------------------------

    def _free(self, i):
        self._coro[i] = None
        self._tag[i] = -1  # every waker of this task is stale from now on
        self._ready[i] = 0
        self._cx[i] = None
        self._task[i] = None

    def _failed(self, t, exc):
        policy = LOG
        if self._on_error is not None:
            policy = self._on_error(t, exc)
        if not t._reported:
            t._reported = True
            report_exception(t, exc)
        if policy == STOP:
            self._stopped = True
            self._stop_exc = exc
        elif policy == RESTART:
            if t._factory is None:
                print("pollen: cannot restart task %s: spawn it with factory=" % t.name)
            else:
                self.spawn(None, name=t.name, factory=t._factory)

    def _cancel(self, t):
        i = t._slot
        if self._tag[i] != t._tag:
            return
        if CURRENT.cx is self._cx[i] and CURRENT.cx is not None:
            raise RuntimeError(
                "task %s cancelled itself: return from it instead" % t.name
            )
        coro = self._coro[i]
        prev = CURRENT.cx
        CURRENT.cx = self._cx[i]  # leaf close() may look for its task's context
        try:
            coro.close()  # GeneratorExit at the await: leaf futures' close() runs
        finally:
            CURRENT.cx = prev
        self._free(i)
        from .errors import CancelledError  # (loaded on first use: no RAM until then)
        t._finish(CANCELLED, CancelledError("task %s was cancelled" % t.name))

    def shutdown(self):
        """Cancel every task still in a slot."""
        for t in self._task:
            if t is not None:
                t.cancel()

    # -- the loop -------------------------------------------------------------

    def run(self, main):
        """Spawn `main`, run every task until main finishes; return its result."""
        if CURRENT.cx is not None:
            raise RuntimeError(
                "Executor.run() called from inside a running task: await the "
                "coroutine, or spawn it, instead"
            )
        if self._port is None:
            self._port = _port.current()
        elif _port._port is not self._port:
            _port.install(self._port)  # timers and pins made from now on use this port too
        m = main if isinstance(main, Task) else self.spawn(main, name="main")
        self._loop(m)
        if self._stop_exc is not None and m._state == RUNNING:
            raise self._stop_exc
        return m.result()

    def _loop(self, main):
        if main._state != RUNNING:
            return
        try:
            schedule(self, main)  # loop_viper.py on a board, else loop.py
        finally:
            CURRENT.cx = None

    def _ended(self, k, value, failed, main):
        """Task k returned `value` or raised it (failed).  True: the loop
        stops (main ended, or a task failed under the STOP policy)."""
        t = self._task[k]
        self._free(k)
        t._finish(FAILED if failed else DONE, value)
        if failed:
            self._failed(t, value)
        return main._state != RUNNING or self._stopped

    def _before_poll(self, k, cx):
        """Debug mode or a tracer only: returns the context's waker() count."""
        if self._tracer is not None:
            self._tracer("poll", self._task[k])
        if self._debug is None:
            return 0
        return cx.uses

    def _after_poll(self, k, r, cx, before, main):
        """Task k yielded something other than None/YIELD (a foreign future),
        or -- debug mode -- returned pending without taking its waker: fail
        it with a ContractError.  True: the loop stops."""
        if r is not None:
            from .errors import ContractError
            exc = ContractError(
                "task %s awaited %r, which is not a pollen future (an asyncio "
                "object?); use pollen's futures" % (self._task[k].name, r))
        elif self._debug is not None and cx.uses == before and not self._ready[k]:
            exc = self._debug.contract_error(self._task[k], self._coro[k])  # unwinds the task
        else:
            return False
        return self._ended(k, exc, True, main)
