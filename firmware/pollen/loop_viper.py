"""The executor's scheduling loop in viper: loop.py's rules, at machine speed.

loop.py is the portable twin (CPython, the simulator, an interpreter without
a native emitter); executor.py takes this module where the interpreter runs
machine code (pollen.port.twin: the RP2040 firmware, the unix MicroPython of
`make test`).  Its ready[] scan, its counters and its positions are typed
machine integers (viper `ptr8`, `ptr32`): on an RP2040 the path from a wake
to the task's send() drops from about 35 us (loop.py as native code) to
about 10 (docs/BENCHMARKS.md).  What it cannot make faster is what every
loop pays: the task's send() and its context.

Machine code for the board's CPU: `make flash` compiles this file with
mpy-cross -march, and `make firmware` freezes it into flash.

Viper has no `except ... as e` (mpy-cross rejects it), so the loop itself,
_run(), has no try: a task that ends raises out of it into schedule(),
which hands the ending to the executor and calls _run() again.  So that no
state is lost on the way, the loop keeps its positions and the polls
counter in an array('i') (`state`), which viper stores to as plain memory.

The rules are loop.py's (and executor.py's docstring): woken tasks first, in
turn from the task polled last; yielded tasks round robin after them;
ready[slot] cleared before the poll, so a wake during it is kept.
"""
# mpy-cross: requires native

import sys

if sys.implementation.name != "micropython":  # (a CPython may have a module of that name)
    raise ImportError("viper needs MicroPython")

import micropython  # noqa: E402
from .port import array  # the built-in, with no search of sys.path
from micropython import const

from .future import CURRENT, YIELD

_NOALARM = array("i", [0, 0, 0])  # a port without a board alarm: never ARMED
_NONE = None  # viper compares objects with `is` only against another object, and
              # passes or stores a literal None as the int 0

_I = const(0)       # state[]: round-robin position among yielded tasks
_LAST = const(1)    # the task polled last
_POLLS = const(2)   # Executor.polls, as a small int
_K = const(3)       # the slot being polled (-1: none): which task ended, if _run() raises
_URGENT = const(4)  # 1: look for woken tasks first

@micropython.viper
def _run(ex, main, state) -> int:
    '''Poll tasks until one ends (raises out of here: StopIteration or its
    exception) or the loop must stop (returns 1).'''
    s = ptr32(state)
    rb = ptr8(ex._ready)
    coros = ex._coro
    cxs = ex._cx
    cap = int(ex._cap)  # rb[cap]: the look byte, set by every wake
    look = ex._look
    port = ex._port
    wfi = getattr(port, "wfi", _NONE)  # port_rp2.wfi_until on an RP2040
    alarm = getattr(port, "alarm", _NONE)  # a board alarm that only wakes the CPU (port_rp2)
    clock = 0  # the address of the word the microsecond counter's low bits are in
    if alarm is _NONE:
        alarm = _NOALARM
    else:
        clock = int(port.clock)
    al = ptr32(alarm)  # ARMED, DEADLINE (ticks_us)
    sleep = getattr(port, "sleep", _NONE)  # the port's own sleep: wait is it unless streams are watched
    pend = getattr(port, "run_pending", _NONE)
    cur = CURRENT
    resume = next  # next(coro): the generator's own iternext, no method lookup
    yld = YIELD  # globals read once: each read in the loop is a dictionary lookup
    none = _NONE
    debug = 0
    if not (ex._debug is _NONE and ex._tracer is _NONE):
        debug = 1
    i = s[_I]
    last = s[_LAST]
    urgent = s[_URGENT]
    before = 0
    k = 0
    while True:
        if al[0]:  # a board alarm: due once the counter passes DEADLINE (30-bit ticks_diff)
            if ((int(ptr32(clock)[0]) - al[1]) & 0x3FFFFFFF) < 0x20000000:
                al[0] = 0
                port.fire(0)  # TimerQueue's handler: wakes what is due, re-arms
        if rb[cap]:  # something was woken since we looked
            rb[cap] = 0
            urgent = 1
        if urgent:  # woken tasks first, in turn from the task polled last
            k = last + 1
            while k < cap:
                if rb[k] == 1:
                    break
                k += 1
            if k == cap:
                k = 0
                while k <= last:
                    if rb[k] == 1:
                        break
                    k += 1
                if k > last:
                    urgent = 0
        if not urgent:  # round robin over the yielded ones
            k = i + 1
            while k < cap:
                if rb[k] == 2:
                    break
                k += 1
            if k == cap:
                k = 0
                while k <= i:
                    if rb[k] == 2:
                        break
                    k += 1
                if k > i:  # nothing ready: sleep until a wake
                    ex.polls = s[_POLLS]
                    ex.idle_wakeups = (int(ex.idle_wakeups) + 1) & 0x3FFFFFFF
                    if not (wfi is _NONE) and port.wait is sleep:
                        while True:
                            if int(wfi(look, alarm)):  # one WFI, back after the first interrupt
                                break  # the alarm is due: fired at the top
                            if rb[cap]:
                                break  # the usual wake: straight to the task
                            if al[0]:
                                if ((int(ptr32(clock)[0]) - al[1]) & 0x3FFFFFFF) < 0x20000000:
                                    break
                            pend()  # a wake for someone else: run what the firmware has pending
                            if not (port.wait is sleep):
                                break  # (a callback watched a stream: port.wait's turn)
                        continue
                    port.wait(look)  # the port's own sleep (streams watched, no WFI)
                    continue
            i = k
        rb[k] = 0  # cleared before the poll: a wake during it is kept
        last = k
        cx = cxs[k]
        cur.cx = cx
        s[_POLLS] = (s[_POLLS] + 1) & 0x3FFFFFFF
        s[_I] = i
        s[_LAST] = last
        s[_URGENT] = urgent
        if debug:
            before = int(ex._before_poll(k, cx))  # (a tracer's exception ends the loop)
        s[_K] = k
        r = resume(coros[k])  # coros[k].send(None)
        s[_K] = -1  # not polling: an exception from here on is the loop's own
        if r is yld or rb[k]:
            # yielded, or woken during its own poll: ready again, behind the others
            rb[k] = 2
        elif (debug or not (r is none)) and ex._after_poll(k, r, cx, before, main):
            return 1


def schedule(ex, main):
    """Run `ex`'s tasks until `main` ends (or a STOP-policy failure)."""
    cap = ex._cap
    state = array("i", [cap - 1, cap - 1, ex.polls, -1, 1])
    run = _run
    try:
        while True:
            try:
                if run(ex, main, state):
                    return
            except StopIteration as e:  # first: a task returned (no tuple made: the heap may be locked)
                k = state[_K]
                state[_K] = -1
                if k < 0:
                    raise e
                if ex._ended(k, e.value, False, main):
                    return
            except (KeyboardInterrupt, SystemExit) as e:
                raise e
            except BaseException as e:
                k = state[_K]
                state[_K] = -1
                if k < 0:  # the port's wait, or a bug here: not a task's ending
                    raise e
                if ex._ended(k, e, True, main):
                    return
    finally:
        ex.polls = state[_POLLS]
