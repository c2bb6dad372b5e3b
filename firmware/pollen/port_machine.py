"""The board port: the only code that touches machine, time and select.

It is written against the modules it is handed, so the simulated board runs
this very code with its own `machine`, `time` and `select` (boards/sim).

Sleeping: wait(cell) returns once cell[0] != 0.  On an RP2040 it is
port_rp2.wait: WFI in machine code, about 30 us from an edge to the task
(board_port() picks it).  Elsewhere -- another board, the simulator unless
it models the RP2040's -- it parks the CPU in select.poll().ipoll(-1) on an
io.IOBase object whose ioctl reports the cell (MicroPython asyncio's
ThreadSafeFlag pattern): poll checks the cell before it sleeps, and a hard
IRQ ends the sleep, so an interrupt that lands between "nothing is ready"
and the sleep is never lost; and the CPU is not woken every millisecond as a
machine.idle() loop would be.  `wait` is an attribute, not a method: the
executor calls the sleep function itself, one call from loop to WFI.

Time: one alarm serves every sleep (pollen.timer multiplexes it): a
machine.Timer, one-shot at 1 MHz, whose hard IRQ runs the timer's handler;
on an RP2040 hardware alarm 0 (port_rp2), which only ends the WFI, the
handler then running in task context.
"""

try:  # u: the built-in itself, with no search of sys.path (port.py)
    from uio import IOBase as _IOBase
except ImportError:  # CPython, or a MicroPython without io.IOBase
    try:
        from io import IOBase as _IOBase
    except ImportError:
        _IOBase = object


class _CellIO(_IOBase):
    """What select.poll watches: readable while the current cell is set."""

    def __init__(self):
        self.cell = None
        self.due = None  # a board alarm's due(): readable when it is due, too

    def ioctl(self, req, arg):
        c = self.cell
        if req == 3 and c is not None:  # MP_STREAM_POLL
            d = self.due
            if c[0] or (d is not None and d()):
                return arg & 1  # POLLIN
        return 0


def _cell_io(port):
    """port's _CellIO, made on first use.  (A function, not a method: one
    method more would grow MachinePort's dict to its next size, 40 B.)"""
    io = port._io
    if io is None:
        io = port._io = _CellIO()
        if port.alarm is not None:
            io.due = port.due  # a board alarm: readable once it is due
    return io


class MachinePort:
    """`board`: a board's own fast paths (port_rp2, or the simulator's model
    of it), or None for the portable ones.  It has wait(cell) and
    wfi_until(cell, alarm) (the idle sleep, below), run_pending(), and
    may have edge_isr/edge_ms (gpio.Input's pin handler) and its own alarm
    (arm_at, disarm, due, set_alarm, ALARM); `alarm=True` takes that alarm."""

    def __init__(self, machine, time, select, board=None, alarm=False):
        self.machine = machine
        self.Pin = machine.Pin
        self.ticks_us = time.ticks_us
        self.ticks_ms = time.ticks_ms
        self.ticks_diff = time.ticks_diff
        self.ticks_add = time.ticks_add
        self.TICKS_PERIOD = 1 << 30
        self.irq_off = machine.disable_irq
        self.irq_on = machine.enable_irq
        self._io = None  # the cell's IOBase: made where ipoll sleeps on it (below, or the first watch())
        # The alarm.  One machine.Timer, whose hard IRQ runs the handler; or
        # the board's own (port_rp2), which only wakes the CPU: `alarm` is then
        # its state, array('i') [ARMED, DEADLINE (ticks_us), CLOCK (the address
        # of the 32-bit microsecond counter, for wfi_until)], and the handler runs in task
        # context through fire() -- from the board's wait(), and from the
        # executor loop, which looks at ARMED and the clock on every pass
        self._board = board if alarm else None
        self.fire = None  # a board alarm's handler: fire(0), once ARMED is cleared
        if not alarm:
            self._timer = machine.Timer(-1)
            self.alarm = None
        else:
            self.arm_at = board.arm_at
            self.disarm = board.disarm
            self.due = board.due
            self.alarm = board.ALARM
            self.clock = board.clock  # the address of the counter's low word (the loop reads it)
        self._cb = None  # the alarm handler (bound once by its owner: the IRQ allocates nothing)
        self._bmod = board    # the board module, whatever the alarm (uart_irq asks it)
        self._streams = None  # pollen.stream's registrations; None or empty: none
        self._select = select  # the stream poller is made on the first watch()
        # sleep(cell): the board's wait (port_rp2: a bytecode loop round a WFI),
        # else ipoll on the cell.  wfi(cell, alarm): one WFI unless cell[0] is set
        # or the alarm is due (port_rp2.wfi_until), or None; and run_pending():
        # what the firmware has pending (soft IRQs, USB, Ctrl-C) runs there.  The
        # executor's idle is wfi, then run_pending, until a wake is for it
        self.wfi = None
        if board is None:  # the ipoll sleep: a poller of its own, made here (a board's sleep needs none)
            p = select.poll()
            p.register(_cell_io(self), 1)  # POLLIN
            self._ipoll = p.ipoll
            self.sleep = self._ipoll_sleep
        else:
            self.sleep = board.wait
            self.wfi = board.wfi_until
            self.run_pending = board.run_pending
            isr = getattr(board, "edge_isr", None)
            if isr is not None:  # gpio.Input's handler in the board's own code (port_rp2)
                self.edge_isr = isr
                self.edge_ms = board.edge_ms  # the edge's ticks_ms, from what that handler stored
        self.wait = self.sleep

    def set_alarm(self, handler):
        self._cb = handler  # called by machine.Timer with the timer: handler(timer)
        if self._board is not None:
            self._board.set_alarm(handler)
            self.fire = handler

    def arm_at(self, deadline):
        """One-shot alarm at ticks_us() == deadline (one already past: at
        once), as a hard IRQ.  ISR-safe: the alarm handler re-arms from
        inside its own interrupt."""
        d = self.ticks_diff(deadline, self.ticks_us())
        self._timer.init(mode=0, period=d if d > 0 else 1, tick_hz=1000000,  # 0: Timer.ONE_SHOT
                         callback=self._cb, hard=True)

    def disarm(self):
        self._timer.deinit()

    def watchdog(self, timeout_ms):
        """machine.WDT: once started it cannot be stopped (rp2: <= 8388 ms)."""
        return self.machine.WDT(timeout=timeout_ms)

    def _ipoll_sleep(self, cell):
        self._io.cell = cell
        for _ in self._ipoll(-1):  # ipoll reuses its result tuple: no allocation
            break

    # -- streams (pollen.stream) ----------------------------------------------
    # While a stream is watched, `wait` is wait_streams: one ipoll on the cell
    # and the streams.  Otherwise it is the plain sleep above, untouched: a
    # program that watches no stream pays nothing for streams when idle.
    # _streams: {obj: waker} of the watches now active.  A stream poller of
    # its own (_spoll) keeps every object it has seen registered -- mask 0
    # while nobody waits on it -- because select.poll allocates an entry per
    # register() of a new object and drops it on unregister(): re-watching a
    # known object only changes its mask, which allocates nothing.

    def watch(self, obj, mask, waker):
        """Task context.  From now on the idle sleep also waits for `obj` (a
        stream select.poll accepts) to be ready for `mask` (POLLIN 1, POLLOUT
        4); then it wakes `waker` -- from inside wait(), task context -- and
        stops watching obj (one-shot).  Watching obj again replaces its mask
        and waker.  Allocates on the first watch of an object (the poller's
        entry; the poller itself on the first watch ever), never after."""
        s = self._streams
        if s is None:
            s = self._streams = {}
            p = self._spoll = self._select.poll()
            p.register(_cell_io(self), 1)  # POLLIN: the cell
            self._sipoll = p.ipoll
            self._wait_streams = self.wait_streams  # bound once: swapping allocates nothing
        s[obj] = waker
        self._spoll.register(obj, mask)  # a known obj: changes its mask in place
        self.wait = self._wait_streams

    def uart_irq(self, uart, handler):
        """Task context, once per Stream: make `handler` machine.UART `uart`'s
        hard IRQ handler for what a Stream's reader and writer wait for, and
        return the irq object's flags (a bound method: flags() is ISR-safe,
        a small int).  Allocates here, never per interrupt.

        The triggers: IRQ_RXIDLE (the receive timeout: the line went quiet
        with bytes in the RX FIFO), IRQ_TXIDLE (the txbuf went empty), and
        the RX FIFO level (RXMIS, 0x10): rp2's machine_uart.c calls the
        handler for it too when it is in the trigger, but irq(trigger=)
        refuses it (not in MP_UART_ALLOWED_FLAGS) while irq().trigger()
        takes any value.  With IRQ_RXIDLE set the driver raises the RX level
        to 24 bytes; the board module, where it can (port_rp2), puts it back
        to 4, the level the driver uses without a trigger: the first bytes
        of a line then wake the reader, not only the line's end."""
        rx = uart.IRQ_RXIDLE
        tx = uart.IRQ_TXIDLE
        irq = uart.irq(handler=handler, trigger=rx | tx, hard=True)
        irq.trigger(rx | tx | 0x10)
        level = getattr(self._bmod, "uart_rx_level", None)
        if level is not None:
            level(uart)
        return irq.flags

    def unwatch(self, obj):
        """Task context: forget obj's watch, if any (a cancelled wait's close())."""
        s = self._streams
        if s and s.pop(obj, None) is not None:
            self._spoll.modify(obj, 0)  # stays registered: the next watch allocates nothing
            if not s:
                self.wait = self.sleep

    def wait_streams(self, cell):
        """The idle sleep while streams are watched: select.poll().ipoll(-1) on
        the cell's IOBase and every watched stream.  Returns when cell[0] is
        set or a stream is ready, after waking (wake_by_ref) and forgetting
        each stream that is.  Executor context; allocates nothing in the
        steady state."""
        io = self._io
        io.cell = cell
        s = self._streams
        p = self._spoll
        stale = None
        for obj, ev in self._sipoll(-1):  # ipoll reuses its result tuple: no allocation
            if obj is io:
                continue
            w = s.pop(obj, None)
            if w is None:  # nobody waits, yet it reports (POLLERR/POLLHUP ignore the mask)
                stale = obj
                continue
            p.modify(obj, 0)  # not unregister: that would re-allocate on the next watch
            w.wake_by_ref()
        if stale is not None:
            p.unregister(stale)  # after the loop: the iteration walks the poller's table
        if io.due is not None and io.due():  # a board alarm: its handler runs here
            self.alarm[0] = 0
            self.fire(0)
        if not s:
            self.wait = self.sleep


def board_port():
    """A MachinePort on the running board, or None on a host without machine."""
    try:  # u: the built-ins themselves, with no search of sys.path (port.py)
        import umachine as machine
        import utime as time
        import uselect as select
    except ImportError:
        return None
    if not hasattr(machine, "Timer") or not hasattr(machine, "Pin"):
        return None
    try:
        machine.Timer(-1)
    except Exception:
        return None
    try:  # report bugs in our interrupt handlers instead of silently disabling the IRQ
        import micropython
        micropython.alloc_emergency_exception_buf(100)
    except (ImportError, AttributeError):
        pass
    import sys
    if sys.platform == "rp2":  # WFI in machine code, hardware alarm 0 as the idle wake-up
        from . import port_rp2 as b
        return MachinePort(machine, time, select, b, b.claim_alarm())
    return MachinePort(machine, time, select)
