"""Interrupt's hot steps in viper: the twins of irq.py's methods.

  irq_next     irq._IrqWait.__next__: the resume once interrupts have come
               (a DMA transfer is often done before its await starts).  The
               rest -- a wait that registers, more than 8 interrupts, a
               count that moves while it is read -- goes to the portable
               twin (_IrqWait.slow).
  irq_handler  irq.Interrupt._on_irq: the source's IRQ handler (hard IRQ,
               ISR-safe as its twin: stores, then the WakerSlot's wake --
               slot_viper's, the one interrupt-side wake -- no allocation).

Machine code for the board's CPU, compiled and frozen as leaves_viper is;
irq.py takes it through pollen.port.twin() where the interpreter runs
machine code.  The state layout is irq.py's (COUNT, SEEN, FLAGS, CLOSED):
keep them in step.  The StopIteration raised is one of irq._STOPS, and no
viper frame adds to its traceback.
"""
# mpy-cross: requires native

import sys

if sys.implementation.name != "micropython":  # (a CPython may have a module of that name)
    raise ImportError("viper needs MicroPython")

import micropython  # noqa: E402
from micropython import const

_PKG = __name__.rpartition(".")[0]
_IRQ = sys.modules[_PKG + ".irq"]  # the module: irq is mid-import here (it imports this)
_NONE = None  # viper compares objects with `is` only against another object, and
              # stores a literal None into an attribute as the int 0

_MASK = const(0x3FFFFFFF)
_FAST = const(8)  # len(irq._STOPS) - 1: counts with a preallocated StopIteration


@micropython.viper
def irq_next(self):
    it = self._it
    st = ptr32(it._st)  # [0] COUNT (ISR writes), [1] SEEN, [2] FLAGS (ISR writes), [3] CLOSED
    n = st[0]
    k = (n - st[1]) & _MASK
    if k == 0 or k > _FAST:
        return self.slow()
    f = st[2]
    if st[0] != n:  # an interrupt between the two reads: the twin's seqlock sorts it out
        return self.slow()
    st[1] = n
    it.count = k
    it.flags = f
    s = it._slot
    if not (s.waker is _NONE):  # registered (the wait suspended): no interrupt wakes it for nothing
        s.clear()
    e = _IRQ._STOPS[k]
    e.__traceback__ = _NONE  # (a portable raise may have left one)
    raise e


@micropython.viper
def irq_handler(self, _source):
    st = ptr32(self._st)
    f = self._flags
    if not (f is _NONE):
        st[2] = int(f())  # before COUNT: the task reads them as a pair
    st[0] = (st[0] + 1) & _MASK
    self._wake()  # the slot's wake, bound once (slot_viper's where this runs): the one interrupt-side wake
