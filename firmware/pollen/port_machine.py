"""The board port: the only code that touches machine, time and select.

It is written against the modules it is handed, so the simulated board runs
this very code with its own `machine`, `time` and `select` (boards/sim).

Sleeping: wait(flag) parks the CPU in select.poll().ipoll(-1) on an
io.IOBase object whose ioctl reports the flag -- MicroPython asyncio's
ThreadSafeFlag pattern.  poll checks the flag before it sleeps, and a hard
IRQ ends the sleep, so an interrupt that lands between "nothing is ready"
and the sleep is never lost; and the CPU is not woken every millisecond as a
machine.idle() loop would be.

Time: one machine.Timer, one-shot, at 1 MHz, serves every sleep
(pollen.timer multiplexes it).
"""

try:
    import io as _io
    _IOBase = _io.IOBase
except ImportError:
    _IOBase = object


class _FlagIO(_IOBase):
    """What select.poll watches: readable while the current flag is set."""

    def __init__(self):
        self.flag = None

    def ioctl(self, req, arg):
        f = self.flag
        if req == 3 and f is not None and f._n != f._seen:  # MP_STREAM_POLL
            return arg & 1  # POLLIN
        return 0


class MachinePort:
    def __init__(self, machine, time, select):
        self.machine = machine
        self.Pin = machine.Pin
        self.ticks_us = time.ticks_us
        self.ticks_ms = time.ticks_ms
        self.ticks_diff = time.ticks_diff
        self.ticks_add = time.ticks_add
        self.TICKS_PERIOD = 1 << 30
        self.irq_off = machine.disable_irq
        self.irq_on = machine.enable_irq
        self._io = _FlagIO()
        self._poller = select.poll()
        self._poller.register(self._io, 1)  # POLLIN
        self._ipoll = self._poller.ipoll
        self._timer = machine.Timer(-1)
        self._handler = None
        self._cb = self._on_alarm  # bound once: the IRQ allocates nothing

    def _on_alarm(self, timer):
        self._handler()

    def set_alarm(self, handler):
        self._handler = handler

    def arm(self, delay_us):
        """One-shot alarm in delay_us microseconds, as a hard IRQ.  ISR-safe:
        the alarm handler re-arms from inside its own interrupt."""
        self._timer.init(mode=0, period=delay_us, tick_hz=1000000,  # 0: Timer.ONE_SHOT
                         callback=self._cb, hard=True)

    def disarm(self):
        self._timer.deinit()

    def watchdog(self, timeout_ms):
        """machine.WDT: once started it cannot be stopped (rp2: <= 8388 ms)."""
        return self.machine.WDT(timeout=timeout_ms)

    def wait(self, flag):
        self._io.flag = flag
        for _ in self._ipoll(-1):  # ipoll reuses its result tuple: no allocation
            break


def board_port():
    """A MachinePort on the running board, or None on a host without machine."""
    try:
        import machine
        import time
        import select
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
    return MachinePort(machine, time, select)
