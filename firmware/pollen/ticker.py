"""Timer objects you make once and await many times: Delay, Ticker -- and
with_timeout, which races a Delay against an awaitable.

Each object owns one node of pollen.timer's queue while it waits (taken on
the first poll, given back when the wait ends or close() runs), so an
object that is awaited again allocates nothing.  pollen.timer loads this
module on first use of pollen.timer.Delay / Ticker / with_timeout: a
program that only sleeps does not pay RAM for it.
"""

from .errors import TimeoutError
from .future import CURRENT, PENDING, Leaf, stop_iteration
from .timer import MAX_CHUNK_US, check_us, queue


class _Wait(Leaf):
    """A wait on one timer node owned by this object; base of Delay and Ticker."""

    def __init__(self):
        self._node = -1
        self._q = None

    def _start(self, cx, deadline, left):
        if self._node < 0:
            q = self._q = queue()
            self._node = q.add(deadline, cx.waker(), left)
        else:
            self._q.rearm(self._node, deadline, cx.waker(), left)

    def _step(self, cx):
        """PENDING until the wait has passed; then gives the node back."""
        if not self._q.step(self._node, cx):
            return PENDING
        self.close()
        return None

    def close(self):
        if self._node >= 0:
            self._q.release(self._node)
            self._node = -1


class Delay(_Wait):
    """A sleep you can compose (select, join) or reuse: `d = Delay(50)`,
    `await d` sleeps 50 ms from the first poll; `d.reset(ms)` re-arms it."""

    def __init__(self, ms=0, us=None):
        _Wait.__init__(self)
        self.reset(ms, us)

    def reset(self, ms=0, us=None):
        us = ms * 1000 if us is None else us
        check_us(us, "Delay")
        self.us = us
        self._begun = False
        return self

    __iter__ = Leaf.__await__  # found here, not in the base classes: looked up on every await

    def __next__(self):
        cx = CURRENT.cx
        if not self._begun:
            self._begun = True
            port = queue().port
            us = self.us
            first = us if us < MAX_CHUNK_US else MAX_CHUNK_US
            self._start(cx, port.ticks_add(port.ticks_us(), first), us - first)
        if self._step(cx) is PENDING:
            return None
        self._begun = False  # awaitable again with the same duration
        stop_iteration()

    def close(self):
        _Wait.close(self)
        self._begun = False


class Ticker(_Wait):
    """A periodic wake-up that never drifts: tick k is due at start + k*period.

    `await ticker.next()` returns when the next tick is due.  If the task was
    so late that whole periods passed, those ticks are skipped and counted in
    `missed` (not run back to back); `late_us` is how late (us) the last tick
    was delivered, `max_late_us` the worst so far, `ticks` the ticks delivered.
    """

    def __init__(self, period_ms=None, period_us=None):
        _Wait.__init__(self)
        us = period_us if period_us is not None else (period_ms or 0) * 1000
        check_us(us, "Ticker")
        if us == 0:
            raise ValueError("Ticker period must be at least 1 us")
        if us >= MAX_CHUNK_US:
            raise ValueError("Ticker period must be below %d us" % MAX_CHUNK_US)
        self.period_us = us
        self.ticks = 0
        self.missed = 0
        self.late_us = 0
        self.max_late_us = 0
        self._due = 0
        self._next_due = None
        self._waiting = False

    def next(self):
        return self

    def reset(self):
        """Start the grid again from now."""
        self.close()
        self._next_due = None

    __iter__ = Leaf.__await__

    def __next__(self):
        cx = CURRENT.cx
        port = queue().port
        if not self._waiting:
            now = port.ticks_us()
            due = self._next_due
            if due is None:
                due = port.ticks_add(now, self.period_us)
            else:
                behind = port.ticks_diff(now, due)
                if behind >= self.period_us:  # whole periods passed: skip, count them
                    skip = behind // self.period_us
                    self.missed += skip
                    due = port.ticks_add(due, skip * self.period_us)
            self._due = due
            if port.ticks_diff(due, now) > 0:
                self._waiting = True
                self._start(cx, due, 0)
        if self._waiting:
            if self._step(cx) is PENDING:
                return None
            self._waiting = False
        due = self._due
        self._next_due = port.ticks_add(due, self.period_us)
        late = port.ticks_diff(port.ticks_us(), due)
        self.late_us = late
        if late > self.max_late_us:
            self.max_late_us = late
        self.ticks += 1
        stop_iteration()

    def close(self):
        _Wait.close(self)
        self._waiting = False  # _next_due is kept: the grid does not move


async def with_timeout(ms, aw):
    """Await `aw`, but give up after `ms` milliseconds: then `aw` is cancelled
    (its close() runs) and pollen.TimeoutError is raised."""
    from .combinators import select  # loaded by the first timeout

    d = Delay(ms)
    i, r = await select(aw, d)
    if i == 1:
        raise TimeoutError("timed out after %d ms" % ms)
    return r
