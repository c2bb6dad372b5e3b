"""WakerSlot's fast twin in viper: the twins of slot.py's wake and clear.

  wake   WakerSlot.wake: ISR-safe, as its twin -- the fast wake's two
         stores (`cell[index] = 1`, the look byte `cell[-1] = 1`), or the
         waker's vtable for a waker without a cell.  No allocation.
  clear  WakerSlot.clear: task side.

An interrupt handler pays for every bytecode frame it calls, and an event
source calls wake from its handler (pollen.Interrupt's, a Channel's or a
stream's): the one interrupt-side wake, once per twin.  Machine code for
the board's CPU, compiled and frozen as leaves_viper is; slot.py takes it
through pollen.port.twin() where the interpreter runs machine code.
"""
# mpy-cross: requires native

import sys

if sys.implementation.name != "micropython":  # (a CPython may have a module of that name)
    raise ImportError("viper needs MicroPython")

import micropython  # noqa: E402

_NONE = None  # an object None for viper (a literal None is the int 0 there)


@micropython.viper
def wake(self):
    # ISR-safe: stores, or the waker's vtable; nothing allocated
    c = self.cell
    if not (c is _NONE):  # the fast wake: ready[slot] = 1, look byte = 1
        p = ptr8(c)
        p[int(self.index)] = 1
        p[int(len(c)) - 1] = 1
        return
    w = self.waker
    if not (w is _NONE):
        w.vtable.wake_by_ref(w.data)


@micropython.viper
def clear(self):
    self.cell = _NONE  # first, as register() has it: a wake from here on goes through the waker
    self.waker = _NONE
