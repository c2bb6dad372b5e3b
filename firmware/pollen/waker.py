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
        """A waker that does nothing: for polling a future by hand."""
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


def _nothing(data):
    pass


def static_raw_waker(data, wake):
    """A RawWaker for a statically allocated target: clone returns itself,
    drop does nothing, wake and wake_by_ref both call `wake(data)`."""
    vt = RawWakerVTable(None, wake, wake, _nothing)
    raw = RawWaker(data, vt)
    vt.clone = lambda data: raw  # made once, here; clone() allocates nothing
    return raw


NOOP = Waker(static_raw_waker(None, _nothing))


class WakerSlot:
    """Where an event source keeps the waker of the one task waiting on it
    (Embassy's AtomicWaker).  Interrupt handlers wake through it, tasks
    register in it; nothing else touches it.

    Task side:
      register(w)  store waker `w` -- the one "already waiting" rule: a slot
                   holds one task's waker; a waker of another task raises
                   RuntimeError("<what> already has a waiting task: <fix>").
                   The same task (the same waker, or a clone of it) may
                   register again.  Register *before* looking at the state
                   the wait is for: a wake between the two is then never lost.
      clear()      forget it (the wait completed, or was cancelled: close()).
      clear_if_current()  the same, only when it is the current task's or
                   none is running (close() by hand): a cancelled task must
                   not drop another task's registration.
    Event source side, ISR-safe (no allocation, never raises):
      wake()       make the registered task ready; it stays registered until
                   the task clears it (a second wake before it runs is merged).

    The wake is the fast one (Waker, `cell`): register() resolves the waker
    to its ready byte once, so wake() is two stores, `cell[index] = 1` and
    the look byte `cell[-1] = 1`, with no call.  A waker without a cell (one
    made with Waker.from_raw) is woken through its vtable.  The stores go
    in an order an interrupt may come between: register() clears `cell`
    first and sets it last, so wake() sees either the whole new
    registration or the waker alone.
    """

    __slots__ = ("waker", "cell", "index", "what", "fix")

    def __init__(self, what, fix="one task waits on it at a time"):
        self.waker = None
        self.cell = None
        self.index = 0
        self.what = what  # the error: "<what> already has a waiting task: <fix>"
        self.fix = fix

    def register(self, w):
        """Task side: `w` is the waiting task's waker from now on."""
        held = self.waker
        if held is not None and held is not w and not held.will_wake(w):
            raise RuntimeError("%s already has a waiting task: %s" % (self.what, self.fix))
        self.cell = None  # first: an interrupt from here on wakes through the waker
        self.waker = w
        self.index = w.index
        self.cell = w.cell  # last: the fast wake, once index belongs to it

    def clear(self):
        """Task side: no task waits any more."""
        self.cell = None
        self.waker = None

    def clear_if_current(self, cx):
        """Task side (close()): clear() if the registration is `cx`'s task's,
        or if there is no current task to tell (cx None)."""
        held = self.waker
        if held is None:
            return
        if cx is not None:
            w = cx.waker()
            if held is not w and not held.will_wake(w):
                return
        self.clear()

    def wake(self):
        """Make the registered task ready.  ISR-safe: no allocation."""
        c = self.cell
        if c is not None:  # the fast wake: ready[slot] = 1, look byte = 1
            c[self.index] = 1
            c[-1] = 1
            return
        w = self.waker
        if w is not None:
            w.vtable.wake_by_ref(w.data)

    def waiting(self):
        """True while a task is registered."""
        return self.waker is not None
