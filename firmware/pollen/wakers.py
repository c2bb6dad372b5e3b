"""Two more waker strategies: counting (for tests) and parking (threads).

The parking waker serves a thread that sleeps until woken: CPython's
`threading` or MicroPython's `_thread` where the port has it.  It is not
ISR-safe (lock operations); hand interrupt handlers a Flag waker instead.
"""

from .future import RawWaker, RawWakerVTable, Waker


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
