"""Time: one hardware alarm serves every sleep, Ticker and timeout.

The TimerQueue keeps the deadlines (ticks_us) of every sleeping task in a
preallocated, sorted linked list of nodes and arms the port's one-shot alarm
for the earliest.  The alarm's handler (_on_alarm) unlinks every node that
is due, marks it fired, wakes its waker and re-arms for the next deadline.
It runs in the alarm's hard IRQ (machine.Timer), and then task-side changes
to the list happen with interrupts off; or, on an RP2040, in task context:
hardware alarm 0 only wakes the CPU, and the port's wait() and the executor
loop run the handler once its deadline has passed (port_rp2).

Limits: a single alarm wait covers at most MAX_CHUNK_US (2**28 us, about
268 s) -- the tick counter wraps at 2**30 and ticks_diff is only meaningful
within 2**29 -- so longer sleeps run as several chunks, invisibly.  The
queue holds `capacity` nodes (default 16): one per sleeping task, Ticker
and running with_timeout.

What allocates: nothing in the steady state.  sleep_ms()/sleep_us() hand
back one shared object (like MicroPython asyncio's sleep_ms): await it at
once, one sleep at a time per task.  Delay, Ticker and with_timeout live in
pollen.ticker and are loaded on first use (pollen.timer.Ticker works as
before): objects you make once and await many times; with_timeout
allocates its Delay and a select.
"""

from .port import array  # the built-in, with no search of sys.path

from . import port as _port
from .port import twin as _twin
from .future import _STOP, CURRENT, Leaf, bind, stop_iteration, wake_held

_viper = _twin("timer_viper")  # the machine-code twins (pollen.port.twin), or None

MAX_CHUNK_US = 1 << 28
MAX_SLEEP_MS = 24 * 3600 * 1000 * 49  # sleeps are chunked; this only rules out nonsense
_MAX_US = MAX_SLEEP_MS * 1000  # made once: beyond a small int on a 32-bit port (2**30)
_SMALL = 0x3FFFFFFF  # the largest small int on a 32-bit port: arithmetic below it allocates nothing


class TimerQueue:
    """The sleeping nodes, in two preallocated buffers (timer_viper reads
    them as memory, one buffer lookup each):
      _ints  array('i'): HEAD (first node, -1: none), EXPIRIES, CAPACITY,
             then each node's deadline (ticks_us), then each node's next (-1: end)
      _bits  bytearray: each node's fired, linked, used bytes
    _deadline, _next, _fired, _linked and _used are views of them."""

    def __init__(self, port, capacity=16):
        self.port = port
        self.capacity = capacity
        ints = self._ints = array("i", [-1, 0, capacity] + [0] * capacity + [-1] * capacity)
        v = memoryview(ints)
        self._deadline = v[3:3 + capacity]
        self._next = v[3 + capacity:]
        bits = self._bits = bytearray(3 * capacity)
        v = memoryview(bits)
        self._fired = v[:capacity]             # set by the alarm's handler
        self._linked = v[capacity:2 * capacity]  # 1 while in the sorted list
        self._used = v[2 * capacity:]
        self._waker = [None] * capacity
        self._left = [0] * capacity  # us still to sleep after this chunk
        # Does the alarm's handler run in an interrupt?  Then list changes
        # mask interrupts.  A board alarm (port.alarm, port_rp2) runs it in
        # task context, between polls: nothing to mask, two calls less a sleep
        self._masked = getattr(port, "alarm", None) is None
        # the bound method is made once, here; a board alarm's is the viper twin
        port.set_alarm(self._on_alarm if self._masked else self._on_due)

    @property
    def expiries(self):
        """Nodes the alarm has fired, mod 2**30."""
        return self._ints[1]

    def in_use(self):
        n = 0
        for u in self._used:
            n += u
        return n

    def add(self, deadline, waker, left=0):
        """Take a node for `deadline` (ticks_us) that wakes `waker`; `left` us
        more are slept after it in chunks.  Task context."""
        cap = self.capacity
        n = self._bits.find(b"\x00", 2 * cap)  # one C call, not a loop of subscripts
        if n < 0:
            raise RuntimeError(
                "all %d timer slots are in use (sleeping tasks, Tickers, timeouts); "
                "call pollen.timer.init(capacity=%d) before starting"
                % (cap, cap * 2))
        n -= 2 * cap
        self._used[n] = 1
        self._left[n] = left
        self._set(n, deadline, waker)
        return n

    def rearm(self, n, deadline, waker, left=0):
        """Reuse node n (owned by the caller) for a new deadline."""
        self._unlink(n)
        self._left[n] = left
        self._set(n, deadline, waker)

    def step(self, n, cx):
        """True once node n's whole wait has passed (the caller then releases
        it); otherwise keeps cx's waker on it -- re-arming the next chunk of a
        long sleep -- and returns False."""
        if not self._fired[n]:
            self._waker[n] = cx.waker()  # polled through another context (select): follow it
            return False
        left = self._left[n]
        if left:
            chunk = left if left < MAX_CHUNK_US else MAX_CHUNK_US
            self.rearm(n, self.port.ticks_add(self._deadline[n], chunk), cx.waker(), left - chunk)
            return False
        return True

    def _set(self, n, deadline, waker):
        port = self.port
        dl = self._deadline
        dl[n] = deadline
        self._waker[n] = waker
        self._fired[n] = 0
        diff = port.ticks_diff
        masked = self._masked
        if masked:
            s = port.irq_off()
        prev = -1
        ints = self._ints
        cur = ints[0]  # HEAD
        nxt = self._next
        while cur != -1 and diff(dl[cur], deadline) <= 0:
            prev = cur
            cur = nxt[cur]
        nxt[n] = cur
        self._linked[n] = 1
        if prev == -1:
            ints[0] = n
            port.arm_at(deadline)
        else:
            nxt[prev] = n
        if masked:
            port.irq_on(s)

    def release(self, n):
        """Give node n back (done or cancelled).  Task context.  A free node's
        _left and _fired are 0 (timer_viper's registration relies on it)."""
        self._unlink(n)
        self._waker[n] = None
        self._fired[n] = 0
        self._left[n] = 0
        self._used[n] = 0

    def _unlink(self, n):
        if not self._linked[n]:
            return
        port = self.port
        masked = self._masked
        if masked:
            s = port.irq_off()
        nxt = self._next
        ints = self._ints
        head = ints[0]
        if head == n:
            head = ints[0] = nxt[n]
            if head == -1:
                port.disarm()
            else:
                port.arm_at(self._deadline[head])
        else:
            cur = head
            while cur != -1 and nxt[cur] != n:
                cur = nxt[cur]
            if cur != -1:
                nxt[cur] = nxt[n]
        self._linked[n] = 0
        nxt[n] = -1
        if masked:
            port.irq_on(s)

    def _on_alarm(self, _timer=None):
        """The alarm's handler: in its hard IRQ, or, for a board alarm
        (port_rp2), in task context from the port's wait() and the executor
        loop.  ISR-safe: no allocation; wakes every due task and re-arms the
        alarm for the next deadline.  A port may call it with one argument
        (MachinePort: the machine.Timer, a call less)."""
        port = self.port
        now = port.ticks_us()
        dl = self._deadline
        nxt = self._next
        ints = self._ints
        n = ints[0]
        while n != -1 and port.ticks_diff(dl[n], now) <= 0:
            ints[0] = nxt[n]
            nxt[n] = -1
            self._linked[n] = 0
            self._fired[n] = 1
            ints[1] = (ints[1] + 1) & 0x3FFFFFFF  # EXPIRIES
            wake_held(self._waker[n])  # held while its node is linked: the fast wake is safe
            n = ints[0]
        if n != -1:
            port.arm_at(dl[n])

    # The handler of a board alarm (task context, port_rp2), in machine code
    # where it can run.  The machine.Timer's hard IRQ keeps _on_alarm: there a
    # viper method measured no faster (docs/BENCHMARKS.md)
    _on_due = _on_alarm if _viper is None else _viper.on_due


_queue = None


def init(capacity=16, port=None):
    """(Re)make the timer queue with `capacity` nodes on `port` (default:
    the current one).  Call before any sleep; done lazily otherwise."""
    global _queue
    _queue = TimerQueue(port if port is not None else _port.current(), capacity)
    return _queue


def queue():
    q = _queue
    if q is None or q.port is not _port._port:
        q = init()
    return q


def check_us(us, what):
    """TypeError/ValueError, naming `what`, unless `us` is a duration pollen
    can sleep: a whole number of microseconds, 0 to MAX_SLEEP_MS."""
    if not isinstance(us, int):
        raise TypeError("%s takes whole microseconds/milliseconds (an int), got %r" % (what, us))
    if us < 0:
        raise ValueError("%s: negative duration %d; durations are >= 0" % (what, us))
    if us > _SMALL and us > _MAX_US:  # small ints never meet the bignum
        raise ValueError("%s: %d us is beyond the %d ms pollen sleeps can span" % (what, us, MAX_SLEEP_MS))


class _Sleep(Leaf):
    """The one object sleep_ms/sleep_us/sleep_until hand back.  Its per-task
    state lives in the task's context (cx.timer: the task's timer node).
    `us` is the duration asked for (the deadline is taken from the clock at
    the first resume, which follows the call at once), or -1 with `deadline`
    set (sleep_until)."""

    def __init__(self):
        self.armed = False
        self.us = 0
        self.deadline = 0

    __iter__ = Leaf.__await__  # found here, not in the base classes: looked up on every await

    def __next__(self):
        cx = CURRENT.cx
        if self.armed:  # the first resume after sleep_*(): register
            self.armed = False
            if cx.timer >= 0:
                raise RuntimeError(
                    "this task is already in a sleep: one sleep_ms() at a time per task; "
                    "use Delay(ms) objects to select/join between several")
            q = _queue
            if q is None or q.port is not _port._port:
                q = queue()
            port = q.port
            us = self.us
            left = 0
            if us > 0:
                if us > MAX_CHUNK_US:  # a long sleep: in chunks
                    left = us - MAX_CHUNK_US
                    us = MAX_CHUNK_US
                deadline = port.ticks_add(port.ticks_us(), us)
            else:
                deadline = self.deadline
                if us == 0 or port.ticks_diff(deadline, port.ticks_us()) <= 0:
                    stop_iteration()  # sleep_ms(0), or a deadline past: no timer needed
            cx.timer = q.add(deadline, cx.waker() if cx.counting else cx._waker, left)
            return None
        n = cx.timer
        q = _queue
        if q._fired[n] and not q._left[n]:
            # the usual resume: the alarm unlinked the node and woke us;
            # release() without its calls (nothing is linked to undo)
            q._waker[n] = None
            q._fired[n] = 0
            q._used[n] = 0
            cx.timer = -1
            _STOP.__traceback__ = None
            raise _STOP
        if not q.step(n, cx):
            return None
        q.release(n)
        cx.timer = -1
        stop_iteration()

    if _viper is not None:  # the usual sleep in machine code (pollen.port.twin)
        slow = __next__  # what it hands the rare cases to
        __next__ = _viper.sleep_next

    def close(self):
        cx = CURRENT.cx
        if cx is not None and cx.timer >= 0:
            _queue.release(cx.timer)
            cx.timer = -1
        self.armed = False


_SLEEP = _Sleep()  # shared by every sleep_*(): no allocation per sleep


def sleep_us(us):
    """Sleep for `us` microseconds.  Await at once; allocates nothing."""
    if us.__class__ is not int or us < 0 or us > _SMALL:  # the common case costs 3 tests
        check_us(us, "sleep_us")
    s = _SLEEP
    s.us = us
    s.armed = True
    return s


def sleep_ms(ms):
    """Sleep for `ms` milliseconds.  Await at once; allocates nothing (up to
    1,073,741 ms on a 32-bit port, where ms * 1000 still fits a small int)."""
    if ms.__class__ is not int or ms < 0 or ms > 1073741:  # sleep_us's tests, once
        if ms.__class__ is not int:
            raise TypeError("sleep_ms takes whole milliseconds (an int), got %r" % (ms,))
        return sleep_us(ms * 1000)
    s = _SLEEP
    s.us = ms * 1000
    s.armed = True
    return s


def sleep_until(deadline_us):
    """Sleep until time.ticks_us() reaches `deadline_us` (a ticks value,
    within 2**29 us of now).  A deadline already past completes at once."""
    s = _SLEEP
    s.us = -1
    s.deadline = deadline_us
    s.armed = True
    return s


bind(_SLEEP, "__next__")  # (future.bind: every sleep resumes it twice)


def __getattr__(name):
    """Delay, Ticker, with_timeout: pollen.ticker, loaded on first use."""
    if name not in ("Delay", "Ticker", "with_timeout"):
        raise AttributeError("pollen.timer has no %r" % name)
    from . import ticker
    value = getattr(ticker, name)
    globals()[name] = value  # next time: a plain module attribute
    return value
