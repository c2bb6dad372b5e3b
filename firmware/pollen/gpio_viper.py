"""gpio._EdgeWait.__next__ in viper: the resume after a pin edge.

This is the one step between the interrupt and the waiting task's next
line.  gpio.py's __next__ is the portable twin, with the same contract;
gpio.py takes this one where it imports (an interpreter that runs machine
code for its CPU: every board tools/deploy.py builds for, and the unix
MicroPython of `make test`).  In viper the state array is plain memory and
the call costs less than a bytecode frame: about 20 us less per edge on an
RP2040 (docs/BENCHMARKS.md).

Task side only, never an ISR.  Allocates nothing: the StopIteration is
gpio's shared one, and no viper frame adds to its traceback.
"""
# mpy-cross: needs-march

import micropython
from micropython import const

from .future import _STOP

# gpio.py's state layout (keep in step): WANT, HIT, ACTIVE
_WANT = const(1)
_HIT = const(2)
_ACTIVE = const(9)


@micropython.viper
def edge_next(self):
    st = ptr32(self.st)
    if st[_HIT]:  # set by the IRQ, only while a wait is active
        st[_WANT] = 0  # first: the IRQ stops recording
        st[_HIT] = 0
        st[_ACTIVE] = 0
        raise _STOP
    return self.pending()
