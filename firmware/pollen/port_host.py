"""The host port: real time on CPython or the unix MicroPython.

For running pollen where there is no board and no simulator: block_on with
threads, benchmarks, and the demo apps on the unix port (as on the pty board
the deploy tool is tested against).  Its pins are pins nothing is wired to:
inputs read their pull level and never interrupt; outputs keep their value.
There are no interrupts here, so wait() sleeps in short naps (0.5 ms) until
the flag is set or the alarm is due, and runs the alarm handler itself --
like the unix port's own 1 ms poll.

Its clock wraps as a 32-bit board's: ticks at 2**30, the tick arithmetic
below in pure Python.  The simulated board uses it too, so wrap-around
happens on the host exactly as on a Pico.
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

PERIOD = 1 << 30
_MASK = PERIOD - 1
_HALF = PERIOD >> 1


def ticks_diff(a, b):
    """Signed difference a - b, in [-2**29, 2**29)."""
    return ((a - b + _HALF) & _MASK) - _HALF


def ticks_add(t, delta):
    """t + delta on the wrapping clock.  |delta| must be below 2**29, like
    MicroPython's, which raises the same OverflowError."""
    if not -_HALF <= delta < _HALF:
        raise OverflowError("ticks interval overflow")
    return (t + delta) & _MASK


_MICROPYTHON = hasattr(time, "ticks_us")


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

    def on(self):
        self.out = 1

    def off(self):
        self.out = 0

    def toggle(self):
        self.out ^= 1

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

    def arm_at(self, deadline):
        now = self.ticks_us()
        self._due = ticks_add(now, max(1, ticks_diff(deadline, now)))

    def disarm(self):
        self._due = None

    def watchdog(self, timeout_ms):
        raise OSError("the host port has no watchdog: use a board or the simulated board")

    def irq_off(self):
        return 0

    def irq_on(self, state):
        pass

    def wait(self, cell):
        """Nap until cell[0] is set, running the alarm's handler when it is due."""
        self._naps(cell, False)

    def _naps(self, cell, streams):
        # the one nap loop of wait() and wait_streams()
        while not cell[0]:
            due = self._due
            nap = self.NAP_US
            if due is not None:
                left = ticks_diff(due, self.ticks_us())
                if left <= 0:
                    self._due = None
                    self._handler()
                    continue
                nap = min(left, nap)
            if not streams:
                _sleep_us(nap)
            elif self._look(nap):
                return

    # -- streams (pollen.stream) ----------------------------------------------
    # While a stream is watched, `wait` is wait_streams: the same naps, with
    # the streams looked at around each one.  Where the streams are asked:
    # MicroPython's select.poll takes them all (fds, and io.IOBase objects
    # through their ioctl).  CPython's takes only objects with a file
    # descriptor (fileno(): pipes, sockets, files), and reports fds, not
    # objects; an object with an ioctl() method (the MicroPython IOBase idiom)
    # is asked ioctl(MP_STREAM_POLL, mask) by this port before each nap.  On
    # CPython the nap itself is the poll (it ends early when an fd is ready);
    # on MicroPython it is poll(0) and a sleep, as poll's timeout is whole ms.
    # Host code: this allocates freely.

    _streams = None  # {obj: [mask, waker, key]}; key: what the poller knows obj by

    def watch(self, obj, mask, waker):
        """As MachinePort.watch: the idle sleep also waits for obj to be ready
        for mask, then wakes waker (task context, inside wait) and forgets obj."""
        s = self._streams
        if s is None:
            import select
            s = self._streams = {}
            self._spoll = select.poll()
            self._keys = {}  # poller key (CPython: fd) -> obj
            self._wait_idle = self.wait
            self._wait_streams = self.wait_streams
        e = s.get(obj)
        if e is not None:
            e[0] = mask
            e[1] = waker
            if e[2] is not None:
                self._spoll.register(e[2], mask)  # registered: changes its mask
        else:
            key = obj
            if not _MICROPYTHON:
                if hasattr(obj, "ioctl"):
                    key = None  # asked by ioctl before each nap
                elif not isinstance(obj, int):
                    key = obj.fileno()
            if key is not None:
                self._spoll.register(key, mask)
                self._keys[key] = obj
            s[obj] = [mask, waker, key]
        self.wait = self._wait_streams

    def unwatch(self, obj):
        s = self._streams
        e = s.pop(obj, None) if s else None
        if e is not None:
            if e[2] is not None:
                self._spoll.unregister(e[2])
                del self._keys[e[2]]
            if not s:
                self.wait = self._wait_idle

    def _fire(self, obj):
        e = self._streams.get(obj)
        if e is not None:
            waker = e[1]
            self.unwatch(obj)
            waker.wake_by_ref()

    def _look(self, us):
        """Ask the streams, waiting up to `us` for one; True if one was ready
        (its waiter is woken)."""
        fired = False
        for obj, e in list(self._streams.items()):
            if e[2] is None and obj.ioctl(3, e[0]):  # MP_STREAM_POLL
                self._fire(obj)
                fired = True
        if fired:
            us = 0
        if _MICROPYTHON:
            ready = self._spoll.poll(0)
        else:
            ready = self._spoll.poll(us / 1000)  # ms; fractions allowed
            us = 0
        for key, ev in ready:
            obj = self._keys.get(key)
            if obj is not None:
                self._fire(obj)
                fired = True
        if not fired and us:
            _sleep_us(us)
        return fired

    def wait_streams(self, cell):
        """wait(cell), looking at the watched streams around every nap."""
        self._naps(cell, True)
