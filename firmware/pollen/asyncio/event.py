"""pollen.asyncio's Event (the first half of asyncio's event.py; the
second, ThreadSafeFlag, is .flag): loaded on first use of the name
(pollen.asyncio's __getattr__).

Event.set() runs in task context (or a scheduled callback, which wakes the
loop), never in a hard IRQ.  wait() hands back one preallocated awaitable:
a round trip allocates nothing.
"""

from .. import asyncio as _a  # the core: the run queue, the running task


class Event(_a._Awaiter):
    """asyncio's Event.  set() from a task or a scheduled callback (which
    wakes the loop), never from a hard IRQ (use ThreadSafeFlag there); it
    queues every waiter in the order they began to wait.
    wait() completes with True and allocates nothing: the Event is its own
    awaitable (so `await ev` works here too, where asyncio needs ev.wait())."""

    def __init__(self):
        self.state = False
        self.waiting = _a.TaskQueue()

    def is_set(self):
        return self.state

    def set(self):
        waiting = self.waiting
        while waiting.head is not None:
            _a._task_queue.push(waiting.pop())
        self.state = True

    def clear(self):
        self.state = False

    def wait(self):
        return self

    def __next__(self):
        t = _a.cur_task
        if t.aw is self:  # resumed by set()
            t.aw = None
            _a._done(_a._TRUE)
        if self.state:
            _a._done(_a._TRUE)
        self.waiting.append(t)
        t.data = self.waiting
        t.aw = self
