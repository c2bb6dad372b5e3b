"""Wakers: a (data, vtable) pair, as in Rust's core::task.

A Waker does not know what it wakes.  It holds `data` (any object: a slot
index, a Flag, a counter) and a RawWakerVTable of four callables that take
that data.  Each strategy (flag, task id, counting, parking) is one vtable,
so executors and event sources never depend on each other.

Waker objects are immutable.  A vtable whose clone() hands back the same
RawWaker it was built from marks a statically allocated waker: clone() then
returns the Waker itself and allocates nothing.
"""


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

