"""The host port: real time on CPython or the unix MicroPython.

For running pollen where there is no board and no simulator: block_on with
threads, benchmarks, and the demo apps on the unix port (as on the pty board
the deploy tool is tested against).  Its pins are pins nothing is wired to:
inputs read their pull level and never interrupt; outputs keep their value.
There are no interrupts here, so wait() sleeps in short naps (0.5 ms) until
the flag is set or the alarm is due, and runs the alarm handler itself --
like the unix port's own 1 ms poll.
"""

import time

try:
    _now_us = time.ticks_us  # MicroPython
    _sleep_us = time.sleep_us
except AttributeError:  # CPython
    def _now_us():
        return time.monotonic_ns() // 1000

    def _sleep_us(us):
        time.sleep(us / 1e6)

from .ticks import PERIOD, ticks_add, ticks_diff

_MASK = PERIOD - 1


class UnwiredPin:
    """machine.Pin's API for a pin with nothing attached."""

    IN = 0
    OUT = 1
    OPEN_DRAIN = 2
    PULL_UP = 1
    PULL_DOWN = 2
    IRQ_FALLING = 4
    IRQ_RISING = 8

    def __init__(self, id, mode=-1, pull=-1, value=None):
        self.id = id
        self.mode = 0 if mode == -1 else mode
        self.pull = None if pull == -1 else pull
        self.out = 1 if value else 0

    def value(self, v=None):
        if v is None:
            if self.mode == 1:
                return self.out
            return 1 if self.pull == 1 else 0
        self.out = 1 if v else 0

    def irq(self, handler=None, trigger=12, hard=False):
        return None  # nothing is wired: no edge will ever come

    def __repr__(self):
        return "Pin(%r)" % (self.id,)


class HostPort:
    TICKS_PERIOD = PERIOD
    Pin = UnwiredPin
    NAP_US = 500

    def __init__(self):
        self._handler = None
        self._due = None
        self.ticks_diff = ticks_diff
        self.ticks_add = ticks_add

    def ticks_us(self):
        return _now_us() & _MASK

    def ticks_ms(self):
        return (_now_us() // 1000) & _MASK

    def set_alarm(self, handler):
        self._handler = handler

    def arm(self, delay_us):
        self._due = ticks_add(self.ticks_us(), max(1, delay_us))

    def disarm(self):
        self._due = None

    def watchdog(self, timeout_ms):
        raise OSError("the host port has no watchdog: use a board or the simulated board")

    def irq_off(self):
        return 0

    def irq_on(self, state):
        pass

    def wait(self, flag):
        while not flag.is_set():
            due = self._due
            if due is not None:
                left = ticks_diff(due, self.ticks_us())
                if left <= 0:
                    self._due = None
                    self._handler()
                    continue
                _sleep_us(min(left, self.NAP_US))
            else:
                _sleep_us(self.NAP_US)
