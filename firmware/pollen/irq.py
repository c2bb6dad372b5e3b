"""Interrupt: any interrupt source as a future that counts.

    it = Interrupt(source, trigger=None, hard=None)
    n = await it.wait()     # how many interrupts came since the last wait returned (>= 1)
    it.count, it.flags      # that count again; the source's irq().flags() at the last one
    it.close()              # the handler is removed from the source

`source` is anything with MicroPython's `.irq(handler=, trigger=, hard=)`
protocol: machine.Pin, machine.UART (trigger=UART.IRQ_RXIDLE, IRQ_TXIDLE,
IRQ_BREAK: the UART's default trigger is 0, nothing), rp2.PIO,
rp2.StateMachine, rp2.DMA (no trigger argument; the channel's ctrl needs
irq_quiet=False).  `trigger` None leaves the source's own default.  `hard`
None takes a hard IRQ where the source's irq() accepts `hard`, else a soft
(scheduled) one; True or False asks for that.

machine.Timer has no irq(): its handler is given to init().  For it, and for
any other callback API, make Interrupt(None) and hand over `it.handler`:

    it = Interrupt(None)
    Timer(-1, period=10, callback=it.handler, hard=True)

Who writes what.  The handler (ISR-safe: no allocation; bound once, here)
adds 1 to a count in a preallocated array('i') -- masked to 30 bits, so it
stays a small int -- stores the flags before it, and wakes the waiting task
through a WakerSlot.  The task side keeps its own "count seen" and takes the
difference, re-reading the count after the flags (a seqlock, as
sync.Signal's): an interrupt that lands anywhere in between is counted on
this wait or the next one, never lost and never counted twice.

  _st[0] COUNT   interrupts so far, mod 2**30       (handler writes)
  _st[1] SEEN    COUNT when the last wait returned  (task writes)
  _st[2] FLAGS   irq().flags() at the last one      (handler writes)
  _st[3] CLOSED  1 once close() ran                 (task writes)

What allocates.  wait() hands back one wait object made here.  A wait that
returns n raises StopIteration(n); n = 1..8 come from a table made once at
import, so a wait allocates nothing while at most 8 interrupts came between
two waits (0 B, proved under heap_lock).  A larger n makes a fresh
StopIteration (about 96 B): under heap_lock that is a MemoryError -- read
`it.take()` or wait more often.  One task waits on an Interrupt at a time
(another gets RuntimeError).  A wait that is cancelled (Task.cancel, a lost
select, with_timeout) leaves nothing registered; the handler stays on the
source and keeps counting until close().

Machine code.  Where the interpreter runs it (pollen.port.twin), the handler and
the usual resume are irq_viper's: on the chip each bytecode frame and
attribute read costs microseconds, and a DMA transfer is often done before
its await starts.
"""

from .port import array  # the built-in, with no search of sys.path

from .port import twin as _twin
from .future import CURRENT, Leaf, bind
from .slot import WakerSlot

_MASK = 0x3FFFFFFF  # counts stay small ints on a 32-bit port: no allocation

# n -> StopIteration(n), for n = 1..8: a wait that returns one of these
# allocates nothing (index 0 is never raised: a wait returns at least 1)
_STOPS = tuple(StopIteration(n) for n in range(9))
_FAST = len(_STOPS) - 1

_viper = _twin("irq_viper")  # the machine-code twins (pollen.port.twin), or None


class _IrqWait(Leaf):
    """it.wait(): made once per Interrupt.  Completes with the count of
    interrupts since the previous wait returned.  Its close() (cancel) forgets
    the task's waker only; Interrupt.close() removes the handler."""

    __slots__ = ("_it",)

    def __init__(self, it):
        self._it = it
        bind(self, "__next__")  # (future.bind: every resume after an interrupt looks it up)

    def __next__(self):
        it = self._it
        st = it._st
        if st[0] == st[1]:  # nothing yet: register first, then look again
            if st[3]:
                raise ValueError("Interrupt is closed")
            it._slot.register(CURRENT.cx.waker())
            if st[0] == st[1]:
                return None
        k = it.take()  # (>= 1: sets count and flags)
        sl = it._slot
        if sl.waker is not None:  # registered (the wait suspended): no interrupt wakes it for nothing
            sl.clear()
        if k <= _FAST:
            e = _STOPS[k]
            e.__traceback__ = None  # keep the shared exception from growing a traceback
            raise e
        raise StopIteration(k)  # more than 8 since the last wait: allocates

    if _viper is not None:  # the usual resume in machine code (pollen.port.twin)
        slow = __next__  # what it hands the rare cases to
        __next__ = _viper.irq_next

    __iter__ = Leaf.__await__  # found here, not in the base class: looked up on every await

    def close(self):
        self._it._slot.clear_if_current(CURRENT.cx)


class Interrupt:
    """One interrupt source, counted.  See the module docstring."""

    def __init__(self, source, trigger=None, hard=None):
        self.source = source
        self.count = 0   # what the last wait returned
        self.flags = 0   # the source's irq().flags() at the last interrupt counted by it
        self._st = array("i", [0, 0, 0, 0])
        self._slot = WakerSlot("Interrupt(%r)" % (source,),
                               "one task waits on it; give each task its own source")
        self._wake = self._slot.wake  # bound once: the handler makes no bound method
        self._flags = None
        self._wait = _IrqWait(self)
        self.wait = self._wait.__iter__  # wait(): the one wait object, no frame of ours
        self.handler = self._on_irq  # bound once: the handler allocates nothing
        self.hard = hard
        if source is None:
            return
        self.hard = hard if hard is not None else True
        kw = {"handler": self.handler}
        if trigger is not None:
            kw["trigger"] = trigger
        kw["hard"] = self.hard
        try:
            irq = source.irq(**kw)
        except TypeError:
            if hard is not None:
                raise
            del kw["hard"]  # this port's irq() takes no `hard`: a soft (scheduled) handler
            self.hard = False
            irq = source.irq(**kw)
        # read in the handler, so only where it is a plain call returning an int
        self._flags = getattr(irq, "flags", None)

    def _on_irq(self, _source):
        """The source's IRQ handler.  ISR-safe: no allocation."""
        st = self._st
        f = self._flags
        if f is not None:
            st[2] = f()  # before COUNT: the task reads them as a pair
        st[0] = (st[0] + 1) & 0x3FFFFFFF  # (_MASK: a literal, no global read in the ISR)
        self._wake()

    if _viper is not None:  # the same in machine code (pollen.port.twin)
        _on_irq = _viper.irq_handler

    def take(self):
        """The interrupts since the last wait()/take(), consumed, without
        waiting (0 if none).  Task side; sets count and flags as a wait does."""
        st = self._st
        n = st[0]
        while True:
            f = st[2]
            m = st[0]
            if m == n:
                break
            n = m
        k = (n - st[1]) & _MASK
        st[1] = n
        self.count = k
        if k:
            self.flags = f
        return k

    def pending(self):
        """True if an interrupt came that no wait or take() has counted."""
        st = self._st
        return st[0] != st[1]

    def close(self):
        """Remove the handler from the source (source.irq(None)); a task
        waiting now is woken and its wait raises ValueError.  Task side."""
        st = self._st
        if st[3]:
            return
        st[3] = 1
        src = self.source
        if src is not None:
            src.irq(None)
        self._wake()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    def __repr__(self):
        return "<Interrupt %r count=%d>" % (self.source, self.count)
