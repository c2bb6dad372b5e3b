"""Debug mode, Executor(debug=True): checks the poll contract.

A future that returns PENDING without asking for its task's waker is never
polled again -- on a board, a silent hang.  In debug mode each task's
Context counts its waker() calls (the contexts that join/select give the
task's coroutines count for the task too), and the executor loop, which
already takes a debug branch around every poll (Executor._before_poll /
_after_poll), compares the count: a task that stayed pending, was not woken
during its poll and took no waker is failed with a ContractError.  That is
the only check, so every leaf goes through it -- those with a __next__ of
their own (the fast paths of timer, sync, gpio) as well as Future.poll --
and it ends with the executor: nothing process-wide is patched, and another
executor, or block_on, pays nothing.  Only an executor made with
debug=True loads this module.

The ContractError names the task and the await it is stuck in: the task is
unwound by throwing a GeneratorExit into it, as cancelling does (every
awaited future's close() runs; `except Exception` does not catch it), and
the innermost frame that exception passes is the line reported.
"""

import sys

from .errors import ContractError
from .future import Context


class DebugContext(Context):
    """Counts waker() calls for its task: did a future that returned PENDING
    arrange a wake?"""

    __slots__ = ("uses", "task")

    def __init__(self, waker, task=None):
        Context.__init__(self, waker, True)
        self.uses = 0
        self.task = self if task is None else task  # whose count this context's calls add to

    def waker(self):
        self.task.uses += 1
        return self._waker

    def child(self):
        """The context for a coroutine that join/select run inside this task
        (combinators.CoroFuture): a timer scratch of its own, the task's
        waker, and its waker() calls count for the task."""
        return DebugContext(self.waker(), self.task)


class _Unwind(GeneratorExit):
    """Thrown into a task that broke the contract: it unwinds as a cancelled
    one does, and its traceback ends at the await the task is stuck in."""


def contract_error(task, coro):
    """`task` (its coroutine, or combinators.Drive: `coro`) returned PENDING
    without taking its waker.  Unwinds the coroutine -- the awaited futures'
    close() runs -- and returns the ContractError that names the task and
    where it waits.  Called by the executor with CURRENT.cx still the task's."""
    fut = getattr(coro, "fut", None)  # a poll()-future spawned as it is
    if fut is not None:
        what = repr(fut)
    else:
        what = "the future it awaits"
        inner = coro
        # CPython stops a GeneratorExit at the first coroutine it is thrown
        # into, so throw it at the innermost one; MicroPython passes it down
        # the chain of coroutines by itself (it has no cr_await)
        while getattr(getattr(inner, "cr_await", None), "cr_frame", None) is not None:
            inner = inner.cr_await
        u = _Unwind()
        try:
            inner.throw(u)
        except _Unwind:
            where = _last_frame(u)
            if where is not None:
                what += " (%s)" % where
        except Exception:
            pass  # the task caught it and ended otherwise: it is failed all the same
    try:
        coro.close()  # what is left of it (CPython: the outer coroutines)
    except Exception:
        pass
    return ContractError(
        "task %s: %s returned PENDING without registering the waker it was "
        "given (cx.waker()); nothing will ever wake this task. Store or "
        "clone cx.waker() where the event source can wake it" % (task.name, what)
    )


def _last_frame(exc):
    """'File "f.py", line N, in f': the innermost frame `exc` was raised
    through, read from its printed traceback (the form both interpreters
    give), or None if it has none."""
    import io

    buf = io.StringIO()
    pe = getattr(sys, "print_exception", None)
    if pe is not None:
        pe(exc, buf)
    else:
        import traceback
        traceback.print_exception(type(exc), exc, exc.__traceback__, file=buf)
    last = None
    for line in buf.getvalue().split("\n"):
        line = line.strip()
        if line.startswith("File "):
            last = line
    return last
