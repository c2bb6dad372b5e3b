"""Debug mode, Executor(debug=True): checks the poll contract.

A future that returns PENDING without asking for its task's waker is never
polled again -- on a board, a silent hang.  In debug mode every task's
Context counts its waker() calls and awaiting a Future records it in
CURRENT.last, so the executor can fail such a task with a ContractError
that names the future.  Only an executor made with debug=True loads this
module: without it, none of this costs RAM or time.
"""

from .errors import ContractError
from .future import CURRENT, PENDING, Context, Future, _stop


class DebugContext(Context):
    """Counts waker() calls: did a future that returned PENDING arrange a wake?"""

    __slots__ = ("uses",)
    counting = True

    def __init__(self, waker):
        Context.__init__(self, waker)
        self.uses = 0

    def waker(self):
        self.uses += 1
        return self._waker


def _debug_next(self):
    CURRENT.last = self  # so the executor can name a future that broke the contract
    r = self.poll(CURRENT.cx)
    if r is PENDING:
        return None
    return _stop(r)


def enable():
    """From now on, awaiting a Future records it in CURRENT.last (the method
    is swapped: out of debug mode the await path carries no extra work)."""
    Future.__next__ = _debug_next


def contract_error(task):
    fut = CURRENT.last
    what = repr(fut) if fut is not None else "a future awaited by it"
    return ContractError(
        "task %s: %s returned PENDING without registering the waker it was "
        "given (cx.waker()); nothing will ever wake this task. Store or "
        "clone cx.waker() where the event source can wake it" % (task.name, what)
    )
