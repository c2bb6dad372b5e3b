"""Signal, Event, Channel: handing data from interrupt handlers to tasks.

The producer side (Signal.set, Event.set, Channel.send_nowait) may run in a
hard interrupt handler that preempts task code at any bytecode.  It
allocates nothing, never raises, and writes only fields the task side never
writes; the task side writes only its own.  So neither can undo the other's
update:

  Signal   ISR writes _v, _st[0]  task writes _st[1], _st[2], value, _waker
  Event    ISR writes _st[0]      task writes _st[1], _st[2], the waiter slots
  Channel  ISR writes _tail, slot _tail, overflow
                                  task writes _head, slot _head, _rx, _tx

Every wait registers cx.waker() *before* it looks at the state, so a set()
that lands between the two is either seen by that look or wakes the waker
just stored -- never lost (as in oneshot.py).

What allocates when awaited: a future that completes with None allocates
nothing (the StopIteration is preallocated); one that completes with a value
allocates one StopIteration(value), ~96 bytes on MicroPython.  Hence each
primitive has a zero-allocation form that completes with None and leaves the
data on the object, next to the convenient form that returns it:

  zero allocation                          convenient, allocates per value
  await signal.wait(); signal.value        value = await signal
  await event.wait()                       --
  await ch.wait(); ch.get_nowait()         item = await ch.recv()

wait() and recv() hand back one future made with the primitive, so calling
them allocates nothing either.  Channel.send() (task side, waits while full)
makes a small future per call.
"""

from .port import array  # the built-in, with no search of sys.path

from .port import twin as _twin
from .future import _STOP, CURRENT, PENDING, Leaf, _stop, bind, stop_iteration, wake_held
from .slot import WakerSlot

_viper = _twin("sync_viper")  # the machine-code twins (pollen.port.twin), or None

_MASK = 0x3FFFFFFF  # keeps counters small ints on 32-bit ports: no allocation
_RAISE = object()   # "no default given" for get_nowait / take


def _other_waker(held, w):
    """True if `held` is a registration of some other task than `w`'s."""
    return held is not None and held is not w and not held.will_wake(w)


def _is_current(held):
    """Whether `held` belongs to the task being cancelled or dropped now.
    Without a context (close() called by hand) we cannot tell: assume so."""
    cx = CURRENT.cx
    if held is None:
        return False
    if cx is None:
        return True
    w = cx.waker()
    return held is w or held.will_wake(w)


# -- Signal -------------------------------------------------------------------


class _SignalWait(Leaf):
    """signal.wait(): made once per Signal, completes with None."""

    __slots__ = ("_s",)

    def __init__(self, s):
        self._s = s
        bind(self, "__next__")  # (future.bind: every await of the signal resumes it)

    def __next__(self):
        # The whole wait in one frame (_consume() inlined): a task-to-task
        # wake is mostly Python calls, so each one saved counts.  A set()
        # already pending is consumed at once (the woken task's re-poll); only
        # a task about to wait registers, then looks again.
        s = self._s
        st = s._st
        n = st[0]
        if n == st[1]:  # nothing yet: register first, then look again
            cx = CURRENT.cx
            w = cx.waker() if cx.counting else cx._waker  # a call less, unless debug counts it
            if st[2]:  # a waker is held: ours (polled again) or another task's
                held = s._waker
                if held is not w and not held.will_wake(w):
                    s._busy()  # raises the "already has a waiting task" error
            s._waker = w
            st[2] = 1
            n = st[0]
            if n == st[1]:
                return None
        while True:  # _consume(), inlined: a seqlock against a preempting set()
            v = s._v
            if st[0] == n:
                break
            n = st[0]
        s.value = v
        st[1] = n
        if st[2]:
            st[2] = 0
            s._waker = None
        _STOP.__traceback__ = None
        raise _STOP

    if _viper is not None:  # the same in machine code (pollen.port.twin)
        __next__ = _viper.signal_next

    __iter__ = Leaf.__await__  # found here, not in the base class: looked up on every await

    def close(self):
        self._s.close()


class Signal(Leaf):
    """The latest value from an interrupt handler, for one waiting task.

    set(value) keeps only the newest value: three set()s before the task
    runs wake it once, and it sees the third value.

      await signal.wait()   completes with None once a set() has come since
                            the last wait()/take(); consumes it.  Allocates
                            nothing.  The value is then in `signal.value`.
      await signal          the same, but completes with the value itself:
                            allocates a StopIteration when it is not None.
      signal.take(default)  the value if one is pending (consumes it), else
                            `default`; never waits.

    `value` is the value the last wait()/take()/await consumed; it does not
    change under the task until its next one (an interrupt in between is
    kept pending, not lost).  One task waits at a time: a second one that
    has to wait raises RuntimeError; use Event for many.
    """

    __slots__ = ("_v", "_st", "_waker", "_wait", "value", "wait")

    def __init__(self):
        self._v = None        # written by set() only
        # [0]: the set() count, written by set() only; [1]: the count consumed,
        # and [2]: 1 while _waker holds a waker (it is then not None), both
        # written by the task only.  An array: viper (leaves_viper) reads it
        # as memory, and the resume tests [2], not `_waker is None` (which
        # costs viper a global lookup)
        self._st = array("i", [0, 0, 0])
        self._waker = None
        self._wait = _SignalWait(self)  # made once: wait() allocates nothing
        # wait(): await it; completes with None after a set() (read `value`
        # then).  The wait object's own __iter__, bound once: it returns the
        # object, with no Python frame of ours (on the chip a bytecode method
        # is ~7 us a call, the viper iter_self ~3)
        self.wait = self._wait.__iter__
        self.value = None
        bind(self, "set")  # (future.bind: set() is the hot call, often from an IRQ)

    def set(self, value=None):
        """Store `value` (replacing any unread one) and wake the waiting task.

        ISR-safe: no allocation.  Called by an interrupt handler or a task.
        """
        self._v = value
        st = self._st
        st[0] = (st[0] + 1) & 0x3FFFFFFF  # published after the value (_MASK: a literal, no global read)
        w = self._waker  # held only while its wait is pending: the fast wake is safe
        if w is not None:
            wake_held(w)

    if _viper is not None:  # the same in machine code (pollen.port.twin)
        set = _viper.signal_set

    def is_set(self):
        """True if a set() is pending (not yet consumed)."""
        st = self._st
        return st[0] != st[1]

    def clear(self):
        """Drop a pending set() unread.  Task side."""
        st = self._st
        st[1] = st[0]

    def take(self, default=None):
        """The pending value, consumed; `default` if nothing is pending."""
        if self._consume():
            return self.value
        return default

    def __next__(self):
        """`await signal`: signal.wait(), completing with the value."""
        try:
            return self._wait.__next__()  # None: pending
        except StopIteration:
            _stop(self.value)

    def close(self):
        if _is_current(self._waker):
            self._st[2] = 0
            self._waker = None

    def _consume(self):
        # A set() may preempt us anywhere here.  It writes _v before the count,
        # so re-reading the count after _v tells whether the pair we read belongs
        # together (a seqlock whose writer is never preempted by the reader).
        st = self._st
        while True:
            n = st[0]
            if n == st[1]:
                return False
            v = self._v
            if st[0] == n:
                break
        self.value = v
        st[1] = n  # a set() from here on stays pending: seen next time
        return True

    def _busy(self):
        """A wait found another task's waker held (both twins call this)."""
        raise RuntimeError(
            "Signal already has a waiting task: a Signal wakes one task. "
            "Use an Event for several waiters, or one Signal per task"
        )


# -- Event --------------------------------------------------------------------


class _EventWait(Leaf):
    """event.wait(): made once per Event, shared by all its waiters; each
    waiter's state is its slot in the Event, found by its waker."""

    __slots__ = ("_e",)

    def __init__(self, e):
        self._e = e
        bind(self, "__next__")

    __iter__ = Leaf.__await__  # found here, not in the base class: looked up on every await

    def __next__(self):
        # the waker straight from the context (a call less), unless debug
        # mode counts waker() calls
        cx = CURRENT.cx
        if self._step(cx.waker() if cx.counting else cx._waker) is PENDING:
            return None
        _STOP.__traceback__ = None
        raise _STOP

    if _viper is not None:  # the same in machine code (pollen.port.twin)
        __next__ = _viper.event_next

    def _step(self, w):
        e = self._e
        st = e._st
        i = e._find(w)
        if i >= 0:  # polled again: done if a set() came since we registered
            if st[0] != e._since[i]:
                e._drop(i)
                return None
            e._wakers[i] = w  # (an equal waker, maybe a newer clone)
            return PENDING
        n = st[0]
        if n != st[1]:
            return None  # already set
        i = e._add(w, n)  # register first, then look again
        if st[0] != n:
            e._drop(i)
            return None
        return PENDING

    def close(self):
        e = self._e
        cx = CURRENT.cx
        if cx is None:
            return  # close() by hand: whose slot it was is unknown
        i = e._find(cx.waker())
        if i >= 0:
            e._drop(i)


class Event:
    """A flag any number of tasks wait on; set() wakes them all.

    set() from an interrupt handler wakes every waiting task, even if the
    event is cleared again before they run.  wait() completes at once while
    the event is set.  Waiters are kept in `max_waiters` slots allocated
    here, so set() allocates nothing; one waiter too many makes its wait()
    raise RuntimeError, in that task, never in the interrupt handler.

    The waiters are the first _st[2] slots: set() visits only those (a loop
    over empty slots costs an interrupt handler microseconds each on a
    board).  The task side adds at the end and removes by moving the last
    into the hole; each store leaves every live waiter in a slot below that
    at any moment an interrupt may look (see _drop), so a set() never misses
    one (it may wake one twice: harmless).
    """

    __slots__ = ("_st", "_wakers", "_since", "_size", "_wait", "wait")

    def __init__(self, max_waiters=8):
        if max_waiters < 1:
            raise ValueError(
                "Event needs at least 1 waiter slot (max_waiters=%d)" % max_waiters
            )
        # [0]: bumped by set() when it sets a clear event; [1]: set by clear()
        # (is_set() is [0] != [1]); [2]: the number of waiters, slots 0 .. [2]-1
        # (task side writes); then each waiter's [0] when it registered
        # (_since).  An array: viper (leaves_viper) reads it as memory
        st = self._st = array("i", [0] * (3 + max_waiters))
        self._wakers = [None] * max_waiters
        self._since = memoryview(st)[3:]
        self._size = max_waiters
        self._wait = _EventWait(self)
        # wait(): await it; completes with None once the event is set.
        # Allocates nothing; raises RuntimeError if all max_waiters slots are
        # taken.  Bound once, as Signal.wait (no Python frame of ours)
        self.wait = self._wait.__iter__
        bind(self, "set", "clear")  # as Signal's

    def set(self):
        """Set the event and wake every waiting task.

        ISR-safe: no allocation.  Called by an interrupt handler or a task.
        """
        st = self._st
        n = st[0]
        if n == st[1]:  # only a clear->set step counts: no wrap while set
            st[0] = (n + 1) & _MASK
        ws = self._wakers
        i = st[2]
        while i:  # an index loop: no iterator object
            i -= 1
            w = ws[i]
            if w is not None:  # held only while its wait is pending: the fast wake is safe
                wake_held(w)

    def clear(self):
        """Clear the event.  Tasks already woken by a set() still complete."""
        st = self._st
        st[1] = st[0]

    if _viper is not None:  # both in machine code (pollen.port.twin)
        set = _viper.event_set
        clear = _viper.event_clear

    def is_set(self):
        st = self._st
        return st[0] != st[1]

    def waiting(self):
        """How many tasks are registered as waiting."""
        return self._st[2]

    def _find(self, w):
        """The slot of waker `w` (or of one that wakes the same task), -1 if
        none.  Task side."""
        nw = self._st[2]
        if not nw:
            return -1
        ws = self._wakers
        if w in ws:  # the usual case, the same object: one C-level scan
            i = ws.index(w)
            if i < nw:
                return i
        for i in range(nw):  # an equal waker that is another object (a clone)
            x = ws[i]
            if x is not None and x.will_wake(w):
                return i
        return -1

    def _add(self, w, n):
        """A slot for waker `w`, registered at count `n`.  Task side."""
        st = self._st
        i = st[2]
        if i == self._size:
            raise RuntimeError(
                "Event has no free waiter slot: all %d are in use. Create it with "
                "more (Event(max_waiters=%d))" % (self._size, self._size * 2)
            )
        self._since[i] = n
        self._wakers[i] = w
        st[2] = i + 1  # published last: set() sees the slot once it is whole
        return i

    def _drop(self, i):
        """Free slot i: the last waiter moves into it.  Task side.  Between
        any two of these stores a set() still finds every live waiter below
        the count: the moved one is in both slots until the last is cleared,
        and the count shrinks only after."""
        st = self._st
        last = st[2] - 1
        ws = self._wakers
        if i != last:
            self._since[i] = self._since[last]
            ws[i] = ws[last]
        ws[last] = None
        st[2] = last


# -- Channel ------------------------------------------------------------------


class _ChannelWait(Leaf):
    """ch.wait(): made once per Channel, completes with None when an item is
    there (does not take it)."""

    __slots__ = ("_c",)

    def __init__(self, c):
        self._c = c
        bind(self, "__next__")

    __iter__ = Leaf.__await__  # found here, not in the base class: looked up on every await

    def __next__(self):
        if self._c._register_rx(CURRENT.cx):
            stop_iteration()

    def close(self):
        self._c._close_rx()


class _ChannelRecv(_ChannelWait):
    """ch.recv(): made once per Channel, completes with the next item."""

    __slots__ = ()

    __iter__ = Leaf.__await__  # found here, not in the base class: looked up on every await

    def __next__(self):
        c = self._c
        if c._register_rx(CURRENT.cx):
            _stop(c.get_nowait())


class _ChannelSend(Leaf):
    """ch.send(item): one per call; completes with None once `item` is in."""

    __slots__ = ("_c", "_item")

    def __init__(self, c, item):
        self._c = c
        self._item = item

    def __next__(self):
        c = self._c
        c._tx.register(CURRENT.cx.waker())  # register first, then look
        if c._put(self._item):
            c._tx.clear()
            self._item = None
            stop_iteration()

    def close(self):
        self._c._tx.clear_if_current(CURRENT.cx)


class Channel:
    """A queue of `capacity` items from an interrupt handler to one task.

    The ring of slots is allocated here, once.  send_nowait(item) is
    ISR-safe: when the channel is full it counts the item in `overflow` and
    returns False; nothing already queued is touched.  len(ch) is the
    number of items waiting.

      await ch.wait(); ch.get_nowait()   zero allocation: wait() completes
                                         with None once an item is there
      item = await ch.recv()             allocates a StopIteration per item
                                         that is not None
      await ch.send(item)                task side: waits while full;
                                         allocates a small future per call

    One task receives.  The write side has one owner too: a channel fed by
    an interrupt handler must not also be fed by tasks, because a task's
    write could be preempted by the handler's.  (Tasks alone may share it.)
    """

    __slots__ = ("_buf", "capacity", "_m", "_head", "_tail", "overflow",
                 "_rx", "_tx", "_wait", "_recv")

    def __init__(self, capacity):
        if capacity < 1:
            raise ValueError(
                "Channel capacity must be at least 1 item (got %d): a channel "
                "that holds nothing can deliver nothing. For 'latest value "
                "only', use a Signal" % capacity
            )
        self._buf = [None] * capacity  # the only storage: never grows
        self.capacity = capacity
        self._m = 2 * capacity  # indices count modulo 2*capacity: full != empty
        self._head = 0          # next to read; written by the reader only
        self._tail = 0          # next to write; written by the writer only
        self.overflow = 0       # items refused because the channel was full
        self._rx = WakerSlot("Channel", "one task receives. Give each consumer its own Channel")
        self._tx = WakerSlot("Channel (send)", "one sender may wait at a time. Use "
                             "send_nowait() and check its result")
        self._wait = _ChannelWait(self)
        self._recv = _ChannelRecv(self)

    def __len__(self):
        return (self._tail - self._head) % self._m

    def send_nowait(self, item):
        """Queue `item` and wake the receiver; True if queued.  When full,
        add one to `overflow` and return False (never raises).

        ISR-safe: no allocation.  Called by the one writer.
        """
        if self._put(item):
            return True
        self.overflow = (self.overflow + 1) & _MASK
        return False

    def get_nowait(self, default=_RAISE):
        """Take the oldest item.  When empty: return `default` if given,
        else raise IndexError.  Reader (task) side; allocates nothing when
        an item is there or a default is given."""
        h = self._head
        if h == self._tail:
            if default is _RAISE:
                raise IndexError(
                    "Channel is empty: await ch.wait() (or check len(ch)) first"
                )
            return default
        buf = self._buf
        i = h % len(buf)
        item = buf[i]
        buf[i] = None  # the channel keeps no reference to a delivered item
        h += 1
        self._head = h if h < self._m else 0  # frees the slot for the writer
        self._tx.wake()  # a task may wait in send(): there is room now
        return item

    def wait(self):
        """Await it: completes with None once an item is there.  Allocates
        nothing; take the items with get_nowait()."""
        return self._wait

    def recv(self):
        """Await it: completes with the next item (allocates a StopIteration
        when the item is not None)."""
        return self._recv

    def send(self, item):
        """Await it: puts `item` in, waiting while the channel is full.
        Task side only (see the class note on writers)."""
        return _ChannelSend(self, item)

    def _put(self, item):
        """The write step of send_nowait() and send().  ISR-safe: no allocation."""
        t = self._tail
        if (t - self._head) % self._m == self.capacity:
            return False
        buf = self._buf
        buf[t % len(buf)] = item
        t += 1
        self._tail = t if t < self._m else 0
        self._rx.wake()
        return True

    def _register_rx(self, cx):
        self._rx.register(cx.waker())  # register first, then look
        if self._head != self._tail:
            self._rx.clear()
            return True
        return False

    def _close_rx(self):
        self._rx.clear_if_current(CURRENT.cx)
