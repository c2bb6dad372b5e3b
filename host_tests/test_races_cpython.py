"""No lost wakeups: an interrupt delivered at every line (CPython, sys.settrace).

The scenario: one task waits for a falling edge on GP14 while a Ticker task
keeps the executor cycling between work and idle every 10 ms.  For every k,
the k-th line pollen executes (executor loop, idle path, board port, pin and
timer futures, Flag) is interrupted by the edge.  A lost wakeup would leave
the button task asleep until some later tick; the test demands that it runs
at the virtual instant of the edge (the simulator's CPU takes no time), i.e.
well within the port's idle tick.
"""

import os
import sys

from simboard import SimStop
from simsupport import board
from support import HIT, WANT

import pollen
from pollen import Flag
from pollen.gpio import Input
from pollen.timer import Ticker

POLLEN_DIR = os.path.dirname(pollen.__file__)


def scenario(inject_at):
    """Run the scenario; interrupt at the inject_at-th traced line (or never).
    Returns (lines traced, time of the edge, time the waiter saw it)."""
    b = board(stop_after_ms=200)
    btn = Input(14, pull="up")
    tk = Ticker(10)
    seen = {}
    state = {"lines": 0, "edge_at": None, "busy": False}

    async def ticker():
        while True:
            await tk.next()

    async def waiter():
        await btn.wait_for_falling_edge()
        seen["at"] = b.now
        raise SimStop("done")  # ends the run as soon as the waiter has run

    async def main():
        ex.spawn(ticker())
        await waiter()

    def local(frame, event, arg):
        if event == "line" and not state["busy"]:
            state["lines"] += 1
            # an edge before the wait is armed must not count, so the
            # interrupt lands at the first line >= k at which the pin is awaited
            if (state["edge_at"] is None and 0 < inject_at <= state["lines"] and btn._st[WANT]
                    and b.now < b.stop_at):  # not while the run is being torn down
                state["busy"] = True  # the handler's own lines are not counted
                state["edge_at"] = b.now
                b.set_level(14, 0)    # the edge: its hard IRQ runs right here
                state["busy"] = False
        return local

    def glob(frame, event, arg):
        if frame.f_code.co_filename.startswith(POLLEN_DIR):
            return local
        return None

    ex = pollen.Executor(4)
    sys.settrace(glob)
    try:
        ex.run(main())
    except SimStop:
        pass
    finally:
        sys.settrace(None)
        ex.shutdown()
    return state["lines"], state["edge_at"], seen.get("at")


def test_an_interrupt_at_any_line_of_the_idle_path_or_a_poll_is_never_lost():
    total, _, _ = scenario(inject_at=-1)  # count the lines of a run with no edge
    assert total > 500
    checked = 0
    for k in range(1, total, 1 if total < 4000 else total // 4000 + 1):
        lines, edge_at, woke_at = scenario(k)
        if edge_at is None:
            continue  # the run ended before line k
        checked += 1
        assert woke_at is not None, "edge at line %d was lost" % k
        assert woke_at - edge_at == 0, (
            "edge at line %d (t=%d us) woke the task only at t=%d us" % (k, edge_at, woke_at))
    assert checked > 500


def test_a_flag_set_racing_with_take_is_never_lost():
    # set() delivered at every line of take(): it is seen by that take or the next.
    import pollen.wakers as flag_module
    f = Flag()
    for k in range(1, 8):
        f.cell[0] = 0
        state = {"line": 0}

        def local(frame, event, arg):
            if event == "line":
                state["line"] += 1
                if state["line"] == k:
                    f.set()
            return local

        def glob(frame, event, arg):
            return local if frame.f_code.co_filename == flag_module.__file__ else None

        sys.settrace(glob)
        try:
            first = f.take()
        finally:
            sys.settrace(None)
        injected = state["line"] >= k
        second = f.take()
        if injected:
            assert first or second, "set() at line %d of take() was lost" % k
        assert not f.take()
