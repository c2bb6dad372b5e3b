"""RAM and start-up time on the chip: pollen (as .mpy, and frozen) beside asyncio.

    python tools/bench_startup.py --emulator [--firmware build/firmware/RPI_PICO/firmware.uf2]
    python tools/bench_startup.py --port /dev/ttyACM0        # pollen as the board has it

The program is what a button app needs, through the public API:
`import pollen`, `pollen.timer.sleep_ms`, `pollen.gpio.Input`;
`Executor(8)`; `Input(14, pull="up")`; one task that sleeps 1 ms, run to the
end.  Then a `pollen.asyncio` program on top (an Event set by a task after
sleep_ms(1)).  asyncio: that asyncio program alone.  Each after a soft reset
(a fresh heap), measured on the chip: gc.mem_free() after gc.collect()
before and after, ticks_us() around it.  A second run of each program takes
the RAM apart step by step, and names the modules each step loaded.

With --emulator it installs pollen as `make flash` does on the stock
firmware (.mpy files); with --firmware F it also starts a second emulated
Pico on F, a firmware with pollen frozen in (`make firmware`), and measures
pollen frozen and asyncio again there.  Used by tools/bench.py (make bench).
"""

import argparse
import json
import os
import statistics
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tools"))
import board as boardmod  # noqa: E402
from bench_board import records  # noqa: E402  (the device program's @ {json} lines)

_HEAD = """
import gc, json, sys, time
def free():
    gc.collect()
    return gc.mem_free()
def mods():
    return sorted(m for m in sys.modules if m.startswith('pollen') or m.startswith('asyncio'))
"""

# Time and RAM, nothing -> task done: no collection in between
POLLEN = _HEAD + """
f0 = free()
t0 = time.ticks_us()
import pollen
from pollen.timer import sleep_ms
from pollen.gpio import Input
ex = pollen.Executor(8)
inp = Input(14, pull="up")
async def task():
    await sleep_ms(1)
ex.run(task())
t1 = time.ticks_us()
f1 = free()
import pollen.port
print('@ ' + json.dumps({"side": "pollen", "ram": f0 - f1, "us": time.ticks_diff(t1, t0),
                         "file": getattr(pollen, '__file__', ''), "fast": pollen.port.used()}))
t0 = time.ticks_us()
import pollen.asyncio as asyncio
%(asyncio_program)st1 = time.ticks_us()
f2 = free()
print('@ ' + json.dumps({"side": "pollen.asyncio", "ram": f1 - f2, "us": time.ticks_diff(t1, t0)}))
print('@ {"done": 1}')
"""

ASYNCIO = _HEAD + """
f0 = free()
t0 = time.ticks_us()
import asyncio
%(asyncio_program)st1 = time.ticks_us()
f1 = free()
print('@ ' + json.dumps({"side": "asyncio", "ram": f0 - f1, "us": time.ticks_diff(t1, t0)}))
print('@ {"done": 1}')
"""

# The asyncio program, written once: asyncio runs it alone, pollen.asyncio on
# top of the pollen program
ASYNCIO_PROGRAM = """async def setter(ev):
    await asyncio.sleep_ms(1)
    ev.set()
async def main():
    ev = asyncio.Event()
    asyncio.create_task(setter(ev))
    await ev.wait()
asyncio.run(main())
"""
POLLEN %= {"asyncio_program": ASYNCIO_PROGRAM}
ASYNCIO %= {"asyncio_program": ASYNCIO_PROGRAM}

# Where the RAM goes: the same program, one module or object at a time, in
# the order the program loads them, a collection after each
STEPS = _HEAD + """
steps = []
m0 = mods()
f0 = free()
t0 = time.ticks_us()
def step(what):
    global f0, m0, t0
    us = time.ticks_diff(time.ticks_us(), t0)  # the step's own time: no collection in it
    f = free()
    m = mods()
    steps.append([what, f0 - f, us, [x for x in m if x not in m0]])
    f0 = f
    m0 = m
    t0 = time.ticks_us()
import pollen
step("module pollen: the package, its lazy name table")
import pollen.port
step("module pollen.port: the port registry, the twin rule")
import pollen.future
step("module pollen.future (+ leaves_viper): Context, Waker, Future, Leaf, the await path")
import pollen.timer
step("module pollen.timer (+ timer_viper): TimerQueue, sleeps")
import pollen.gpio
step("module pollen.gpio: Input, Output, the pin wait")
import pollen.executor
step("module pollen.executor (+ loop_viper): Executor, Task")
from pollen import port
p = port.current()
step("the board port: port_machine, port_rp2 and the MachinePort object")
ex = pollen.Executor(8)
step("object Executor(8): ready[], slot lists, the task-id waker vtable")
inp = pollen.gpio.Input(14, pull="up")
step('object Input(14, pull="up"): state array, wait object, handler, Pin')
q = pollen.timer.queue()
step("object the timer queue (16 nodes): its buffers and lists")
async def task():
    await pollen.timer.sleep_ms(1)
ex.run(task())
step("run a task that sleeps 1 ms (its slot's Task, Context, Waker, freed after)")
import pollen.asyncio as asyncio
step("import pollen.asyncio")
%(asyncio_program)sstep("the asyncio program (Event, create_task, sleep_ms)")
for s in steps:
    print('@ ' + json.dumps({"step": s[0], "ram": s[1], "us": s[2], "modules": s[3]}))
# What one name costs to look for in pollen's folder (an import from a
# filesystem looks three times -- the name as a folder, .py, .mpy -- then
# opens the file; frozen modules have no folder)
import os
def on_fs(m):  # loaded from a file (make flash), not from the firmware's image (make firmware)
    try:
        os.stat(m.__file__)
        return True
    except (AttributeError, OSError):
        return False
d = pollen.__path__
if not d.startswith("/"):  # found through '' (the current directory): the root, on a board
    d = os.getcwd().rstrip("/") + "/" + d
if on_fs(pollen):
    t0 = time.ticks_us()
    for i in range(4):
        try:
            os.stat(d + "/no_such_module.py")
        except OSError:
            pass
    print('@ ' + json.dumps({"lookup": d, "us": time.ticks_diff(time.ticks_us(), t0) / 4}))
print('@ {"done": 1}')
""" % {"asyncio_program": ASYNCIO_PROGRAM}


def measure(b, label, reps):
    """{side: {"ram": median, "us": [min, median, max], ...}} and the steps, on board b."""
    out = {}
    for prog in (ASYNCIO, POLLEN):
        runs = []
        for i in range(reps):
            runs.append(records(b.run(prog, timeout=240)))
            print("  %s: %s run %d/%d" % (label, "pollen" if prog is POLLEN else "asyncio", i + 1, reps),
                  flush=True)
        for k, first in enumerate(runs[0]):
            side = first["side"]
            rams = [r[k]["ram"] for r in runs]
            uss = [r[k]["us"] for r in runs]
            rec = dict(first)
            rec["ram"] = statistics.median(rams)
            rec["ram_range"] = [min(rams), max(rams)]
            rec["us"] = [min(uss), statistics.median(uss), max(uss)]
            out[side] = rec
    steps = records(b.run(STEPS, timeout=240))
    print("  %s: the RAM, step by step" % label, flush=True)
    return out, steps


def table(results):
    """The markdown table: one column per install."""
    lines = ["| | asyncio (frozen in the firmware) | " +
             " | ".join("pollen %s" % label for label in results) + " |",
             "|---|---|" + "---|" * len(results)]
    first = next(iter(results.values()))[0]
    a = first["asyncio"]
    lines.append("| RAM, nothing → task done | %s B | %s |" % (
        "{:,}".format(int(a["ram"])),
        " | ".join("{:,} B".format(int(r[0]["pollen"]["ram"])) for r in results.values())))
    lines.append("| time, nothing → task done (min / median / max) | %s | %s |" % (
        "%.1f / %.1f / %.1f ms" % tuple(x / 1000 for x in a["us"]),
        " | ".join("%.1f / %.1f / %.1f ms" % tuple(x / 1000 for x in r[0]["pollen"]["us"])
                   for r in results.values())))
    lines.append("| the asyncio program on the same firmware, RAM / time (median) | — | %s |" % " | ".join(
        "{:,} B / {:.1f} ms".format(int(r[0]["asyncio"]["ram"]), r[0]["asyncio"]["us"][1] / 1000)
        for r in results.values()))
    lines.append("| `pollen.asyncio` program on top | — | %s |" % " | ".join(
        "+{:,} B, {:.1f} ms".format(int(r[0]["pollen.asyncio"]["ram"]), r[0]["pollen.asyncio"]["us"][1] / 1000)
        for r in results.values()))
    lines.append("| fast paths running | — | %s |" % " | ".join(
        ", ".join("%s %s" % kv for kv in sorted(r[0]["pollen"]["fast"].items())) for r in results.values()))
    labels = list(results)
    lines += ["", "Where pollen's RAM and start go, step by step (`gc.mem_free()` after each step, "
              "`ticks_us()` around it):", "",
              "| module or object | " + " | ".join("RAM, %s | time, %s" % (l, l) for l in labels) +
              " | modules loaded |", "|---|" + "---|---|" * len(labels) + "---|"]
    steps = [[s for s in results[l][1] if "step" in s] for l in labels]
    for k, first in enumerate(steps[0]):
        lines.append("| %s | %s | %s |" % (first["step"], " | ".join(
            "{:,} B | {:.1f} ms".format(int(st[k]["ram"]), st[k]["us"] / 1000) for st in steps),
            ", ".join("`%s`" % m for m in first["modules"]) or "—"))
    for l in labels:
        for s in results[l][1]:
            if "lookup" in s:
                lines += ["", "%s: a name that is not there, looked for in `%s`, costs %.1f ms (an import "
                          "from a filesystem looks three times -- the name as a folder, `.py`, `.mpy` -- "
                          "then opens the file)." % (l, s["lookup"], s["us"] / 1000)]
    return "\n".join(lines)


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--port", help="a board (or an emulated Pico already running) on this serial port")
    p.add_argument("--control", help="that emulated Pico's control socket")
    p.add_argument("--emulator", action="store_true", help="start the emulated Pico (../shared/rp2040)")
    p.add_argument("--firmware", help="also measure on an emulated Pico running this .uf2 (pollen frozen)")
    p.add_argument("--no-install", action="store_true", help="measure the pollen the board has")
    p.add_argument("--reps", type=int, default=3)
    p.add_argument("--json", help="write the results here")
    p.add_argument("--write", help="put the table into this Markdown file (its bench-startup section)")
    a = p.parse_args(argv)
    results = {}
    try:
        if a.port or a.emulator:
            b = boardmod.open_board(port=a.port, emulator=a.emulator, control=a.control)
            try:
                if not a.no_install:
                    print("installing pollen as `make flash` does ...", flush=True)
                    b.install()
                results[".mpy (make flash)"] = measure(b, ".mpy", a.reps)
            finally:
                b.close()
        if a.firmware:
            b = boardmod.open_board(emulator=True, firmware=a.firmware)
            try:
                results["frozen (make firmware)"] = measure(b, "frozen", a.reps)
            finally:
                b.close()
    except boardmod.BoardError as e:
        print("bench_startup: %s" % e, file=sys.stderr)
        return 2
    if not results:
        print("bench_startup: " + boardmod.NO_BOARD, file=sys.stderr)
        return 2
    text = table(results)
    cmd = "make bench EMU=1" if a.emulator else "make bench PORT=%s" % a.port if a.port else ""
    text = ("Command: `%s` (`tools/bench_startup.py%s%s --reps %d`), the median of %d runs each, "
            "each after a soft reset.\n\n" % (
                cmd, " --emulator" if a.emulator else " --port %s" % a.port if a.port else "",
                " --firmware %s" % os.path.relpath(a.firmware, ROOT) if a.firmware else "", a.reps, a.reps)
            + text)
    print(text)
    if a.write:
        import bench_board
        bench_board.write_section(a.write, text, "bench-startup", "RAM and start-up on the RP2040")
        print("wrote %s" % a.write)
    if a.json:
        with open(a.json, "w") as f:
            json.dump(results, f, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
