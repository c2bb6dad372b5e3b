"""The executor's scheduling loop: the portable twin of loop_viper.

This is the loop CPython, the simulator and an interpreter without a native
emitter (e.g. unix on aarch64) run; where the interpreter runs machine code,
executor.py takes loop_viper instead (pollen.port.twin).  The rare paths (a task
ends, debug and tracer checks, a foreign future) are Executor methods,
shared by both twins.  (`raise e`, not a bare raise: this file also compiled
as native code once, whose emitter has no bare raise.)

The rules it implements are in executor.py's docstring: woken tasks first,
round robin from the task polled last; yielded tasks round robin after them;
ready[slot] cleared before the poll, so a wake during it is kept.
"""
# mpy-cross: requires bytecode
# (`make flash` leaves it out of a build for a CPU, where loop_viper runs instead
# and the file would only slow every import from the board's pollen folder)

from .future import CURRENT, YIELD

_MASK = 0x3FFFFFFF  # keeps the polls counter a small int on 32-bit ports
WOKEN = b"\x01"    # ready[k] values, as find() takes them
YIELDED = b"\x02"
_NOALARM = b"\x00"  # a port without a board alarm: alarm[0] (ARMED) is never set


def schedule(ex, main):
    """Run `ex`'s tasks until `main` ends (or a STOP-policy failure).  What
    each line costs is paid on every task switch, so state lives in locals,
    written back to `ex` only at idle and when a task ends."""
    ready = ex._ready
    coros = ex._coro
    cxs = ex._cx
    cap = ex._cap  # ready[cap]: the look byte, set by every wake
    look = ex._look
    port = ex._port
    wfi = getattr(port, "wfi", None)  # port_rp2.wfi_until on an RP2040: the first sleep, direct
    alarm = getattr(port, "alarm", None)  # a board alarm that only wakes the CPU (port_rp2)
    sleep = getattr(port, "sleep", None)  # the port's own sleep: wait is it unless streams are watched
    pend = getattr(port, "run_pending", None)
    if alarm is None:
        alarm = _NOALARM
    cur = CURRENT
    debug = ex._debug is not None or ex._tracer is not None  # one test on the hot path for both
    i = last = cap - 1  # round-robin positions: yielded tasks, and any task polled
    polls = ex.polls
    urgent = True  # look for woken tasks first
    before = 0
    while True:
        if alarm[0] and port.due():  # a board alarm: its handler runs here, between polls
            alarm[0] = 0
            port.fire(0)
        if ready[cap]:  # something was woken since we looked (Flag.take(), inlined)
            ready[cap] = 0
            urgent = True
        if urgent:  # woken tasks first, in turn from the task polled last
            k = ready.find(WOKEN, last + 1, cap)  # find(): one C call, not a loop here
            if k < 0:
                k = ready.find(WOKEN, 0, last + 1)
                if k < 0:
                    urgent = False
        if not urgent:  # round robin over the yielded ones
            k = i + 1
            if k == cap:
                k = 0
            if ready[k] != 2:  # the next slot first: tasks that all yield need no find()
                k = ready.find(YIELDED, i + 1, cap)
            if k < 0:
                k = ready.find(YIELDED, 0, i + 1)
                if k < 0:
                    ex.polls = polls
                    ex.idle_wakeups = (ex.idle_wakeups + 1) & _MASK
                    if wfi is not None and port.wait is sleep:
                        # WFI until a wake is for us: one WFI, back after the first
                        # interrupt; a wake for someone else runs what the firmware has
                        # pending (port_rp2.run_pending) and sleeps again
                        while not wfi(look, alarm) and not look[0] and \
                                not (alarm[0] and port.due()):
                            pend()
                            if port.wait is not sleep:
                                break  # a callback watched a stream: port.wait's turn
                        continue
                    # the port's own sleep until a wake sets the look byte.  Read each
                    # time: a port swaps its wait while it also watches streams
                    port.wait(look)
                    continue
            i = k
        ready[k] = 0  # cleared before the poll: a wake during it is kept
        last = k
        cx = cxs[k]
        cur.cx = cx
        polls = (polls + 1) & _MASK  # a bignum past 2**30 would allocate on every switch
        if debug:
            before = ex._before_poll(k, cx)
        try:
            r = coros[k].send(None)
        except StopIteration as e:
            ex.polls = polls
            if ex._ended(k, e.value, False, main):
                return
            continue
        except (KeyboardInterrupt, SystemExit) as e:
            ex.polls = polls
            raise e
        except BaseException as e:
            ex.polls = polls
            if ex._ended(k, e, True, main):
                return
            continue
        if r is YIELD or ready[k]:
            # yielded, or woken during its own poll (yield_now inside a join
            # wakes itself): ready again, but behind the others
            ready[k] = 2
        elif (debug or r is not None) and ex._after_poll(k, r, cx, before, main):
            return
