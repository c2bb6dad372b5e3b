"""pollen.asyncio's wait_for, wait_for_ms and gather, as asyncio's
funcs.py: loaded on first use of one of these names (pollen.asyncio's
__getattr__), so a program without them does not pay their RAM.

Task context only.  What allocates: as asyncio's, a task and a coroutine
per wait_for, a list and a closure per gather.
"""

from .. import asyncio as _a  # the core: the run queue, the running task


class _Suspend(_a._Awaiter):
    """Suspend the task until someone pushes it (gather's bare `yield`)."""

    def __next__(self):
        t = _a.cur_task
        if t.aw is self:
            t.aw = None
            _a._done(_a._STOP)
        t.aw = self


_SUSPEND = _Suspend()


_Remove = _a.TaskQueue()  # gather's marker in Task.data: a queue that stays empty, nothing to remove from


def _promote_to_task(aw):
    return aw if isinstance(aw, _a.Task) else _a.create_task(aw)


async def _run(waiter, aw):
    try:
        result = await aw
        status = True
    except BaseException as er:
        result = None
        status = er
    d = waiter.data
    # The waiter still sleeps: wake it with the outcome.  It sleeps in the run
    # queue's sleepers, or in those of a loop that new_event_loop() has dropped
    # since (aiorepl's Ctrl-D does that from inside the awaited task): asyncio
    # wakes it then too, and so must we, or wait_for never returns.
    if d is None or isinstance(d, _a.TaskQueue):
        if waiter.cancel():
            waiter.data = _a.CancelledError(status, result)


async def wait_for(aw, timeout, sleep=None):
    """Await `aw` for at most `timeout` seconds, else cancel it and raise
    _a.TimeoutError."""
    if sleep is None:
        sleep = _a.sleep
    aw = _promote_to_task(aw)
    if timeout is None:
        return await aw
    runner_task = _a.create_task(_run(_a.cur_task, aw))
    try:
        await sleep(timeout)
    except _a.CancelledError as er:
        status = er.args[0] if er.args else None
        if status is None:  # wait_for itself was cancelled
            runner_task.cancel()
            raise er
        elif status is True:
            return er.args[1]
        else:
            raise status
    runner_task.cancel()
    await runner_task
    raise _a.TimeoutError


def wait_for_ms(aw, timeout):
    """wait_for with the timeout in milliseconds."""
    return wait_for(aw, timeout, _a.sleep_ms)


async def gather(*aws, return_exceptions=False):
    """Run `aws` concurrently; the list of their results (or, with
    return_exceptions, of results and exceptions)."""
    def done(t, er):
        nonlocal state
        if gather_task.data is not _Remove:
            return  # already woken (an earlier exception, or cancelled)
        elif not return_exceptions and not isinstance(er, StopIteration):
            state = er
        else:
            state -= 1
            if state:
                return
        _a._task_queue.push(gather_task)

    ts = [_promote_to_task(aw) for aw in aws]
    state = 0
    for i in range(len(ts)):
        if ts[i].state is True:
            ts[i].state = done
            state += 1
        elif not ts[i].state:
            if not isinstance(ts[i].data, StopIteration):
                if not return_exceptions:
                    state = -len(ts)
        else:
            raise RuntimeError("can't gather")
    gather_task = _a.cur_task
    cancel_all = False
    if state > 0:
        gather_task.data = _Remove
        try:
            await _SUSPEND
        except _a.CancelledError as er:
            cancel_all = True
            state = er
    for i in range(len(ts)):
        if ts[i].state is done:
            ts[i].state = True
            if cancel_all:
                ts[i].cancel()
        elif isinstance(ts[i].data, StopIteration):
            ts[i] = ts[i].data.value
        else:
            if return_exceptions:
                ts[i] = ts[i].data
            elif isinstance(state, int):
                state = ts[i].data
    if state:
        raise state
    return ts
