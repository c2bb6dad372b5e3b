"""The viper source of loop_viper and leaves_viper, as strings.

Each of those modules compiles its string at import (exec, with this
interpreter's native emitter: so every file here builds with plain
mpy-cross) and then drops this module, whose strings would otherwise stay
in RAM as long as a module that holds them as constants -- about 8 KB.
"""

LOOP = """
from micropython import const
_I = const(0)       # state[]: round-robin position among yielded tasks
_LAST = const(1)    # the task polled last
_POLLS = const(2)   # Executor.polls, as a small int
_K = const(3)       # the slot being polled (-1: none): which task ended, if _run() raises
_URGENT = const(4)  # 1: look for woken tasks first

@micropython.viper
def _run(ex, main, state) -> int:
    '''Poll tasks until one ends (raises out of here: StopIteration or its
    exception) or the loop must stop (returns 1).'''
    s = ptr32(state)
    rb = ptr8(ex._ready)
    coros = ex._coro
    cxs = ex._cx
    cap = int(ex._cap)  # rb[cap]: the look byte, set by every wake
    look = ex._look
    port = ex._port
    wfi = getattr(port, "wfi", _NONE)  # port_rp2.wfi_until on an RP2040
    alarm = getattr(port, "alarm", _NONE)  # a board alarm that only wakes the CPU (port_rp2)
    clock = 0  # the address of the word the microsecond counter's low bits are in
    if alarm is _NONE:
        alarm = _NOALARM
    else:
        clock = int(port.clock)
    al = ptr32(alarm)  # ARMED, DEADLINE (ticks_us)
    sleep = getattr(port, "sleep", _NONE)  # the port's own sleep: wait is it unless streams are watched
    pend = getattr(port, "run_pending", _NONE)
    cur = CURRENT
    resume = next  # next(coro): the generator's own iternext, no method lookup
    yld = YIELD  # globals read once: each read in the loop is a dictionary lookup
    none = _NONE
    debug = 0
    if not (ex._debug is _NONE and ex._tracer is _NONE):
        debug = 1
    i = s[_I]
    last = s[_LAST]
    urgent = s[_URGENT]
    before = 0
    k = 0
    while True:
        if al[0]:  # a board alarm: due once the counter passes DEADLINE (30-bit ticks_diff)
            if ((int(ptr32(clock)[0]) - al[1]) & 0x3FFFFFFF) < 0x20000000:
                al[0] = 0
                port.fire(0)  # TimerQueue's handler: wakes what is due, re-arms
        if rb[cap]:  # something was woken since we looked
            rb[cap] = 0
            urgent = 1
        if urgent:  # woken tasks first, in turn from the task polled last
            k = last + 1
            while k < cap:
                if rb[k] == 1:
                    break
                k += 1
            if k == cap:
                k = 0
                while k <= last:
                    if rb[k] == 1:
                        break
                    k += 1
                if k > last:
                    urgent = 0
        if not urgent:  # round robin over the yielded ones
            k = i + 1
            while k < cap:
                if rb[k] == 2:
                    break
                k += 1
            if k == cap:
                k = 0
                while k <= i:
                    if rb[k] == 2:
                        break
                    k += 1
                if k > i:  # nothing ready: sleep until a wake
                    ex.polls = s[_POLLS]
                    ex.idle_wakeups = (int(ex.idle_wakeups) + 1) & 0x3FFFFFFF
                    if not (wfi is _NONE) and port.wait is sleep:
                        while True:
                            if int(wfi(look, alarm)):  # one WFI, back after the first interrupt
                                break  # the alarm is due: fired at the top
                            if rb[cap]:
                                break  # the usual wake: straight to the task
                            if al[0]:
                                if ((int(ptr32(clock)[0]) - al[1]) & 0x3FFFFFFF) < 0x20000000:
                                    break
                            pend()  # a wake for someone else: run what the firmware has pending
                            if not (port.wait is sleep):
                                break  # (a callback watched a stream: port.wait's turn)
                        continue
                    port.wait(look)  # the port's own sleep (streams watched, no WFI)
                    continue
            i = k
        rb[k] = 0  # cleared before the poll: a wake during it is kept
        last = k
        cx = cxs[k]
        cur.cx = cx
        s[_POLLS] = (s[_POLLS] + 1) & 0x3FFFFFFF
        s[_I] = i
        s[_LAST] = last
        s[_URGENT] = urgent
        if debug:
            before = int(ex._before_poll(k, cx))  # (a tracer's exception ends the loop)
        s[_K] = k
        r = resume(coros[k])  # coros[k].send(None)
        s[_K] = -1  # not polling: an exception from here on is the loop's own
        if r is yld or rb[k]:
            # yielded, or woken during its own poll: ready again, behind the others
            rb[k] = 2
        elif (debug or not (r is none)) and ex._after_poll(k, r, cx, before, main):
            return 1
"""

LEAVES = """
from micropython import const
# gpio.py's state layout (keep in step): WANT, HIT, ACTIVE
_WANT = const(1)
_HIT = const(2)
_ACTIVE = const(9)


@micropython.viper
def iter_self(self):
    return self


@micropython.viper
def edge_next(self):
    st = ptr32(self.st)
    if st[_HIT]:  # set by the IRQ, only while a wait is active
        st[_WANT] = 0  # first: the IRQ stops recording
        st[_HIT] = 0
        st[_ACTIVE] = 0
        raise _STOP
    return self.pending()


@micropython.viper
def yield_now():
    ptr8(_ARMED)[0] = 1
    return _YIELD_NOW


@micropython.viper
def yield_next(self):
    armed = ptr8(self.armed)
    if armed[0]:  # the first resume after yield_now(): ready again, after the others
        armed[0] = 0
        return YIELD
    raise _STOP


@micropython.viper
def signal_next(self):
    s = self._s
    st = ptr32(s._st)  # [0]: set() count (ISR writes), [1]: the count consumed, [2]: a waker held
    n = st[0]
    if n == st[1]:  # nothing yet: register first, then look again
        cx = CURRENT.cx
        w = cx._waker
        if cx.counting:
            w = cx.waker()  # debug mode counts the calls
        if st[2]:  # a waker is held: ours (polled again) or another task's
            held = s._waker
            if not (held is w) and not held.will_wake(w):
                s._register(cx)  # raises the "already has a waiting task" error
        s._waker = w
        st[2] = 1
        n = st[0]
        if n == st[1]:
            return  # (None, with no global lookup: _NONE costs one)
    v = s  # (an object, to type v: the loop reads _v)
    while True:  # a seqlock against a preempting set(): _v is written before the count
        v = s._v
        m = st[0]
        if m == n:
            break
        n = m
    s.value = v
    st[1] = n
    if st[2]:
        st[2] = 0
        s._waker = _NONE  # (a bare None would be stored as the int 0 by viper)
    raise _STOP


@micropython.viper
def event_next(self):
    e = self._e
    st = ptr32(e._st)  # [0]: set count (ISR writes), [1]: cleared at, [2]: waiters
    cx = CURRENT.cx
    w = cx._waker
    if cx.counting:
        w = cx.waker()  # debug mode counts the calls
    ws = e._wakers
    nw = st[2]
    i = 0
    while i < nw:  # the waiters are the first st[2] slots (Event's docstring)
        if ws[i] is w:
            break
        i += 1
    if i == nw and nw:
        i = int(e._find(w))  # an equal waker that is another object (a clone)
        if i < 0:
            i = nw
    if i < nw:  # polled again: done if a set() came since we registered (st[3 + i])
        if st[0] != st[3 + i]:
            last = nw - 1  # Event._drop: the last waiter moves into the hole, the count shrinks last
            if i != last:
                st[3 + i] = st[3 + last]
                ws[i] = ws[last]
            ws[last] = _NONE
            st[2] = last
            raise _STOP
        ws[i] = w
        return  # (None, with no global lookup)
    n = st[0]
    if n != st[1]:
        raise _STOP  # already set
    if nw == int(e._size):
        e._add(w, n)  # raises the "no free waiter slot" error
    st[3 + nw] = n  # register first (Event._add), then look again
    ws[nw] = w
    st[2] = nw + 1
    if st[0] != n:
        ws[nw] = _NONE  # Event._drop of the last waiter
        st[2] = nw
        raise _STOP


@micropython.native
def signal_set(self, value=None):
    # native, not viper: viper cannot take a default argument (set() is set(None))
    self._v = value
    st = self._st
    st[0] = (st[0] + 1) & 0x3FFFFFFF  # published after the value
    w = self._waker  # held only while its wait is pending: the fast wake is safe
    if w is not None:
        c = w.cell
        if c is None:
            w.vtable.wake_by_ref(w.data)
        else:  # the fast wake (waker.py): ready[slot] = 1, look byte = 1
            c[w.index] = 1
            c[-1] = 1


@micropython.viper
def event_clear(self):
    st = ptr32(self._st)
    st[1] = st[0]


@micropython.viper
def event_set(self):
    st = ptr32(self._st)
    n = st[0]
    if n == st[1]:  # only a clear->set step counts: no wrap while set
        st[0] = (n + 1) & 0x3FFFFFFF
    ws = self._wakers
    i = st[2]
    none = _NONE  # (a global: looked up once, not per waiter)
    while i:
        i -= 1
        w = ws[i]
        if not (w is none):  # held only while its wait is pending: the fast wake is safe
            c = w.cell
            if c is none:
                w.wake_by_ref()
            else:  # the fast wake (waker.py): ready[slot] = 1, look byte = 1
                ptr8(c)[int(w.index)] = 1
                c[-1] = 1  # (the look byte is the last: no len(), a global and a builtin lookup)
"""


TIMER = """
from micropython import const
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
        else:  # the fast wake (waker.py): ready[slot] = 1, look byte = 1
            p = ptr8(c)
            p[int(w.index)] = 1
            p[int(len(c)) - 1] = 1
        n = h
    ints[1] = (ints[1] + k) & _MASK  # EXPIRIES
    if n != _END:
        port.arm_at(ints[3 + n])
"""


def forget():
    """Drop this module (its strings are garbage once compiled); the next
    import loads it again."""
    import sys
    sys.modules.pop(__name__, None)
    pkg = sys.modules.get(__name__.rpartition(".")[0])
    try:
        delattr(pkg, __name__.rpartition(".")[2])
    except (AttributeError, TypeError):
        pass
