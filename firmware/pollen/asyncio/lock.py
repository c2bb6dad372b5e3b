"""pollen.asyncio's Lock, as asyncio's lock.py: loaded on first use
(pollen.asyncio's __getattr__).  Task context only; acquire() and
`async with` allocate nothing.
"""

from .. import asyncio as _a  # the core: the run queue, the running task


class _Released(_a._Awaiter):
    """What Lock.__aexit__ returns: an await that ends at once with None."""

    def __next__(self):
        _a._done(_a._STOP)


_RELEASED = _Released()


class Lock(_a._Awaiter):
    """asyncio's Lock: acquire() waits first in first out; `async with`.
    acquire() and `async with` allocate nothing: the Lock is its own
    awaitable."""

    def __init__(self):
        self.state = 0  # 0 unlocked, 1 locked, or the task release() chose next
        self.waiting = _a.TaskQueue()

    def locked(self):
        return self.state == 1

    def release(self):
        if self.state != 1:
            raise RuntimeError("Lock not acquired")
        if self.waiting.head is not None:
            self.state = self.waiting.pop()
            _a._task_queue.push(self.state)
        else:
            self.state = 0

    def acquire(self):
        return self

    __aenter__ = acquire

    def __next__(self):
        t = _a.cur_task
        if t.aw is self:  # release() handed the lock to us
            t.aw = None
            self.state = 1
            _a._done(_a._TRUE)
        if self.state != 0:
            self.waiting.append(t)
            t.data = self.waiting
            t.aw = self
            return None
        self.state = 1
        _a._done(_a._TRUE)

    def thrown(self, t):
        if self.state is t:  # cancelled after release() chose it: pass the lock on
            self.state = 1
            self.release()

    def __aexit__(self, exc_type, exc, tb):
        self.release()
        return _RELEASED
