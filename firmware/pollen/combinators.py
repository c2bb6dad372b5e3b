"""yield_now, join, select: composing futures inside one task; and the two
adapters between coroutines and poll()-futures, CoroFuture and Drive.

join and select poll their children with the task's own context, as Rust's
do: any child's wake re-polls the whole composition.
"""

from .future import _STOP, CURRENT, PENDING, YIELD, Context, Future, Leaf, _viper, as_future, bind, is_coroutine


class CoroFuture(Future):
    """A coroutine seen through the poll protocol (for join/select).

    It runs with a Context of its own -- the outer task's waker, its own
    per-coroutine scratch -- so two coroutines joined in one task can each
    sleep (pollen.timer keeps a sleeping coroutine's timer node there).
    """

    __slots__ = ("coro", "cx")

    def __init__(self, coro):
        self.coro = coro
        self.cx = None

    def poll(self, cx):
        own = self.cx
        if own is None:
            # debug mode: a child context, whose waker() calls count for the task
            own = self.cx = cx.child() if cx.counting else Context(cx.waker())
        elif own._waker is not cx._waker:
            own._waker = cx.waker()  # polled by another task now: follow its waker
            if own.counting and cx.counting:
                own.task = cx.task
        prev = CURRENT.cx
        CURRENT.cx = own
        try:
            r = self.coro.send(None)
        except StopIteration as e:
            return e.value
        finally:
            CURRENT.cx = prev
        if r is YIELD:
            cx.waker().wake_by_ref()  # yield_now through poll(): wake ourselves
        return PENDING

    def close(self):
        prev = CURRENT.cx
        CURRENT.cx = self.cx  # leaf futures' close() look for their context here
        try:
            self.coro.close()
        finally:
            CURRENT.cx = prev


class Drive:
    """A poll()-future seen as a coroutine: Executor.spawn puts it in a task
    slot, which holds coroutines (CoroFuture is the other way round)."""

    def __init__(self, fut):
        self.fut = fut

    def send(self, _):
        r = self.fut.poll(CURRENT.cx)
        if r is PENDING:
            return None
        raise StopIteration(r)

    def __next__(self):  # how loop_viper resumes a task
        return self.send(None)

    def close(self):
        c = getattr(self.fut, "close", None)
        if c is not None:
            c()


def _future(aw):
    return CoroFuture(aw) if is_coroutine(aw) else as_future(aw)


class _YieldNow(Leaf):
    """Completes on the second poll.  One shared instance: yield_now() arms
    it (armed[0] = 1: a byte, which leaves_viper.yield_next, its twin, reads
    as plain memory) and the awaiting task consumes the arming on its next
    resume."""

    def __init__(self):
        self.armed = bytearray(1)

    __iter__ = Leaf.__await__  # found here, not in the base class: looked up on every await

    def __next__(self):
        armed = self.armed
        if armed[0]:
            armed[0] = 0
            return YIELD  # tells the executor: ready again, run the others first
        _STOP.__traceback__ = None  # raised here, not via a helper: one call less per switch
        raise _STOP

    if _viper is not None:  # the same in machine code (pollen.port.twin)
        __next__ = _viper.yield_next


_YIELD_NOW = _YieldNow()  # reused by every yield_now(): no allocation per switch
_ARMED = _YIELD_NOW.armed


def yield_now():
    """Let every other ready task run once, then continue.  Await at once."""
    _ARMED[0] = 1
    return _YIELD_NOW


if _viper is not None:  # yield_now() itself in machine code, on this byte and object
    yield_now = _viper.use_yield(_ARMED, _YIELD_NOW)  # noqa: F811 (the same contract)
bind(_YIELD_NOW, "__next__")  # (future.bind: every task switch resumes it)


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
    return _Select([_future(a) for a in aws])


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
    return _Join([_future(a) for a in aws])
