"""pollen vs MicroPython's asyncio: the benchmark program that runs ON MicroPython.

Run by tools/bench.py (which formats the tables); by hand:

    micropython tools/bench_mp.py run     [scale] [reps] [firmware_dir]
    micropython tools/bench_mp.py memory  [scale] [reps] [firmware_dir] [mpy_dir]
    micropython tools/bench_mp.py scaling [scale] [reps] [firmware_dir]
    micropython tools/bench_mp.py rates   rounds reps both|pollen|asyncio [firmware_dir]

Every result is one line `@ {json}`; everything else printed is commentary.
Timed figures: pollen and asyncio alternate in the same process, `reps`
times, and the median of each is reported.  The same program runs on the
chip: tools/bench_board.py sends it to the board in `rates` mode for the
switch and ping-pong rows there.  A board (mpremote run) has no argv: the
runner replaces the `ARGS = None` line below with the list.
"""

import gc
import sys

import micropython

try:
    import time
except ImportError:  # tools/mp32 (memory mode only) has no time module
    time = None

ARGS = None  # bench.py writes the argument list here for a board run

if time is not None:
    ticks_us = time.ticks_us
    ticks_diff = time.ticks_diff


def _json(v):
    if isinstance(v, dict):
        return "{" + ", ".join("%s: %s" % (_json(k), _json(x)) for k, x in v.items()) + "}"
    if isinstance(v, str):
        return '"' + v.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if v is None:
        return "null"
    if v is True or v is False:
        return "true" if v else "false"
    return repr(v)  # int, float


def emit(**kw):
    try:
        import json
        line = json.dumps(kw)
    except ImportError:  # tools/mp32 has no json
        line = _json(kw)
    print("@ " + line)


def median(xs):
    s = sorted(xs)
    n = len(s)
    return s[n // 2] if n % 2 else (s[n // 2 - 1] + s[n // 2]) / 2


# -- the floor: a bare round-robin, no executor -------------------------------

class _Once:
    """asyncio's SingletonGenerator, minus the run queue: arm(), then the
    awaiting coroutine yields once and then finishes the await."""

    def __init__(self):
        self.armed = False
        self.exc = StopIteration()  # preallocated: finishing the await allocates nothing

    def __iter__(self):
        return self

    __await__ = __iter__

    def __next__(self):
        if self.armed:
            self.armed = False
            return None
        self.exc.__traceback__ = None
        raise self.exc


_ONCE = _Once()


def once():
    _ONCE.armed = True
    return _ONCE


async def f_yielder(n):
    for _ in range(n):
        await once()


_FLOOR = """
def floor_round_robin(coros):
    n = len(coros)
    alive = n
    while alive:
        for i in range(n):
            c = coros[i]
            if c is None:
                continue
            try:
                c.send(None)
            except StopIteration:
                coros[i] = None
                alive -= 1
"""
# The floor loop is compiled the way pollen's loop is installed: native code
# where the interpreter has a native emitter, else bytecode -- a bytecode
# floor under a native scheduler would not be a floor.
try:
    exec("@micropython.native" + _FLOOR)
    FLOOR_EMITTER = "native"
except SyntaxError:
    exec(_FLOOR)
    FLOOR_EMITTER = "bytecode"


# -- pollen side --------------------------------------------------------------

def bench_port():
    """The port pollen's Executors take here: on a board, None (the board's
    own); on unix a fresh HostPort, installed as the current port too
    (pollen.timer arms the *installed* port's alarm, so the two must agree)."""
    if sys.platform not in ("linux", "darwin"):
        return None
    from pollen import port
    from pollen.port_host import HostPort
    return port.install(HostPort())


def new_executor(capacity):
    import pollen
    return pollen.Executor(capacity, port=bench_port())


# A "Meter" opens and closes an allocation window from inside a task, at a
# known iteration, so the window holds only steady-state work.
class Meter:
    def __init__(self, lock):
        self.lock = lock
        self.a = self.b = 0
        self.failed = None  # None: nothing went wrong in the window
        self.opened = False

    def begin(self):
        gc.collect()
        self.opened = True
        if self.lock:
            micropython.heap_lock()
        else:
            gc.disable()
            self.a = gc.mem_alloc()

    def end(self):
        if self.lock:
            micropython.heap_unlock()
        else:
            self.b = gc.mem_alloc()
            gc.enable()
        self.opened = False

    def abort(self, e):
        if self.opened:
            if self.lock:
                micropython.heap_unlock()
            else:
                gc.enable()
            self.opened = False
        if self.failed is None:
            self.failed = repr(e)


_X = [0]  # busy work lands here


async def p_yielder(n):
    from pollen import yield_now
    for _ in range(n):
        await yield_now()


async def a_yielder(n):
    import asyncio
    for _ in range(n):
        await asyncio.sleep_ms(0)


def time_pollen_switch(ntasks, n):
    ex = new_executor(ntasks + 1)
    coros = [p_yielder(n) for _ in range(ntasks)]

    async def main():
        hs = [ex.spawn(c) for c in coros]
        for h in hs:
            await h

    gc.collect()
    t0 = ticks_us()
    ex.run(main())
    return ticks_diff(ticks_us(), t0)


def time_asyncio_switch(ntasks, n):
    import asyncio
    asyncio.new_event_loop()
    coros = [a_yielder(n) for _ in range(ntasks)]

    async def main():
        ts = [asyncio.create_task(c) for c in coros]
        for t in ts:
            await t

    gc.collect()
    t0 = ticks_us()
    asyncio.run(main())
    return ticks_diff(ticks_us(), t0)


def time_floor(ntasks, n):
    coros = [f_yielder(n) for _ in range(ntasks)]
    gc.collect()
    t0 = ticks_us()
    floor_round_robin(coros)
    return ticks_diff(ticks_us(), t0)


# -- ping-pong ----------------------------------------------------------------

def pingpong(kind, n, parked=0, count=False, lock=False):
    """Two tasks wake each other n times: set() on one object, then await
    wait() on the other.  kind: "signal" (pollen.sync.Signal, the
    zero-allocation form), "event" (pollen.sync.Event: set, wait, clear, as
    asyncio's) or "asyncio" (asyncio.Event).  One round trip first keeps the
    first uses out of the window; the window is timed.  With count, what it
    allocates is counted, the collector off (a long window of asyncio's then
    slows down as the heap fills: keep it short); with lock, it runs under
    micropython.heap_lock().  `parked` more tasks wait on objects nobody sets
    (the scaling section's).  Returns (us, bytes allocated -- counted only
    with count or lock --, None or what the window raised)."""
    if kind == "asyncio":
        import asyncio
        Ev = asyncio.Event
    else:
        from pollen.sync import Event, Signal
        Ev = Signal if kind == "signal" else Event
    clear = kind != "signal"
    a, b = Ev(), Ev()
    never = [Ev() for _ in range(parked)]
    out = [0, 0, None]

    async def pong():  # never ends: a task's end allocates, so it stays out of the window
        while True:
            await a.wait()
            if clear:
                a.clear()
            b.set()

    async def idle(ev):
        await ev.wait()

    async def ping():
        a.set()
        await b.wait()
        if clear:
            b.clear()
        gc.collect()
        if lock:
            micropython.heap_lock()
        elif count:
            gc.disable()
        m0 = gc.mem_alloc()
        t0 = ticks_us()
        try:
            for _ in range(n):
                a.set()
                await b.wait()
                if clear:
                    b.clear()
        except Exception as e:  # under the lock, whatever allocated: MemoryError
            out[2] = e
        dt = ticks_diff(ticks_us(), t0)
        m1 = gc.mem_alloc()
        if lock:
            micropython.heap_unlock()
        elif count:
            gc.enable()
        out[0], out[1] = dt, m1 - m0

    coros = [idle(x) for x in never] + [pong(), ping()]
    if kind == "asyncio":
        asyncio.new_event_loop()

        async def main():
            ts = [asyncio.create_task(c) for c in coros]
            await ts[-1]
            for t in ts[:-1]:
                t.cancel()
        asyncio.run(main())
    else:
        ex = new_executor(len(coros) + 1)

        async def main():
            hs = [ex.spawn(c) for c in coros]
            await hs[-1]
        try:  # returns once ping is done; shutdown() closes the others
            ex.run(main())
        finally:
            ex.shutdown()
    if out[2] is not None:
        out[2] = repr(out[2])
    return out[0], out[1], out[2]


# -- latency ------------------------------------------------------------------

HIST = 1024  # latency histogram bins (us); the last one holds everything longer


def p99(rec):
    """99th percentile from the histogram (exact below HIST us, else `worst`)."""
    want = (rec.count * 99 + 99) // 100
    seen = 0
    for i in range(HIST - 1):
        seen += rec.hist[i]
        if seen >= want:
            return i
    return rec.worst


class Lat:
    def __init__(self, n):
        self.n = n
        self.waiting = False
        self.done = False
        self.t0 = 0
        self.sum = 0
        self.worst = 0
        self.count = 0
        self.hist = [0] * HIST  # 1 us bins, preallocated: recording allocates nothing


def busy_slice(rec, fire, fire_at):
    """One busy slice: a 40-iteration loop.  The trigger task (fire not None)
    plays the hard IRQ at iteration `fire_at`: it stamps the time and calls
    the ISR-safe wake directly, as a handler would."""
    x = 0
    for j in range(40):
        x += j
        if j == fire_at and rec.waiting:
            rec.waiting = False
            rec.t0 = ticks_us()
            fire()
    _X[0] = x


def _record(rec):
    d = ticks_diff(ticks_us(), rec.t0)
    rec.sum += d
    if d > rec.worst:
        rec.worst = d
    rec.hist[d if d < HIST else HIST - 1] += 1
    rec.count += 1


async def p_lat_waiter(rec, bell):
    for _ in range(rec.n):
        rec.waiting = True
        await bell.wait()
        _record(rec)  # the woken task's first line
    rec.done = True


async def p_busy(rec, fire):
    from pollen import yield_now
    k = 0
    while not rec.done:
        busy_slice(rec, fire, k if fire is not None else -1)
        k = (k + 7) % 40  # the "interrupt" lands all over the slice
        await yield_now()


def run_pollen_latency(n, nbusy):
    from pollen.sync import Signal
    bell = Signal()
    fire = bell.set  # bound once, here: the "ISR" calls it without allocating
    rec = Lat(n)
    ex = new_executor(nbusy + 3)
    coros = [p_lat_waiter(rec, bell), p_busy(rec, fire)] + [p_busy(rec, None) for _ in range(nbusy)]

    async def main():
        hs = [ex.spawn(c) for c in coros]
        for h in hs:
            await h

    gc.collect()
    ex.run(main())
    return rec


async def a_lat_waiter(rec, flag, is_event):
    for _ in range(rec.n):
        rec.waiting = True
        await flag.wait()
        if is_event:
            flag.clear()
        _record(rec)
    rec.done = True


async def a_busy(rec, fire):
    import asyncio
    k = 0
    while not rec.done:
        busy_slice(rec, fire, k if fire is not None else -1)
        k = (k + 7) % 40
        await asyncio.sleep_ms(0)


def run_asyncio_latency(n, nbusy, kind):
    import asyncio
    asyncio.new_event_loop()
    flag = asyncio.ThreadSafeFlag() if kind == "tsf" else asyncio.Event()
    rec = Lat(n)
    coros = [a_lat_waiter(rec, flag, kind != "tsf"), a_busy(rec, flag.set)] + [
        a_busy(rec, None) for _ in range(nbusy)]

    async def main():
        ts = [asyncio.create_task(c) for c in coros]
        for t in ts:
            await t

    gc.collect()
    asyncio.run(main())
    return rec


def slice_us():
    """Duration of one busy slice's loop alone (no scheduler), median of 5x200."""
    rec = Lat(0)
    out = []
    for _ in range(5):
        t0 = ticks_us()
        for _ in range(200):
            busy_slice(rec, None, -1)
        out.append(ticks_diff(ticks_us(), t0) / 200)
    return median(out)


# -- sections -----------------------------------------------------------------

def heap_info():
    gc.collect()
    return gc.mem_alloc() + gc.mem_free()


def section_run(scale, reps):
    heap = heap_info()
    emit(kind="info", heap=heap, version=sys.version, platform=sys.platform,
         pollen_event="Signal", floor=FLOOR_EMITTER)
    # 1 + 2: switch throughput and the floor
    nt = 10
    n = max(10, int(10000 * scale))
    P, A, F = [], [], []
    for _ in range(reps):
        P.append(time_pollen_switch(nt, n))
        A.append(time_asyncio_switch(nt, n))
        F.append(time_floor(nt, n))
    sw = nt * n
    emit(kind="switch", heap=heap, tasks=nt, yields=n, reps=reps,
         pollen=sw * 1e6 / median(P), asyncio=sw * 1e6 / median(A), floor=sw * 1e6 / median(F))
    # 3: ping-pong
    n = max(20, int(20000 * scale))
    P, A = [], []
    for _ in range(reps):
        P.append(pingpong("signal", n)[0])
        A.append(pingpong("asyncio", n)[0])
    emit(kind="pingpong", heap=heap, trips=n, reps=reps,
         pollen=n * 1e6 / median(P), asyncio=n * 1e6 / median(A))
    # 4: latency
    n = max(20, int(10000 * scale))
    s = slice_us()
    for nbusy in (0, 3):
        res = {"pollen": [], "tsf": [], "event": []}

        def keep(key, rec):  # (mean, p99, worst) of one run; the run is dropped
            res[key].append((rec.sum / rec.count, p99(rec), rec.worst))
        for _ in range(reps):
            keep("pollen", run_pollen_latency(n, nbusy))
            # ThreadSafeFlag on unix: ~1 ms per wake, so only a sample of wakes
            keep("tsf", run_asyncio_latency(min(n, 300), nbusy, "tsf"))
            keep("event", run_asyncio_latency(n, nbusy, "event"))
        out = {}
        for key, rs in res.items():
            out[key + "_mean"] = median([r[0] for r in rs])
            out[key + "_p99"] = median([r[1] for r in rs])
            out[key + "_worst"] = max(r[2] for r in rs)
        emit(kind="latency", heap=heap, busy=nbusy, wakes=n, reps=reps, slice_us=s, **out)
    # 5: allocation
    section_alloc(heap)


def _alloc_case(run, lock):
    m = Meter(lock)
    try:
        run(m)
    except MemoryError as e:
        m.abort(e)
    except Exception as e:
        m.abort(e)
    finally:
        if m.opened:
            m.abort(RuntimeError("window not closed"))
    return m


def section_alloc(heap):
    W, K = 50, 100  # warm-up iterations, window iterations

    async def metered(m, step):
        """Await step() W + K times, the window open over the last K: the
        other tasks run in their steady state meanwhile."""
        for i in range(W + K):
            if i == W:
                m.begin()
            await step()
        m.end()

    def p_switch(m):
        from pollen import yield_now
        ex = new_executor(11)
        coros = [p_yielder(W + K + 10) for _ in range(9)]

        async def main():
            for c in coros:
                ex.spawn(c)
            await metered(m, yield_now)
        try:
            ex.run(main())
        finally:
            ex.shutdown()

    def a_switch(m):
        import asyncio
        asyncio.new_event_loop()
        coros = [a_yielder(W + K + 10) for _ in range(9)]

        async def main():
            for c in coros:
                asyncio.create_task(c)
            await metered(m, lambda: asyncio.sleep_ms(0))
        asyncio.run(main())

    def pp(kind):
        def run(m):
            dt, alloc, err = pingpong(kind, K, count=True, lock=m.lock)
            m.a, m.b = 0, alloc
            if err is not None:
                m.failed = err
        return run

    def a_sleep(m):
        import asyncio
        asyncio.new_event_loop()

        async def sleeper():
            for i in range(5 + 20 + 2):
                if i == 5:
                    m.begin()
                elif i == 25:
                    m.end()
                await asyncio.sleep_ms(1)
        asyncio.run(sleeper())

    def p_sleep(m):
        from pollen import timer  # raises ImportError while it is pending
        ex = new_executor(2)
        sleep_ms = timer.sleep_ms

        async def sleeper():
            for i in range(5 + 20 + 2):
                if i == 5:
                    m.begin()
                elif i == 25:
                    m.end()
                await sleep_ms(1)
        ex.run(sleeper())

    cases = (
        ("switch", 1000.0 / (10 * K), p_switch, a_switch, "per 1000 switches"),
        ("pingpong", 1.0 / K, pp("signal"), pp("asyncio"), "per round trip"),
        ("sleep", 1.0 / 20, p_sleep, a_sleep, "per sleep_ms(1)"),
    )
    for name, factor, prun, arun, unit in cases:
        row = {"kind": "alloc", "heap": heap, "case": name, "unit": unit}
        for side, run in (("pollen", prun), ("asyncio", arun)):
            try:
                if side == "pollen" and name == "sleep":
                    __import__("pollen.timer")
            except ImportError:
                row[side] = None
                row[side + "_lock"] = None
                continue
            m = _alloc_case(run, False)
            row[side] = None if m.failed else (m.b - m.a) * factor
            row[side + "_err"] = m.failed
            ml = _alloc_case(run, True)
            row[side + "_lock"] = ml.failed is None
            row[side + "_lock_err"] = ml.failed
        emit(**row)


def section_memory(mpy_dir):
    """Run in a fresh interpreter (the chip: after a soft reset): nothing
    of pollen or asyncio imported yet.  asyncio's import cost, and the RAM
    of an Executor, of a slot and of a task on each side (pollen's import
    costs: tools/bench_import.py on unix, tools/bench_startup.py on the
    chip)."""
    heap = heap_info()
    gc.collect()
    a = gc.mem_alloc()
    try:
        import asyncio
    except ImportError:
        asyncio = None
    gc.collect()
    b = gc.mem_alloc()
    # frozen into the unix and rp2 builds: __file__ is the frozen path, not a file on disk
    emit(kind="mem", what="asyncio_import", bytes=(b - a) if asyncio else None, heap=heap,
         file=getattr(asyncio, "__file__", "?"))
    if mpy_dir:
        sys.path.insert(0, mpy_dir)
    import pollen
    pollen.Executor  # resolve the lazy name before anything is measured
    hp = bench_port()

    def delta(fn):
        gc.collect()
        gc.disable()
        a = gc.mem_alloc()
        keep = fn()
        b = gc.mem_alloc()
        gc.enable()
        return b - a, keep

    async def idle():
        await asyncio.sleep_ms(0)

    # not counted: the board's port, made at the first Executor, and what the
    # first spawn loads (pollen.combinators)
    pollen.Executor(2, port=hp).spawn(idle())
    d8, e8 = delta(lambda: pollen.Executor(8, port=hp))
    d16, e16 = delta(lambda: pollen.Executor(16, port=hp))
    emit(kind="mem", what="executor8", bytes=d8)
    emit(kind="mem", what="per_slot", bytes=(d16 - d8) / 8)

    # per spawned task, coroutine made beforehand (both sides keep their coroutine)
    coros = [idle() for _ in range(8)]
    dspawn, _ = delta(lambda: [e8.spawn(c) for c in coros])
    dlist, _ = delta(lambda: [None for c in coros])  # the list comprehension's own list
    emit(kind="mem", what="pollen_per_task", bytes=(dspawn - dlist) / 8)
    e8.shutdown()
    asyncio.new_event_loop()
    coros = [idle() for _ in range(8)]
    dct, ts = delta(lambda: [asyncio.create_task(c) for c in coros])
    emit(kind="mem", what="asyncio_per_task", bytes=(dct - dlist) / 8)
    dco, _ = delta(lambda: [idle() for _ in range(8)])
    emit(kind="mem", what="coroutine", bytes=(dco - dlist) / 8)
    for t in ts:
        t.cancel()


def section_scaling(scale, reps):
    heap = heap_info()
    total = max(64, int(100000 * scale))
    for nt in (1, 2, 4, 8, 16, 32):
        n = max(2, total // nt)
        P, A = [], []
        for _ in range(reps):
            P.append(time_pollen_switch(nt, n))
            A.append(time_asyncio_switch(nt, n))
        sw = nt * n
        emit(kind="scale_switch", heap=heap, tasks=nt, pollen=sw * 1e6 / median(P),
             asyncio=sw * 1e6 / median(A))
    n = max(20, int(20000 * scale))
    for nt in (2, 4, 8, 16, 32):
        P, A = [], []
        for _ in range(reps):
            P.append(pingpong("signal", n, nt - 2)[0])
            A.append(pingpong("asyncio", n, nt - 2)[0])
        emit(kind="scale_pingpong", heap=heap, tasks=nt, pollen=n * 1e6 / median(P),
             asyncio=n * 1e6 / median(A))


def section_rates(rounds, reps, side):
    """The chip's switch and ping-pong rows (tools/bench_board.py runs this
    program on the board): 10 tasks that yield `rounds` times each, and
    `rounds` round trips of each ping-pong, `reps` times.  side "both": the
    two runtimes in turn in one program, as the targets were set; "pollen"
    or "asyncio": that one alone (the other is never imported)."""
    mode = "both" if side == "both" else "alone"
    for _ in range(reps):
        if side != "pollen":
            emit(what="switch", side="asyncio", mode=mode,
                 value=10 * rounds * 1e6 / time_asyncio_switch(10, rounds))
        if side != "asyncio":
            emit(what="switch", side="pollen", mode=mode,
                 value=10 * rounds * 1e6 / time_pollen_switch(10, rounds))
        for kind, name in (("asyncio", "asyncio.Event"), ("signal", "pollen Signal"),
                           ("event", "pollen Event")):
            if side != ("pollen" if kind == "asyncio" else "asyncio"):
                dt, alloc, _ = pingpong(kind, rounds, count=True)
                emit(what="pingpong", side=name, mode=mode, value=rounds * 1e6 / dt, alloc=alloc / rounds)


def main(argv):
    mode = argv[0] if argv else "run"
    if mode == "rates":  # rates ROUNDS REPS SIDE [firmware_dir]
        if len(argv) > 4:
            sys.path.insert(0, argv[4])
        section_rates(int(argv[1]), int(argv[2]), argv[3])
        print("@ " + '{"kind": "end"}')
        return
    scale = float(argv[1]) if len(argv) > 1 else 1.0
    reps = int(argv[2]) if len(argv) > 2 else 5
    fw = argv[3] if len(argv) > 3 else ""
    mpy = argv[4] if len(argv) > 4 else ""
    if fw:
        sys.path.insert(0, fw)
    if mode == "memory":
        section_memory(mpy)
    elif mode == "scaling":
        section_scaling(scale, reps)
    else:
        section_run(scale, reps)
    print("@ " + '{"kind": "end"}')


if __name__ == "__main__":  # imported by tools/bench_ab.py: only the functions
    if ARGS is None:
        ARGS = sys.argv[1:]
        if ARGS and ARGS[0].endswith(".py"):
            ARGS = ARGS[1:]
    main(ARGS)
