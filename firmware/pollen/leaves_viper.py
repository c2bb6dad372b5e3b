"""The hot steps of pollen's leaf futures, in viper.

Every await of a leaf costs MicroPython two Python-level calls: __iter__
when the await starts (returns the leaf itself) and __next__ at every
resume.  On an RP2040 each is a bytecode frame, microseconds apiece, and
they sit on every task switch and on the path from an interrupt to the
waiting task.  Here are the same methods in viper; each has a portable twin
with the same contract in the module named below, which CPython, the
simulator and interpreters without a native emitter run.  A module takes
its twin from here when this one imports (an interpreter with a native
emitter: the RP2040 firmware, and the unix MicroPython of `make test`):

  iter_self   future.Future.__await__ / __iter__         (every leaf)
  edge_next   gpio._EdgeWait.__next__: the resume after a pin edge
  yield_now   combinators.yield_now (its arming byte and object set there)
  yield_next  combinators._YieldNow.__next__: yield_now()

(Signal's and Event's are in sync_viper: a program without them does not
load them.)

Machine code for the board's CPU: `make flash` compiles this file with
mpy-cross -march, `make firmware` freezes it into flash; each module takes
it through pollen.port.twin() where the interpreter runs machine code.

Task side only, never an ISR.  Allocates nothing: the StopIteration is
future's shared one, and no viper frame adds to its traceback.
"""
# mpy-cross: requires native

import sys

if sys.implementation.name != "micropython":  # (a CPython may have a module of that name)
    raise ImportError("viper needs MicroPython")

import micropython  # noqa: E402
from micropython import const


@micropython.viper
def iter_self(self):
    return self


# (iter_self comes first: future.py takes it from this module while it is
# being made, when a program imports this module before pollen.future)
from .future import _STOP, CURRENT, YIELD  # noqa: E402

_NONE = None  # viper compares objects with `is` only against another object, and
              # stores a literal None into an attribute as the int 0
_ARMED = bytearray(1)  # yield_now()'s arming byte and shared object: use_yield() sets them
_YIELD_NOW = None

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


@micropython.viper
def _yield_now():
    ptr8(_ARMED)[0] = 1
    return _YIELD_NOW


@micropython.viper
def yield_next(self):
    armed = ptr8(self.armed)
    if armed[0]:  # the first resume after yield_now(): ready again, after the others
        armed[0] = 0
        return YIELD
    raise _STOP


def use_yield(armed, obj):
    """yield_now() for combinators' arming byte and shared object."""
    global _ARMED, _YIELD_NOW
    _ARMED = armed
    _YIELD_NOW = obj
    return _yield_now
