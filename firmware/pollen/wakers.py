"""The waker strategies beside the executor's task ids: a Flag's (the
statically allocated "AtomicBool" of a one-task executor, block_on),
counting (for tests) and parking (threads).

Flag: set() is called by interrupt handlers or other threads; take() by
the one consumer.  The state is one byte, `cell[0]` (a bytearray(1), so a
port can sleep on it in machine code: see port_rp2).  The setter only ever writes 1,
the taker writes 0 only after it read 1, and acts on the state it guards
*after* the take.  So a set() that races with take() either lands before the
clear -- merged with the set() being consumed, whose consumer looks at the
state afterwards and sees what the racing setter stored before it set the
flag -- or after it, and stays set for the next take().  No set() is lost;
two close together may merge into one, which is all a flag promises.

The parking waker serves a thread that sleeps until woken: CPython's
`threading` or MicroPython's `_thread` where the port has it.  It is not
ISR-safe (lock operations); hand interrupt handlers a Flag waker instead.
"""

from .future import RawWaker, RawWakerVTable, Waker, static_raw_waker


class Flag:
    __slots__ = ("cell", "_waker")

    def __init__(self):
        self.cell = bytearray(1)  # the flag itself: 0 clear, 1 set
        self._waker = None

    def set(self):
        """Mark the flag.  ISR-safe: no allocation."""
        self.cell[0] = 1

    def take(self):
        """Return whether the flag was set, and clear it.  Consumer only."""
        c = self.cell
        if c[0]:
            c[0] = 0
            return True
        return False

    def is_set(self):
        return self.cell[0] != 0


def _set_flag(flag):
    flag.cell[0] = 1


def flag_waker(flag):
    """The Waker whose wake sets `flag`.  Made once per flag; clone is free."""
    w = flag._waker
    if w is None:
        w = flag._waker = Waker(static_raw_waker(flag, _set_flag), flag.cell, 0)
    return w


class CountingWaker:
    """Counts wakes; `waker` is the Waker to hand out.  For tests."""

    def __init__(self):
        self.wakes = 0
        self.clones = 0
        self.drops = 0
        vt = RawWakerVTable(self._clone, self._wake, self._wake_by_ref, self._drop)
        self._raw = RawWaker(self, vt)
        self.waker = Waker(self._raw)

    def _clone(self, data):
        self.clones += 1
        return self._raw  # same target: clone() returns the same Waker

    def _wake(self, data):
        self.wakes += 1
        self.drops += 1

    def _wake_by_ref(self, data):
        self.wakes += 1

    def _drop(self, data):
        self.drops += 1


try:
    import _thread as _threads
except ImportError:  # a port without threads
    _threads = None


class Parker:
    """A thread parks in park() until another thread wakes `waker`.

    A wake that comes before park() is kept: park() then returns at once.
    """

    def __init__(self):
        if _threads is None:
            raise OSError("this port has no _thread: use block_on's Flag waker")
        self._notified = False
        self._mutex = _threads.allocate_lock()
        self._permit = _threads.allocate_lock()
        self._permit.acquire()  # held = no permit
        vt = RawWakerVTable(self._clone, self._unpark, self._unpark, self._drop)
        self._raw = RawWaker(self, vt)
        self.waker = Waker(self._raw)

    def _clone(self, data):
        return self._raw

    def _drop(self, data):
        pass

    def _unpark(self, data):
        with self._mutex:
            if not self._notified:
                self._notified = True
                self._permit.release()

    def park(self):
        """Sleep until woken (returns at once if a wake is pending)."""
        self._permit.acquire()
        with self._mutex:
            self._notified = False


def parking_waker():
    """(waker, parker): hand out `waker`, call parker.park() to sleep."""
    p = Parker()
    return p.waker, p
