"""The simulated board's `rp2` module: PIO state machines and DMA channels
in virtual time (board.rp2, as board.machine is the simulated `machine`).

Modelled on MicroPython v1.28's ports/rp2: modules/rp2.py (asm_pio: upstream's
own file, extracted from the source tarball -- see extract_upstream), rp2_pio.c
and rp2_dma.c.

asm_pio(...) assembles as rp2.py does: it runs the function body twice with
the instruction names in its globals and returns the same program list
[array("H") of words, offset in PIO0, PIO1, PIO2, EXECCTRL, SHIFTCTRL, out,
set and side-set pin inits].  The simulator interprets those words.

State machines (StateMachine(id, prog, freq=, in_base=, out_base=,
set_base=, jmp_pin=, sideset_base=, ...), ids 0..7: PIO0's 0..3, PIO1's
4..7; StateMachine(n) is the same object every time, as on the firmware).
A running one executes one instruction per clock (freq, through the
RP2040's 8.8 clock divider from 125 MHz) plus its delay cycles, in virtual
time.  Stalled it costs nothing: an empty TX FIFO (pull, autopull), a full
RX FIFO (push, autopush), `wait` on a pin level not met (it looks again
when that pin changes), `wait irq` or `irq block` (it looks again when the
flag is cleared) -- it resumes at its first clock edge after the event.
Side-set takes effect when an instruction issues, even if it then stalls.
Pins given to a state machine (out, set, side-set bases; their
*_init in asm_pio) are switched to the PIO: the simulated pin then has the
level the PIO drives, so the trace, pin IRQs and a `wait` on that pin see
it (an RP2040 pin reads back what it drives); a later Pin(n, mode) takes
it back.

PIO interrupts.  `irq n` (rel: n + the state machine's index, mod 4) sets
flag n; flags 0..3 raise the PIO's IRQ0 for each one enabled: a
StateMachine.irq handler enables "its" flag (flag i for state machine i of
that PIO), a PIO.irq handler the flags of its trigger (IRQ_SM0..3).  The
firmware's C handler (pio_irq0) runs as a hard interrupt through the
board's interrupt machinery (held while IRQs are disabled): it clears
those flags -- the acknowledgement a state machine blocked in `irq block`
waits for -- then calls the Python handlers (hard ones under heap_lock on
MicroPython; soft ones scheduled).  A flag nobody enabled stays set: a
state machine blocked on it waits for ever, as on the chip.

DMA (DMA(): the lowest free of 12 channels).  pack_ctrl/unpack_ctrl use the
RP2040's CTRL layout and the firmware's defaults; config(read=, write=,
count=, ctrl=, trigger=) as rp2_dma.c.  `read` is a buffer; `write` a
buffer or a StateMachine (its TX FIFO).  Memory to memory, the copy takes
one system clock (8 ns) per transfer, rounded up to whole us, and its data
lands at the end.  Into a state machine, a word goes in whenever its TX
FIFO has room (the state machine's DREQ, treq_sel = its TX DREQ);
treq_sel = 0x3f (unpaced) writes at once and a full FIFO drops words, as
the chip's does.  When the count reaches 0 the channel's IRQ (unless
irq_quiet) runs the firmware's DMA handler as a hard interrupt; it sets
flags() to 1 and calls the channel's handler.

Simpler than the chip: the board's clock is whole us, so a state machine
runs in batches: every instruction due up to the current us, then it
sleeps to the next; its pin changes carry their exact (fractional) time in
the trace, but what they cause on the CPU side (a pin IRQ, another state
machine's `wait`) starts at the batch's us.  Two state machines that act
within the same us are not ordered by their exact times.  The IRQ handler
runs the moment the flag is set (no interrupt latency), so `irq block`
costs no time unless IRQs are disabled.  A DMA copy's data lands at its
end, all at once.  Not modelled (NotImplementedError where an instruction
needs it): the FIFOs' own IRQ sources (PIO IRQ bits 0..7), IRQ1, `mov`
from STATUS, `out exec`/`mov exec`, side_pindir, `wait` on a reserved
source, the clock divider's fractional jitter (time follows the exact
divided period); DMA chaining, rings, byte swap, sniffing, reads from a
state machine, DMA timers, and a DMA channel paced by any DREQ other than
the TX FIFO it writes.  One output level per pin: the last state machine
to drive it wins (the chip ORs the state machines' outputs by priority).
"""

from array import array

if __name__ == "__main__":  # python3 boards/sim/simrp2.py: extract rp2.py (make sim does)
    import sys
    sys.path[:0] = [__file__.rsplit("/", 1)[0] if "/" in __file__ else ".",
                    (__file__.rsplit("/", 1)[0] if "/" in __file__ else ".") + "/../../firmware"]

from simboard import SimDeadlock, _print_exc  # noqa: E402

_T = 32000          # time units per us: a PIO clock is div/256 of 8 ns, i.e. div/32 ns
_SYS_DIV = 256      # freq=-1: the CPU's clock, 125 MHz (8 ns)
_SYS_HZ = 125000000


_NONE = object()    # irq() called without a handler: report, change nothing


class PIOASMError(Exception):
    pass


# ------------------------------------------------- the assembler (rp2.py) ----
# MicroPython's own ports/rp2/modules/rp2.py assembles: the same 16-bit words a
# Pico loads.  Third-party source, so never committed: extracted from the
# v1.28.0 source tarball (../shared/mpsrc/, or $POLLEN_MPSRC) into
# build/sim/rp2_upstream.py -- by CPython, on first use; MicroPython (no
# tarfile) finds the file `make sim` / `make test` extracted.

class _PIOConsts:
    IN_LOW = 0
    IN_HIGH = 1
    OUT_LOW = 2
    OUT_HIGH = 3
    SHIFT_LEFT = 0
    SHIFT_RIGHT = 1
    JOIN_NONE = 0
    JOIN_TX = 1
    JOIN_RX = 2
    IRQ_SM0 = 0x100
    IRQ_SM1 = 0x200
    IRQ_SM2 = 0x400
    IRQ_SM3 = 0x800


_PROG_DATA = 0
_PROG_OFFSET_PIO0 = 1
_PROG_EXECCTRL = 4
_PROG_SHIFTCTRL = 5
_PROG_OUT_PINS = 6
_PROG_SET_PINS = 7
_PROG_SIDESET_PINS = 8


_UPSTREAM_MEMBER = "mpsrc/micropython/ports/rp2/modules/rp2.py"


def _root():
    here = __file__.rsplit("/", 1)[0] if "/" in __file__ else "."
    return here + "/../.."


def extract_upstream():
    """CPython: MicroPython's rp2.py from the source tarball into
    build/sim/rp2_upstream.py (once); returns its path."""
    import os
    import tarfile
    root = os.path.abspath(_root())
    dest = os.path.join(root, "build", "sim", "rp2_upstream.py")
    if not os.path.exists(dest):
        tarball = os.environ.get("POLLEN_MPSRC") or os.path.join(
            os.path.dirname(root), "shared", "mpsrc", "micropython-v1.28.0-rp2-src.tar.xz")
        if not os.path.exists(tarball):
            raise ImportError("the simulated rp2 assembles with MicroPython's own rp2.py, from the "
                              "MicroPython v1.28.0 source tarball: not found at %s (set POLLEN_MPSRC)"
                              % tarball)
        with tarfile.open(tarball, "r:xz") as tf:
            src = tf.extractfile(_UPSTREAM_MEMBER).read()
        os.makedirs(os.path.dirname(dest), exist_ok=True)
        with open(dest + ".tmp", "wb") as f:
            f.write(src)
        os.replace(dest + ".tmp", dest)
    return dest


def _load_upstream():
    """rp2.py's names (asm_pio, PIOASMEmit, PIOASMError), run with the
    firmware's C module (_rp2) standing in as our PIO constants."""
    path = _root() + "/build/sim/rp2_upstream.py"
    try:
        f = open(path)
    except OSError:
        try:
            path = extract_upstream()
        except ImportError as e:  # MicroPython: no tarfile
            raise ImportError("%s; or run `python3 boards/sim/simrp2.py` (make sim and make test do) "
                              "to extract build/sim/rp2_upstream.py" % e)
        f = open(path)
    with f:
        src = f.read()
    src = src.replace("from _rp2 import *", "").replace("from micropython import const", "")
    g = {"PIO": _PIOConsts, "const": lambda x: x, "__name__": "rp2"}
    exec(compile(src, path, "exec"), g)
    return g


class PIOASMError(Exception):
    """rp2.PIOASMError (upstream's raises go to this one: see _upstream)."""


_UP = []  # rp2.py's globals, once loaded: a board that runs no PIO program never needs it


def _upstream():
    if not _UP:
        g = _load_upstream()
        g["PIOASMError"] = PIOASMError  # looked up when raised
        _UP.append(g)
    return _UP[0]


def asm_pio(**kw):
    """rp2.asm_pio: MicroPython's own (loaded on first use)."""
    return _upstream()["asm_pio"](**kw)


# --------------------------------------------------------- state machines ----

def _pin_inits(spec):
    """asm_pio's out/set/sideset init: (count, pindirs, values)."""
    if spec is None:
        return 0, 0, 0
    if isinstance(spec, int):
        return 1, spec >> 1, spec & 1
    dirs = vals = 0
    for i in range(len(spec)):
        dirs |= (spec[i] >> 1) << i
        vals |= (spec[i] & 1) << i
    return len(spec), dirs, vals


class _SmIrq:
    """StateMachine.irq()'s / PIO.irq()'s irq object: flags() of the last
    call (1 for a state machine; the IRQ bits for a PIO), trigger()."""

    def __init__(self):
        self.handler = None
        self.hard = False
        self.trig = 0
        self.flag = 0

    def flags(self):
        return self.flag

    def trigger(self, new=None):
        if new is not None:
            self.trig = new
            self.flag = 0
        return self.trig


class _PioState:
    """One PIO block: its IRQ flags, IRQ0 enables, instruction memory use."""

    def __init__(self, rp2, index):
        self.rp2 = rp2
        self.index = index
        self.flags = 0        # the 8 IRQ flags
        self.inte0 = 0        # IRQ0 enables (bits 8..11: flags 0..3)
        self.used = 0         # instruction memory: a bit per slot
        self.irq = _SmIrq()   # PIO.irq()
        self.irq.trig = 0xF00
        self.pending = False  # its IRQ0 is raised and the handler has not run yet
        self._isr = self.isr  # bound once: the board calls it in a hard interrupt

    def set_flag(self, n):
        self.flags |= 1 << n
        self._wake_waiters()  # a `wait 1 irq n` looks again
        self.update()

    def clear_flags(self, mask):
        if self.flags & mask:
            self.flags &= ~mask
            self._wake_waiters()  # an `irq wait` / `wait 0 irq` looks again

    def _wake_waiters(self):
        for sm in self.rp2.sms[self.index * 4:self.index * 4 + 4]:
            if sm is not None and sm.stall == "irq":
                sm._wake(None)

    def update(self):
        """Raise IRQ0 if an enabled flag is set (a level: it stays raised
        until the handler clears the flags)."""
        if (self.flags & 0xF) << 8 & self.inte0 and not self.pending:
            self.pending = True
            self.rp2.b._interrupt(self._isr, None, True, "pio")

    def isr(self, _):
        """pio_irq0 (C): acknowledge the enabled flags, then call the PIO's
        handler and each state machine's whose flag it was."""
        b = self.rp2.b
        locked = b._native()
        self.pending = False
        ints = (self.flags & 0xF) << 8 & self.inte0
        self.clear_flags(ints >> 8)
        pirq = self.irq
        if pirq.handler is not None and ints & pirq.trig:
            pirq.flag = ints & pirq.trig
            locked = self.rp2.dispatch(pirq, self.rp2.pio_objs[self.index], locked, "pio")
        for i in range(4):
            sm = self.rp2.sms[self.index * 4 + i]
            if sm is not None and ints >> (8 + i) & 1:
                irq = sm._irq
                if irq.handler is not None and irq.trig:
                    irq.flag = 1
                    locked = self.rp2.dispatch(irq, sm, locked, "pio")
        b._native_end(locked)


class _StateMachineBase:
    """rp2.StateMachine on the simulated board; see the module docstring."""
    _rp2 = None

    def __new__(cls, id, *args, **kw):
        r = cls._rp2
        if not isinstance(id, int) or not 0 <= id < 8:
            raise ValueError("invalid StateMachine")
        sm = r.sms[id]
        if sm is None:
            sm = object.__new__(cls)
            sm._setup(r, id)
            r.sms[id] = sm
        return sm

    def __init__(self, id, *args, **kw):
        if args or kw:
            self.init(*args, **kw)

    def _setup(self, r, id):
        self._r = r
        self._b = r.b
        self.id = id
        self.pio = r.pios[id >> 2]
        self.index = id & 3
        self._irq = _SmIrq()
        self._irq.trig = 1
        self._ev = None
        self._feeder = None       # the DMA channel paced by this TX FIFO's DREQ
        self._run_fn = self._run  # bound once
        self.enabled = False
        self.code = None
        self.tx_overflows = 0     # words written to a full TX FIFO (lost)
        self._reset()

    def _reset(self):
        self.pc = 0
        self.x = 0
        self.y = 0
        self.osr = 0
        self.osr_count = 32       # empty: the first out autopulls
        self.isr = 0
        self.isr_count = 0
        self.tx = []
        self.rx = []
        self.stall = None         # None, "tx", "rx", "wait", "irq"
        self.t = 0                # time (1/32 ns units) its next instruction issues
        self._side_done = False   # the stalled instruction's side-set was applied
        self._irq_sent = False    # the stalled `irq` instruction set its flag

    def init(self, prog, freq=-1, *, in_base=None, out_base=None, set_base=None, jmp_pin=None,
             sideset_base=None, in_shiftdir=None, out_shiftdir=None, push_thresh=None,
             pull_thresh=None):
        b = self._b
        locked = b._native()
        try:
            self._init(prog, freq, in_base, out_base, set_base, jmp_pin, sideset_base,
                       in_shiftdir, out_shiftdir, push_thresh, pull_thresh)
        finally:
            b._native_end(locked)

    def _init(self, prog, freq, in_base, out_base, set_base, jmp_pin, sideset_base,
              in_shiftdir, out_shiftdir, push_thresh, pull_thresh):
        if len(prog) != 9:
            raise TypeError("expecting an asm_pio program")
        pio = self.pio
        if prog[_PROG_OFFSET_PIO0 + pio.index] < 0:
            self._r.pio_objs[pio.index].add_program(prog)
        if freq < 0:
            div = _SYS_DIV
        elif freq == 0:
            div = 65536 * 256
        else:
            div = _SYS_HZ * 256 // freq
            if not 256 <= div <= 65536 * 256:
                raise ValueError("freq out of range")
        self.set_active(False)
        self._reset()
        self.div = div
        self.code = prog[_PROG_DATA]
        ex = prog[_PROG_EXECCTRL]
        sh = prog[_PROG_SHIFTCTRL]
        self.wrap_bottom = ex >> 7 & 0x1F
        self.wrap_top = ex >> 12 & 0x1F
        self.side_opt = ex >> 30 & 1
        for arg, lsb in ((in_shiftdir, 18), (out_shiftdir, 19), (push_thresh, 20),
                         (pull_thresh, 25)):
            if arg is not None:
                bits = 1 if lsb < 20 else 0x1F
                sh = sh & ~(bits << lsb) | (arg & bits) << lsb
        self.autopush = sh >> 16 & 1
        self.autopull = sh >> 17 & 1
        self.in_right = sh >> 18 & 1
        self.out_right = sh >> 19 & 1
        self.push_thresh = (sh >> 20 & 0x1F) or 32
        self.pull_thresh = (sh >> 25 & 0x1F) or 32
        join = sh >> 30 & 3
        self.tx_depth = 8 if join == 1 else (0 if join == 2 else 4)
        self.rx_depth = 8 if join == 2 else (0 if join == 1 else 4)
        b = self._b
        self.in_base = -1 if in_base is None else b._pin_state(in_base).gpio
        self.jmp_pin = -1 if jmp_pin is None else b._pin_state(jmp_pin).gpio
        self.out_base, self.out_count = self._pins(prog[_PROG_OUT_PINS], out_base)
        self.set_base, self.set_count = self._pins(prog[_PROG_SET_PINS], set_base)
        self.side_base, n = self._pins(prog[_PROG_SIDESET_PINS], sideset_base)
        # SIDESET_COUNT (with the option bit): 0 without a base, as the firmware sets it
        self.side_count = n + self.side_opt if self.side_base >= 0 else 0
        self.delay_mask = (1 << (5 - self.side_count)) - 1

    def _pins(self, spec, base):
        """asm_pio_get_pins + asm_pio_init_gpio: the pins go to the PIO with
        the program's initial directions and levels."""
        count, dirs, vals = _pin_inits(spec)
        if base is None:
            return -1, count
        b = self._b
        g = b._pin_state(base).gpio
        for i in range(count):
            st = b._pin_state(g + i)
            old = st.level()
            st.pio = (vals >> i & 1) if dirs >> i & 1 else None
            b._level_changed(st, old)
        return g, count

    # -- the CPU's side -------------------------------------------------------

    def active(self, value=None):
        """active(1) starts it at the next clock edge; active(0) stops it
        where it is (pins keep their levels)."""
        if value is not None:
            b = self._b
            locked = b._native()
            self.set_active(bool(value))
            b._native_end(locked)
        return self.enabled

    def set_active(self, on):
        if on == self.enabled:
            return
        if on and self.code is None:
            raise ValueError("StateMachine not initialised")
        self.enabled = on
        b = self._b
        if on:
            self.t = b.now * _T
            self.stall = None
            self._schedule(self.t)
        else:
            if self._ev is not None:
                b._cancel(self._ev)
                self._ev = None
            self._unwait()

    def restart(self):
        b = self._b
        locked = b._native()
        on = self.enabled
        self.set_active(False)
        self._reset()
        self.set_active(on)
        b._native_end(locked)

    def _spin(self, what):
        """One step of the firmware's busy wait in put/get: scheduled
        callbacks run, virtual time goes on to the next event;
        SimDeadlock("StateMachine(n).<what>") if none will come."""
        b = self._b
        b._run_soft()
        t = b._next_time()
        if t is None:
            raise SimDeadlock("StateMachine(%d).%s" % (self.id, what))
        b._advance_to(t)

    def put(self, value, shift=0):
        """Words into the TX FIFO; while it is full the CPU spins (virtual
        time passes, scheduled callbacks run), as the firmware's put does."""
        b = self._b
        locked = b._native()
        try:
            if isinstance(value, int):
                words = (value,)
            else:
                words = value
            for w in words:
                while len(self.tx) >= self.tx_depth:
                    self._spin("put: its TX FIFO is full and nothing will take a word")
                self._push_tx((w << shift) & 0xFFFFFFFF)
        finally:
            b._native_end(locked)

    def get(self, buf=None, shift=0):
        b = self._b
        locked = b._native()
        try:
            n = 1 if buf is None else len(buf)
            for i in range(n):
                while not self.rx:
                    self._spin("get: its RX FIFO is empty and nothing will fill it")
                v = self.rx.pop(0) >> shift
                if self.stall == "rx":
                    self._wake(None)
                if buf is None:
                    return v
                buf[i] = v
            return buf
        finally:
            b._native_end(locked)

    def tx_fifo(self):
        return len(self.tx)

    def rx_fifo(self):
        return len(self.rx)

    def irq(self, handler=_NONE, trigger=1, hard=False):
        """StateMachine.irq(handler=None, trigger=0|1, hard=False): with
        arguments, the handler for this state machine's PIO flag (flag i
        for state machine i of its PIO), that flag enabled on IRQ0
        (disabled for None).  Returns the irq object (flags() is 1 once it
        ran, trigger()); irq() alone changes nothing."""
        if handler is _NONE and trigger == 1 and not hard:
            return self._irq
        r = self._r
        r.set_irq(self._irq, None if handler is _NONE else handler, trigger, hard)
        r._sm_enables(self.pio)
        self.pio.update()  # a flag already set raises the IRQ now
        return self._irq

    def _push_tx(self, w):
        if len(self.tx) >= self.tx_depth:
            self.tx_overflows += 1
            return
        self.tx.append(w)
        if self.stall == "tx":
            self._wake(None)

    # -- the state machine ------------------------------------------------------

    def _schedule(self, t):
        b = self._b
        us = -(-t // _T)
        if us < b.now:
            us = b.now
        if self._ev is not None:
            if self._ev[0] <= us:
                return
            b._cancel(self._ev)
        self._ev = b.at(us, self._run_fn)

    def _wake(self, at):
        """A stall's event came (at `at` us, exact; None: now): resume at
        the first clock edge from then."""
        if self.stall is None or not self.enabled:
            return
        self.stall = None
        self._unwait()
        b = self._b
        t_ev = b.now * _T if at is None else int(at * _T + 0.5)  # (at: a float of whole units)
        if t_ev > self.t:
            d = self.div
            self.t += (t_ev - self.t + d - 1) // d * d
        self._schedule(self.t)

    def _pin_event(self, at):
        if self.stall == "wait":
            self._wake(at)

    def _unwait(self):
        g = self._wait_gpio
        if g is not None:
            st = self._b._pin_state(g)
            if self in st.waiters:
                st.waiters.remove(self)
            self._wait_gpio = None

    _wait_gpio = None

    def _run(self, _):
        """The board's event: every instruction due up to now, then the next
        event (none while stalled)."""
        self._ev = None
        limit = self._b.now * _T
        while self.enabled and self.t <= limit:
            if not self._step():
                return  # stalled: the event that ends it schedules the next run
        if self.enabled:
            self._schedule(self.t)

    def _write(self, dst, base, count, v):
        """OUT's and SET's shared destinations: 0 PINS, 1 X, 2 Y, 4 PINDIRS."""
        if dst == 0:
            self._drive(base, count, v)
        elif dst == 1:
            self.x = v
        elif dst == 2:
            self.y = v
        else:
            self._pindirs(base, count, v)

    def _drive(self, base, count, value):
        if base < 0:
            return
        b = self._b
        t = self.t / _T
        for i in range(count):
            st = b._pin_state((base + i) & 31)
            v = value >> i & 1
            if st.pio is not None and st.pio != v:
                old = st.level()
                st.pio = v
                b._level_changed(st, old, t)

    def _pindirs(self, base, count, value):
        if base < 0:
            return
        b = self._b
        for i in range(count):
            st = b._pin_state((base + i) & 31)
            old = st.level()
            st.pio = (st.pio if st.pio is not None else 0) if value >> i & 1 else None
            b._level_changed(st, old, self.t / _T)

    def _in_pins(self):
        """The 32 pins from in_base (wrapping at 32); a pin nobody made reads 0."""
        pins = self._b._pins
        v = 0
        for i in range(32):
            st = pins.get((self.in_base + i) & 31)
            if st is not None:
                v |= st.level() << i
        return v

    def _stall(self, why, gpio=None):
        self.stall = why
        if gpio is not None:
            st = self._b._pin_state(gpio)
            st.waiters.append(self)
            self._wait_gpio = gpio
        return False

    def _step(self):
        """Issue the instruction at pc.  True: it completed (pc and t moved
        on); False: it stalls (nothing moved)."""
        ins = self.code[self.pc]
        ds = ins >> 8 & 0x1F
        n = self.side_count
        if n and not self._side_done:
            if not self.side_opt:
                self._drive(self.side_base, n, ds >> (5 - n))
            elif ds & 0x10:
                self._drive(self.side_base, n - 1, ds >> (5 - n) & ((1 << (n - 1)) - 1))
            self._side_done = True
        delay = ds & self.delay_mask
        op = ins >> 13
        nxt = self.pc + 1 if self.pc != self.wrap_top else self.wrap_bottom
        if op == 0:  # JMP
            c = ins >> 5 & 7
            if c == 0:
                go = True
            elif c == 1:
                go = self.x == 0
            elif c == 2:
                go = self.x != 0
                self.x = (self.x - 1) & 0xFFFFFFFF
            elif c == 3:
                go = self.y == 0
            elif c == 4:
                go = self.y != 0
                self.y = (self.y - 1) & 0xFFFFFFFF
            elif c == 5:
                go = self.x != self.y
            elif c == 6:
                go = self._b._pin_state(self.jmp_pin).level() == 1
            else:
                go = self.osr_count < self.pull_thresh
            if go:
                nxt = ins & 0x1F
        elif op == 1:  # WAIT
            pol = ins >> 7 & 1
            src = ins >> 5 & 3
            idx = ins & 0x1F
            if src == 0 or src == 1:
                g = idx if src == 0 else (self.in_base + idx) & 31
                if self._b._pin_state(g).level() != pol:
                    return self._stall("wait", g)
            elif src == 2:
                f = self._flag(idx)
                if (self.pio.flags >> f & 1) != pol:
                    return self._stall("irq")
                if pol:
                    self.pio.clear_flags(1 << f)  # wait 1 irq clears the flag
            else:
                raise NotImplementedError("wait on source 3 (reserved)")
        elif op == 2:  # IN
            src = ins >> 5 & 7
            cnt = (ins & 0x1F) or 32
            if self.autopush and self.isr_count >= self.push_thresh:
                if not self._push_isr():
                    return self._stall("rx")
            v = self._source(src) & ((1 << cnt) - 1)
            if self.in_right:
                self.isr = (self.isr >> cnt | v << (32 - cnt)) & 0xFFFFFFFF
            else:
                self.isr = (self.isr << cnt | v) & 0xFFFFFFFF
            self.isr_count = min(32, self.isr_count + cnt)
        elif op == 3:  # OUT
            dst = ins >> 5 & 7
            cnt = (ins & 0x1F) or 32
            if self.autopull and self.osr_count >= self.pull_thresh:
                if not self.tx:
                    return self._stall("tx")
                self._pull_tx()
            if self.out_right:
                v = self.osr & ((1 << cnt) - 1)
                self.osr = self.osr >> cnt if cnt < 32 else 0
            else:
                v = self.osr >> (32 - cnt)
                self.osr = (self.osr << cnt) & 0xFFFFFFFF
            self.osr_count = min(32, self.osr_count + cnt)
            if dst in (0, 1, 2, 4):
                self._write(dst, self.out_base, self.out_count, v)
            elif dst == 5:
                nxt = v & 0x1F
            elif dst == 6:
                self.isr = v
                self.isr_count = cnt
            elif dst != 3:
                raise NotImplementedError("out exec is not simulated")
        elif op == 4:  # PUSH / PULL
            if_ = ins >> 6 & 1
            block = ins >> 5 & 1
            if ins & 0x80:  # PULL
                if not (if_ and self.osr_count < self.pull_thresh):
                    if self.tx:
                        self._pull_tx()
                    elif block:
                        return self._stall("tx")
                    else:
                        self.osr = self.x
                        self.osr_count = 0
            else:
                if not (if_ and self.isr_count < self.push_thresh):
                    if not self._push_isr() and block:
                        return self._stall("rx")
        elif op == 5:  # MOV
            dst = ins >> 5 & 7
            mop = ins >> 3 & 3
            v = self._source(ins & 7)
            if mop == 1:
                v = ~v & 0xFFFFFFFF
            elif mop == 2:
                r = 0
                for i in range(32):
                    r = r << 1 | (v >> i & 1)
                v = r
            if dst == 0:
                self._drive(self.out_base, self.out_count, v)
            elif dst == 1:
                self.x = v
            elif dst == 2:
                self.y = v
            elif dst == 5:
                nxt = v & 0x1F
            elif dst == 6:
                self.isr = v
                self.isr_count = 0
            elif dst == 7:
                self.osr = v
                self.osr_count = 0
            else:
                raise NotImplementedError("mov exec is not simulated")
        elif op == 6:  # IRQ
            f = self._flag(ins & 0x1F)
            if ins & 0x40:  # clear
                self.pio.clear_flags(1 << f)
            else:
                if not self._irq_sent:  # not again when it re-issues after its stall
                    self._irq_sent = True
                    self.pio.set_flag(f)  # may run the PIO's handler now: it clears the flag
                if ins & 0x20 and self.pio.flags >> f & 1:
                    return self._stall("irq")
        else:  # SET
            dst = ins >> 5 & 7
            if dst in (0, 1, 2, 4):
                self._write(dst, self.set_base, self.set_count, ins & 0x1F)
        self.pc = nxt
        self.t += (1 + delay) * self.div
        self._side_done = False
        self._irq_sent = False
        return True

    def _flag(self, idx):
        if idx & 0x10:  # rel: the state machine's index added to the low two bits
            return (idx & 4) | ((idx + self.index) & 3)
        return idx & 7

    def _source(self, src):
        if src == 0:
            return self._in_pins()
        if src == 1:
            return self.x
        if src == 2:
            return self.y
        if src == 3:
            return 0
        if src == 6:
            return self.isr
        if src == 7:
            return self.osr
        raise NotImplementedError("source %d is not simulated" % src)

    def _pull_tx(self):
        self.osr = self.tx.pop(0)
        self.osr_count = 0
        f = self._feeder
        if f is not None:
            f._dreq()  # room in the FIFO: the paced DMA channel writes its next word

    def _push_isr(self):
        if len(self.rx) >= self.rx_depth:
            return False
        self.rx.append(self.isr)
        self.isr = 0
        self.isr_count = 0
        return True

    def __repr__(self):
        return "StateMachine(%d)" % self.id


class _PIOBase(_PIOConsts):
    """rp2.PIO(0) / PIO(1) on the simulated board."""
    _rp2 = None

    def __new__(cls, id):
        r = cls._rp2
        if not isinstance(id, int) or not 0 <= id < 2:
            raise ValueError("invalid PIO %s" % (id,))
        p = r.pio_objs[id]
        if p is None:
            p = object.__new__(cls)
            p._st = r.pios[id]
            r.pio_objs[id] = p
        return p

    def __init__(self, id):
        pass

    def add_program(self, prog):
        """Load `prog` where it fits (the SDK's choice: highest free offset);
        its offset is kept in the program list, as the firmware does."""
        st = self._st
        n = len(prog[_PROG_DATA])
        mask = (1 << n) - 1
        off = 32 - n
        while off >= 0 and st.used & (mask << off):
            off -= 1
        if off < 0:
            raise OSError(12)  # ENOMEM
        st.used |= mask << off
        prog[_PROG_OFFSET_PIO0 + st.index] = off

    def remove_program(self, prog=None):
        st = self._st
        if prog is None:
            st.used = 0
            return
        off = prog[_PROG_OFFSET_PIO0 + st.index]
        if off < 0:
            raise ValueError("prog not in instruction memory")
        st.used &= ~(((1 << len(prog[_PROG_DATA])) - 1) << off)
        prog[_PROG_OFFSET_PIO0 + st.index] = -1

    def state_machine(self, id, prog=None, *args, **kw):
        sm = self._rp2.StateMachine(self._st.index * 4 + id)
        if prog is not None:
            sm.init(prog, *args, **kw)
        return sm

    def irq(self, handler=_NONE, trigger=0xF00, hard=False):
        """PIO.irq(handler=None, trigger=IRQ_SM0|..|IRQ_SM3, hard=False):
        flags() are the IRQ bits of the last call; irq() alone changes nothing."""
        st = self._st
        irq = st.irq
        if handler is _NONE and trigger == 0xF00 and not hard:
            return irq
        handler = None if handler is _NONE else handler
        st.rp2.set_irq(irq, handler, trigger, hard)
        st.rp2._sm_enables(st)
        st.update()
        return irq

    def __repr__(self):
        return "PIO(%d)" % self._st.index


# -------------------------------------------------------------------- DMA ----

_DMA_FIELDS = (
    ("enable", 0, 1, 0), ("high_pri", 1, 1, 0), ("size", 2, 2, 0), ("inc_read", 4, 1, 0),
    ("inc_write", 5, 1, 0), ("ring_size", 6, 4, 0), ("ring_sel", 10, 1, 0),
    ("chain_to", 11, 4, 0), ("treq_sel", 15, 6, 0), ("irq_quiet", 21, 1, 0),
    ("bswap", 22, 1, 0), ("sniff_en", 23, 1, 0), ("busy", 24, 1, 1),
    ("write_err", 29, 1, 0), ("read_err", 30, 1, 0), ("ahb_err", 31, 1, 1),
)
_DMA_DEFAULT = 1 << 21 | 0x3F << 15 | 1 << 5 | 1 << 4 | 2 << 2 | 1
_DMA_CHANNELS = 12


def _byte_view(buf, write):
    """The bytes of a buffer, as the DMA sees memory (a writable view if `write`)."""
    try:
        mv = memoryview(buf)
        return mv.cast("B") if hasattr(mv, "cast") else _mp_bytes(buf)
    except TypeError:
        raise TypeError("the simulated DMA reads and writes buffers (or a StateMachine)")


def _mp_bytes(buf):
    import uctypes  # MicroPython: memoryview has no cast(); the same memory, as bytes
    return uctypes.bytearray_at(uctypes.addressof(buf), len(bytes(buf)))


class _DMABase:
    """rp2.DMA on the simulated board; see the module docstring."""
    _rp2 = None

    def __init__(self):
        r = self._rp2
        ch = 0
        while ch < _DMA_CHANNELS and r.dma_used >> ch & 1:
            ch += 1
        if ch == _DMA_CHANNELS:
            raise OSError(16)  # EBUSY
        r.dma_used |= 1 << ch
        self._r = r
        self._b = r.b
        self.channel = ch
        self._irq = _SmIrq()
        self._irq.trig = 1
        self._read = None
        self._write = None
        self._ctrl = 0
        self._reload = 0
        self.remaining = 0
        self._pos = 0          # transfers read so far from the read buffer
        self._wpos = 0
        self.busy = False
        self._ev = None
        self._done_fn = self._done     # bound once
        self._isr = self._isr_fn       # bound once: the board calls it in a hard interrupt
        self._src = None
        self._dst = None

    def _check(self):
        if self.channel is None:
            raise ValueError("channel closed")

    @staticmethod
    def unpack_ctrl(value):
        d = {}
        for name, shift, n, _ in _DMA_FIELDS:
            d[name] = value >> shift & ((1 << n) - 1)
        return d

    def pack_ctrl(self, *args, **kw):
        """The firmware's default (word transfers, both addresses
        incrementing, unpaced, quiet, enabled, chained to itself) with the
        given fields changed."""
        if args:
            raise TypeError("pack_ctrl only takes keyword arguments")
        self._check()
        value = kw.pop("default", _DMA_DEFAULT | (self.channel & 0xF) << 11)
        for name, shift, n, ro in _DMA_FIELDS:
            if name in kw:
                v = kw.pop(name)
                if ro:
                    continue
                mask = (1 << n) - 1
                if v & mask != v:
                    raise ValueError("bad field value")
                value = value & ~(mask << shift) | v << shift
        if kw:
            raise TypeError("unexpected keyword argument %s" % list(kw)[0])
        return value

    def config(self, *, read=None, write=None, count=None, ctrl=None, trigger=False):
        """Set the registers given; trigger=True starts the transfer."""
        self._check()
        b = self._b
        locked = b._native()
        try:
            if read is not None:
                self._read = read
                self._pos = 0
            if write is not None:
                self._write = write
                self._wpos = 0
            if count is not None:
                self._reload = count
                self.remaining = count
            if ctrl is not None:
                self._ctrl = ctrl
            if trigger:
                self._start()
        finally:
            b._native_end(locked)

    @property
    def count(self):
        self._check()
        return self.remaining

    @count.setter
    def count(self, n):
        self._check()
        self._reload = n
        self.remaining = n

    @property
    def ctrl(self):
        self._check()
        return self._ctrl | (1 << 24 if self.busy else 0)

    @ctrl.setter
    def ctrl(self, v):
        self._check()
        self._ctrl = v

    def active(self, value=None):
        self._check()
        if value is not None:
            b = self._b
            locked = b._native()
            if value:
                self._start()
            else:
                self._abort()
            b._native_end(locked)
        return self.busy

    def irq(self, handler=_NONE, hard=False):
        """DMA.irq(handler=None, hard=False): the handler for this channel's
        completion (its ctrl needs irq_quiet=0).  flags() is 1 once it ran;
        irq() alone changes nothing."""
        self._check()
        if handler is not _NONE or hard:
            self._r.set_irq(self._irq, None if handler is _NONE else handler, 1, hard)
        return self._irq

    def close(self):
        if self.channel is None:
            return
        self._abort()
        self._irq.handler = None
        self._r.dma_used &= ~(1 << self.channel)
        self.channel = None

    # -- the transfer -------------------------------------------------------

    def _start(self):
        self._abort()
        ctrl = self._ctrl
        if not ctrl & 1:
            return  # EN clear: a trigger does nothing
        self.remaining = self._reload
        self.busy = True
        self._size = 1 << (ctrl >> 2 & 3)
        self._src = _byte_view(self._read, False)
        w = self._write
        if isinstance(w, _StateMachineBase):
            self._dst = None
            treq = ctrl >> 15 & 0x3F
            if treq == 0x3F:  # unpaced: every word at once, a full FIFO drops them
                while self.remaining:
                    w._push_tx(self._next_value())
                self._finish()
                return
            if treq != (w.id >> 2) * 8 + (w.id & 3):
                raise NotImplementedError("simulated DMA: treq_sel %d does not pace %r"
                                          % (treq, w))
            w._feeder = self
            self._dreq()
        else:
            self._dst = _byte_view(w, True)
            n = self.remaining
            us = (n * 8 + 999) // 1000  # one transfer per 8 ns system clock
            self._ev = self._b.after(us if us > 0 else 1, self._done_fn)

    def _next_value(self):
        sz = self._size
        i = self._pos * sz if self._ctrl >> 4 & 1 else 0
        self._pos += 1
        self.remaining -= 1
        return int.from_bytes(bytes(self._src[i:i + sz]), "little")

    def _dreq(self):
        """The state machine's TX FIFO has room: write words while it has."""
        sm = self._write
        if not self.busy or sm._feeder is not self:
            return
        while self.remaining and len(sm.tx) < sm.tx_depth:
            sm._push_tx(self._next_value())
        if not self.remaining:
            sm._feeder = None
            self._finish()

    def _done(self, _):
        """A memory copy's end: its data lands, then the completion."""
        self._ev = None
        src, dst, sz = self._src, self._dst, self._size
        inc_r = self._ctrl >> 4 & 1
        inc_w = self._ctrl >> 5 & 1
        for k in range(self.remaining):
            i = (self._pos + k) * sz if inc_r else 0
            j = (self._wpos + k) * sz if inc_w else 0
            dst[j:j + sz] = src[i:i + sz]
        self._pos += self.remaining
        self._wpos += self.remaining
        self.remaining = 0
        self._finish()

    def _finish(self):
        self.busy = False
        if not self._ctrl >> 21 & 1 and self._irq.handler is not None:
            self._b.after(0, self._raise)  # the IRQ comes a few cycles after the last write

    def _raise(self, _):
        self._b._interrupt(self._isr, None, True, "dma")

    def _isr_fn(self, _):
        """rp2_dma_irq_handler (C): acknowledge, flags() = 1, the handler."""
        b = self._b
        locked = b._native()
        irq = self._irq
        if irq.handler is not None:
            irq.flag = 1
            locked = self._r.dispatch(irq, self, locked, "dma")
        b._native_end(locked)

    def _abort(self):
        if self._ev is not None:
            self._b._cancel(self._ev)
            self._ev = None
        w = self._write
        if isinstance(w, _StateMachineBase) and w._feeder is self:
            w._feeder = None
        self.busy = False

    def __repr__(self):
        return "DMA(%s)" % (self.channel,)


# --------------------------------------------------------------- the module ----

class Rp2:
    """The simulated `rp2` module of one board (board.rp2)."""

    PIOASMError = PIOASMError

    def __init__(self, board):
        self.b = board
        self.pios = [_PioState(self, 0), _PioState(self, 1)]
        self.pio_objs = [None, None]
        self.sms = [None] * 8
        self.dma_used = 0
        self.asm_pio = asm_pio
        me = self

        class PIO(_PIOBase):
            _rp2 = me

        class StateMachine(_StateMachineBase):
            _rp2 = me

        class DMA(_DMABase):
            _rp2 = me

        self.PIO = PIO
        self.StateMachine = StateMachine
        self.DMA = DMA
        PIO(0)
        PIO(1)

    def set_irq(self, irq, handler, trigger, hard):
        if handler is not None and not callable(handler):
            raise ValueError("handler must be None or callable")
        irq.handler = handler
        irq.hard = bool(hard)
        irq.trig = trigger
        irq.flag = 0

    def _sm_enables(self, st):
        """IRQ0's flag enables of PIO `st`: its PIO.irq trigger, and flag i
        for each of its state machines i with a handler."""
        en = st.irq.trig & 0xF00 if st.irq.handler is not None else 0
        for i in range(4):
            sm = self.sms[st.index * 4 + i]
            if sm is not None and sm._irq.handler is not None:
                en |= 0x100 << i
        st.inte0 = en

    def dispatch(self, irq, obj, locked, source):
        """mp_irq_handler: a hard handler runs now (under heap_lock on
        MicroPython: the native region is left around it); a soft one is
        scheduled.  A hard handler that raises is disabled, as the firmware
        does.  Returns the native region's `locked` to carry on with."""
        b = self.b
        h = irq.handler
        if not irq.hard:
            if len(b._soft) < 8:
                b._soft.append((h, obj))
            return locked
        b._native_end(locked)  # we are in the board's hard interrupt: the heap is locked
        err = None
        try:
            h(obj)
        except BaseException as e:  # noqa -- the firmware catches everything here
            err = e
        locked = b._native()
        if err is not None:
            b.irq_errors.append((source, err))
            print("Uncaught exception in IRQ callback handler")
            _print_exc(err)
            irq.handler = None
            irq.trig = 0
        return locked




if __name__ == "__main__":
    print(extract_upstream())
