"""pollen vs MicroPython's asyncio on a board, side by side in one run.

    python tools/bench_board.py --emulator [--edges 100] [--write docs/BENCHMARKS.md]
    python tools/bench_board.py --port /dev/ttyACM0          # make bench PORT=...

Installs pollen as `make flash` does, then runs each figure for asyncio and
for pollen, one after the other, printing progress:

  edge -> task   a falling edge on GP14 wakes a waiting task that toggles
                 GP25; nothing else running, and with 3 busy tasks (a
                 40-iteration loop, then a yield).  On the emulated Pico the
                 edges are driven through its control socket and both times
                 are its own emulated-ns timestamps; a real board needs a
                 signal on GP14, so there this figure is reported as not run.
  idle duty      busy cycles / elapsed cycles while one task sleeps 300 ms
                 and one waits on an interrupt (emulator: `status` counters).
  switches/s     10 tasks that yield, timed on the chip (ticks_us).
  ping-pong      two tasks waking each other: pollen Signal and Event vs
                 asyncio.Event, round trips per second on the chip, and
                 the bytes a round trip allocates.  These two are
                 tools/bench_mp.py itself, the unix figures' program, sent
                 to the board in its `rates` mode.
  RAM            gc.mem_free() deltas on the chip: import, per task, per slot.
  irq            (asked for by name: --only irq) interrupt sources other than
                 a pin: 16 rp2.DMA copies of 1 KB, each completion awaited
                 (pollen.Interrupt vs a ThreadSafeFlag set by a hard DMA
                 handler), trigger -> task resumes on the chip's ticks_us,
                 data checked, bytes allocated per wait; and a PIO program
                 that raises exactly 50 IRQs, each raising GP16 by side-set
                 and waiting for the task's answer (GP25 toggled, then a
                 word into its TX FIFO): the IRQs counted
                 (and none extra), and IRQ -> task from the emulator's
                 GP16 and GP25 timestamps.
  uart           (asked for by name: --only uart) a task reads lines from
                 UART0 at 115,200 baud, fed by the control socket's
                 uart_send: one warm-up line, 300 ms of silence, then 5
                 lines 20 ms apart.  pollen Stream(uart).readline() vs
                 asyncio StreamReader(uart).readline().  Idle duty over the
                 silence (`status` cycles), and over the 5 lines' window;
                 each line's last byte (uart_send's done_t_ns) -> the task
                 toggles GP25 (the emulator's `events`).
  layouts        the switch and ping-pong ratios again, under 6 program
                 layouts: a function of 3n new names put before the same
                 program shifts its qstr numbers, and with them which names
                 share a slot of MicroPython's map lookup cache -- up to
                 10 % of pollen's rates (docs/BENCHMARKS.md).  Min, median
                 and max of each ratio.

Each device program ends with `@ {json}` lines; a figure is the median of
its samples.  The table goes to stdout and, with --write, into the
"RP2040" section of docs/BENCHMARKS.md.
"""

import argparse
import json
import os
import re
import statistics
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tools"))
import board as boardmod  # noqa: E402

READY = 15  # the device raises GP15 when it waits for edges / starts the idle window

LATENCY = {
    "pollen": """
import pollen
from machine import Pin
from pollen.gpio import Input, Output
rdy = Pin(15, Pin.OUT, value=0)
N = %(n)d
async def busy():
    while True:
        for i in range(40):
            pass
        await pollen.yield_now()
async def main(ex):
    b = Input(14, pull="up")
    led = Output(25)
    for i in range(%(busy)d):
        ex.spawn(busy())
    for i in range(5):  # warm up: each task's first steps (first uses, lazy imports) before the edges
        await pollen.yield_now()
    rdy.value(1)
    for i in range(N):
        await b.wait_for_falling_edge()
        led.toggle()
    rdy.value(0)
ex = pollen.Executor(8)
ex.run(main(ex))
print('@ {"done": 1}')
""",
    "asyncio": """
import asyncio
from machine import Pin
rdy = Pin(15, Pin.OUT, value=0)
N = %(n)d
async def busy():
    while True:
        for i in range(40):
            pass
        await asyncio.sleep_ms(0)
async def main():
    flag = asyncio.ThreadSafeFlag()
    b = Pin(14, Pin.IN, Pin.PULL_UP)
    led = Pin(25, Pin.OUT)
    b.irq(lambda p: flag.set(), Pin.IRQ_FALLING, hard=True)
    for i in range(%(busy)d):
        asyncio.create_task(busy())
    for i in range(5):  # warm up, as pollen's
        await asyncio.sleep_ms(0)
    rdy.value(1)
    for i in range(N):
        await flag.wait()
        led.toggle()
    rdy.value(0)
asyncio.run(main())
print('@ {"done": 1}')
""",
}

IDLE = {
    "pollen": """
import pollen
from machine import Pin
from pollen.gpio import Input
from pollen.timer import sleep_ms
rdy = Pin(15, Pin.OUT, value=0)
async def waiter(b):
    await b.wait_for_falling_edge()
async def main(ex):
    b = Input(14, pull="up")
    ex.spawn(waiter(b))
    await sleep_ms(50)
    rdy.value(1)
    await sleep_ms(300)
    rdy.value(0)
ex = pollen.Executor(8)
ex.run(main(ex))
print('@ {"done": 1}')
""",
    "asyncio": """
import asyncio
from machine import Pin
rdy = Pin(15, Pin.OUT, value=0)
async def waiter(flag):
    await flag.wait()
async def main():
    flag = asyncio.ThreadSafeFlag()
    b = Pin(14, Pin.IN, Pin.PULL_UP)
    b.irq(lambda p: flag.set(), Pin.IRQ_FALLING, hard=True)
    asyncio.create_task(waiter(flag))
    await asyncio.sleep_ms(50)
    rdy.value(1)
    await asyncio.sleep_ms(300)
    rdy.value(0)
asyncio.run(main())
print('@ {"done": 1}')
""",
}

# Interrupt sources (--only irq).  The PIO program raises GP16 (side-set) in
# the instruction that raises IRQ 0, stalls until the handler acknowledges it,
# then waits for the task's answer (a word into its TX FIFO, put after the
# task toggled GP25) -- 25 rounds of two: exactly 50 IRQs.  (A `wait gpio`
# handshake on GP25 does not stall in rp2040js: the FIFO does)
IRQ_COMMON = """
import gc, json, time, rp2
from array import array
from machine import Pin
def emit(**kw):
    print('@ ' + json.dumps(kw))
@rp2.asm_pio(sideset_init=rp2.PIO.OUT_LOW)
def irq50():
    set(x, 24)
    label("loop")
    irq(block, 0).side(1)
    nop().side(0)
    pull(block)
    irq(block, 0).side(1)
    nop().side(0)
    pull(block)
    jmp(x_dec, "loop")
    label("end")
    jmp("end")
led = Pin(25, Pin.OUT, value=0)
src = bytearray(1024)
dst = bytearray(1024)
N = 16
"""

IRQ = {
    "pollen": IRQ_COMMON + """
import pollen
from pollen import Interrupt
from pollen.timer import sleep_ms
dts = array('i', [0] * N)
async def dma_run():
    d = rp2.DMA()
    ctrl = d.pack_ctrl(size=0, irq_quiet=False)
    it = Interrupt(d)
    bad = waits = 0
    for k in range(N + 1):  # the first warms up
        if k == 1:
            gc.collect(); gc.disable(); m0 = gc.mem_alloc()
        for i in range(1024):
            src[i] = (i + k) & 0xFF
        t0 = time.ticks_us()
        d.config(read=src, write=dst, count=1024, ctrl=ctrl, trigger=True)
        waits += await it.wait()
        if k:
            dts[k - 1] = time.ticks_diff(time.ticks_us(), t0)
            bad += dst != src
    alloc = gc.mem_alloc() - m0
    gc.enable()
    it.close(); d.close()
    s = sorted(dts)
    emit(what="dma", side="pollen", n=N, completions=waits - 1, bad=bad, median=s[N // 2], alloc=alloc / N)
async def pio_run():
    sm = rp2.StateMachine(0, irq50, freq=2000000, sideset_base=Pin(16))
    it = Interrupt(sm)
    total = wakes = 0
    sm.active(1)
    while total < 50:
        total += await it.wait()
        wakes += 1
        led.toggle()
        sm.put(0)  # the answer the program waits for
    await sleep_ms(100)
    extra = it.take()
    sm.active(0); it.close(); rp2.PIO(0).remove_program()
    emit(what="pio", side="pollen", counted=total, wakes=wakes, extra=extra)
async def main():
    await dma_run()
    await pio_run()
pollen.Executor(4).run(main())
print('@ {"done": 1}')
""",
    "asyncio": IRQ_COMMON + """
import asyncio
dts = array('i', [0] * N)
async def dma_run():
    d = rp2.DMA()
    ctrl = d.pack_ctrl(size=0, irq_quiet=False)
    flag = asyncio.ThreadSafeFlag()
    cnt = array('i', [0])
    def h(d):
        cnt[0] += 1
        flag.set()
    d.irq(h, hard=True)
    bad = 0
    for k in range(N + 1):  # the first warms up
        if k == 1:
            gc.collect(); gc.disable(); m0 = gc.mem_alloc()
        for i in range(1024):
            src[i] = (i + k) & 0xFF
        t0 = time.ticks_us()
        d.config(read=src, write=dst, count=1024, ctrl=ctrl, trigger=True)
        await flag.wait()
        if k:
            dts[k - 1] = time.ticks_diff(time.ticks_us(), t0)
            bad += dst != src
    alloc = gc.mem_alloc() - m0
    gc.enable()
    d.irq(None); d.close()
    s = sorted(dts)
    emit(what="dma", side="asyncio", n=N, completions=cnt[0] - 1, bad=bad, median=s[N // 2], alloc=alloc / N)
async def pio_run():
    sm = rp2.StateMachine(0, irq50, freq=2000000, sideset_base=Pin(16))
    flag = asyncio.ThreadSafeFlag()
    cnt = array('i', [0])
    def h(sm):
        cnt[0] += 1
        flag.set()
    sm.irq(h, hard=True)
    wakes = 0
    sm.active(1)
    while cnt[0] < 50:
        await flag.wait()
        wakes += 1
        led.toggle()
        sm.put(0)  # the answer the program waits for
    await asyncio.sleep_ms(100)
    total = cnt[0]
    sm.active(0); sm.irq(None); rp2.PIO(0).remove_program()
    emit(what="pio", side="asyncio", counted=total, wakes=wakes, extra=total - 50)
async def main():
    await dma_run()
    await pio_run()
asyncio.run(main())
print('@ {"done": 1}')
""",
}

# UART lines (--only uart).  The device raises GP15 once its reader waits
# for the warm-up line, toggles GP25 as each line reaches the task, and
# lowers GP15 after the last.  The lines' lengths differ mod 4 (the RX
# FIFO's interrupt level): where a line ends against it matters.
UART_LINES = ("$GPGLL,4916.45,N\n", "$GPVTG,054.7,T\n", "$GPZDA,201530.00,04\n",
              "$GPGSA,A,3,04,05\n", "$GPRMC,225446,A,4916.45,N\n")
UART_COMMON = """
import json
from machine import Pin, UART
rdy = Pin(15, Pin.OUT, value=0)
led = Pin(25, Pin.OUT, value=0)
u = UART(0, 115200)
while u.any():
    u.read()
N = %(n)d
"""
UART = {
    "pollen": UART_COMMON + """
import pollen
from pollen.stream import Stream
async def main():
    s = Stream(u)
    rdy.value(1)
    await s.readline()  # the warm-up line: first uses, before the silence
    led.toggle()
    got = []
    for i in range(N):
        got.append(await s.readline())
        led.toggle()
    rdy.value(0)
    print('@ ' + json.dumps({"what": "uart", "lens": [len(l) for l in got]}))
pollen.Executor(8).run(main())
print('@ {"done": 1}')
""",
    "asyncio": UART_COMMON + """
import asyncio
async def main():
    s = asyncio.StreamReader(u)
    rdy.value(1)
    await s.readline()
    led.toggle()
    got = []
    for i in range(N):
        got.append(await s.readline())
        led.toggle()
    rdy.value(0)
    print('@ ' + json.dumps({"what": "uart", "lens": [len(l) for l in got]}))
asyncio.run(main())
print('@ {"done": 1}')
""",
}

TICKS = 100  # periods of the 10 ms periodic task
LAYOUTS = (0, 2, 5, 8, 12, 17)  # pads of 3n names before the rates program


def layout_pad(n):
    """Source that creates 3n new qstrs before the program that follows."""
    return "def _pad():\n" + "".join("    x%d = %d\n" % (i, i) for i in range(3 * n)) + "    return 0\n"


TICKER = {
    "pollen": """
import pollen
from machine import Pin
from pollen.timer import Ticker
rdy = Pin(15, Pin.OUT, value=0)
led = Pin(25, Pin.OUT, value=0)
async def main(ex):
    t = Ticker(10)
    rdy.value(1)
    for i in range(%(n)d):
        await t.next()
        led.toggle()
    rdy.value(0)
ex = pollen.Executor(4)
ex.run(main(ex))
print('@ {"done": 1}')
""",
    "asyncio": """
import asyncio, time
from machine import Pin
rdy = Pin(15, Pin.OUT, value=0)
led = Pin(25, Pin.OUT, value=0)
async def main():
    rdy.value(1)
    t = time.ticks_ms()
    for i in range(%(n)d):
        t = time.ticks_add(t, 10)  # the usual drift-free periodic loop
        await asyncio.sleep_ms(time.ticks_diff(t, time.ticks_ms()))
        led.toggle()
    rdy.value(0)
asyncio.run(main())
print('@ {"done": 1}')
""",
}

def rates_program(rounds, reps, side, pad=None):
    """The switch and ping-pong rows: tools/bench_mp.py itself -- the very
    program of the unix figures -- in its `rates` mode (side: "both", or
    one runtime alone on a fresh board), after `pad` layout names."""
    with open(os.path.join(ROOT, "tools", "bench_mp.py")) as f:
        src = with_args(f.read(), ["rates", str(rounds), str(reps), side])
    return (layout_pad(pad) if pad is not None else "") + src + "\nprint('@ {\"done\": 1}')\n"


def rate_records(b, rounds, reps, side, pad=None):
    return [r for r in records(b.run(rates_program(rounds, reps, side, pad), timeout=900)) if "what" in r]


def memory_records(b):
    """The RAM rows: tools/bench_mp.py in its `memory` mode, as on unix, on
    a freshly reset board."""
    with open(os.path.join(ROOT, "tools", "bench_mp.py")) as f:
        src = with_args(f.read(), ["memory"])
    return {r["what"]: r["bytes"] for r in records(b.run(src + "\nprint('@ {\"done\": 1}')\n", timeout=300))
            if r.get("kind") == "mem"}


def records(out):
    recs = [json.loads(l[2:]) for l in out.splitlines() if l.startswith("@ ")]
    if not recs or recs[-1].get("done") != 1:
        raise boardmod.BoardError("the device program did not finish; its output:\n" + out[-2000:])
    return recs[:-1]


def answer_times(events, pin, level):
    """µs from each change of GP`pin` to `level` to the GP25 change that
    answers it, from the emulator's event log."""
    lat = []
    start = None
    for e in events:
        if e["pin"] == pin and e["level"] == level:
            start = e["t_ns"]
        elif e["pin"] == 25 and start is not None:
            lat.append((e["t_ns"] - start) / 1000.0)
            start = None
    return lat


def latency(b, side, busy, n):
    """Median/mean/worst us from each GP14 falling edge to GP25's change."""
    ctl = b.ctl
    ctl.watch(14, 15, 25)
    ctl.events()
    import threading
    out = []
    th = threading.Thread(target=lambda: out.append(b.run(LATENCY[side] % {"n": n, "busy": busy}, timeout=600)))
    th.start()
    ctl.wait_pin(READY, 1, timeout=300)
    steps = []
    for i in range(n + 1):  # one edge more than awaited: the device never waits for a lost one
        steps += [(10000 if i else 5000, 0), (3000, None)]
    ctl.seq(14, steps)
    ctl.wait_pin(READY, 0, timeout=600)
    th.join(600)
    # let the spare edge (and its release) pass before the next program runs:
    # it would land in that program's window (asyncio's idle one waits on GP14)
    ctl.wait_us(sum(us for us, _ in steps[-4:]) + 1000, timeout=60)
    records(out[0] if out else "")
    lat = answer_times(ctl.events(), 14, 0)
    if len(lat) < n:
        raise boardmod.BoardError("%s: only %d of %d edges reached the task" % (side, len(lat), n))
    lat = lat[:n]  # the spare edge, if the program answered it before it ended, is not one of the n
    return {"median": statistics.median(lat), "mean": statistics.mean(lat), "worst": max(lat), "n": len(lat)}


def ticker_error(b, side, n=TICKS):
    """Max and mean |error| (us) of a 10 ms periodic task's GP25 toggles
    against its ideal grid (emulator timestamps), in the steady state: the
    first tick is left out (on either side it runs code the first time:
    MicroPython's lookup caches are cold; pollen's lands about 20 us late)
    and reported as `first`.  The grid's phase is the median offset of the
    rest: a periodic task promises the period, not where its first tick lands.
    The second tick is the first whose wake takes the steady path: it is
    reported too, and the worst error from the third tick on."""
    ctl = b.ctl
    ctl.watch(15, 25)
    ctl.events()
    rec = b.run(TICKER[side] % {"n": n}, timeout=600)
    records(rec)
    ts = [e["t_ns"] for e in ctl.events() if e["pin"] == 25]
    if len(ts) < n:
        raise boardmod.BoardError("%s: only %d of %d ticks seen" % (side, len(ts), n))
    off = [t - k * 10000000 for k, t in enumerate(ts)]
    phase = statistics.median(off[1:])
    err = [abs(o - phase) / 1000.0 for o in off[1:]]
    return {"max": max(err), "mean": statistics.mean(err), "first": (off[0] - phase) / 1000.0,
            "second": (off[1] - phase) / 1000.0, "max_from_third": max(err[1:])}


def idle_duty(b, side):
    ctl = b.ctl
    import threading
    out = []
    th = threading.Thread(target=lambda: out.append(b.run(IDLE[side], timeout=300)))
    th.start()
    ctl.wait_pin(READY, 1, timeout=300, pause=True)
    s0 = ctl.status()
    ctl.resume()
    ctl.wait_pin(READY, 0, timeout=300, pause=True)
    s1 = ctl.status()
    ctl.resume()
    th.join(300)
    records(out[0] if out else "")
    busy = s1["cycles_executed"] - s0["cycles_executed"]
    elapsed = (s1["t_ns"] - s0["t_ns"]) / 8.0
    return 100.0 * busy / elapsed


def irq_sources(b, side):
    """The interrupt-source program for `side`: its records (DMA, PIO), and
    IRQ -> task from the emulator's timestamps: each GP16 rise (the PIO's
    IRQ, by side-set) to the GP25 change that answers it."""
    ctl = b.ctl
    ctl.watch(16, 25)
    ctl.events()
    recs = records(b.run(IRQ[side], timeout=600))
    lat = answer_times(ctl.events(), 16, 1)
    out = {r["what"]: r for r in recs}
    out["lat"] = {"median": statistics.median(lat) if lat else None, "worst": max(lat) if lat else None,
                  "n": len(lat)}
    return out


def uart_lines(b, side):
    """UART0 lines for `side` (UART, UART_LINES): idle duty while the task
    waits through 300 ms of silence, duty over the lines' window, and each
    line's last byte (uart_send's done_t_ns) -> the task's GP25 toggle."""
    ctl = b.ctl
    ctl.watch(15, 25)
    import threading
    out = []
    n = len(UART_LINES)
    th = threading.Thread(target=lambda: out.append(b.run(UART[side] % {"n": n}, timeout=300)))
    th.start()
    ctl.wait_pin(READY, 0, timeout=300)  # (GP15 may still be high from a program before this one)
    ctl.wait_pin(READY, 1, timeout=300)
    ctl.cmd("uart_send 0 %s" % json.dumps("warm-up\n"))
    ctl.wait_pin(25, 1, timeout=60)
    ctl.wait_us(1000, timeout=60)
    s0 = ctl.status()
    ctl.wait_us(300000, timeout=300)
    s1 = ctl.status()
    ctl.events()
    done = []
    for line in UART_LINES:
        done.append(ctl.cmd("uart_send 0 %s" % json.dumps(line))["done_t_ns"])
        ctl.wait_us(20000, timeout=120)
    ctl.wait_pin(READY, 0, timeout=120)
    s2 = ctl.status()
    th.join(300)
    recs = records(out[0] if out else "")
    lens = [r for r in recs if r.get("what") == "uart"][0]["lens"]
    if lens != [len(l) for l in UART_LINES]:
        raise boardmod.BoardError("%s: the task read lines of %s bytes, not %s" % (
            side, lens, [len(l) for l in UART_LINES]))
    toggles = [e["t_ns"] for e in ctl.events() if e["pin"] == 25]
    lat = []
    for i, t_done in enumerate(done):
        nxt = done[i + 1] if i + 1 < len(done) else float("inf")
        ts = [t for t in toggles if t_done <= t < nxt]
        if not ts:
            raise boardmod.BoardError("%s: line %d never reached the task after its last byte" % (side, i))
        lat.append((ts[0] - t_done) / 1000.0)

    def duty(a, z):
        return 100.0 * (z["cycles_executed"] - a["cycles_executed"]) / ((z["t_ns"] - a["t_ns"]) / 8.0)

    return {"idle": duty(s0, s1), "lines_duty": duty(s1, s2), "lat": lat,
            "median": statistics.median(lat), "worst": max(lat)}


def uart_pooled(runs):
    """uart_lines() runs of one side as one figure: the median duties, and
    every line of every run in one median (each run's phase against the
    board's timing is the host's, so a run of five can hold two late lines)."""
    lat = [x for r in runs for x in r["lat"]]
    return {"idle": statistics.median(r["idle"] for r in runs),
            "lines_duty": statistics.median(r["lines_duty"] for r in runs),
            "runs": [r["lat"] for r in runs], "n": len(lat),
            "median": statistics.median(lat), "worst": max(lat)}


def med(recs, what, side, key="value", mode="both"):
    xs = [r[key] for r in recs if r.get("what") == what and r.get("side") == side
          and r.get("mode", "both") == mode]
    return statistics.median(xs) if xs else None


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--port")
    ap.add_argument("--emulator", action="store_true", help="start the emulated Pico (../shared/rp2040)")
    ap.add_argument("--control", help="with --port: the control socket of an emulated Pico already running")
    ap.add_argument("--edges", type=int, default=100)
    ap.add_argument("--rounds", type=int, default=300)
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--no-install", action="store_true")
    ap.add_argument("--firmware", help="an emulated Pico running this .uf2, pollen frozen in (make "
                    "firmware): measures that pollen, installs nothing")
    ap.add_argument("--write", help="put the table into this Markdown file's RP2040 section")
    ap.add_argument("--only", default="latency,idle,ticker,rates,layouts,ram,irq,uart,compat",
                    help="comma list of figures to run: latency, idle, ticker, rates, layouts, ram, "
                         "irq (DMA completions, PIO IRQs and IRQ -> task, pollen.Interrupt vs asyncio; "
                         "emulated Pico), uart (UART lines: idle duty and last byte -> task, Stream vs "
                         "StreamReader; emulated Pico), compat (the same asyncio programs under asyncio "
                         "and pollen.asyncio, tools/bench_asyncio_compat.py: N tasks plus a sleeper, "
                         "Event, ThreadSafeFlag) -- the default: all, about 6 minutes on the emulated Pico")
    a = ap.parse_args(argv)
    t0 = time.monotonic()
    try:
        b = boardmod.open_board(a.port, a.emulator or bool(a.firmware), control=a.control,
                                firmware=a.firmware)
    except boardmod.BoardError as e:
        print("bench: %s" % e)
        return 2

    def step(msg):
        print("[%4.0f s] %s" % (time.monotonic() - t0, msg), flush=True)

    res = {}
    try:
        if not a.no_install and not a.firmware:
            step("installing pollen (as make flash does)")
            b.install()
        only = a.only.split(",")
        if b.ctl is not None and "latency" in only:
            for busy in (0, 3):
                for side in ("asyncio", "pollen"):
                    step("edge -> task, %s, %d busy tasks, %d edges" % (side, busy, a.edges))
                    res[("lat", side, busy)] = r = latency(b, side, busy, a.edges)
                    step("   median %.1f us, mean %.1f, worst %.1f" % (r["median"], r["mean"], r["worst"]))
        if b.ctl is not None and "idle" in only:
            for side in ("asyncio", "pollen"):
                step("idle duty, %s (300 ms)" % side)
                res[("idle", side)] = d = idle_duty(b, side)
                step("   %.3f %%" % d)
        if b.ctl is not None and "ticker" in only:
            for side in ("asyncio", "pollen"):
                step("10 ms periodic task, %s, %d periods" % (side, TICKS))
                res[("tick", side)] = r = ticker_error(b, side)
                step("   max error %.1f us, mean %.1f (first tick %+.1f us, second %+.1f)" % (
                    r["max"], r["mean"], r["first"], r["second"]))
        if b.ctl is not None and "irq" in only:
            for side in ("asyncio", "pollen"):
                step("interrupt sources, %s: 16 DMA completions, 50 PIO IRQs" % side)
                res[("irq", side)] = r = irq_sources(b, side)
                step("   DMA %s, PIO %s, IRQ -> task median %s us" % (r.get("dma"), r.get("pio"), r["lat"]["median"]))
        if b.ctl is not None and "uart" in only:
            runs = {"asyncio": [], "pollen": []}
            for i in range(a.reps):  # the two in turn: the host sends the lines, so their phase varies
                for side in ("asyncio", "pollen"):
                    step("UART lines, %s, run %d/%d: 300 ms silence, then %d lines 20 ms apart" % (
                        side, i + 1, a.reps, len(UART_LINES)))
                    runs[side].append(uart_lines(b, side))
                    r = runs[side][-1]
                    step("   idle %.3f %%, over the lines %.3f %%, last byte -> task median %.1f us (%s)" % (
                        r["idle"], r["lines_duty"], r["median"], ", ".join("%.0f" % x for x in r["lat"])))
            for side, rs in runs.items():
                res[("uart", side)] = uart_pooled(rs)
        if b.ctl is None:
            step("edge -> task, idle duty and ticker: not run (they need the emulated Pico's timestamps: EMU=1)")
        rates, ram = [], {}
        if "rates" in only:
            step("switches and ping-pong, %d rounds x %d reps" % (a.rounds, a.reps))
            for side in ("both", "asyncio", "pollen"):
                rates += rate_records(b, a.rounds, a.reps, side)
        if "layouts" in only:
            for i, n in enumerate(LAYOUTS):
                step("switches and ping-pong, program layout %d of %d" % (i + 1, len(LAYOUTS)))
                recs = rate_records(b, a.rounds, 2, "both", n)
                last = {}
                for r in recs:  # the second rep's: the first one's switches include first uses
                    last[(r["what"], r["side"])] = r["value"]
                rates.append({"what": "layout", "switch": last[("switch", "pollen")] / last[("switch", "asyncio")],
                              "signal": last[("pingpong", "pollen Signal")] / last[("pingpong", "asyncio.Event")],
                              "event": last[("pingpong", "pollen Event")] / last[("pingpong", "asyncio.Event")]})
        if "ram" in only:
            step("RAM on the chip")
            ram = memory_records(b)
        compat = []
        if "compat" in only:
            step("the same asyncio programs under asyncio and pollen.asyncio")
            with open(os.path.join(ROOT, "tools", "bench_asyncio_compat.py")) as f:
                src = with_args(f.read(), ["0.02", str(a.reps)])
            compat = [json.loads(l[2:]) for l in b.run(src + "\nprint('@ {\"done\": 1}')\n",
                                                         timeout=900).splitlines()
                      if l.startswith("@ ")][:-1]
    except boardmod.BoardError as e:
        print("bench: %s" % e)
        return 2
    finally:
        b.close()
    text = report(res, rates, ram, a, compat)
    print(text)
    if a.write:
        write_section(a.write, text, "bench-board-frozen" if a.firmware else "bench-board")
        print("wrote %s" % a.write)
    step("done")
    return 0


def with_args(src, args):
    """A bench program's source with its `ARGS = None` line (at the start of
    a line: its docstring names it too) set to `args` -- a board run has no
    argv.  Replacing the first mention instead once ran the chip's compat
    bench at full scale: 50x the switches, an hour of emulation."""
    out, n = re.subn(r"^ARGS = None\b", "ARGS = %r" % (args,), src, count=1, flags=re.M)
    if not n:
        raise ValueError("no `ARGS = None` line to set")
    return out


def report(res, rates, ram, a, compat=()):
    how = ("pollen frozen into the firmware (`make firmware`: v1.28.0 `RPI_PICO` built with "
           "boards/rpi_pico/manifest.py; the viper and asm_thumb modules frozen as machine code)"
           if a.firmware else
           "MicroPython v1.28.0 `RPI_PICO`, pollen as `make flash` installs it (.mpy; the viper and "
           "asm_thumb modules `loop_viper`, `leaves_viper`, `sync_viper`, `irq_viper`, `slot_viper`, `timer_viper`, `port_rp2` "
           "compiled with mpy-cross -march=armv6m)")
    where = (" --firmware " + os.path.relpath(a.firmware, ROOT) if a.firmware else
             " --emulator" if a.emulator else " --port " + str(a.port))
    L = ["Command: `%s`" % ("make bench EMU=1" if a.emulator or a.firmware else "make bench PORT=%s" % a.port),
         "(`tools/bench_board.py%s --edges %d --rounds %d --reps %d`), %s." % (
             where, a.edges, a.rounds, a.reps, how), ""]
    L += ["| figure | asyncio | pollen | pollen / asyncio | target |", "|---|---|---|---|---|"]

    def row(name, av, pv, fmt, better_low, target):
        if better_low is None and av is not None and pv is not None:  # no ratio: signed figures
            L.append("| %s | %s | %s | — | %s |" % (name, fmt % av, fmt % pv, target))
            return
        if av is None or pv is None:
            L.append("| %s | %s | %s | — | %s |" % (name, "not run" if av is None else fmt % av,
                                                   "not run" if pv is None else fmt % pv, target))
            return
        ratio = (av / pv) if better_low else (pv / av)
        L.append("| %s | %s | %s | %.2f× better | %s |" % (name, fmt % av, fmt % pv, ratio, target))

    for busy, target in ((0, "median ≤ 60 µs"), (3, "median ≤ 300 µs")):
        a_ = res.get(("lat", "asyncio", busy))
        p_ = res.get(("lat", "pollen", busy))
        for k in ("median", "mean", "worst"):
            row("edge → task, %d busy, %s (µs, %s edges)" % (busy, k, a_["n"] if a_ else "—"),
                a_ and a_[k], p_ and p_[k], "%.1f", True, target if k == "median" else "—")
    row("CPU busy while idle (%)", res.get(("idle", "asyncio")), res.get(("idle", "pollen")), "%.3f", True, "≤ 0.1 %")
    ta, tp = res.get(("tick", "asyncio")), res.get(("tick", "pollen"))
    row("10 ms periodic task, max error vs its grid after the first tick (µs, %d periods; asyncio: "
        "sleep_ms to the next deadline, pollen: Ticker)" % TICKS, ta and ta["max"], tp and tp["max"],
        "%.1f", True, "≤ 10 µs")
    row("the same, first tick vs that grid (µs)", ta and ta["first"], tp and tp["first"], "%+.1f", None, "—")
    row("the same, from the third tick on (µs; the second is the steady path's first)", ta and ta["max_from_third"],
        tp and tp["max_from_third"], "%.1f", True, "—")
    row("10 tasks yielding (switches/s)", med(rates, "switch", "asyncio"), med(rates, "switch", "pollen"),
        "%.0f", False, "≥ 3× asyncio")
    ae = med(rates, "pingpong", "asyncio.Event")
    row("ping-pong: pollen Signal vs asyncio.Event (round trips/s)", ae, med(rates, "pingpong", "pollen Signal"),
        "%.0f", False, "≥ 4×")
    row("ping-pong: pollen Event vs asyncio.Event (round trips/s)", ae, med(rates, "pingpong", "pollen Event"),
        "%.0f", False, "≥ 3×")
    row("bytes allocated per round trip (Signal)", med(rates, "pingpong", "asyncio.Event", "alloc"),
        med(rates, "pingpong", "pollen Signal", "alloc"), "%.1f", None, "0")
    al = "; each runtime alone on a freshly reset board"
    row("10 tasks yielding (switches/s)" + al, med(rates, "switch", "asyncio", mode="alone"),
        med(rates, "switch", "pollen", mode="alone"), "%.0f", False, "—")
    ae = med(rates, "pingpong", "asyncio.Event", mode="alone")
    row("ping-pong: Signal vs asyncio.Event (round trips/s)" + al, ae,
        med(rates, "pingpong", "pollen Signal", mode="alone"), "%.0f", False, "—")
    row("ping-pong: Event vs asyncio.Event (round trips/s)" + al, ae,
        med(rates, "pingpong", "pollen Event", mode="alone"), "%.0f", False, "—")
    lays = [r for r in rates if r.get("what") == "layout"]
    for key, name, target in (("switch", "10 tasks yielding", "≥ 3×"), ("signal", "ping-pong: Signal", "≥ 4×"),
                              ("event", "ping-pong: Event", "≥ 3×")):
        if lays:
            v = sorted(r[key] for r in lays)
            L.append("| %s ÷ asyncio, under %d program layouts: min / median / max | — | — | "
                     "%.2f× / %.2f× / %.2f× | %s |" % (name, len(v), v[0], statistics.median(v), v[-1], target))
    ia, ip = res.get(("irq", "asyncio")), res.get(("irq", "pollen"))
    if ia or ip:
        L += ["", "Interrupt sources (`--only irq`): pollen.Interrupt vs a ThreadSafeFlag set by a hard handler:",
              "", "| figure | asyncio | pollen | target |", "|---|---|---|---|"]

        def irow(name, fn, target):
            L.append("| %s | %s | %s | %s |" % (name, fn(ia) if ia else "not run", fn(ip) if ip else "not run", target))

        irow("16 DMA copies of 1 KB: completions awaited, data wrong",
             lambda r: "%d, %d wrong" % (r["dma"]["completions"], r["dma"]["bad"]), "16, 0 wrong")
        irow("DMA: trigger → task resumes, median (µs, chip ticks_us)", lambda r: "%d" % r["dma"]["median"], "—")
        irow("DMA: bytes allocated per completion awaited", lambda r: "%.1f" % r["dma"]["alloc"], "0")
        irow("PIO program raising 50 IRQs: counted, extra after the 50th",
             lambda r: "%d (in %d wakes), %d extra" % (r["pio"]["counted"], r["pio"]["wakes"], r["pio"]["extra"]),
             "50, 0 extra")
        irow("PIO IRQ → task answers on GP25, median / worst (µs, %s IRQs)" % (ip or ia)["lat"]["n"],
             lambda r: "%.1f / %.1f" % (r["lat"]["median"], r["lat"]["worst"]) if r["lat"]["n"] else "—", "—")
    ua, up = res.get(("uart", "asyncio")), res.get(("uart", "pollen"))
    if ua or up:
        L += ["", "UART lines (`--only uart`): UART0 at 115,200 baud, 5 lines of %s bytes 20 ms apart "
              "after 300 ms of silence, %d runs of each runtime in turn; pollen `Stream(uart).readline()` vs "
              "asyncio `StreamReader(uart).readline()`:" % (", ".join(str(len(l)) for l in UART_LINES),
                                                            len((ua or up)["runs"])),
              "", "| figure | asyncio | pollen | target |", "|---|---|---|---|"]

        def urow(name, fn, target):
            L.append("| %s | %s | %s | %s |" % (name, fn(ua) if ua else "not run", fn(up) if up else "not run",
                                               target))

        urow("core busy while the task waits (300 ms of silence, %; median of the runs)",
             lambda r: "%.3f" % r["idle"], "≤ asyncio")
        urow("core busy over the 5 lines' window (100 ms, %; median of the runs)",
             lambda r: "%.3f" % r["lines_duty"], "—")
        urow("a line's last byte → the task has it, median (µs, %d lines: every line of every run)"
             % (ua or up)["n"], lambda r: "%.1f" % r["median"], "≤ asyncio")
        urow("the same, worst (µs)", lambda r: "%.1f" % r["worst"], "—")
        urow("the same, each line (µs; runs apart by ;)",
             lambda r: "; ".join(" / ".join("%.0f" % x for x in run) for run in r["runs"]), "—")
    rows = [r for r in compat if r.get("kind") in ("rate", "alloc")]
    if rows:
        L += ["", "The same asyncio programs, `import asyncio` vs `import pollen.asyncio as asyncio` "
              "(tools/bench_asyncio_compat.py):", "",
              "| program | asyncio | pollen.asyncio |", "|---|---|---|"]
        for r in rows:
            unit = r.get("unit", "")
            L.append("| %s (%s) | %.0f | %.0f |" % (r["what"], unit, r["asyncio"], r["pollen"]))
    if not ram:
        return "\n".join(L)
    L += ["", "RAM on the chip (`gc.mem_free()` deltas, `tools/bench_mp.py memory`): asyncio import %d B "
          "(frozen in the firmware), %.0f B per task; pollen Executor(8) %d B, %.0f B per extra slot, "
          "%.0f B per task; a coroutine %.0f B on either.  pollen's import: \"RAM and start-up on the "
          "RP2040\"." % (ram["asyncio_import"], ram["asyncio_per_task"], ram["executor8"], ram["per_slot"],
                          ram["pollen_per_task"], ram["coroutine"])]
    return "\n".join(L)


def write_section(path, text, tag="bench-board", title="On the RP2040 (emulated Pico)"):
    """Put `text` between the file's <!-- tag:begin --> and <!-- tag:end -->
    markers, or in a new section `title` at its end."""
    with open(path) as f:
        doc = f.read()
    begin, end = "<!-- %s:begin -->" % tag, "<!-- %s:end -->" % tag
    block = "%s\n%s\n%s" % (begin, text, end)
    if begin in doc:
        doc = doc[:doc.index(begin)] + block + doc[doc.index(end) + len(end):]
    else:
        doc = doc.rstrip() + "\n\n## %s\n\n" % title + block + "\n"
    with open(path, "w") as f:
        f.write(doc)


if __name__ == "__main__":
    sys.exit(main())
