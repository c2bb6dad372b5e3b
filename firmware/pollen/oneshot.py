"""oneshot(): a future completed from outside, through a resolver.

Shared state is the _Slot: the value and the WakerSlot of the polling task.
resolve() may run in an interrupt handler or another thread: it stores the
value, then wakes the stored waker.  The future stores the waker *before*
reading the value, so a resolve() between the two is seen by that poll or
wakes the waker it stored -- never lost.
"""

from .future import CURRENT, Leaf, _stop
from .slot import WakerSlot

_EMPTY = object()


class _Slot(Leaf):
    __slots__ = ("value", "waker")

    def __init__(self):
        self.value = _EMPTY
        self.waker = WakerSlot("a oneshot future", "await it from one task")

    def __next__(self):
        self.waker.register(CURRENT.cx.waker())  # register first, then look
        v = self.value
        if v is _EMPTY:
            return None
        self.waker.clear()
        _stop(v)

    def close(self):
        self.waker.clear()

    def done(self):
        return self.value is not _EMPTY


class Resolver:
    __slots__ = ("_slot",)

    def __init__(self, slot):
        self._slot = slot

    def resolve(self, value):
        """Complete the future with `value` and wake whoever polled it.

        ISR-safe: stores and the slot's wake, no allocation.  A second
        resolve() is ignored: the first value stands.
        """
        s = self._slot
        if s.value is _EMPTY:
            s.value = value
            s.waker.wake()


def oneshot():
    """Return (future, resolver)."""
    s = _Slot()
    return s, Resolver(s)
