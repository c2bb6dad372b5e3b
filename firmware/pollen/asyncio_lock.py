"""pollen.asyncio's Lock, as asyncio's lock.py: loaded on first use
(pollen.asyncio's __getattr__).  Task context only; acquire() and
`async with` allocate nothing.
"""

from . import asyncio as _a  # the core: the run queue, the running task


class _LockAcquire(_a._Awaiter):
    def __init__(self, lock):
        self.lock = lock

    def __next__(self):
        t = _a.cur_task
        lock = self.lock
        if t.aw is self:  # release() handed the lock to us
            t.aw = None
            lock.state = 1
            _a._done(_a._TRUE)
        if lock.state != 0:
            lock.waiting.append(t)
            t.data = lock.waiting
            t.aw = self
            return None
        lock.state = 1
        _a._done(_a._TRUE)

    def thrown(self, t):
        lock = self.lock
        if lock.state is t:  # cancelled after release() chose it: pass the lock on
            lock.state = 1
            lock.release()


class _Released(_a._Awaiter):
    """What Lock.__aexit__ returns: an await that ends at once with None."""

    def __next__(self):
        _a._done(_a._STOP)


_RELEASED = _Released()


class Lock:
    """asyncio's Lock: acquire() waits first in first out; `async with`.
    acquire() and `async with` allocate nothing."""

    def __init__(self):
        self.state = 0  # 0 unlocked, 1 locked, or the task release() chose next
        self.waiting = _a.TaskQueue()
        self._acquire = _LockAcquire(self)  # made once

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
        return self._acquire

    def __aenter__(self):
        return self._acquire

    def __aexit__(self, exc_type, exc, tb):
        self.release()
        return _RELEASED
