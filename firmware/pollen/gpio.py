"""Pins: interrupt-driven edge and level waits.

Input installs one hard IRQ handler on its pin (both edges) in __init__.
The handler -- _on_edge, ISR-safe: no allocation -- reads the level and
ticks, and only if a wait is active and wants that edge does it store the
timestamp and wake the waiting task.  So an edge before a wait began never
satisfies it, and a wait that is cancelled (its close() runs under select,
with_timeout or Task.cancel) leaves nothing behind.

One task waits on an Input at a time; each wait_for_*() hands back the
Input's one preallocated wait object, so awaiting allocates nothing.  The
awaits complete with None; the edge's time is on the Input afterwards:
`edge_us` / `edge_ms` (ticks of the edge, taken in the IRQ -- not when the
task noticed) and `level` (the level right after it).
"""

# mpy-cross: -X emit=native

from . import port as _port
from .future import _STOP, CURRENT, PENDING, Future

FALLING = 4  # machine.Pin.IRQ_FALLING on rp2
RISING = 8   # machine.Pin.IRQ_RISING
ANY = FALLING | RISING

_claimed = {}  # pin name -> owner, per port: two drivers on one pin is a bug


def claim(port, pin, owner):
    """Register `owner` as the user of `pin` (as the app names it); a clear
    error if another pollen object has it."""
    key = (id(port), str(pin))
    other = _claimed.get(key)
    if other is not None and other is not owner:
        raise ValueError("%r is already used by %r; release() it first or pick another pin"
                         % (pin, other))
    _claimed[key] = owner


def unclaim(port, pin):
    _claimed.pop((id(port), str(pin)), None)


class _EdgeWait(Future):
    def __init__(self, inp):
        self.inp = inp
        self.mask = 0
        self.level = -1      # for level waits: ready at once if the pin is at it
        self.active = False

    def __next__(self):
        # The resume after the edge -- the one step between the interrupt and
        # the task's next line -- in one frame: no poll(), no close() call.
        inp = self.inp
        if self.active and inp._hit:
            inp._want = 0  # first: the IRQ stops recording
            inp._hit = 0
            inp._waker = None
            self.active = False
            _STOP.__traceback__ = None  # the shared StopIteration: no allocation
            raise _STOP
        return Future.__next__(self)

    __iter__ = Future.__await__  # found here, not in the base class: looked up on every await

    def poll(self, cx):
        inp = self.inp
        if not self.active:
            if inp._want:
                raise RuntimeError("%r already has a task waiting on it; one waiter per Input"
                                   % (inp.pin,))
            self.active = True
            inp._hit = 0
            inp._waker = cx.waker()
            inp._want = self.mask  # from here on the IRQ records matching edges
            if self.level >= 0 and inp.pin.value() == self.level:  # look after arming
                inp.level = self.level
                inp.edge_us = inp._ticks_us()
                inp.edge_ms = inp._ticks_ms()
                self.close()
                return None
            return PENDING
        if inp._hit:
            self.close()
            return None
        inp._waker = cx.waker()
        return PENDING

    def close(self):
        inp = self.inp
        inp._want = 0  # first: the IRQ stops recording
        inp._hit = 0
        inp._waker = None
        self.active = False


class Input:
    """A GPIO input.  pull: None, "up" or "down" (or a Pin.PULL_* value)."""

    def __init__(self, pin, pull=None, port=None):
        port = port if port is not None else _port.current()
        Pin = port.Pin
        if pull == "up":
            pull = Pin.PULL_UP
        elif pull == "down":
            pull = Pin.PULL_DOWN
        claim(port, pin, self)
        self.pin = Pin(pin, Pin.IN, pull)
        self.port = port
        self.name = pin
        self._ticks_us = port.ticks_us
        self._ticks_ms = port.ticks_ms
        self._want = 0
        self._hit = 0
        self._waker = None
        self.edge_us = 0
        self.edge_ms = 0
        self.level = self.pin.value()
        self.last_edge_us = self._ticks_us()  # ticks_us of the latest edge, waited for or not
        self._wait = _EdgeWait(self)
        self._isr = self._on_edge  # bound once: the IRQ allocates nothing
        self.pin.irq(self._isr, Pin.IRQ_FALLING | Pin.IRQ_RISING, hard=True)

    def _on_edge(self, pin):
        """Hard IRQ handler.  ISR-safe: no allocation.  Every line here is
        paid between the edge and the task (a few us each on an RP2040)."""
        t = self._ticks_us()
        self.last_edge_us = t
        want = self._want
        if want and not self._hit:
            level = pin.value()
            if want & (8 if level else 4):  # RISING if level else FALLING
                self.edge_us = t
                self.edge_ms = self._ticks_ms()
                self.level = level
                self._hit = 1
                w = self._waker  # set before _want: never None here
                c = w.cell
                if c is None:
                    w.wake_by_ref()
                else:  # the fast wake (waker.py): ready[slot] = 1, look byte = 1
                    c[w.index] = 1
                    c[-1] = 1

    def value(self):
        return self.pin.value()

    def _arm(self, mask, level):
        w = self._wait
        w.mask = mask
        w.level = level
        return w

    def wait_for_falling_edge(self):
        return self._arm(FALLING, -1)

    def wait_for_rising_edge(self):
        return self._arm(RISING, -1)

    def wait_for_any_edge(self):
        return self._arm(ANY, -1)

    def wait_for_low(self):
        """Ready at once if the pin is low; else at the next falling edge."""
        return self._arm(FALLING, 0)

    def wait_for_high(self):
        """Ready at once if the pin is high; else at the next rising edge."""
        return self._arm(RISING, 1)

    def release(self):
        """Stop the IRQ and give the pin back."""
        self._wait.close()
        self.pin.irq(None)
        unclaim(self.port, self.name)

    def __repr__(self):
        return "<Input %r>" % (self.pin,)


class Output:
    """A GPIO output (an LED): on(), off(), toggle(), value().

    on/off/toggle are the pin's own methods, bound once here: calling them
    costs no Python frame (toggle() is the last step of many a wake)."""

    def __init__(self, pin, value=0, port=None):
        port = port if port is not None else _port.current()
        Pin = port.Pin
        claim(port, pin, self)
        p = self.pin = Pin(pin, Pin.OUT, value=value)
        self.on = p.on
        self.off = p.off
        self.toggle = p.toggle
        self.port = port
        self.name = pin

    def value(self, v=None):
        """The level it drives (read back from the pin), or set it."""
        if v is None:
            return self.pin.value()
        self.pin.value(1 if v else 0)

    def release(self):
        unclaim(self.port, self.name)
