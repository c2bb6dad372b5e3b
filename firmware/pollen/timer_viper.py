"""The timer's hot steps in viper: the sleep's registration and resume, and
the alarm's handler for a board alarm that runs it in task context.

  sleep_next  timer._Sleep.__next__: `await sleep_ms(n)` registers its node
              (TimerQueue.add) and, once the alarm has fired, completes.
              Anything else -- sleep_until, a sleep past MAX_CHUNK_US, a
              full queue, a task already asleep, a wait polled through
              another context -- goes to the portable twin (_Sleep.slow).
  on_due      TimerQueue._on_alarm, installed as the handler of a board alarm
              (port_rp2, whose handler runs in task context: between the
              executor's polls and in its idle wait).  The machine.Timer's
              hard IRQ keeps the bytecode handler: there a viper method
              measured no faster (docs/BENCHMARKS.md).

Machine code for the board's CPU, compiled and frozen as leaves_viper is;
timer.py takes it through pollen.port.twin().  Allocates nothing; task side
only (on_due: also from an ISR-free board alarm).
"""
# mpy-cross: requires native

import sys

if sys.implementation.name != "micropython":  # (a CPython may have a module of that name)
    raise ImportError("viper needs MicroPython")

import micropython  # noqa: E402
from micropython import const

from .future import _STOP, CURRENT

_PKG = __name__.rpartition(".")[0]
_TM = sys.modules[_PKG + ".timer"]  # the modules, not names: _queue and _port change
_PORT = sys.modules[_PKG + ".port"]  # (timer is mid-import here: it imports this last)
_NONE = None  # (viper stores a literal None as the int 0)

_MAX_CHUNK_US = const(0x10000000)  # timer.MAX_CHUNK_US
_END = const(0xFFFF)  # a node index read from NEXT/HEAD: -1 (the end) masked to 16 bits
_MASK = const(0x3FFFFFFF)
_HALF = const(0x20000000)
# TimerQueue's buffers (timer.py): _ints = HEAD, EXPIRIES, CAPACITY, deadline[cap],
# next[cap]; _bits = fired[cap], linked[cap], used[cap].  Deadlines are 30-bit
# ticks: a is due by b (ticks_diff(a, b) <= 0) when (b - a) & _MASK < _HALF, the
# same on a 32-bit chip and a 64-bit host, where ptr32 reads are not
# sign-extended (so -1 is read as 0xFFFFFFFF: _END once masked).


@micropython.viper
def sleep_next(self):
    cx = CURRENT.cx
    q = _TM._queue
    a = int(self.armed)
    if a:  # the first resume after sleep_ms/sleep_us(): register
        if a != 1 or int(cx.timer) >= 0 or q is _NONE or not (q.port is _PORT._port):
            return self.slow()  # sleep_until, a long or a second sleep, a new queue
        us = int(self.us)
        if us <= 0 or us > _MAX_CHUNK_US:
            return self.slow()
        ints = ptr32(q._ints)
        bits = ptr8(q._bits)
        cap = ints[2]
        used = 2 * cap
        n = 0
        while n < cap:
            if bits[used + n] == 0:
                break
            n += 1
        if n == cap:
            return self.slow()  # raises "all timer slots are in use"
        self.armed = 0
        w = cx._waker
        if cx.counting:
            w = cx.waker()  # debug mode counts the calls
        port = q.port
        deadline = (int(port.ticks_us()) + us) & _MASK
        bits[used + n] = 1  # TimerQueue.add, then _set (a free node's _left and fired are 0)
        q._waker[n] = w
        nxt = 3 + cap  # ints[nxt + i]: node i's next; ints[3 + i]: its deadline
        ints[3 + n] = deadline
        masked = q._masked
        s = 0
        if masked:
            s = int(port.irq_off())
        prev = _END
        c = int(ints[0]) & _END
        while c != _END:  # after every node due no later than this one
            if ((deadline - ints[3 + c]) & _MASK) >= _HALF:
                break
            prev = c
            c = int(ints[nxt + c]) & _END
        if c == _END:
            ints[nxt + n] = -1
        else:
            ints[nxt + n] = c
        bits[cap + n] = 1  # linked
        if prev == _END:
            ints[0] = n
            port.arm_at(deadline)
        else:
            ints[nxt + prev] = n
        if masked:
            port.irq_on(s)
        cx.timer = n
        return _NONE
    n = int(cx.timer)
    if n >= 0 and not (q is _NONE):
        bits = ptr8(q._bits)
        if bits[n] and not q._left[n]:  # fired: the usual resume, _Sleep.__next__'s
            q._waker[n] = _NONE
            bits[n] = 0
            bits[2 * int(ptr32(q._ints)[2]) + n] = 0  # used
            cx.timer = -1
            raise _STOP
    return self.slow()


@micropython.viper
def on_due(self, _arg):
    port = self.port
    now = int(port.ticks_us())
    ints = ptr32(self._ints)
    bits = ptr8(self._bits)
    cap = ints[2]
    nxt = 3 + cap
    ws = self._waker
    n = int(ints[0]) & _END
    k = 0
    while n != _END:
        if ((now - ints[3 + n]) & _MASK) >= _HALF:
            break  # not due yet
        h = int(ints[nxt + n]) & _END
        if h == _END:
            ints[0] = -1
        else:
            ints[0] = h
        ints[nxt + n] = -1
        bits[cap + n] = 0  # linked
        bits[n] = 1  # fired
        k += 1
        w = ws[n]
        c = w.cell
        if c is _NONE:
            w.wake_by_ref()
        else:  # the fast wake (future.Waker): ready[slot] = 1, look byte = 1
            p = ptr8(c)
            p[int(w.index)] = 1
            p[int(len(c)) - 1] = 1
        n = h
    ints[1] = (ints[1] + k) & _MASK  # EXPIRIES
    if n != _END:
        port.arm_at(ints[3 + n])
