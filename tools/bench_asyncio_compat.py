"""The same asyncio programs under MicroPython's asyncio and pollen.asyncio.

A MicroPython program (unix port or a board):

    micropython tools/bench_asyncio_compat.py [scale] [reps] [firmware_dir]

On a board (mpremote run) there is no argv: replace the `ARGS = None` line
below with the list, as tools/bench.py does for bench_mp.py.  Every result
is one line `@ {json}` (the shape of tools/bench_mp.py's); everything else
is commentary.  Timed figures alternate the two implementations in this one
process, `reps` times, and report the medians:

  switch     10 tasks, each `await asyncio.sleep_ms(0)` in a loop: task switches/s
  switch, N tasks + 1 sleeper   the same with N = 10, 100, 1000 tasks (10 and
             100 on a board) while one more task sleeps: switches/s
  event      Event ping-pong between two tasks: round trips/s
  flag       ThreadSafeFlag ping-pong, set from the tasks: round trips/s
             (asyncio's goes through select.poll; on the unix port that
             poll sleeps in whole ms when nothing else is ready)
  alloc      bytes allocated per round trip (gc.mem_alloc, gc disabled) for
             event, flag, sleep_ms(0) and Lock
  mem        heap used by `import` of each (asyncio is frozen on most
             boards, pollen.asyncio is not) and per created task
"""

import gc
import sys
import time

ARGS = None  # a board run: the argument list goes here

ticks_us = time.ticks_us
ticks_diff = time.ticks_diff


def emit(**kw):
    try:
        import json
        line = json.dumps(kw)
    except ImportError:
        line = repr(kw)
    print("@ " + line)


def median(xs):
    s = sorted(xs)
    n = len(s)
    return s[n // 2] if n % 2 else (s[n // 2 - 1] + s[n // 2]) / 2


# -- the programs: written once, run with either module --------------------------

def prog_switch(aio, tasks, n, sleeper=False):
    """Microseconds for `tasks` tasks to `await sleep_ms(0)` n times each;
    sleeper: with one more task asleep (for longer than the run) meanwhile,
    as almost every real program has."""
    async def spinner():
        for _ in range(n):
            await aio.sleep_ms(0)

    async def sleeping():
        await aio.sleep_ms(3600000)

    async def main():
        s = aio.create_task(sleeping()) if sleeper else None
        ts = [aio.create_task(spinner()) for _ in range(tasks)]
        t0 = ticks_us()
        for t in ts:
            await t
        dt = ticks_diff(ticks_us(), t0)
        if s is not None:
            s.cancel()
        return dt

    return aio.run(main())


def _event_pair(aio):
    a = aio.Event()
    b = aio.Event()

    async def ping(n):
        for _ in range(n):
            a.set()
            await b.wait()
            b.clear()

    async def pong(n):
        for _ in range(n):
            await a.wait()
            a.clear()
            b.set()

    return ping, pong


def _flag_pair(aio):
    a = aio.ThreadSafeFlag()
    b = aio.ThreadSafeFlag()

    async def ping(n):
        for _ in range(n):
            a.set()
            await b.wait()

    async def pong(n):
        for _ in range(n):
            await a.wait()
            b.set()

    return ping, pong


def _sleep_pair(aio):
    async def ping(n):
        for _ in range(n):
            await aio.sleep_ms(0)

    return ping, ping


def _lock_pair(aio):
    lock = aio.Lock()

    async def ping(n):
        for _ in range(n):
            async with lock:
                await aio.sleep_ms(0)

    return ping, ping


def prog_pingpong(aio, pair, n):
    """Microseconds for n round trips (after a warm-up)."""
    ping, pong = pair(aio)
    out = [0]

    async def main():
        t = aio.create_task(pong(n + 6))
        await ping(5)
        c = ping(n)
        t0 = ticks_us()
        await c
        out[0] = ticks_diff(ticks_us(), t0)
        await ping(1)  # pong's last trip: its end is not in the timing
        await t

    aio.run(main())
    return out[0]


def prog_alloc(aio, pair, n):
    """Bytes allocated per round trip: gc disabled, gc.mem_alloc around n
    round trips (the coroutine is made before: making one allocates)."""
    ping, pong = pair(aio)
    out = [0]

    async def main():
        t = aio.create_task(pong(n + 6))
        await ping(5)
        c = ping(n)
        gc.collect()
        gc.disable()
        a = gc.mem_alloc()
        await c
        out[0] = gc.mem_alloc() - a
        gc.enable()
        await ping(1)  # pong's last trip: its end is not in the window
        await t

    aio.run(main())
    return out[0] / n


def per_task(aio, n=20):
    """Heap bytes per created (not yet run) task."""
    async def idle():
        pass

    async def main():
        coros = [idle() for _ in range(n)]
        gc.collect()
        a = gc.mem_alloc()
        ts = [aio.create_task(c) for c in coros]
        gc.collect()
        b = gc.mem_alloc()
        for t in ts:
            await t
        return (b - a) / n

    return aio.run(main())


# -- the run ----------------------------------------------------------------------

def main(argv):
    scale = float(argv[0]) if argv else 1.0
    reps = int(argv[1]) if len(argv) > 1 else 3
    if len(argv) > 2:
        sys.path.insert(0, argv[2])
    gc.collect()
    a0 = gc.mem_alloc()
    import asyncio
    gc.collect()
    a1 = gc.mem_alloc()
    import pollen.asyncio as pa
    gc.collect()
    a2 = gc.mem_alloc()
    mods = (("asyncio", asyncio), ("pollen", pa))
    heap = gc.mem_alloc() + gc.mem_free()
    emit(kind="info", bench="asyncio_compat", heap=heap, version=sys.version, platform=sys.platform)
    emit(kind="mem", bench="asyncio_compat", what="import", asyncio=a1 - a0, pollen=a2 - a1)
    emit(kind="mem", bench="asyncio_compat", what="per_task",
         asyncio=per_task(asyncio), pollen=per_task(pa))

    nt = 10
    n = max(10, int(2000 * scale))
    res = {"asyncio": [], "pollen": []}
    for _ in range(reps):
        for name, aio in mods:
            res[name].append(prog_switch(aio, nt, n))
    emit(kind="rate", bench="asyncio_compat", what="switch", unit="switches/s", tasks=nt,
         reps=reps, **{k: nt * n * 1e6 / median(v) for k, v in res.items()})

    # N tasks and one sleeper: asyncio's run queue is a heap, so a sleeping
    # task must not slow the ready ones (issue 19)
    total = max(2000, int(100000 * scale))
    for nt in ((10, 100) if sys.platform == "rp2" else (10, 100, 1000)):
        n = max(2, total // nt)
        res = {"asyncio": [], "pollen": []}
        for _ in range(reps):
            for name, aio in mods:
                gc.collect()
                res[name].append(prog_switch(aio, nt, n, True))
        emit(kind="rate", bench="asyncio_compat", what="switch, %d tasks + 1 sleeper" % nt,
             unit="switches/s", tasks=nt, reps=reps,
             **{k: nt * n * 1e6 / median(v) for k, v in res.items()})

    for what, pair, n, n_asyncio in (
            ("event", _event_pair, max(20, int(5000 * scale)), None),
            # asyncio's flag wake waits for its poller: few trips on the unix port
            ("flag", _flag_pair, max(20, int(5000 * scale)), max(20, int(300 * scale)))):
        res = {"asyncio": [], "pollen": []}
        for _ in range(reps):
            for name, aio in mods:
                k = n_asyncio if (n_asyncio and name == "asyncio") else n
                res[name].append(k * 1e6 / prog_pingpong(aio, pair, k))
        emit(kind="rate", bench="asyncio_compat", what=what, unit="round trips/s", reps=reps,
             **{k: median(v) for k, v in res.items()})

    n = max(20, int(500 * scale))
    for what, pair in (("event", _event_pair), ("flag", _flag_pair),
                       ("sleep_ms0", _sleep_pair), ("lock", _lock_pair)):
        row = {}
        for name, aio in mods:
            k = min(n, 100) if (what == "flag" and name == "asyncio") else n
            row[name] = prog_alloc(aio, pair, k)
        emit(kind="alloc", bench="asyncio_compat", what=what, unit="bytes/round trip", **row)


main(ARGS if ARGS is not None else sys.argv[1:])
