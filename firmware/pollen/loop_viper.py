"""The executor's scheduling loop in viper: loop.py's rules, at machine speed.

loop.py is the portable loop (CPython, the simulator, an interpreter without
a native emitter).  This module is the same loop for an interpreter that
has one -- the RP2040 firmware, and the unix MicroPython that `make test`
runs -- and executor.py takes it when it imports.  Its ready[] scan, its counters and its positions are typed
machine integers (viper `ptr8`, `ptr32`): on an RP2040 the path from a wake
to the task's send() drops from about 35 us (loop.py as native code) to
about 10 (docs/BENCHMARKS.md).  What it cannot make faster is what every
loop pays: the task's send() and its context.

The viper code is compiled at import, from viper_src.LOOP, by the
interpreter's own native emitter (as port_rp2 does): so this file compiles
with plain mpy-cross, for any CPU, and an interpreter that cannot emit
machine code raises ImportError here and executor.py takes loop.py.

Viper has no `except ... as e` (mpy-cross rejects it), so the loop itself,
_run(), has no try: a task that ends raises out of it into schedule(),
which hands the ending to the executor and calls _run() again.  So that no
state is lost on the way, the loop keeps its positions and the polls
counter in an array('i') (`state`), which viper stores to as plain memory.

The rules are loop.py's (and executor.py's docstring): woken tasks first, in
turn from the task polled last; yielded tasks round robin after them;
ready[slot] cleared before the poll, so a wake during it is kept.
"""

import sys

if sys.implementation.name != "micropython":  # (a CPython may have a module of that name)
    raise ImportError("viper needs MicroPython")

import micropython  # noqa: E402
from array import array

from .future import CURRENT, YIELD
from .viper_src import LOOP as _SRC, forget as _forget
_forget()  # the string is _SRC's now: the module can go
del _forget

_K = 3      # state[] field read by schedule(): the slot being polled (-1: none)
_POLLS = 2  # Executor.polls

_g = {"micropython": micropython, "CURRENT": CURRENT, "YIELD": YIELD,
      "_NOALARM": array("i", [0, 0, 0]),  # a port without a board alarm: never ARMED
      "_NONE": None}  # viper compares objects with `is` only against another object, and
                      # passes or stores a literal None as the int 0
try:
    exec(_SRC, _g)
except Exception as e:  # no native emitter here: executor.py falls back to loop.py
    raise ImportError("pollen.loop_viper needs viper: %r" % (e,))
_run = _g["_run"]
del _g, _SRC


def schedule(ex, main):
    """Run `ex`'s tasks until `main` ends (or a STOP-policy failure)."""
    cap = ex._cap
    state = array("i", [cap - 1, cap - 1, ex.polls, -1, 1])
    run = _run
    try:
        while True:
            try:
                if run(ex, main, state):
                    return
            except StopIteration as e:  # first: a task returned (no tuple made: the heap may be locked)
                k = state[_K]
                state[_K] = -1
                if k < 0:
                    raise e
                if ex._ended(k, e.value, False, main):
                    return
            except (KeyboardInterrupt, SystemExit) as e:
                raise e
            except BaseException as e:
                k = state[_K]
                state[_K] = -1
                if k < 0:  # the port's wait, or a bug here: not a task's ending
                    raise e
                if ex._ended(k, e, True, main):
                    return
    finally:
        ex.polls = state[_POLLS]
