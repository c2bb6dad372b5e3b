"""Flag: the statically allocated "AtomicBool" of a one-task executor.

set() is called by interrupt handlers or other threads; take() by the one
consumer.  The state is one byte, `cell[0]` (a bytearray(1), so a port can
sleep on it in machine code: see port_rp2).  The setter only ever writes 1,
the taker writes 0 only after it read 1, and acts on the state it guards
*after* the take.  So a set() that races with take() either lands before the
clear -- merged with the set() being consumed, whose consumer looks at the
state afterwards and sees what the racing setter stored before it set the
flag -- or after it, and stays set for the next take().  No set() is lost;
two close together may merge into one, which is all a flag promises.
"""

from .future import Waker, static_raw_waker


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
