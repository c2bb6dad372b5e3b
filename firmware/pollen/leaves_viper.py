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
  signal_next sync._SignalWait.__next__: await signal.wait()
  event_next  sync._EventWait.__next__: await event.wait()
  signal_set  sync.Signal.set (native: it takes a default; ISR-safe, as its twin)
  event_set   sync.Event.set (ISR-safe, as its twin)
  event_clear sync.Event.clear

The viper code is compiled at import, from viper_src.LEAVES, by the
interpreter's own native emitter (as port_rp2 does): so this file compiles
with plain mpy-cross, for any CPU, and an interpreter that cannot emit
machine code raises ImportError here; each module then keeps its twin.

Task side only, never an ISR -- but signal_set and event_set, ISR-safe like
their twins.
Allocates nothing: the StopIteration is future's shared one, and no viper
frame adds to its traceback.
"""

import sys

if sys.implementation.name != "micropython":  # (a CPython may have a module of that name)
    raise ImportError("viper needs MicroPython")

import micropython  # noqa: E402

from .future import _STOP, CURRENT, YIELD
from .viper_src import LEAVES as _SRC, forget as _forget
_forget()  # the string is _SRC's now: the module can go
del _forget

_g = {"micropython": micropython, "_STOP": _STOP, "CURRENT": CURRENT, "YIELD": YIELD,
      "_NONE": None,  # viper compares objects with `is` only against another object, and
                      # stores a literal None into an attribute as the int 0
      "_ARMED": bytearray(1), "_YIELD_NOW": None}  # yield_now()'s: use_yield() sets them
try:
    exec(_SRC, _g)
except Exception as e:  # no native emitter here: each module keeps its portable twin
    raise ImportError("pollen.leaves_viper needs viper: %r" % (e,))
iter_self = _g["iter_self"]
edge_next = _g["edge_next"]
yield_next = _g["yield_next"]
signal_next = _g["signal_next"]
event_next = _g["event_next"]
event_set = _g["event_set"]
event_clear = _g["event_clear"]
signal_set = _g["signal_set"]
_yield_now = _g["yield_now"]
del _SRC


def use_yield(armed, obj):
    """yield_now() for combinators' arming byte and shared object."""
    _g["_ARMED"] = armed
    _g["_YIELD_NOW"] = obj
    return _yield_now
