"""WakerSlot: the one place an event source keeps a waiting task's waker.

Every event source that wakes one task -- a oneshot, a Channel's receiver
and sender, an Interrupt -- keeps its waker in a WakerSlot: one rule for
"already waiting", one error, one interrupt-side wake.  (The hottest leaves
-- Signal, Event, the timer's nodes, a pin edge -- make the same two stores
inline, in both their twins: on the chip a call costs more than the wake.)

The slot has one fast twin (pollen.port.twin): wake and clear in viper
(slot_viper), where the interpreter runs machine code.
"""

from .port import twin as _twin

_viper = _twin("slot_viper")  # the machine-code twins (pollen.port.twin), or None


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

    if _viper is not None:  # the same in machine code (pollen.port.twin)
        wake = _viper.wake
        clear = _viper.clear

    def waiting(self):
        """True while a task is registered."""
        return self.waker is not None
