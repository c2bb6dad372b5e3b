"""The poll protocol, as Rust's core::future and core::task: futures, the
Context they are polled with, the Waker in it -- and the bridge between
hand-written futures and `await`.

A future is any object with poll(cx) that returns PENDING or its result.
PENDING is a module constant: no Ready(...) wrapper is made per poll.  A
future that returns PENDING must have arranged for cx.waker() to be woken
(stored it, cloned it, or woken it already); otherwise nothing polls it again.

Coroutines (async def) are driven by send(None).  What a coroutine yields to
whoever drives it is one of two values:
  None   -- pending; a waker was registered by the leaf future it awaits;
  YIELD  -- ready again at once (yield_now); re-poll me after the others.
The context of the task being polled lives in CURRENT.cx, set by the
executor (or block_on) before every resume; leaf futures read it there,
because `await` has no way to pass it along.

Wakers are a (data, vtable) pair.  A Waker does not know what it wakes.  It
holds `data` (any object: a slot index, a Flag, a counter) and a
RawWakerVTable of four callables that take that data.  Each strategy (flag,
task id, counting, parking) is one vtable, so executors and event sources
never depend on each other.

Waker objects are immutable.  A vtable whose clone() hands back the same
RawWaker it was built from marks a statically allocated waker: clone() then
returns the Waker itself and allocates nothing.
"""

import sys

PENDING = object()  # "not ready yet": compare with `is`
YIELD = object()    # yielded by a coroutine that wants to run again soon

_MICROPYTHON = sys.implementation.name == "micropython"


def bind(obj, *names):
    """Store each of `obj`'s methods `names` on obj itself, bound, where
    MicroPython looks first.

    MicroPython looks an attribute up in the instance before its class, and
    a lookup costs most when it misses.  So resuming a leaf (the interpreter
    finds a Python iterator's __next__ that way) or calling event.set()
    costs two map lookups, the first a miss: ~2 us on the RP2040.  Bound on
    the instance it is one lookup, a hit (docs/BENCHMARKS.md, "Where the
    cycles go").  For the objects of hot paths, once, when they are made
    (a bound method is ~16 bytes).  CPython takes these from the class, and
    __slots__ forbid it there: a no-op."""
    if _MICROPYTHON:
        for n in names:
            setattr(obj, n, getattr(obj, n))


class RawWakerVTable:
    """The four operations on a raw waker's data.

    clone(data) -> RawWaker; wake(data) consumes the waker; wake_by_ref(data)
    wakes without consuming; drop(data) releases it.  wake and wake_by_ref
    must be ISR-safe when the waker is handed to an interrupt handler.
    """

    __slots__ = ("clone", "wake", "wake_by_ref", "drop")

    def __init__(self, clone, wake, wake_by_ref, drop):
        self.clone = clone
        self.wake = wake
        self.wake_by_ref = wake_by_ref
        self.drop = drop


class RawWaker:
    __slots__ = ("data", "vtable")

    def __init__(self, data, vtable):
        self.data = data
        self.vtable = vtable


class Waker:
    """A handle an event source keeps to make a task ready again.

    wake_by_ref() is ISR-safe (no allocation) for every waker pollen makes:
    it is one call into the vtable.  wake() is wake_by_ref() then drop().

    The fast wake.  A waker pollen makes also carries `cell` (a bytearray
    whose last byte is its executor's "look" byte) and `index`: waking it is
    the two stores `cell[index] = 1; cell[-1] = 1`, no call at all.  A Flag
    waker's cell is the flag's one byte (index 0); a task-id waker's is its
    executor's ready[] (index: the slot).  pollen's own event sources wake
    that way from their interrupt handlers (an interrupt pays for every
    Python call), and may, because they hold a waker only while the future
    that registered it is pending -- close() drops it -- so the slot it names
    cannot have been given to another task.  Everyone else calls
    wake_by_ref(), which checks.  `cell` is None for wakers made with
    from_raw(): they are woken through their vtable.
    """

    __slots__ = ("_raw", "data", "vtable", "cell", "index")

    def __init__(self, raw, cell=None, index=0):
        self._raw = raw
        self.data = raw.data
        self.vtable = raw.vtable
        self.cell = cell
        self.index = index

    @staticmethod
    def from_raw(raw):
        return Waker(raw)

    @staticmethod
    def noop():
        """A waker that does nothing: for polling a future by hand.  Made on
        first use (a program that never asks pays no RAM for it)."""
        global NOOP
        if NOOP is None:
            NOOP = Waker(static_raw_waker(None, _nothing))
        return NOOP

    def wake(self):
        """Wake and consume.  ISR-safe."""
        vt = self.vtable
        vt.wake(self.data)

    def wake_by_ref(self):
        """Wake and keep the waker.  ISR-safe."""
        self.vtable.wake_by_ref(self.data)

    def clone(self):
        """Another waker for the same target; allocation-free when static."""
        raw = self.vtable.clone(self.data)
        if raw is self._raw:
            return self  # static waker: sharing the immutable object is a copy
        return Waker(raw)  # a clone is woken through its vtable (cell None)

    def drop(self):
        self.vtable.drop(self.data)

    def will_wake(self, other):
        """True if waking `other` is known to wake the same target."""
        return other is self or (
            other.vtable is self.vtable
            and (other.data is self.data or other.data == self.data)
        )

    def __repr__(self):
        return "<Waker data=%r>" % (self.data,)


def wake_held(w):
    """Wake `w`, a waker its event source holds only while the wait that
    registered it is pending: the fast wake (two stores, `cell[index] = 1`
    and the look byte `cell[-1] = 1`) when it has a cell, else through its
    vtable.  ISR-safe: no allocation.  (The viper twins make the same stores
    inline: on the chip a call costs more than the wake.)"""
    c = w.cell
    if c is None:
        w.vtable.wake_by_ref(w.data)
    else:
        c[w.index] = 1
        c[-1] = 1


def _nothing(data):
    pass


def static_raw_waker(data, wake):
    """A RawWaker for a statically allocated target: clone returns itself,
    drop does nothing, wake and wake_by_ref both call `wake(data)`."""
    vt = RawWakerVTable(None, wake, wake, _nothing)
    raw = RawWaker(data, vt)
    vt.clone = lambda data: raw  # made once, here; clone() allocates nothing
    return raw


NOOP = None  # Waker.noop()'s, once made


class Context:
    """What a future is polled with: the waker of the task polling it.

    A per-task scratch field, `timer`, belongs to pollen.timer (the index of
    this task's node in the timer queue, or -1); nothing else touches it.
    """

    __slots__ = ("_waker", "timer", "counting")

    def __init__(self, waker, counting=False):
        self._waker = waker
        self.timer = -1
        # True: waker() must be called, not skipped for _waker (a debug
        # context counts the calls; an asyncio Task makes its waker then).
        # An instance attribute: the hot paths read it on every registration,
        # and on the chip a class attribute read through an instance costs
        # 5.2 us, this 1.8 (docs/BENCHMARKS.md)
        self.counting = counting

    @staticmethod
    def from_waker(waker):
        return Context(waker)

    def waker(self):
        return self._waker


class _Current:
    __slots__ = ("cx",)

    def __init__(self):
        self.cx = None


CURRENT = _Current()  # the context of the task now running; set by drivers of coroutines


_STOP = StopIteration()  # preallocated: completing an await with None allocates nothing

# The leaves' machine-code twins (pollen.port.twin), or None: taken here, once
# the names leaves_viper imports from this module (_STOP, CURRENT, YIELD) exist
from .port import twin as _twin  # noqa: E402
_viper = _twin("leaves_viper")


class Future:
    """Base class for hand-written leaf futures.

    Subclasses implement poll(cx) and, if they register anything (a waker in
    an interrupt handler's slot, a timer node), close() to release it: close()
    is called when the awaiting coroutine is cancelled or a select() drops
    this future, and must leave no state behind.

    Awaiting a Future allocates nothing when its result is None: the final
    StopIteration is preallocated.  A non-None result costs one exception
    object, so the steady-state leaves of pollen complete with None and keep
    their data on the object (e.g. Input.edge_us).
    """

    def __await__(self):
        return self

    if _viper is not None:  # the same, with no bytecode frame
        __await__ = _viper.iter_self
    __iter__ = __await__

    def __next__(self):
        r = self.poll(CURRENT.cx)
        if r is PENDING:
            return None
        return _stop(r)

    def close(self):
        pass

    def throw(self, typ, val=None, tb=None):
        """An exception thrown into the awaiting coroutine (asyncio cancels
        that way: pollen.asyncio) reaches the future it awaits: release what
        it registered, then let the exception go on into the coroutine."""
        self.close()
        raise typ if val is None else val


class Leaf(Future):
    """The one shape of pollen's hand-written leaves: the work is in
    __next__ -- the await path: one frame per resume, the task's context
    read from CURRENT.cx -- which returns None while pending (having
    registered the waker), YIELD to run again after the others, or raises
    StopIteration(result) (future._stop: the shared one for None).  poll(cx),
    for join/select and other poll()-drivers, runs that same __next__ with
    `cx` as the context; nothing else is written twice."""

    def poll(self, cx):
        prev = CURRENT.cx
        CURRENT.cx = cx
        try:
            r = self.__next__()
        except StopIteration as e:
            return e.value
        finally:
            CURRENT.cx = prev
        if r is YIELD:  # ready again at once (yield_now): a poll()-driver needs a wake
            cx.waker().wake_by_ref()
        return PENDING


def _stop(result):
    if result is None:
        _STOP.__traceback__ = None  # keep the shared exception from growing a traceback
        raise _STOP
    raise StopIteration(result)


def stop_iteration():
    """Raise the shared StopIteration: finish an await with None, allocation-free."""
    _STOP.__traceback__ = None
    raise _STOP


def is_coroutine(obj):
    """A coroutine/generator: driven by send(); not a poll()-future."""
    return hasattr(obj, "send") and not hasattr(obj, "poll")


def as_future(aw):
    """`aw` itself if it is a poll()-future; TypeError with the fix if not.
    (Coroutines are driven by send(): spawn and block_on take them as they
    are; join and select wrap them in a CoroFuture.)"""
    if hasattr(aw, "poll"):
        return aw
    raise TypeError(
        "%r is not awaitable by pollen: pass a coroutine (call the async "
        "function: f(), not f) or an object with poll(cx)" % (aw,)
    )
