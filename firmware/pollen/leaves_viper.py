"""The hot steps of pollen's leaf futures, in viper.

Every await of a leaf costs MicroPython two Python-level calls: __iter__
when the await starts (returns the leaf itself) and __next__ at every
resume.  On an RP2040 each is a bytecode frame, microseconds apiece, and
they sit on every task switch and on the path from an interrupt to the
waiting task.  Here are the same methods in viper; each has a portable twin
with the same contract in the module named below, which CPython, the
simulator and interpreters without a native emitter run.  A module takes
its twin from here when this one imports (an interpreter that runs machine
code for its CPU: every board tools/deploy.py builds for, and the unix
MicroPython of `make test`):

  iter_self   future.Future.__await__ / __iter__         (every leaf)
  edge_next   gpio._EdgeWait.__next__: the resume after a pin edge
  yield_next  combinators._YieldNow.__next__: yield_now()
  signal_next sync._SignalWait.__next__: await signal.wait()

Task side only, never an ISR.  Allocates nothing: the StopIteration is
future's shared one, and no viper frame adds to its traceback.
"""
# mpy-cross: needs-march

import micropython
from micropython import const

from .future import _STOP, CURRENT, YIELD

_NONE = None  # viper compares objects with `is` only against another object, and
              # stores a literal None into an attribute as the int 0

# gpio.py's state layout (keep in step): WANT, HIT, ACTIVE
_WANT = const(1)
_HIT = const(2)
_ACTIVE = const(9)


@micropython.viper
def iter_self(self):
    return self


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
def yield_next(self):
    armed = ptr8(self.armed)
    if armed[0]:  # the first resume after yield_now(): ready again, after the others
        armed[0] = 0
        return YIELD
    raise _STOP


@micropython.viper
def signal_next(self):
    s = self._s
    n = int(s._n)
    if n == int(s._seen):  # nothing yet: register first, then look again
        cx = CURRENT.cx
        w = cx._waker
        if cx.counting:
            w = cx.waker()  # debug mode counts the calls
        held = s._waker
        if not (held is _NONE) and not (held is w) and not held.will_wake(w):
            s._register(cx)  # raises the "already has a waiting task" error
        s._waker = w
        n = int(s._n)
        if n == int(s._seen):
            return _NONE
    v = s._v
    while True:  # a seqlock against a preempting set(): _v is written before _n
        v = s._v
        m = int(s._n)
        if m == n:
            break
        n = m
    s.value = v
    s._seen = n
    s._waker = _NONE  # (a bare None would be stored as the int 0 by viper)
    raise _STOP

