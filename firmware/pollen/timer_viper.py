"""The timer's hot steps in viper: the sleep's registration and resume, and
the alarm's handler for a board alarm that runs it in task context.

  sleep_next  timer._Sleep.__next__: `await sleep_ms(n)` registers its node
              (TimerQueue.add) and, once the alarm has fired, completes.
              Anything else -- sleep_until, a sleep past MAX_CHUNK_US, a
              full queue, a task already asleep, a wait polled through
              another context -- goes to the portable twin (_Sleep.slow).
  on_due      TimerQueue._on_alarm, installed as the handler of a board alarm
              (port_rp2, whose handler runs in task context: between the
              executor's polls and in its idle wait).  The machine.Timer's
              hard IRQ keeps the bytecode handler: there a viper method
              measured no faster (docs/BENCHMARKS.md).

Compiled at import from viper_src.TIMER, as leaves_viper is (so this file
builds with plain mpy-cross); an interpreter without a native emitter, and
CPython, raise ImportError here and timer.py keeps its twins.  Allocates
nothing; task side only (on_due: also from an ISR-free board alarm).
"""

import sys

if sys.implementation.name != "micropython":  # (a CPython may have a module of that name)
    raise ImportError("viper needs MicroPython")

import micropython  # noqa: E402

from .future import _STOP, CURRENT

_PKG = __name__.rpartition(".")[0]
_TM = sys.modules[_PKG + ".timer"]  # the modules, not names: _queue and _port change
_PORT = sys.modules[_PKG + ".port"]  # (timer is mid-import here: it imports this last)
from .viper_src import TIMER as _SRC, forget as _forget
_forget()
del _forget

_g = {"micropython": micropython, "_STOP": _STOP, "CURRENT": CURRENT, "_TM": _TM,
      "_PORT": _PORT, "_NONE": None}  # (viper stores a literal None as the int 0)
try:
    exec(_SRC, _g)
except Exception as e:
    raise ImportError("pollen.timer_viper needs viper: %r" % (e,))
sleep_next = _g["sleep_next"]
on_due = _g["on_due"]
del _g, _SRC
