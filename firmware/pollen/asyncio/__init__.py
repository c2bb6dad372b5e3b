"""pollen.asyncio: MicroPython's asyncio API, run by pollen.

    import pollen.asyncio as asyncio    # the one line that changes

Everything MicroPython documents for asyncio is here, with the same
observable behaviour: tasks run in the order asyncio's run queue gives
(ready tasks first in first out, sleepers by deadline in ms), sleep(0)
yields to every task already queued, a cancelled task sees CancelledError
when it next runs, gather, wait_for, Lock and Event wake in asyncio's
order, and an exception nobody retrieves reaches the loop's exception
handler when asyncio's does.  README "Coming from asyncio" tables where it
differs (ThreadSafeFlag and pollen futures take pollen's fast path).

How it runs.  asyncio's order is one queue, first in first out; pollen's
executor runs woken tasks before yielded ones, round robin by slot.  So the
asyncio tasks are not executor tasks: the whole asyncio loop is one of them
(_Runner), which keeps asyncio's run queue (TaskQueue: a sorted linked
list, keys in ticks_ms, ties first in first out -- what asyncio's pairing
heap gives) and runs asyncio's run_until_complete step by step.  There is
no limit on tasks but memory, and other pollen tasks may share the
executor (run(main, executor=ex)).  Underneath it is pollen's: the idle CPU
sleeps in the executor's port.wait until an interrupt; the next deadline
is one pollen timer node; a Task is also the pollen Context its coroutine
runs with, so pollen futures work inside asyncio tasks.

Interrupt side.  ThreadSafeFlag.set() and the waker of every asyncio task
(what a pollen future -- a pin wait, pollen.sync, pollen.timer -- wakes)
are ISR-safe: they store counters and, if the loop sleeps, wake its
executor task.  Nothing else here may run in an interrupt handler
(Event.set() is task-side, as in asyncio).  At its next step the loop
(_collect) queues the tasks whose flag was set or whose waker fired: a
flag's waiters behind the ready tasks, where asyncio's poller puts them --
unless the flag was set in a hard IRQ and the port can tell
(port.in_hard_irq) -- and a task woken by a pollen future in front: it runs
right after the task that is running ("the fast path").

What loads.  pollen.asyncio is a package laid out as MicroPython's
asyncio is.  `import pollen.asyncio` loads this core: the loop, Task,
sleep, create_task, run.  Its parts load on first use of their names (the
__getattr__ at the end), as asyncio's __init__.py loads its own: Event
(pollen.asyncio.event), ThreadSafeFlag (.flag), Lock (.lock), wait_for and
gather (.funcs), the streams (.stream) and the loop object (.loop: Loop,
get_event_loop, new_event_loop, and the report of an unretrieved
exception).

What allocates.  create_task (the Task) and a task's first pollen waker;
gather, wait_for and the streams (as asyncio's do).  The round trips of
sleep_ms/sleep, Event.wait/set, ThreadSafeFlag.wait/set and
Lock.acquire/release allocate nothing: each hands back one preallocated
awaitable, the task's state lives on the Task, and the await ends with a
preallocated StopIteration.  asyncio's Event.wait allocates a generator per
call (96 B per round trip on an RP2040, 192 B on 64-bit unix).
"""

from .. import port as _port
from ..errors import CancelledError, TimeoutError  # pollen's: one class for both worlds
from ..future import CURRENT, YIELD, Context
from .. import timer as _timer
from .. import future as _future  # its wakers (a name fewer than importing each)

__version__ = (3, 0, 0)  # the asyncio API version this follows


_STOP = StopIteration()      # preallocated: an await that ends with None allocates nothing
_TRUE = StopIteration(True)  # ... and one that ends with True (Event.wait, Lock.acquire)


def _done(exc):
    exc.__traceback__ = None  # keep the shared exception from growing a traceback
    raise exc


################################################################################
# Time: ticks_ms of pollen's port (the simulated board's clock in tests)


def _bind_clock():
    """Use the current port's ms clock (the port may have changed since the
    last run: a new simulated board); called by create_task, run and the
    first ticks()."""
    global ticks, ticks_diff, ticks_add, _clock_port, _in_hard_irq
    p = _port.current()
    if p is not _clock_port:
        _clock_port = p
        ticks = p.ticks_ms
        ticks_diff = p.ticks_diff
        ticks_add = p.ticks_add
        _in_hard_irq = getattr(p, "in_hard_irq", None)  # None: the port cannot tell
        _task_queue.checked = None  # a time on the old clock
    return p


def _first_ticks():
    _bind_clock()
    return ticks()


def _first_diff(a, b):
    _bind_clock()
    return ticks_diff(a, b)


def _first_add(t, d):
    _bind_clock()
    return ticks_add(t, d)


_clock_port = None
_in_hard_irq = None
ticks = _first_ticks  # each becomes the port's own on first use
ticks_diff = _first_diff
ticks_add = _first_add


################################################################################
# Queues of tasks


class TaskQueue:
    """asyncio's TaskQueue: tasks sorted by ph_key (ticks_ms), ties first in
    first out.  A singly linked list through Task.next (no allocation);
    push at the current time appends in O(1), a sleeper is inserted in
    deadline order.  A task is in at most one queue."""

    __slots__ = ("head", "tail")

    def __init__(self):
        self.head = None
        self.tail = None

    def peek(self):
        return self.head

    def push(self, v, key=None):
        v.data = None
        if key is None:
            key = ticks()
        v.ph_key = key
        tail = self.tail
        if tail is None:
            v.next = None
            self.head = self.tail = v
        elif key == tail.ph_key or ticks_diff(key, tail.ph_key) >= 0:  # the common case: no walk
            v.next = None
            tail.next = v
            self.tail = v
        else:  # after every task due no later than key: stable
            prev = None
            cur = self.head
            while ticks_diff(cur.ph_key, key) <= 0:
                prev = cur
                cur = cur.next
            v.next = cur
            if prev is None:
                self.head = v
            else:
                prev.next = v

    def append(self, v):
        """Queue v last, key unchanged: a waiting queue (Event, Lock, a
        task's awaiters, the parked tasks), first in first out as asyncio's,
        without reading the clock."""
        v.data = None
        v.next = None
        tail = self.tail
        if tail is None:
            self.head = v
        else:
            tail.next = v
        self.tail = v

    def pop(self):
        v = self.head
        self.head = v.next
        if self.head is None:
            self.tail = None
        v.next = None
        return v

    def remove(self, v):
        prev = None
        cur = self.head
        while cur is not None and cur is not v:
            prev = cur
            cur = cur.next
        if cur is None:
            return
        if prev is None:
            self.head = v.next
        else:
            prev.next = v.next
        if self.tail is v:
            self.tail = prev
        v.next = None


class _RunQueue(TaskQueue):
    """The run queue: the ready tasks first in first out (head..tail, O(1)
    both ends: a push never walks, whatever sleeps), and the sleepers in
    `sleeping`, a TaskQueue by deadline.  Together they give asyncio's heap
    order: a sleeper runs after every task queued before its deadline and
    before every task queued after it.  So a push at time `now` first moves
    the sleepers due by `now` to the ready tail (`checked` remembers a time
    at which none was due: one clock comparison per ms, not per push), and
    the loop, with no task ready, moves the due ones itself.  Every ready
    task was queued before the deadline of every sleeper still sleeping."""

    __slots__ = ("sleeping", "checked")

    def __init__(self):
        TaskQueue.__init__(self)
        self.sleeping = TaskQueue()
        self.checked = None

    def push(self, v, key=None):
        """Queue v to run now (key None) or at ticks_ms `key`."""
        now = ticks()
        if key is not None and key != now and ticks_diff(key, now) > 0:
            self.sleeping.push(v, key)
            v.data = self.sleeping  # cancel() takes it out of there
            c = self.checked
            if c is not None and ticks_diff(key, c) <= 0:  # not sleeping at `checked` after all
                self.checked = None
            return
        if now != self.checked:
            s = self.sleeping.head
            if s is not None:
                if ticks_diff(s.ph_key, now) <= 0:
                    self.due(now)
                else:
                    self.checked = now
        v.data = None  # self.append(v), inlined: paid on every switch
        v.ph_key = now
        v.next = None
        tail = self.tail
        if tail is None:
            self.head = v
        else:
            tail.next = v
        self.tail = v
        if _isr.idle:  # pushed outside the loop (a scheduled callback's Event.set): wake it
            _wake_loop()

    def due(self, now):
        """Move the sleepers due by `now` to the ready tail, in deadline order."""
        sq = self.sleeping
        s = sq.head
        while s is not None and ticks_diff(s.ph_key, now) <= 0:
            self.append(sq.pop())
            s = sq.head

    def _front(self, v, after):
        """The fast path: v runs next (after `after`, the last task put in
        front by this collect, if any)."""
        v.data = None
        if after is None:
            h = self.head
            v.next = h
            self.head = v
            if h is None:
                self.tail = v
        else:
            v.next = after.next
            after.next = v
            if self.tail is after:
                self.tail = v


################################################################################
# Task


class _IsrState:
    """What interrupt handlers write: a wake counter and the loop's waker."""

    def __init__(self):
        self.n = 0         # bumped by every ISR-side wake (ISR writes)
        self.seen = 0      # the count the loop has acted on (loop writes)
        self.round = 0     # collect rounds: a ThreadSafeFlag wakes all its waiters in one
        self.waker = None  # the executor waker of the running loop, or None
        self.idle = 0      # the loop is (about to be) asleep: a wake or a push must wake its executor
        self.io = 0        # tasks in a stream wait (.stream): ask the port each step


_isr = _IsrState()


def _wake_loop():
    """Tell the loop a flag or a waker fired.  ISR-safe: no allocation.
    While the loop runs it looks at the count at every step; only a loop
    that sleeps needs its executor woken."""
    s = _isr
    s.n = (s.n + 1) & 0x3FFFFFFF  # a small int on a 32-bit port: no allocation
    if s.idle:
        w = s.waker
        if w is not None:
            w.vtable.wake_by_ref(w.data)


def _wake_task(t):
    """The vtable wake of an asyncio task's pollen waker.  ISR-safe."""
    t.woken = 1
    _wake_loop()


def _clone_task(t):
    return t._waker._raw  # the task's one raw waker: clone() returns the Waker itself


_VT = _future.RawWakerVTable(_clone_task, _wake_task, _wake_task, _future._nothing)


class Task(Context):
    """asyncio's Task: a coroutine the loop runs.  Await it for its result
    (its exception is raised to whoever awaits it); cancel() and done().

    The fields are asyncio's: `coro`; `state` -- True running, None done
    and not awaited, False done and awaited, a TaskQueue of awaiting tasks,
    or a callable (gather's) -- and `data` -- the queue or object it waits
    in (whose remove() cancel() calls), the task it awaits, the exception
    to throw in when it next runs, or once done its StopIteration or
    exception.  pollen's: `next` (the queue link), `aw` (the preallocated
    awaitable it is suspended in) and `woken` (set by its waker, ISR-side).

    A Task is also the pollen Context its coroutine runs with (one object
    per task, not two), so pollen futures -- pin waits, pollen.sync,
    pollen.timer -- work inside it.  Its Waker is made the first time one
    asks for it: a task that never awaits a pollen future does not pay for it.
    """

    def __init__(self, coro, globals=None):
        Context.__init__(self, None, True)  # counting: the fast paths call waker(), which makes it
        self.coro = coro
        self.data = None
        self.state = True
        self.ph_key = 0
        self.next = None
        self.aw = None
        self.woken = 0

    def waker(self):
        w = self._waker
        if w is None:
            w = self._waker = _future.Waker(_future.RawWaker(self, _VT))
        return w

    def __iter__(self):
        if not self.state:
            self.state = False  # done: it has now been awaited
        elif self.state is True:
            self.state = TaskQueue()  # the tasks that will await it
        elif type(self.state) is not TaskQueue:
            raise RuntimeError("can't wait")  # gather owns it
        return self

    __await__ = __iter__

    def __next__(self):
        if not self.state:
            raise self.data  # its StopIteration (the result) or its exception
        self.state.append(cur_task)
        cur_task.data = self

    def done(self):
        return not self.state

    def cancel(self):
        """Inject CancelledError into the task when it next runs.  False if
        it had finished.  A task that awaits another task cancels that one."""
        if not self.state:
            return False
        if self is cur_task:
            raise RuntimeError("can't cancel self")
        while isinstance(self.data, Task):
            self = self.data
        if hasattr(self.data, "remove"):  # waits in a queue (or sleeps): take it out, run it now
            self.data.remove(self)
            _task_queue.push(self)
        self.data = CancelledError
        return True

    def __repr__(self):
        return "<Task>"


################################################################################
# Awaitables that allocate nothing


class _Awaiter:
    """Base of the preallocated awaitables: `await x` calls __next__ once to
    start the wait and once more when the task is resumed; the task's `aw`
    field tells which (it is this awaiter from the start until the resume).
    thrown(t) runs when a CancelledError is thrown into a task suspended in it."""

    def __await__(self):
        return self

    __iter__ = __await__

    def thrown(self, t):
        pass

    _as_coro = True  # create_task wraps it in a coroutine (asyncio's are generators)


async def _await(aw):
    return await aw


class SingletonGenerator:
    """The one object sleep_ms()/sleep() hand back (as asyncio's): the
    first __next__ queues the task at its deadline, the second ends the
    await.  Await it at once."""

    def __init__(self):
        self.state = None  # the deadline, the class itself (ready at once: no clock read) or None

    def __iter__(self):
        return self

    __await__ = __iter__

    def __next__(self):
        k = self.state
        if k is not None:
            self.state = None
            _task_queue.push(cur_task, None if k is SingletonGenerator else k)
            return None
        _done(_STOP)


def sleep_ms(t, sgen=SingletonGenerator()):
    """Sleep for t milliseconds.  Await at once; allocates nothing."""
    sgen.state = ticks_add(ticks(), t) if t > 0 else SingletonGenerator  # 0: no clock read
    return sgen


def sleep(t):
    """Sleep for t seconds (a float is fine)."""
    return sleep_ms(int(t * 1000))


################################################################################
# The run loop


_excs_all = (CancelledError, Exception)  # made once: no allocation in the loop
_excs_stop = (CancelledError, StopIteration)


def create_task(coro):
    """Make a Task of `coro` and queue it to run.  Also takes what asyncio
    makes with a generator (Event.wait(), Lock.acquire(),
    ThreadSafeFlag.wait()) and pollen futures (Delay, pin waits)."""
    if not hasattr(coro, "send"):
        if hasattr(coro, "_as_coro") or hasattr(coro, "poll"):
            coro = _await(coro)
        else:
            raise TypeError("coroutine expected")
    _bind_clock()
    t = Task(coro)
    _task_queue.push(t)
    return t


def _collect():
    """Queue the parked tasks whose waker fired or whose ThreadSafeFlag was
    set, in the order they began to wait.  Woken by a pollen future or by a
    flag set in a hard IRQ: the fast path, to the front of the run queue.
    A flag set elsewhere: at the back, as asyncio's poller queues it."""
    _isr.seen = _isr.n  # first: a wake from now on is seen next time
    r = _isr.round = (_isr.round + 1) & 0x3FFFFFFF
    pq = _parked
    prev = None
    after = None
    t = pq.head
    while t is not None:
        nxt = t.next
        aw = t.aw
        how = (2 if t.woken else 0) if aw is None else aw.ready(r, t)
        if how:
            t.woken = 0
            if prev is None:
                pq.head = nxt
            else:
                prev.next = nxt
            if pq.tail is t:
                pq.tail = prev
            t.next = None
            if how == 2:
                _task_queue._front(t, after)
                after = t
            else:
                _task_queue.push(t)
        else:
            prev = t
        t = nxt


def _throw(t, exc):
    """Resume task t with exc (a cancel) thrown in at its await."""
    t.data = None
    aw = t.aw
    if aw is not None:
        t.aw = None
        aw.thrown(t)  # e.g. a Lock handed to t passes on
    return t.coro.throw(exc)


def _ended(t, er, exc, main):
    """Task t ended with er (its StopIteration or exception), or -- exc
    not None and t already done -- its unretrieved exception comes round
    for the report: asyncio's run_until_complete.  True if `main` finished
    (then _outcome holds its result or exception)."""
    global cur_task, _outcome, _failed
    awaited = t is main
    if awaited:
        cur_task = None
        if not isinstance(er, StopIteration):
            t.state = False
            _outcome = er
            _failed = True
            return True
        if t.state is None:
            t.state = False
    if t.state:
        if t.state is True:
            t.state = False if awaited else None
        elif callable(t.state):
            t.state(t, er)
            t.state = False
            awaited = True
        else:
            waiting = t.state
            while waiting.head is not None:
                _task_queue.push(waiting.pop())
                awaited = True
            t.state = False
        if not awaited and not isinstance(er, _excs_stop):
            _task_queue.push(t)  # an exception nobody has retrieved: report it later
        t.data = er
    elif t.state is None:
        t.data = exc
        from .loop import report  # loaded by the first such report
        report(t, exc)
    if t is main:
        _outcome = er.value
        _failed = False
        return True
    return False


def _park(t):
    """Task t yielded and is in no queue: it waits on a pollen future, whose
    waker brings it back (collect())."""
    if t.woken:  # it woke itself while it ran
        t.woken = 0
        _task_queue.push(t)
    else:
        _parked.append(t)
        t.data = _parked


class _Runner:
    """The executor task that is the asyncio loop.  A poll runs asyncio
    task steps while some are due, up to `batch` of them, then yields (so
    the executor's other tasks get their turn); with nothing due it arms
    one timer node for the queue's head, and the executor sleeps until that
    or an interrupt.  In an executor of its own nothing else can be
    waiting, so it runs all that is due in one poll (about a third more
    steps per second than one per poll)."""

    __name__ = "asyncio"

    def __init__(self, main, batch):
        self.q = _timer.queue()  # made here, not at the first idle, which may come with the heap locked
        self.main = main
        self.batch = batch
        self.cx = None
        self.node = -1  # the timer node the loop sleeps on, while it sleeps until a sleeper is due
        self.set_cell = bytearray(b"\x01")  # port.wait(set_cell) looks at the streams, sleeps not

    def send(self, _=None):
        global cur_task
        _isr.idle = 0  # awake: wakes need not go through the executor
        cx = self.cx
        if cx is None:
            cx = self.cx = CURRENT.cx
            _isr.waker = cx.waker()
        if self.node >= 0:
            self.close()  # gives the timer node back (it may have fired)
        main = self.main
        now = ticks()
        n = self.batch
        while n:
            n -= 1
            if _isr.io:  # a task waits on a stream: ask the port now, as asyncio polls each step
                _clock_port.wait(self.set_cell)
            if _isr.n != _isr.seen:
                _collect()
            q = _task_queue
            t = q.head
            if t is None:  # none ready: the first sleeper, if it is due
                t = q.sleeping.head
                if t is None:
                    break
                if ticks_diff(t.ph_key, now) > 0:  # not due by the time we last read: read again
                    now = ticks()
                    if ticks_diff(t.ph_key, now) > 0:
                        break
                q.due(now)
                t = q.head
            q.head = t.next  # q.pop(), inlined: paid on every step
            if t.next is None:
                q.tail = None
            t.next = None
            # one step of t: asyncio's run_until_complete body, the common
            # path inlined (paid on every switch), the rest in _throw/_ended
            cur_task = t
            CURRENT.cx = t  # a Task is its own pollen Context
            t.woken = 0  # cleared before it runs: a wake while it runs is kept
            try:
                exc = t.data
                if not exc:
                    r = t.coro.send(None)
                else:
                    r = _throw(t, exc)
            except _excs_all as er:
                if _ended(t, er, exc, main):
                    CURRENT.cx = cx
                    _done(_STOP)  # preallocated: main may end with the heap locked
                continue
            if r is YIELD:  # pollen's yield_now(): as sleep(0)
                q.push(t)
            elif t.data is None and t.next is None and q.tail is not t:
                _park(t)  # in no queue: it waits on a pollen future
        else:
            CURRENT.cx = cx
            return YIELD  # more is due: after the executor's other tasks
        CURRENT.cx = cx
        if t is not None:  # the first sleeper is due later (> 0 ms): sleep until then
            ms = ticks_diff(t.ph_key, now)
            q = self.q = _timer.queue()
            p = q.port
            # one alarm chunk at most: a longer wait wakes once, finds nothing due, sleeps again
            c = _timer.MAX_CHUNK_US
            us = ms * 1000 if ms < c // 1000 else c
            self.node = q.add(p.ticks_add(p.ticks_us(), us), cx.waker())
        elif _parked.head is None and (main is None or not main.state):
            _done(_STOP)  # nothing can run again
        _isr.idle = 1  # from here on a wake or a push goes through the executor...
        if _isr.n != _isr.seen or _task_queue.head is not None:  # ...and one before is seen here
            return YIELD
        return None  # a timer, ThreadSafeFlag or pollen waker will wake us (or nothing will)

    __next__ = send  # how loop_viper resumes a task

    def close(self):
        if self.node >= 0:
            self.q.release(self.node)
            self.node = -1


def run_until_complete(main_task=None, executor=None):
    """Run the loop until `main_task` finishes (None: until no task can
    run); return its result or raise its exception.  `executor`: the
    pollen.Executor to run in (default a new one with one slot)."""
    global cur_task, _outcome, _failed
    _bind_clock()
    batch = 1  # a step per poll: fair to the executor's other tasks
    if executor is None:
        from ..executor import Executor
        executor = Executor(1)
        batch = 1 << 29  # nothing else runs in it: all that is due
    runner = _Runner(main_task, batch)
    _outcome = None
    _failed = False
    try:
        executor.run(runner)
    finally:
        _isr.waker = None
        cur_task = None
    r = _outcome
    _outcome = None
    if _failed:
        raise r
    return r


def run(coro, executor=None):
    """Run `coro` as a new task until it finishes; return its result."""
    return run_until_complete(create_task(coro), executor)


cur_task = None
_outcome = None
_failed = False


def current_task():
    if cur_task is None:
        raise RuntimeError("no running event loop")
    return cur_task


def _reset():
    """Forget every queued task: new_event_loop() (.loop), and the import."""
    global _task_queue, _parked
    _task_queue = _RunQueue()  # the run queue
    _parked = TaskQueue()      # tasks waiting on a ThreadSafeFlag or a pollen future


_reset()

################################################################################
# The rest loads on first use, as asyncio's __init__.py loads its parts:
# a program pays the RAM of what it uses.

# module, (the names it defines), ...: a constant tuple, not a dict -- frozen
# into flash it costs no RAM (a dict is built at import)
_attrs = (
    "funcs", ("wait_for", "wait_for_ms", "gather"),
    "event", ("Event",),
    "flag", ("ThreadSafeFlag",),
    "lock", ("Lock",),
    "stream", ("StreamReader", "StreamWriter", "Stream", "open_connection", "start_server", "Server"),
    "loop", ("Loop", "get_event_loop", "new_event_loop"),
)


def __getattr__(attr):
    t = _attrs
    for i in range(0, len(t), 2):
        if attr in t[i + 1]:
            value = getattr(__import__(t[i], globals(), None, (attr,), 1), attr)
            globals()[attr] = value  # next time: a plain module attribute
            return value
    raise AttributeError(attr)
