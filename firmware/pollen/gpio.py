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

A board may bring its own handler with the same contract (port.edge_isr):
the RP2040's reads the timer and the GPIO input register directly, in
viper (port_rp2).  This file's _on_edge is the portable one, which the
simulated board and every other port run.
"""


from .port import array  # the built-in, with no search of sys.path

from . import port as _port
from .future import _STOP, CURRENT, Leaf, _viper, bind, stop_iteration

try:
    from micropython import const
except ImportError:  # CPython: the field indices below are plain globals
    def const(x):
        return x

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


# Input state the IRQ handler shares with the task side: one array('i') per
# Input, so the RP2040's handler (port_rp2.EdgeISR, viper) reaches it with
# plain loads and stores.  Keep in step with port_rp2.EdgeISR.isr and
# leaves_viper.  Private const()s: MicroPython's compiler puts the number in
# the code, so an index costs neither a global lookup (in the IRQ handler
# too) nor a name in RAM.
_LAST = const(0)     # ticks_us of the latest edge, waited for or not   (IRQ writes)
_WANT = const(1)     # edge mask of the active wait, 0: none            (task writes)
_HIT = const(2)      # 1 once a wanted edge came                        (IRQ sets, task clears)
_EDGE_US = const(3)  # ticks_us / ticks_ms of that edge                  (IRQ writes)
_EDGE_MS = const(4)
_LEVEL = const(5)    # the pin's level right after it                    (IRQ writes)
_GPIO = const(6)     # the pin's GPIO number (-1: unknown), for a handler that reads SIO
_INDEX = const(7)    # where the fast wake stores: cell[_INDEX] = 1, cell[_LOOK] = 1
_LOOK = const(8)
_ACTIVE = const(9)   # 1 while a task waits (task side only)
# 10..12: a board handler's raw timer words, when it leaves _EDGE_MS at -1
# for port.edge_ms(st) to work out on the task side (port_rp2)
_CELL = const(13)    # the wake cell's address, for a board handler that sets _EdgeWait.addr
_FIELDS = const(14)


class _EdgeWait(Leaf):
    """The Input's one wait object.  It also holds the waiting task's waker
    and its fast-wake cell: fields the task side stores on every wait, kept
    off the Input, whose properties make every store to it look the class
    up first (a MicroPython instance with descriptors: tens of us per store
    on an RP2040).  The IRQ reads waker and cell only while _WANT is set: a
    wait that completed leaves them to be overwritten by the next one (close()
    clears them)."""

    def __init__(self, inp):
        self.inp = inp
        self.st = inp._st
        self.mask = 0
        self.level = -1      # for level waits: ready at once if the pin is at it
        self.waker = None    # the waiting task's waker
        self.cell = None     # its fast-wake cell (future.Waker), or None: wake through waker
        self.addr = None     # addressof(buffer), set by a board handler that wants st[_CELL]
        bind(self, "__next__")  # (future.bind: the edge -> task path resumes it)

    def __next__(self):
        # The resume after the edge -- the one step between the interrupt and
        # the task's next line -- in one frame, touching only the state array
        # (leaves_viper.edge_next: the same in viper, where it can run).
        st = self.st
        if st[_HIT]:  # set only while a wait is active
            st[_WANT] = 0  # first: the IRQ stops recording
            st[_HIT] = 0
            st[_ACTIVE] = 0
            _STOP.__traceback__ = None  # the shared StopIteration: no allocation
            raise _STOP
        return self.pending()

    if _viper is not None:  # the same in machine code (pollen.port.twin)
        __next__ = _viper.edge_next

    __iter__ = Leaf.__await__  # found here, not in the base class: looked up on every await

    def pending(self):
        """No wanted edge yet (both twins of __next__ come here): the first
        resume arms the wait -- done at once if a level it waits for already
        holds -- and every resume registers the task's waker.  None: pending."""
        cx = CURRENT.cx
        st = self.st
        if not st[_ACTIVE]:
            if st[_WANT]:
                raise RuntimeError("%r already has a task waiting on it; one waiter per Input"
                                   % (self.inp.pin,))
            st[_ACTIVE] = 1
            st[_HIT] = 0
            self._register(cx.waker())
            st[_WANT] = self.mask  # from here on the IRQ records matching edges
            inp = self.inp
            if self.level >= 0 and inp.pin.value() == self.level:  # look after arming
                st[_LEVEL] = self.level
                st[_EDGE_US] = inp._ticks_us()
                st[_EDGE_MS] = inp._ticks_ms()
                self.close()
                stop_iteration()
            return None
        self._register(cx.waker())
        return None

    def _register(self, w):
        """Task side: the waker the IRQ wakes, resolved once here (future.Waker)."""
        self.waker = w
        c = w.cell
        st = self.st
        if c is not None:
            st[_INDEX] = w.index
            st[_LOOK] = len(c) - 1
            a = self.addr
            st[_CELL] = a(c) if a is not None else 0
        else:
            st[_CELL] = 0
        self.cell = c

    def close(self):
        st = self.st
        st[_WANT] = 0  # first: the IRQ stops recording
        st[_HIT] = 0
        st[_ACTIVE] = 0
        self.waker = None
        self.cell = None


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
        st = self._st = array("i", [0] * _FIELDS)
        st[_GPIO] = pin if isinstance(pin, int) else -1
        st[_LEVEL] = self.pin.value()
        st[_LAST] = self._ticks_us()
        self._wait = _EdgeWait(self)
        fast = getattr(port, "edge_isr", None)  # the board's own handler (port_rp2), same contract
        # bound once: the IRQ allocates nothing
        self._isr = self._on_edge if fast is None or st[_GPIO] < 0 else fast(self)
        self.pin.irq(self._isr, Pin.IRQ_FALLING | Pin.IRQ_RISING, hard=True)

    # What the IRQ recorded (task side: read after a wait completes)
    @property
    def edge_us(self):
        """ticks_us of the edge that completed the last wait, taken in the IRQ."""
        return self._st[_EDGE_US]

    @property
    def edge_ms(self):
        """ticks_ms of that edge, taken in the IRQ."""
        st = self._st
        ms = st[_EDGE_MS]
        if ms < 0:  # the board's handler kept the raw time: worked out here, once
            ms = st[_EDGE_MS] = self.port.edge_ms(st)
        return ms

    @property
    def level(self):
        """The pin's level right after that edge."""
        return self._st[_LEVEL]

    @property
    def last_edge_us(self):
        """ticks_us of the latest edge the IRQ saw, waited for or not."""
        return self._st[_LAST]

    def _on_edge(self, pin):
        """Hard IRQ handler.  ISR-safe: no allocation.  Every line here is
        paid between the edge and the task (a few us each on an RP2040,
        where port_rp2.EdgeISR does the same in viper)."""
        st = self._st
        t = self._ticks_us()
        st[_LAST] = t
        want = st[_WANT]
        if want and not st[_HIT]:
            level = pin.value()
            if want & (8 if level else 4):  # RISING if level else FALLING
                st[_EDGE_US] = t
                st[_EDGE_MS] = self._ticks_ms()
                st[_LEVEL] = level
                st[_HIT] = 1
                w = self._wait
                c = w.cell
                if c is None:
                    w.waker.wake_by_ref()  # set before _WANT: never None here
                else:  # the fast wake (future.Waker): ready[slot] = 1, look byte = 1
                    c[st[_INDEX]] = 1
                    c[st[_LOOK]] = 1

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
