"""yield_now, join, select: composing futures inside one task.

join and select poll their children with the task's own context, as Rust's
do: any child's wake re-polls the whole composition.
"""

from .future import _STOP, PENDING, YIELD, Future, as_future


class _YieldNow(Future):
    """Completes on the second poll.  One shared instance: yield_now() arms
    it and the awaiting task consumes the arming on its next resume."""

    def __init__(self):
        self.armed = False

    def __next__(self):
        if self.armed:
            self.armed = False
            return YIELD  # tells the executor: ready again, run the others first
        _STOP.__traceback__ = None  # raised here, not via a helper: one call less per switch
        raise _STOP

    def poll(self, cx):
        if self.armed:
            self.armed = False
            cx.waker().wake_by_ref()
            return PENDING
        return None


_YIELD_NOW = _YieldNow()  # reused by every yield_now(): no allocation per switch


def yield_now():
    """Let every other ready task run once, then continue.  Await at once."""
    _YIELD_NOW.armed = True
    return _YIELD_NOW


class _Select(Future):
    def __init__(self, futs):
        self.futs = futs

    def poll(self, cx):
        futs = self.futs
        for i in range(len(futs)):
            try:
                r = futs[i].poll(cx)
            except BaseException:
                self._close_except(i)
                raise
            if r is not PENDING:
                self._close_except(i)
                return (i, r)
        return PENDING

    def _close_except(self, keep):
        futs = self.futs
        for j in range(len(futs)):
            if j != keep:
                futs[j].close()

    def close(self):
        self._close_except(-1)


def select(*aws):
    """Await the first of `aws` to finish: returns (index, result).

    The others are cancelled (their close() runs) before select returns.
    """
    if not aws:
        raise ValueError("select() needs at least one awaitable")
    return _Select([as_future(a) for a in aws])


class _Join(Future):
    def __init__(self, futs):
        self.futs = futs
        self.results = [PENDING] * len(futs)
        self.left = len(futs)

    def poll(self, cx):
        futs = self.futs
        res = self.results
        for i in range(len(futs)):
            if res[i] is PENDING:
                try:
                    r = futs[i].poll(cx)
                except BaseException:
                    res[i] = None
                    self.close()
                    raise
                if r is not PENDING:
                    res[i] = r
                    self.left -= 1
        if self.left:
            return PENDING
        return res

    def close(self):
        res = self.results
        for i in range(len(res)):
            if res[i] is PENDING:
                self.futs[i].close()
                res[i] = None


def join(*aws):
    """Await all of `aws`; returns the list of their results in order.

    If one raises, the others are cancelled and the exception propagates.
    """
    return _Join([as_future(a) for a in aws])
