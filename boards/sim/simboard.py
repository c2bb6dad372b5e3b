"""A simulated RP2040 board for CPython and the MicroPython unix port.

It provides the `machine`, `time` and `select` APIs pollen's board port
uses (board.machine, board.time, board.select), and `rp2`'s PIO state
machines and DMA (board.rp2: simrp2.py), modelled on the rp2 firmware
(see docs/FIRMWARE_FACTS.md): Pin with hard/soft IRQs that receive the Pin,
Timer(-1) with tick_hz, periodic re-arm from the previous target, one-shot
deadlines in the past firing at once; ticks that wrap at 2**30; a
disable_irq/enable_irq pair that latches edges (both edges while disabled:
one call, flags 12); WDT with the RP2040's 8388 ms limit; machine.idle()
returning on any interrupt or after 1 ms; machine.UART with the PL011's
FIFOs, the firmware's ring buffers and interrupt levels, bytes on the wire
at the baud rate (uart_feed / uart_sent script the other end).

Virtual time: nothing the program does takes time.  Time moves only when
the program sleeps (select.poll().ipoll, machine.idle, time.sleep_*) or a
test says so (advance(us): a busy CPU).  Sleeping jumps straight to the next
scheduled event -- a timer deadline or a scripted input -- like an
auto-jumping mock clock, so ten virtual minutes take milliseconds.  Sleeping
with nothing scheduled is a deadlock on a real board: here it raises
SimDeadlock.  Reaching `stop_at` raises SimStop (how a run "for N minutes" ends).

ipoll models the rp2 poll loop: ask every object's ioctl, then WFE.  An
interrupt taken while the objects were being asked sets the Cortex-M event
register, so that WFE returns at once and the loop asks again.

Hard IRQ handlers run at the moment of their event, "between two
instructions" of the main program; a test can also deliver due interrupts
at any point with deliver().  On MicroPython they run under heap_lock(), as
on the firmware, so any allocation in a handler is caught: the firmware
then prints "Uncaught exception in IRQ callback handler" and disables that
IRQ, and so does the simulator (the error is also kept in irq_errors).

The simulator's own bookkeeping is Python and allocates; its "native"
functions (what is C on the firmware) drop a heap lock while they run.
"""

import sys

from pollen.port_host import PERIOD, ticks_add, ticks_diff

MICROPYTHON = sys.implementation.name == "micropython"
if MICROPYTHON:
    import micropython
    _lock = micropython.heap_lock
    _unlock = micropython.heap_unlock
else:
    def _lock():
        pass

    def _unlock():
        pass

_MASK = PERIOD - 1


class SimDeadlock(Exception):
    """Every task waits and nothing is scheduled that could wake one."""


class SimStop(SystemExit):
    """Virtual time reached the board's stop_at.  A SystemExit: it ends the
    whole program, even when raised in a task (the executor re-raises it)."""


class SimReset(SystemExit):
    """The watchdog was not fed in time: the board resets here (ends the run)."""


def _print_exc(e):
    pe = getattr(sys, "print_exception", None)
    if pe is not None:
        pe(e)
    else:
        import traceback
        traceback.print_exception(type(e), e, e.__traceback__)


# ---------------------------------------------------------------- pins ----

# GPIO numbers a Pico brings out to its header and LED (GP23/24/29 are internal).
PICO_GPIOS = tuple(range(0, 23)) + (25, 26, 27, 28)


class _PinState:
    """What the firmware keeps per GPIO; shared by every Pin object for it."""

    def __init__(self, gpio, name):
        self.gpio = gpio
        self.name = name
        self.mode = 0        # IN
        self.pull = None
        self.drive = None    # level driven from outside (scripted), or None
        self.latch = 0       # output register
        self.handler = None
        self.trigger = 0
        self.hard = False
        self.flags = 0
        self.pending = 0     # edges latched while IRQs were disabled
        self.irq_obj = None
        self.pin_obj = None  # the Pin object its IRQ handler receives
        self.pio = None      # level a PIO drives (its function is PIO, pindir out), or None
        self.waiters = []    # state machines stalled in `wait` on this pin (simrp2)

    def level(self):
        if self.pio is not None:  # the PIO owns the pad: it reads back what it drives
            return self.pio
        if self.mode == 1:  # OUT
            return self.latch
        if self.drive is not None:
            return self.drive
        if self.pull == 1:  # PULL_UP
            return 1
        return 0


class _Irq:
    def __init__(self, st):
        self._st = st

    def flags(self):
        return self._st.flags

    def trigger(self, new=None):
        if new is None:
            return self._st.trigger
        self._st.trigger = new
        self._st.flags = 0
        return new


class _PinBase:
    IN = 0
    OUT = 1
    OPEN_DRAIN = 2
    ALT = 3
    PULL_UP = 1
    PULL_DOWN = 2
    IRQ_FALLING = 4
    IRQ_RISING = 8
    _board = None

    def __init__(self, id, mode=-1, pull=-1, value=None):
        b = self._board
        self._st = b._pin_state(id)
        self.init(mode, pull, value)

    def init(self, mode=-1, pull=-1, value=None):
        st = self._st
        if st.gpio < 0:  # the Pico W's LED sits on the wireless chip
            if mode not in (-1, 0, 1):
                raise ValueError("only Pin.OUT and Pin.IN are supported for this pin")
            if pull not in (-1, None):
                raise ValueError("pulls are not supported for external pins")
        old = st.level()
        if mode != -1:
            st.mode = mode
            st.pio = None  # a mode gives the pad back to SIO (gpio_set_function)
        if pull != -1:
            st.pull = pull
        if value is not None:
            st.latch = 1 if value else 0
        b = self._board
        locked = b._native()  # the firmware's Pin.init allocates nothing (a heap-locked test on the chip)
        b._level_changed(st, old)
        b._native_end(locked)

    def value(self, v=None):
        st = self._st
        if v is None:
            return st.level()
        b = self._board
        locked = b._native()
        old = st.level()
        st.latch = 1 if v else 0
        b._level_changed(st, old)
        b._native_end(locked)

    __call__ = value

    def on(self):
        self.value(1)

    def off(self):
        self.value(0)

    def high(self):
        self.value(1)

    def low(self):
        self.value(0)

    def toggle(self):
        self.value(1 - self._st.latch)

    def irq(self, handler=None, trigger=12, hard=False):
        st = self._st
        if st.gpio < 0:
            raise ValueError("expecting a regular GPIO Pin")
        if st.irq_obj is None:
            st.irq_obj = _Irq(st)
        st.handler = handler
        st.trigger = trigger
        st.hard = hard
        st.flags = 0
        st.pending = 0
        st.pin_obj = self
        return st.irq_obj

    def __repr__(self):
        return "Pin(%s)" % (self._st.name,)


# ---------------------------------------------------------------- timer ----

class _TimerBase:
    ONE_SHOT = 0
    PERIODIC = 1
    _board = None

    def __init__(self, id=-1, mode=1, callback=None, period=-1, tick_hz=1000,
                 freq=None, hard=False):
        if id != -1:
            raise ValueError("Timer doesn't exist")
        self._ev = None
        if period != -1 or freq is not None or callback is not None:
            self.init(mode=mode, callback=callback, period=period, tick_hz=tick_hz,
                      freq=freq, hard=hard)

    def init(self, mode=1, callback=None, period=0xFFFFFFFF, tick_hz=1000, freq=None,
             hard=False):
        b = self._board
        locked = b._native()
        self._cancel()
        if freq is not None:
            delta = int(1000000 / freq)
        else:
            delta = period * 1000000 // tick_hz
        if delta < 1:
            delta = 1
        self._mode = mode
        self._cb = callback
        self._hard = hard
        self._delta = delta
        self._target = b.now + delta
        self._ev = b.at(self._target, self._fire)
        b._native_end(locked)

    def _cancel(self):
        if self._ev is not None:
            self._board._cancel(self._ev)
            self._ev = None

    def deinit(self):
        b = self._board
        locked = b._native()
        self._cancel()
        b._native_end(locked)

    def _fire(self, _):
        b = self._board
        self._ev = None
        if self._mode == 1:  # PERIODIC: next target from the previous one, no drift
            self._target += self._delta
            self._ev = b.at(self._target, self._fire)
        b._interrupt(self._cb, self, self._hard, "timer")


# ----------------------------------------------------------------- uart ----
#
# machine.UART as ports/rp2/machine_uart.c builds it on the PL011: per UART a
# 32-byte hardware RX FIFO and TX FIFO, and the firmware's ring buffers
# (rxbuf/txbuf, 256 by default, 32..32766).  The UART interrupt (C, no Python
# handler) moves RX FIFO -> rx ring and tx ring -> TX FIFO.  It fires when the
# RX FIFO reaches 4 bytes (uart_set_irq_enables sets that level) or when the
# line has been idle for 32 bit periods with bytes left in the FIFO (the RX
# timeout), and when the TX FIFO drains through 4 bytes.  So a lone byte
# wakes a sleeping CPU only at the RX timeout, as on the chip; ipoll's ioctl
# still sees it at once if the CPU happens to look (uart_is_readable).
# A character is 1 start + bits + parity + stop bits on the wire.

_UART_FIFO = 32
_UART_IRQ_LEVEL = 4
# UART.irq(): the UARTMIS bits machine_uart.c reports as irq().flags()
_UART_RXMIS = 0x10
_UART_TXIDLE = 0x20  # UART.IRQ_TXIDLE (TXMIS: the tx ring went empty)
_UART_RXIDLE = 0x40  # UART.IRQ_RXIDLE (RTMIS: the receive timeout)
_UART_BREAK = 0x200  # UART.IRQ_BREAK (BEMIS)
_UART_IRQ_TRIGGERS = _UART_RXIDLE | _UART_TXIDLE | _UART_BREAK


def _uart_ms_deadline(b, start_ms, timeout):
    """The virtual time (us) at which `ticks_ms() - start_ms > timeout`: the
    firmware's timeout test in read/write."""
    return (start_ms + timeout + 1) * 1000 - b.epoch_us


class _UartState:
    """What the firmware keeps per UART (the static machine_uart_obj[id])."""

    def __init__(self, board, id):
        self._b = board
        self.id = id
        self.enabled = False
        self.baudrate = 0
        self.bits = 8
        self.parity = None
        self.stop = 1
        self.tx = 4 * id      # GP0/GP1 for UART0, GP4/GP5 for UART1
        self.rx = 4 * id + 1
        self.timeout = 0
        self.timeout_char = 0
        self.rxbuf = 256
        self.txbuf = 256
        self.rx_fifo = []
        self.rx_ring = []
        self.tx_ring = []
        self.tx_fifo = []
        self.shifting = False
        self.sent = []        # (t_us, byte) of every byte that left the TX pin
        self.overruns = 0     # bytes lost: the RX FIFO was full
        self.lost = 0         # bytes that arrived while the UART was off
        self.line_free_at = 0  # when the host's side of the wire can start the next byte
        self._rx_timeout = None
        # UART.irq(): the user's handler (mp_irq_obj), its trigger and the
        # flags of the last call; the RX FIFO level the interrupt comes at
        # (machine_uart.c's uart_set_irq_level: 24 with IRQ_RXIDLE, else 4)
        self.irq_handler = None
        self.irq_hard = False
        self.irq_trigger = 0
        self.irq_flags = 0
        self.irq_obj = None
        self.uart_obj = None
        self.rx_level = _UART_IRQ_LEVEL
        self.breaks = 0

    def char_us(self, n=1):
        """Wire time of n characters, in us (whole us, no drift over n)."""
        bits = 1 + self.bits + (0 if self.parity is None else 1) + self.stop
        return n * bits * 1000000 // (self.baudrate or 115200)

    # -- the interrupt (C in the firmware) ---------------------------------

    def _irq(self, flags=0, tx=False):
        """uart_service_interrupt(): `flags` are the UARTMIS bits that raised
        it (`tx`: the TX FIFO's); the user's handler runs when its trigger has
        one of them."""
        self._drain_rx()
        if tx and not self.tx_ring:  # the TX interrupt found the ring empty: TXIDLE
            flags |= _UART_TXIDLE
        self._fill_tx()
        h = self.irq_handler
        if h is not None and self.irq_trigger & flags:
            self.irq_flags = flags
            self._b._interrupt(h, self.uart_obj, self.irq_hard, "uart")
        else:
            self._b._interrupt(None, None, True, "uart")  # the CPU's event register

    def _drain_rx(self):
        fifo = self.rx_fifo
        ring = self.rx_ring
        while fifo and len(ring) < self.rxbuf:
            ring.append(fifo.pop(0))

    def _fill_tx(self):
        fifo = self.tx_fifo
        ring = self.tx_ring
        while ring and len(fifo) < _UART_FIFO:
            fifo.append(ring.pop(0))
        self._tx_start()

    # -- receiving -----------------------------------------------------------

    def _arrive(self, byte):
        b = self._b
        if not self.enabled:
            self.lost += 1
            return
        if len(self.rx_fifo) >= _UART_FIFO:
            self.overruns += 1
            return
        self.rx_fifo.append(byte)
        if self._rx_timeout is not None:
            b._cancel(self._rx_timeout)
        self._rx_timeout = None
        if len(self.rx_fifo) >= self.rx_level:
            self._irq(_UART_RXMIS)
        else:
            bits = 1 + self.bits + (0 if self.parity is None else 1) + self.stop
            self._rx_timeout = b.after(self.char_us(32) // bits, self._on_rx_timeout)

    def _on_rx_timeout(self, _):
        self._rx_timeout = None
        if self.enabled and self.rx_fifo:
            self._irq(_UART_RXIDLE)

    # -- sending -------------------------------------------------------------

    def _tx_start(self):
        if self.shifting or not self.tx_fifo:
            return
        before = len(self.tx_fifo)
        byte = self.tx_fifo.pop(0)  # into the shift register
        self.shifting = True
        self._b.after(self.char_us(), self._tx_done, byte)
        left = before - 1
        if before > _UART_IRQ_LEVEL >= left or left == 0:  # through the level, or empty
            self._b.after(0, self._tx_irq)

    def _tx_irq(self, _):
        if self.enabled:
            self._irq(0, True)

    def _break(self, _):
        """A break on the RX line: the PL011 puts a 0 with its break error into
        the RX FIFO (read as a 0 byte) and raises BEMIS."""
        if not self.enabled:
            self.lost += 1
            return
        self.breaks += 1
        if len(self.rx_fifo) < _UART_FIFO:
            self.rx_fifo.append(0)
        self._irq(_UART_BREAK if self.irq_trigger & _UART_BREAK else 0)

    def _tx_done(self, byte):
        self.shifting = False
        self.sent.append((self._b.now, byte))
        if self.enabled:
            self._tx_start()

    # -- what the stream functions share -----------------------------------

    def readable(self):
        return bool(self.rx_ring or self.rx_fifo)

    def _wait_until(self, deadline):
        """mp_event_wait_ms(): run scheduled callbacks, sleep to the next event
        or the deadline (whichever is first)."""
        b = self._b
        b._run_soft()
        t = b._next_time()
        if t is None or t > deadline:
            t = deadline
        b.cpu_wakeups += 1
        b._advance_to(max(t, b.now))

    def _get(self):
        """One byte from the ring (draining the FIFO first, as read() does),
        waiting as the firmware's read loop waits; -1 on its timeout."""
        b = self._b
        while not self.rx_ring:
            if self.rx_fifo:
                self._drain_rx()
                break
            if b.now >= self._deadline:
                return -1
            self._wait_until(self._deadline)
        return self.rx_ring.pop(0)

    def read_call(self, n):
        """One call of the driver's read (mp_machine_uart_read): up to n bytes;
        the first waits `timeout` ms, each next one `timeout_char` ms."""
        b = self._b
        out = []
        self._deadline = _uart_ms_deadline(b, b.ticks_ms(), self.timeout)
        while len(out) < n:
            c = self._get()
            if c < 0:
                break
            out.append(c)
            self._deadline = _uart_ms_deadline(b, b.ticks_ms(), self.timeout_char)
        return out

    def read_stream(self, n):
        """mp_stream_rw: call the driver until n bytes or it times out with
        nothing.  None if nothing came at all (EAGAIN)."""
        got = []
        while len(got) < n:
            part = self.read_call(n - len(got))
            if not part:
                break
            got.extend(part)
        return got if got else None

    def write_call(self, data):
        """mp_machine_uart_write: fill the tx ring, then wait for room per byte
        (`timeout` ms for the first wait, `timeout_char` after a byte went in)."""
        b = self._b
        i = 0
        n = len(data)
        while i < n and len(self.tx_ring) < self.txbuf:
            self.tx_ring.append(data[i])
            i += 1
        self._fill_tx()
        deadline = _uart_ms_deadline(b, b.ticks_ms(), self.timeout)
        while i < n:
            while len(self.tx_ring) >= self.txbuf:
                if b.now >= deadline:
                    return i if i else None
                self._wait_until(deadline)
            self.tx_ring.append(data[i])
            i += 1
            deadline = _uart_ms_deadline(b, b.ticks_ms(), self.timeout_char)
            self._fill_tx()
        return n


def _bytes_of(buf):
    if isinstance(buf, str):
        return buf.encode()
    return bytes(buf)


class _UartIrq:
    """The UART's mp_irq object: flags() are the UARTMIS bits of the last
    call of the handler, trigger() its trigger."""

    def __init__(self, st):
        self._st = st

    def flags(self):
        return self._st.irq_flags

    def trigger(self, new=None):
        old = self._st.irq_trigger
        if new is not None:
            self._st.irq_trigger = new
            self._st.rx_level = 24 if new & _UART_RXIDLE else _UART_IRQ_LEVEL
        return old


class _UartBase:
    """machine.UART: UART(id, baudrate=115200, bits=8, parity=None, stop=1, *,
    tx, rx, timeout=0, timeout_char, txbuf=256, rxbuf=256).  UART(0) is the
    same object every time (the firmware's static machine_uart_obj[id]); the
    peripheral is (re)initialised when arguments are given or it was off.
    Its stream ioctl is not a Python method, as on the firmware: select.poll
    reaches it as the C stream protocol (here: _stream_ioctl)."""

    INV_TX = 1
    INV_RX = 2
    CTS = 1
    RTS = 2
    IRQ_RXIDLE = _UART_RXIDLE
    IRQ_TXIDLE = _UART_TXIDLE
    IRQ_BREAK = _UART_BREAK
    _board = None

    def __new__(cls, id, *args, **kw):
        b = cls._board
        if not isinstance(id, int) or not 0 <= id <= 1:
            raise ValueError("UART(%s) doesn't exist" % (id,))
        u = b._uarts.get(id)
        if u is None:
            u = object.__new__(cls)
            u._st = b._uart_state(id)
            b._uarts[id] = u
        return u

    def __init__(self, id, baudrate=-1, bits=-1, parity=-1, stop=-1, *, tx=None, rx=None,
                 cts=None, rts=None, timeout=-1, timeout_char=-1, invert=-1, flow=-1,
                 txbuf=-1, rxbuf=-1):
        given = (baudrate, bits, parity, stop, tx, rx, cts, rts, timeout, timeout_char,
                 invert, flow, txbuf, rxbuf) != (-1, -1, -1, -1, None, None, None, None,
                                                 -1, -1, -1, -1, -1, -1)
        self.init(baudrate, bits, parity, stop, tx=tx, rx=rx, timeout=timeout,
                  timeout_char=timeout_char, txbuf=txbuf, rxbuf=rxbuf, _force=given)

    def init(self, baudrate=-1, bits=-1, parity=-1, stop=-1, *, tx=None, rx=None,
             timeout=-1, timeout_char=-1, txbuf=-1, rxbuf=-1, _force=True, **kw):
        st = self._st
        b = self._board
        locked = b._native()
        try:
            if baudrate > 0:
                st.baudrate = baudrate
            if bits > 0:
                st.bits = bits
            if parity != -1:
                st.parity = parity
            if stop > 0:
                st.stop = stop
            if tx is not None:
                n = self._pin_number(tx)
                if not (n & 3 == 0 and ((n + 4) & 8) >> 3 == st.id):
                    raise ValueError("bad TX pin")
                st.tx = n
            if rx is not None:
                n = self._pin_number(rx)
                if not (n & 3 == 1 and ((n + 4) & 8) >> 3 == st.id):
                    raise ValueError("bad RX pin")
                st.rx = n
            if timeout >= 0:
                st.timeout = timeout
            if timeout_char >= 0:
                st.timeout_char = timeout_char
            sizes = []
            for size, what in ((rxbuf, "rxbuf"), (txbuf, "txbuf")):
                if size <= 0:
                    size = 256
                elif size < 32:
                    size = 32
                elif size > 32766:
                    raise ValueError("%s too large" % what)
                sizes.append(size)
            if _force or not st.enabled:
                if st.baudrate == 0:
                    st.baudrate = 115200
                st.timeout_char = max(st.timeout_char, 13000 // st.baudrate + 1)
                st.rxbuf, st.txbuf = sizes
                st.rx_ring = []    # ringbuf_alloc: fresh buffers
                st.tx_ring = []
                st.enabled = True
        finally:
            b._native_end(locked)

    def _pin_number(self, p):
        if isinstance(p, int):
            return p
        return self._board._pin_state(p).gpio

    def deinit(self):
        st = self._st
        st.enabled = False
        st.baudrate = 0

    def any(self):
        b = self._board
        locked = b._native()
        st = self._st
        st._drain_rx()
        n = len(st.rx_ring)
        b._native_end(locked)
        return n

    def read(self, n=-1):
        """Up to n bytes (all there is when n is omitted); None if nothing
        came within `timeout` ms."""
        b = self._board
        locked = b._native()
        try:
            got = self._st.read_stream(n if n >= 0 else 1 << 30)
            return None if got is None else bytes(got)
        finally:
            b._native_end(locked)

    def readinto(self, buf, nbytes=-1):
        """Into buf (at most nbytes); the count, or None if nothing came."""
        b = self._board
        locked = b._native()
        try:
            n = len(buf) if nbytes < 0 else min(nbytes, len(buf))
            got = self._st.read_stream(n)
            if got is None:
                return None
            for i in range(len(got)):
                buf[i] = got[i]
            return len(got)
        finally:
            b._native_end(locked)

    def readline(self):
        """mp_stream_unbuffered_readline: byte by byte until b"\\n"; None if
        nothing came, what came if the line stopped short."""
        b = self._board
        locked = b._native()
        try:
            st = self._st
            out = []
            while True:
                c = st.read_stream(1)
                if c is None:
                    break
                out.extend(c)
                if c[0] == 10:
                    break
            return bytes(out) if out else None
        finally:
            b._native_end(locked)

    def write(self, buf):
        """Bytes written (None if none fitted before the timeout)."""
        b = self._board
        locked = b._native()
        try:
            return self._st.write_call(_bytes_of(buf))
        finally:
            b._native_end(locked)

    def txdone(self):
        st = self._st
        return not st.tx_ring and not st.tx_fifo

    def flush(self):
        """Wait until every byte is on the wire (MP_STREAM_FLUSH)."""
        b = self._board
        locked = b._native()
        st = self._st
        while not (not st.tx_ring and not st.tx_fifo):
            st._wait_until(b.now + st.char_us(st.txbuf + _UART_FIFO + 1))
        b._native_end(locked)

    def sendbreak(self):
        pass

    def irq(self, handler=None, trigger=0, hard=False):
        """UART.irq(handler=None, trigger=0, hard=False) as mp_machine_uart_irq:
        with any argument, sets the handler (called with the UART) for the
        triggers IRQ_RXIDLE, IRQ_TXIDLE and IRQ_BREAK (others: ValueError),
        and the RX FIFO level the interrupt comes at (24 bytes with
        IRQ_RXIDLE, else 4).  Returns the irq object (flags(), trigger())."""
        st = self._st
        if st.irq_obj is None:
            st.irq_obj = _UartIrq(st)
        if handler is not None and not callable(handler):
            raise ValueError("handler must be None or callable")
        bad = trigger & ~_UART_IRQ_TRIGGERS
        if trigger and bad:
            raise ValueError("trigger 0x%04x unsupported" % bad)
        st.irq_handler = handler
        st.irq_hard = bool(hard)
        st.irq_trigger = trigger
        st.rx_level = 24 if trigger & _UART_RXIDLE else _UART_IRQ_LEVEL
        st.uart_obj = self
        return st.irq_obj

    def _stream_ioctl(self, req, arg):
        """The C stream ioctl (mp_machine_uart_ioctl): MP_STREAM_POLL."""
        st = self._st
        if req != 3:
            return -1
        r = 0
        if arg & 1 and st.readable():
            r |= 1
        if arg & 4 and len(st.tx_ring) < st.txbuf:
            r |= 4
        return r

    def __repr__(self):
        st = self._st
        return ("UART(%d, baudrate=%d, bits=%d, parity=%s, stop=%d, tx=%d, rx=%d, "
                "txbuf=%d, rxbuf=%d, timeout=%d, timeout_char=%d, invert=None)"
                % (st.id, st.baudrate, st.bits, st.parity, st.stop, st.tx, st.rx,
                   st.txbuf, st.rxbuf, st.timeout, st.timeout_char))


class _WDTBase:
    _board = None

    def __init__(self, id=0, timeout=5000):
        if id != 0:
            raise ValueError("WDT(%d) doesn't exist" % id)
        if timeout > 8388:
            raise ValueError("timeout exceeds 8388")
        b = self._board
        b.wdt_timeout_us = timeout * 1000
        b.wdt_fed_at = b.now

    def feed(self):
        b = self._board
        b.wdt_fed_at = b.now
        b.wdt_feeds += 1


class _Machine:
    """The simulated `machine` module."""

    def __init__(self, board):
        class Pin(_PinBase):
            _board = board

        class Timer(_TimerBase):
            _board = board

        class WDT(_WDTBase):
            _board = board

        class UART(_UartBase):
            _board = board

        self.UART = UART
        self.Pin = Pin
        self.Timer = Timer
        self.WDT = WDT
        self._b = board

    def disable_irq(self):
        b = self._b
        s = b.irq_disabled
        b.irq_disabled = s + 1
        return s

    def enable_irq(self, state=0):
        b = self._b
        b.irq_disabled = state
        if state == 0 and (b._held or b._latched):
            locked = b._native()
            b._deliver_held()
            b._native_end(locked)

    def idle(self):
        """Returns on the next interrupt, or after at most 1 ms (rp2)."""
        b = self._b
        locked = b._native()
        b.cpu_wakeups += 1
        t = b._next_time()
        end = b.now + 1000
        b._advance_to(end if t is None or t > end else t)
        b._native_end(locked)

    def unique_id(self):
        return b"\xe6\x60\x58\x38\x83\x1a\x2b\x2c"


class _Time:
    """The simulated `time` module: ticks wrap at 2**30 like a 32-bit board."""

    def __init__(self, board):
        self._b = board
        self.ticks_diff = ticks_diff
        self.ticks_add = ticks_add

    def ticks_us(self):
        b = self._b
        return (b.epoch_us + b.now) & _MASK

    def ticks_ms(self):
        b = self._b
        return ((b.epoch_us + b.now) // 1000) & _MASK

    def sleep_us(self, us):
        b = self._b
        locked = b._native()
        b._run_soft()
        b._advance_to(b.now + max(0, us))
        b._native_end(locked)

    def sleep_ms(self, ms):
        self.sleep_us(ms * 1000)

    def sleep(self, s):
        self.sleep_us(int(s * 1000000))


class _Poll:
    """select.poll() as extmod/modselect.c has it on a bare-metal port.

    register(obj, mask) adds obj (allocating its entry, as the firmware does:
    MemoryError under a heap lock) or, if it is there, changes its mask;
    modify(obj, mask) changes it (OSError ENOENT if obj is not registered);
    unregister(obj) forgets it (no error if it was not there).  Each look
    asks every registered object -- mask 0 included, as the firmware does --
    through its stream ioctl (a machine.UART's is C: here `_stream_ioctl`;
    an io.IOBase object's is its Python `ioctl`), and ipoll yields every
    object that reported something, in registration order."""

    def __init__(self, board):
        self._b = board
        self._objs = []  # [obj, mask, ioctl]

    def _find(self, obj):
        for e in self._objs:
            if e[0] is obj:
                return e
        return None

    def register(self, obj, mask=5):  # POLLIN | POLLOUT by default, as the firmware
        b = self._b
        locked = b._native()
        e = self._find(obj)
        if e is None:
            io = getattr(obj, "_stream_ioctl", None) or getattr(obj, "ioctl", None)
            if io is None:
                b._native_end(locked)
                raise TypeError("stream operation not supported")
            if locked:  # the firmware allocates the entry (m_new_obj(poll_obj_t))
                b._native_end(locked)
                raise MemoryError("memory allocation failed, heap is locked")
            self._objs.append([obj, mask, io])
        else:
            e[1] = mask
        b._native_end(locked)

    def modify(self, obj, mask):
        e = self._find(obj)
        if e is None:
            raise OSError(2)  # MP_ENOENT
        e[1] = mask

    def unregister(self, obj):
        b = self._b
        locked = b._native()
        self._objs = [e for e in self._objs if e[0] is not obj]
        b._native_end(locked)

    def _look(self):
        """poll_set_poll_once(): every object's ioctl(MP_STREAM_POLL, mask)."""
        ready = []
        for obj, mask, io in self._objs:
            r = io(3, mask)
            if r == -1:
                raise OSError(22)  # the ioctl failed: MP_EINVAL
            if r:
                ready.append((obj, r))
        return ready

    def ipoll(self, timeout=-1, flags=0):
        """Sleep until a registered object is ready (its ioctl says so) or the
        timeout (ms) passes.  As extmod/modselect.c with rp2's event wait:
        look; then mp_event_wait_*(): run scheduled callbacks, then WFE.  The
        WFE sleeps only if the CPU's event register is clear: every interrupt
        sets it (ARMv6-M: any exception return), so a wake made by a hard IRQ
        or by a callback that an IRQ scheduled is looked at before sleeping.
        WFE sleeps through events that raise no interrupt (a byte entering a
        UART's FIFO below its interrupt level): only an interrupt, or the
        timeout, ends it."""
        b = self._b
        locked = b._native()
        try:
            end = None if timeout < 0 else b.now + timeout * 1000
            while True:
                ready = self._look()
                if ready:
                    if flags & 1:  # one-shot: not polled again until its mask is set
                        for obj, r in ready:
                            self._find(obj)[1] = 0
                    return iter(ready)
                if end is not None and b.now >= end:
                    return iter(())
                b._run_soft()  # mp_event_handle_nowait(): scheduled callbacks, then WFE
                if b.event_register:
                    # WFE with the event register set -- an interrupt returned since
                    # the last WFE -- clears it and completes at once: look again
                    b.event_register = False
                    continue
                b.cpu_wakeups += 1
                while True:  # WFE: until an interrupt, or the timeout
                    t = b._next_time()
                    if t is None:
                        if end is None:
                            if b.stop_at is None:
                                raise SimDeadlock(b._deadlock_message())
                            t = b.stop_at  # a run of fixed length: idle to its end
                        else:
                            t = end
                    elif end is not None and t > end:
                        t = end
                    b._advance_to(t)
                    if b.event_register or (end is not None and b.now >= end):
                        break
        finally:
            b._native_end(locked)

    poll = ipoll


class _Select:
    def __init__(self, board):
        self._b = board

    def poll(self):
        return _Poll(self._b)


# ---------------------------------------------------------------- board ----

class _Rp2Idle:
    """port_rp2's idle, as the simulated board models it: the `board`
    MachinePort takes on an RP2040 (its pin handler is the portable one
    here).  With alarm="rp2", port_rp2's alarm too: hardware alarm 0, whose
    expiry only ends the WFI; the timer's handler then runs in task context."""

    def __init__(self, b, alarm):
        self.wait = b.rp2_wait
        self.wfi_until = b.wfi_until
        self.run_pending = b.rp2_run_pending
        self.uart_rx_level = b.uart_rx_level
        if alarm:
            self.ALARM = b.alarm_state
            self.clock = b.alarm_clock
            self.arm_at = b.alarm_arm_at
            self.disarm = b.alarm_disarm
            self.due = b.alarm_due
            self.set_alarm = b.alarm_set
            self.fire = b.alarm_fire


class SimBoard:
    """One simulated board.  `variant` is "rpi_pico" (LED on GP25) or
    "rpi_pico_w" (LED on the wireless chip, no IRQ); `start_ms` sets the
    tick counters' starting point (e.g. just before the 2**30 wrap)."""

    def __init__(self, variant="rpi_pico", start_ms=0, start_us=None, stop_after_ms=None,
                 idle="wfi", alarm="timer"):
        self.variant = variant
        self.idle = idle             # "wfi": port_rp2's sleep, as on a Pico; "ipoll": the portable one
        self.alarm = alarm           # "timer": a machine.Timer, its handler a hard IRQ; "rp2": port_rp2's
        self._clock = None           # alarm="rp2": TIMERAWL, a word the executor loop reads
        self.epoch_us = start_us if start_us is not None else start_ms * 1000
        self.now = 0                 # virtual µs since the board started
        self.stop_at = None if stop_after_ms is None else stop_after_ms * 1000
        self._events = []            # [time, seq, fn, arg], sorted
        self._seq = 0
        self._soft = []              # scheduled (soft IRQ) callbacks, depth 8 as on rp2
        self._held = []              # hard IRQs waiting for enable_irq
        self._latched = []           # pins with edges latched while IRQs were off
        self._pins = {}
        self._uarts = {}             # id -> the machine.UART object
        self._uart_states = {}       # id -> _UartState (exists before the UART is made)
        self.irq_disabled = 0
        self.in_hard_irq = False
        self._heap_locked = False
        self.cpu_wakeups = 0         # times the CPU woke from a sleep
        self.irq_errors = []
        self.interrupts = 0
        self.event_register = False  # the CPU's WFE latch: set when an interrupt returns
        self.wdt_timeout_us = None
        self.wdt_fed_at = 0
        self.wdt_feeds = 0
        self.trace = Trace(self)
        self.machine = _Machine(self)
        from simrp2 import Rp2  # (here: simrp2 imports this module)
        self.rp2 = Rp2(self)
        self.time = _Time(self)
        self.select = _Select(self)
        self._port = None

    # -- the port pollen runs on -------------------------------------------

    def import_module(self, name):
        """Import module `name` as a Pico would load it: while it loads, this
        board's `machine` and `rp2` stand in sys.modules (a module-level
        `import rp2` / `from machine import Pin` finds them), then the
        interpreter's own are put back.  A module already imported is
        returned as it is (bound to the board it was first loaded with: pass
        a later board's modules to its functions)."""
        mods = sys.modules
        saved = [(k, mods.get(k)) for k in ("machine", "rp2")]
        mods["machine"] = self.machine
        mods["rp2"] = self.rp2
        try:
            return __import__(name, None, None, ["__name__"])
        finally:
            for k, v in saved:
                if v is None:
                    del mods[k]
                else:
                    mods[k] = v

    def port(self):
        """pollen's board port over this simulated hardware, installed as
        pollen's current port.  The same MachinePort code a Pico runs."""
        from pollen import port as pollen_port
        if self._port is None:
            from pollen.port_machine import MachinePort
            if self.idle == "wfi":  # what board_port() picks on an RP2040
                rp2 = self.alarm == "rp2"
                if rp2:
                    self._rp2_alarm_init()
                self._port = MachinePort(self.machine, self.time, self.select,
                                         _Rp2Idle(self, rp2), rp2)
            else:
                self._port = MachinePort(self.machine, self.time, self.select)
        return pollen_port.install(self._port)

    # -- port_rp2's idle, modelled ---------------------------------------------

    def wfi_until(self, cell, alarm=None):
        """port_rp2.wfi_until: with interrupts masked, look at cell[0] and
        at the alarm (ARMED, DEADLINE); if the cell is clear and the alarm
        not due, WFI until an interrupt is pending, then unmask and take it.
        Returns 1 if the alarm was due (without sleeping), else 0.  Machine
        code: it runs no scheduled (soft) callbacks -- neither does the
        native executor loop that calls it (seen on the chip,
        host_tests/board/test_idle.py)."""
        locked = self._native()
        try:
            if cell[0]:
                return 0
            if alarm is not None and alarm[0] and \
                    ticks_diff(alarm[1], (self.epoch_us + self.now) & _MASK) <= 0:
                return 1
            t = self._next_time()
            if t is None:
                if self.stop_at is None:
                    raise SimDeadlock(self._deadlock_message())
                t = self.stop_at
            self.cpu_wakeups += 1
            n = self.interrupts
            while self.interrupts == n:  # events that raise no interrupt do not end WFI
                self._advance_to(t)
                t = self._next_time()
                if t is None:
                    if self.interrupts == n:
                        if self.stop_at is None:
                            raise SimDeadlock(self._deadlock_message())
                        t = self.stop_at
            self.event_register = False
            return 0
        finally:
            self._native_end(locked)

    def rp2_run_pending(self):
        """port_rp2.run_pending: one bytecode jump, where the VM runs the
        scheduled callbacks."""
        locked = self._native()
        self._run_soft()
        self._native_end(locked)

    def rp2_wait(self, cell):
        """port_rp2.wait: a bytecode loop round wfi_until.  The loop's
        conditional jump into its body is where the VM runs what is pending
        (scheduled callbacks), so they run before every WFI: one that sets
        the cell makes wfi_until return at once.  A due alarm (alarm="rp2")
        runs the timer's handler here."""
        al = self.alarm_state if self._clock is not None else None
        while not cell[0]:
            locked = self._native()
            self._run_soft()
            self._native_end(locked)
            if self.wfi_until(cell, al):
                self.alarm_fire()

    # -- port_rp2's alarm, modelled (alarm="rp2") ------------------------------

    def _rp2_alarm_init(self):
        from array import array
        self._clock = array("I", [0])  # TIMERAWL's low bits: what the viper loop reads
        try:
            import uctypes  # MicroPython: the executor loop is viper, and reads the word
            addr = uctypes.addressof(self._clock)
        except ImportError:  # CPython: loop.py asks due() instead
            addr = 0
        self.alarm_state = array("i", [0, 0, 0])  # ARMED, DEADLINE (CLOCK: the chip's wfi_until's)
        self.alarm_clock = addr
        self._alarm_ev = None
        self._alarm_handler = None
        self._set_now(self.now)

    def alarm_arm_at(self, deadline):
        """port_rp2.arm_at: hardware alarm 0 at `deadline` (ticks_us); its
        expiry is an interrupt that runs no Python (it only ends a WFI)."""
        locked = self._native()
        if self._alarm_ev is not None:
            self._cancel(self._alarm_ev)
        d = ticks_diff(deadline, (self.epoch_us + self.now) & _MASK)
        self._alarm_ev = self.at(self.now + (d if d > 0 else 1), self._alarm_expire)
        st = self.alarm_state
        st[1] = deadline
        st[0] = 1
        self._native_end(locked)

    def _alarm_expire(self, _):
        self._alarm_ev = None
        self._interrupt(None, None, True, "alarm")  # the SDK's handler: clears it, nothing else

    def alarm_disarm(self):
        locked = self._native()
        self.alarm_state[0] = 0
        if self._alarm_ev is not None:
            self._cancel(self._alarm_ev)
            self._alarm_ev = None
        self._native_end(locked)

    def alarm_due(self):
        st = self.alarm_state
        return 1 if st[0] and ticks_diff(st[1], (self.epoch_us + self.now) & _MASK) <= 0 else 0

    def alarm_set(self, handler):
        self._alarm_handler = handler

    def alarm_fire(self, _arg=0):
        self.alarm_state[0] = 0
        self._alarm_handler(0)

    # -- heap-lock bookkeeping ------------------------------------------------

    def heap_lock(self):
        """Lock the heap (MicroPython) the way tests should: the simulator's
        native functions then know to step out of the lock while they run."""
        self._heap_locked = True
        _lock()

    def heap_unlock(self):
        self._heap_locked = False
        _unlock()

    def _native(self):
        if self._heap_locked:
            _unlock()
            return True
        return False

    def _native_end(self, locked):
        if locked:
            _lock()

    # -- time and events -----------------------------------------------------

    def ticks_us(self):
        return (self.epoch_us + self.now) & _MASK

    def ticks_ms(self):
        return ((self.epoch_us + self.now) // 1000) & _MASK

    def at(self, t_us, fn, arg=None):
        """Run fn(arg) at virtual time t_us (µs since the board started)."""
        self._seq += 1
        ev = [t_us, self._seq, fn, arg]
        evs = self._events
        i = len(evs)
        while i and evs[i - 1][0] > t_us:
            i -= 1
        evs.insert(i, ev)
        return ev

    def after(self, d_us, fn, arg=None):
        return self.at(self.now + d_us, fn, arg)

    def _cancel(self, ev):
        try:
            self._events.remove(ev)
        except ValueError:
            pass

    def _next_time(self):
        return self._events[0][0] if self._events else None

    def _advance_to(self, t):
        evs = self._events
        while evs and evs[0][0] <= t:
            ev = evs.pop(0)
            if ev[0] > self.now:
                self._set_now(ev[0])
            ev[2](ev[3])
        if t > self.now:
            self._set_now(t)

    def _set_now(self, t):
        if self.stop_at is not None and t >= self.stop_at:
            self.now = self.stop_at
            raise SimStop("virtual time reached %d ms" % (self.stop_at // 1000))
        w = self.wdt_timeout_us
        if w is not None and t - self.wdt_fed_at > w:
            self.now = self.wdt_fed_at + w
            raise SimReset("watchdog: not fed for %d ms, the board resets at %d ms"
                           % (w // 1000, self.now // 1000))
        self.now = t
        c = self._clock
        if c is not None:
            c[0] = (self.epoch_us + t) & 0xFFFFFFFF

    def advance(self, us):
        """The CPU is busy for `us`: time passes and interrupts due in that
        time are delivered (at their own times) before this returns."""
        locked = self._native()
        self._advance_to(self.now + us)
        self._native_end(locked)

    def deliver(self):
        """Deliver every interrupt that is due now: call at any point a test
        chooses to model an interrupt landing between two instructions."""
        locked = self._native()
        self._advance_to(self.now)
        self._native_end(locked)

    # -- interrupts ----------------------------------------------------------

    def _interrupt(self, handler, arg, hard, source):
        self.interrupts += 1
        self.event_register = True
        if handler is None:
            return
        if not hard:
            if len(self._soft) < 8:  # MICROPY_SCHEDULER_DEPTH; a full queue drops it
                self._soft.append((handler, arg))
            return
        if self.irq_disabled:
            self._held.append((handler, arg, source))
            return
        self._call_hard(handler, arg, source)

    def _call_hard(self, handler, arg, source):
        self.in_hard_irq = True
        was_locked = self._heap_locked
        self._heap_locked = True
        if not was_locked:
            _lock()  # the firmware runs hard handlers with the GC locked
        err = None
        try:
            handler(arg)
        except BaseException as e:  # noqa -- the firmware catches everything here
            err = e
        if not was_locked:
            _unlock()
        self._heap_locked = was_locked
        self.in_hard_irq = False
        if err is not None:
            self.irq_errors.append((source, err))
            print("Uncaught exception in IRQ callback handler")
            _print_exc(err)
            if isinstance(arg, _PinBase):
                arg._st.handler = None  # the firmware disables the IRQ
                arg._st.trigger = 0

    def _deliver_held(self):
        held = self._held
        self._held = []
        for h in held:
            self._call_hard(h[0], h[1], h[2])
        latched = self._latched
        self._latched = []
        for st in latched:
            if st.pending and st.handler is not None:
                st.flags = st.pending  # both edges latched: one call, flags 12
                st.pending = 0
                self._call_hard(st.handler, st.pin_obj, "pin")

    def _run_soft(self):
        while self._soft:
            h, a = self._soft.pop(0)
            h(a)

    # -- pins ----------------------------------------------------------------

    def _pin_state(self, id):
        if isinstance(id, str):
            name = id
            if id == "LED":
                gpio = 25 if self.variant == "rpi_pico" else -1
            elif id.startswith("GPIO") and id[4:].isdigit():
                gpio = int(id[4:])
            elif id.startswith("GP") and id[2:].isdigit():
                gpio = int(id[2:])
            else:
                raise ValueError('unknown named pin "%s"' % id)
            if gpio >= 30:
                raise ValueError('unknown named pin "%s"' % id)
        elif isinstance(id, int) and 0 <= id < 30:
            gpio = id
            name = "GP%d" % id
        elif isinstance(id, _PinBase):
            return id._st
        else:
            raise ValueError("invalid pin")
        st = self._pins.get(gpio if gpio >= 0 else name)
        if st is None:
            st = _PinState(gpio, name if gpio < 0 else "GP%d" % gpio)
            if gpio == 25 and self.variant == "rpi_pico":
                st.name = "LED"
            self._pins[gpio if gpio >= 0 else name] = st
            self.trace.signal(st.name, st.level())
        return st

    def pin(self, id):
        """The board-side view of a pin (for tests): a machine.Pin."""
        p = self.machine.Pin.__new__(self.machine.Pin)
        p._st = self._pin_state(id)
        return p

    def _level_changed(self, st, old, t=None):
        """`t`: the exact time (us, maybe fractional) of a change a PIO state
        machine made between two whole microseconds; the trace keeps it."""
        new = st.level()
        if new == old:
            return
        self.trace.change(st.name, new, t)
        if st.waiters:  # state machines stalled in `wait` on this pin: they look again
            ws = st.waiters
            st.waiters = []
            for sm in ws:
                sm._pin_event(t)
        edge = 8 if new else 4  # IRQ_RISING / IRQ_FALLING
        if st.handler is None or not (st.trigger & edge):
            return
        if st.pin_obj is None:
            return
        self.interrupts += 1
        self.event_register = True
        if st.hard and self.irq_disabled:
            if not st.pending:
                self._latched.append(st)
            st.pending |= edge  # latched in the GPIO block until IRQs are back
            return
        st.flags = edge
        if st.hard:
            self._call_hard(st.handler, st.pin_obj, "pin")
        elif len(self._soft) < 8:
            self._soft.append((st.handler, st.pin_obj))

    # -- UARTs: the other end of the wire ------------------------------------

    def _uart_state(self, id):
        st = self._uart_states.get(id)
        if st is None:
            st = self._uart_states[id] = _UartState(self, id)
        return st

    def uart_feed(self, id, data, at_ms=None, at_us=None, baudrate=None):
        """Bytes sent to UART `id`'s RX pin: the first starts at at_ms (or
        at_us; default now), each takes one character time at `baudrate`
        (default: the UART's, else 115200) -- a byte is in the RX FIFO when
        its stop bit ends.  Feeds queue up behind each other like bytes on one
        wire.  Bytes that arrive while the UART is off are lost (counted in
        uart_state(id).lost).  Returns the time (us) the last byte arrives."""
        st = self._uart_state(id)
        if isinstance(data, str):
            data = data.encode()
        t0 = self.now if at_us is None and at_ms is None else (
            at_us if at_us is not None else at_ms * 1000)
        t0 = max(t0, st.line_free_at, self.now)
        baud = baudrate or st.baudrate or 115200
        bits = 1 + st.bits + (0 if st.parity is None else 1) + st.stop
        t = t0
        for k in range(len(data)):
            t = t0 + (k + 1) * bits * 1000000 // baud
            self.at(t, st._arrive, data[k])
        st.line_free_at = t
        return t

    def uart_break(self, id, at_ms=None, at_us=None):
        """A break on UART `id`'s RX line, after whatever is queued on the
        wire: its interrupt (UART.IRQ_BREAK) comes when it ends, one
        character time later; a 0 byte enters the RX FIFO, as on the PL011.
        Returns that time (us)."""
        st = self._uart_state(id)
        t0 = self.now if at_us is None and at_ms is None else (
            at_us if at_us is not None else at_ms * 1000)
        t = max(t0, st.line_free_at, self.now) + st.char_us()
        self.at(t, st._break)
        st.line_free_at = t
        return t

    def uart_rx_level(self, uart):
        """port_rp2.uart_rx_level: the UART's RX FIFO interrupt level back to
        4 bytes (UARTIFLS, written past the driver; its irq() sets it again)."""
        uart._st.rx_level = _UART_IRQ_LEVEL

    def uart_sent(self, id):
        """Every byte UART `id` has put on its TX pin so far (all bits sent)."""
        return bytes(c for _, c in self._uart_state(id).sent)

    def uart_state(self, id):
        """The firmware-side state of UART `id` (FIFOs, rings, `sent` with
        times, `overruns`, `lost`): for tests."""
        return self._uart_state(id)

    # -- scripted inputs -----------------------------------------------------

    def set_level(self, pin, level, at_us=None):
        """Drive `pin` to `level` from outside at virtual time at_us (now if None)."""
        st = self._pin_state(pin)

        def apply(_):
            old = st.level()
            st.drive = level
            self._level_changed(st, old)

        if at_us is None or at_us <= self.now:
            apply(None)
        else:
            self.at(at_us, apply)

    def bounce(self, pin, at_us, final, flips, every_us):
        """A contact settling to `final`: `flips` alternating levels, every_us
        apart, starting at at_us; the last one is `final`."""
        level = final if flips % 2 == 1 else 1 - final
        t = at_us
        for _ in range(flips):
            self.set_level(pin, level, t)
            level = 1 - level
            t += every_us
        return t - every_us

    def press(self, pin, at_ms, hold_ms, bounce_us=0, flips=5, active_low=True):
        """A button press at at_ms held for hold_ms (then released), with
        optional contact bounce of `flips` flips spread over bounce_us at both
        ends.  Times are ms from the board's start."""
        down, up = (0, 1) if active_low else (1, 0)
        t0 = at_ms * 1000
        t1 = t0 + hold_ms * 1000
        if bounce_us and flips > 1:
            self.bounce(pin, t0, down, flips, bounce_us // (flips - 1))
            self.bounce(pin, t1, up, flips, bounce_us // (flips - 1))
        else:
            self.set_level(pin, down, t0)
            self.set_level(pin, up, t1)

    def _deadlock_message(self):
        msg = ("every task waits and nothing is scheduled that could wake one "
               "(virtual time %d us)" % self.now)
        if self.irq_errors:
            msg += "; an interrupt handler raised: %r" % (self.irq_errors[-1][1],)
        return msg


# ---------------------------------------------------------------- trace ----

class Trace:
    """Pin levels and task events over virtual time; written as VCD."""

    def __init__(self, board):
        self._b = board
        self.changes = []   # (t_us, name, value)
        self.kinds = {}     # name -> "wire" or "event"

    def signal(self, name, value):
        if name not in self.kinds:
            self.kinds[name] = "wire"
            self.changes.append((self._b.now, name, value))

    def change(self, name, value, t=None):
        """`t`: the time in us, when not now (a PIO's change between two whole
        us: a float; the VCD is then written in ns)."""
        if name not in self.kinds:
            self.kinds[name] = "wire"
        self.changes.append((self._b.now if t is None else t, name, value))

    def event(self, name):
        self.kinds[name] = "event"
        self.changes.append((self._b.now, name, 1))

    def executor_hook(self, kind, task):
        """Executor tracer: kind "poll" with the Task polled."""
        self.event("poll_%s" % task.name)

    def levels(self, name):
        """[(t_us, level)] for one signal (a PIO's edges: t a float, exact)."""
        return [(t, v) for t, n, v in self.changes if n == name]

    def write_vcd(self, path, timescale="1us"):
        names = sorted(self.kinds)
        fine = False
        for c in self.changes:
            if isinstance(c[0], float):
                fine = True  # a PIO's sub-us edges: write ns
                break
        scale = 1
        if fine and timescale == "1us":
            timescale = "1ns"
            scale = 1000
        ids = {}
        for i, n in enumerate(names):
            ids[n] = chr(33 + i) if i < 90 else "s%d" % i
        out = ["$date pollen simulated board $end", "$version pollen sim $end",
               "$timescale %s $end" % timescale, "$scope module board $end"]
        for n in names:
            kind = self.kinds[n]
            out.append("$var %s 1 %s %s $end" % (kind, ids[n], n))
        out.append("$upscope $end")
        out.append("$enddefinitions $end")
        last_t = None
        init = {}
        changes = sorted(self.changes, key=lambda c: c[0])  # (stable) PIO edges come late
        if scale != 1:
            changes = [(int(c[0] * scale + 0.5), c[1], c[2]) for c in changes]
        t0 = changes[0][0] if changes else 0
        body = []
        for t, n, v in changes:
            if t == t0 and self.kinds[n] == "wire":
                init[n] = v  # the level once the board is set up at t0
            else:
                body.append((t, n, v))
        out.append("$dumpvars")
        for n in names:
            if self.kinds[n] == "wire":
                out.append("%d%s" % (init.get(n, 0), ids[n]))
        out.append("$end")
        for t, n, v in body:
            if t != last_t:
                out.append("#%d" % t)
                last_t = t
            out.append("%d%s" % (v, ids[n]) if self.kinds[n] == "wire" else "1%s" % ids[n])
        out.append("#%d" % (self._b.now * scale))
        with open(path, "w") as f:
            f.write("\n".join(out) + "\n")
        return path
