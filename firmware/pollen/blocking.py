"""block_on: run one future on the calling core until it completes.

One statically allocated Flag is the waker.  Between polls the core sleeps in
the port's wait(flag.cell) -- on a board, until an interrupt handler sets the flag
-- so nothing spins.  The steady state (poll, sleep, wake) allocates nothing.
"""

from . import port as _port
from .wakers import Flag, flag_waker
from .future import CURRENT, PENDING, YIELD, Context, as_future, is_coroutine

_FLAG = Flag()
_CX = Context(flag_waker(_FLAG))  # the one context block_on polls with


def block_on(aw, port=None):
    """Run `aw` (coroutine or poll()-future) to completion; return its result
    or raise its exception.  Not from inside a task: that would block its
    executor -- await instead."""
    if CURRENT.cx is not None:
        raise RuntimeError(
            "block_on() called from inside a running task: it would block the "
            "executor. Use `await` instead"
        )
    if port is None:
        port = _port.current()
    flag = _FLAG
    cx = _CX
    flag.take()
    if is_coroutine(aw):
        try:
            while True:
                CURRENT.cx = cx
                try:
                    r = aw.send(None)  # a method call, not a stored bound method: no allocation
                except StopIteration as e:
                    return e.value
                finally:
                    CURRENT.cx = None
                if r is not YIELD:
                    while not flag.take():
                        port.wait(flag.cell)
        except BaseException:
            aw.close()
            raise
    fut = as_future(aw)
    while True:
        CURRENT.cx = cx
        try:
            r = fut.poll(cx)
        finally:
            CURRENT.cx = None
        if r is not PENDING:
            return r
        while not flag.take():
            port.wait(flag.cell)
