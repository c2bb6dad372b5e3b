"""Flag: the statically allocated "AtomicBool" of a one-task executor.

set() is called by interrupt handlers or other threads; take() by the one
consumer.  The setter writes only `_n` (a counter), the taker writes only
`_seen`, so neither can overwrite the other's update: a set() that races
with take() is either consumed by that take() -- and the consumer acts on it
afterwards -- or seen by the next one.  Two setters that preempt each other
(nested interrupts of different priority) may merge into one set(), which
is all a flag promises.
"""

from .waker import Waker, static_raw_waker

_MASK = 0x3FFFFFFF  # keeps the counter a small int on 32-bit ports: no allocation


class Flag:
    __slots__ = ("_n", "_seen", "_waker")

    def __init__(self):
        self._n = 0
        self._seen = 0
        self._waker = None

    def set(self):
        """Mark the flag.  ISR-safe: no allocation."""
        self._n = (self._n + 1) & _MASK

    def take(self):
        """Return whether the flag was set, and clear it.  Consumer only."""
        n = self._n
        if n != self._seen:
            self._seen = n
            return True
        return False

    def is_set(self):
        return self._n != self._seen


def _set_flag(flag):
    flag._n = (flag._n + 1) & _MASK


def flag_waker(flag):
    """The Waker whose wake sets `flag`.  Made once per flag; clone is free."""
    w = flag._waker
    if w is None:
        w = flag._waker = Waker(static_raw_waker(flag, _set_flag))
    return w
