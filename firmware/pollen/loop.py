"""The executor's scheduling loop, in a module of its own so that it can be
machine code.

tools/deploy.py compiles this module for the board's CPU as native code (the
`mpy-cross:` line below; board.json's "march" picks the CPU), as does
tools/bench.py, and tools/test_all.py for the MicroPython half of the tests.
Run from source -- CPython, the simulator, an interpreter without a native
emitter (e.g. unix on aarch64) -- it is ordinary Python.  Native, it runs
about 20% more task switches per second (docs/BENCHMARKS.md).  The native
emitter has no bare `raise`, hence `raise e`; the rare paths (a task ends,
debug and tracer checks, a foreign future) are Executor methods, kept as
bytecode so the machine code, which is loaded into RAM, stays small.

The rules it implements are in executor.py's docstring: woken tasks first,
round robin from the task polled last; yielded tasks round robin after them;
ready[slot] cleared before the poll, so a wake during it is kept.
"""
# mpy-cross: -X emit=native

from .future import CURRENT, YIELD

_MASK = 0x3FFFFFFF  # keeps the polls counter a small int on 32-bit ports


def schedule(ex, main):
    """Run `ex`'s tasks until `main` ends (or a STOP-policy failure).  What
    each line costs is paid on every task switch, so state lives in locals,
    written back to `ex` only at idle and when a task ends."""
    ready = ex._ready
    coros = ex._coro
    cxs = ex._cx
    cap = ex._cap
    flag = ex._flag
    cur = CURRENT
    wait = ex._port.wait
    debug = ex._debug is not None or ex._tracer is not None  # one test on the hot path for both
    seen = flag._n - 1  # differs from flag._n: look for woken tasks first
    i = last = cap - 1  # round-robin positions: yielded tasks, and any task polled
    polls = ex.polls
    urgent = False
    before = 0
    while True:
        n = flag._n
        if n != seen:  # Flag.take(), inlined: something was woken since we looked
            seen = flag._seen = n
            urgent = True
        if urgent:  # woken tasks first, in turn from the task polled last
            k = last
            j = cap
            while j:
                k += 1
                if k == cap:
                    k = 0
                if ready[k] == 1:
                    break
                j -= 1
            else:
                urgent = False
        if not urgent:  # round robin over the yielded ones
            k = i
            j = cap
            while j:
                k += 1
                if k == cap:
                    k = 0
                if ready[k]:
                    break
                j -= 1
            else:
                ex.polls = polls
                ex.idle_wakeups += 1
                wait(flag)  # sleeps until an interrupt or a wake sets the flag
                continue
            i = k
        ready[k] = 0  # cleared before the poll: a wake during it is kept
        last = k
        cx = cxs[k]
        cur.cx = cx
        polls += 1
        if debug:
            before = ex._before_poll(k, cx)
        try:
            r = coros[k].send(None)
        except StopIteration as e:
            ex.polls = polls = polls & _MASK
            if ex._ended(k, e.value, False, main):
                return
            continue
        except (KeyboardInterrupt, SystemExit) as e:
            ex.polls = polls
            raise e
        except BaseException as e:
            ex.polls = polls = polls & _MASK
            if ex._ended(k, e, True, main):
                return
            continue
        if r is YIELD or ready[k]:
            # yielded, or woken during its own poll (yield_now inside a join
            # wakes itself): ready again, but behind the others
            ready[k] = 2
        elif (debug or r is not None) and ex._after_poll(k, r, cx, before, main):
            return
