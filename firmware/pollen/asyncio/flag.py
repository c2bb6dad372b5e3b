"""pollen.asyncio's ThreadSafeFlag (the second half of asyncio's event.py;
Event is .event): loaded on first use of the name (pollen.asyncio's
__getattr__).

ThreadSafeFlag.set() is ISR-safe.  wait() hands back one preallocated
awaitable: a round trip allocates nothing.
"""

from .. import asyncio as _a  # the core: the parked tasks, the loop's interrupt state


class ThreadSafeFlag(_a._Awaiter):
    """asyncio's ThreadSafeFlag: set() from an interrupt handler, a
    scheduled callback or a task; wait() returns once it is set, and clears
    it.  pollen's: set() is ISR-safe (no allocation: stores and the
    executor's wake); any number of tasks may wait (one set() releases every
    task waiting at that moment); and a set() from a hard IRQ -- if the port
    can tell (port.in_hard_irq) -- runs the released tasks next, ahead of
    tasks merely ready.  From anywhere else they queue as in asyncio.
    The flag is its own awaitable: wait() allocates nothing."""

    def __init__(self):
        self._n = 0       # set() count: written by set() only
        self._seen = 0    # the count consumed: written by the task side only
        self._fast = 0    # a set() came from a hard IRQ
        self._round = -1  # the loop's collect round that last released waiters
        self._how = 0     # ... and where it queued them

    def set(self):
        """Set the flag.  ISR-safe: no allocation."""
        self._n = (self._n + 1) & 0x3FFFFFFF
        irq = _a._in_hard_irq
        if irq is not None and irq():
            self._fast = 1
        s = _a._isr  # _wake_loop(), inlined: a call less on the interrupt path
        s.n = (s.n + 1) & 0x3FFFFFFF
        if s.idle:
            w = s.waker
            if w is not None:
                w.vtable.wake_by_ref(w.data)

    def clear(self):
        self._seen = self._n
        self._fast = 0

    def wait(self):
        return self

    def __next__(self):
        t = _a.cur_task
        if t.aw is self:  # queued by the loop: the flag was set
            t.aw = None
            _a._done(_a._STOP)
        n = self._n
        if n != self._seen:
            self._seen = n  # consumed: the flag clears itself
            self._fast = 0
            _a._done(_a._STOP)
        _a._parked.append(t)
        t.data = _a._parked
        t.aw = self

    def ready(self, r, t):
        """Loop side, collect round r: 0 keep waiting, 1 queue at the back,
        2 queue in front.  One set() releases every task waiting when the
        loop finds it (they share the round), and is consumed."""
        if self._round != r:
            n = self._n
            if n == self._seen:
                return 0
            self._seen = n
            self._round = r
            self._how = 2 if self._fast else 1
            self._fast = 0
        return self._how
