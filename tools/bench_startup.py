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
the RAM apart step by step, and names the modules each step loaded; a
third prices each object a program makes; on the frozen firmware, a census
takes the RAM apart by module, class and buffer; and on both installs
MicroPython's own map of its heap (micropython.mem_info(1)) and count of
interned names (qstr_info()) take it apart by kind of object, with no model.

With --emulator it installs pollen as `make flash` does on the stock
firmware (.mpy files); with --firmware F it also starts a second emulated
Pico on F, a firmware with pollen frozen in (`make firmware`), and measures
pollen frozen and asyncio again there.  Used by tools/bench.py (make bench).
"""

import argparse
import json
import os
import re
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

# The button program, written once: timed and measured (POLLEN), and taken
# apart (CENSUS)
BUTTON_PROGRAM = """import pollen
from pollen.timer import sleep_ms
from pollen.gpio import Input
ex = pollen.Executor(8)
inp = Input(14, pull="up")
async def task():
    await sleep_ms(1)
ex.run(task())
"""

# Time and RAM, nothing -> task done: no collection in between
POLLEN = _HEAD + """
f0 = free()
t0 = time.ticks_us()
%(button_program)st1 = time.ticks_us()
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
POLLEN %= {"asyncio_program": ASYNCIO_PROGRAM, "button_program": BUTTON_PROGRAM}
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


# Where the frozen RAM goes, item by item: after the button program, a model
# of MicroPython's object sizes applied to the live objects (a frozen
# install's code is in flash: its RAM is these objects).  A class: its type
# (64 B) and its dict; a dict or an instance: 16 B and a table of 8 B slots,
# grown through py/map.c's sizes; a function, bound method or staticmethod:
# 16 B; a buffer: 16 B and its bytes; 16-byte blocks (each measured on the
# chip).  What the model does not see (the emergency exception buffer, the
# pin's IRQ object, the program's own names) is the table's last row
CENSUS = _HEAD + """
f0 = free()
n0 = len(sys.modules)
""" + BUTTON_PROGRAM + """f1 = free()
_SIZES = (0, 2, 4, 6, 8, 10, 12, 17, 23, 29, 37, 47, 59, 73, 97, 127, 167, 223)
def r16(n):
    return (n + 15) // 16 * 16
def dict_b(n):
    for a in _SIZES:
        if a >= n:
            return 16 + r16(a * 8)
    return 16 + r16(n * 8)
_FN = (type(free), type(ex.run), type(staticmethod(free)))
_seen = set()
def ours(v):
    return str(getattr(type(v), "__module__", "")).startswith("pollen")
def cost(v, depth=2):
    if id(v) in _seen or isinstance(v, (type, int, str, bool, tuple, float)) or v is None:
        return 0
    t = type(v)
    if t in _FN or t is memoryview or t is object or isinstance(v, BaseException):
        b = 16  # (a marker object, a preallocated exception: 16 B too)
    elif t is list:
        b = 16 + r16(4 * len(v))
    elif t is bytearray or t.__name__ == "array":
        b = 16 + r16(len(bytes(v)))
    elif t is dict:
        b = dict_b(len(v))
    elif ours(v) and hasattr(v, "__dict__"):  # one of pollen's objects: its members and what they hold
        _seen.add(id(v))
        b = dict_b(len(v.__dict__))  # an instance holds its table's header itself: 16 B and the table
        if depth:
            for x in v.__dict__.values():
                b += cost(x, depth - 1)
    else:
        return 0
    _seen.add(id(v))
    return b
objs = (("object the board port", pollen.port.current()), ("object the timer queue (16 nodes)", pollen.timer.queue()),
        ('object Input(14, pull="up")', inp), ("object Executor(8)", ex))
for what, o in objs:
    print('@ ' + json.dumps({"census": what, "names": len(o.__dict__), "ram": cost(o)}))
for name in mods():
    g = sys.modules[name].__dict__
    cls = []
    for k, v in g.items():
        if isinstance(v, type) and getattr(v, "__module__", None) == name:
            d = v.__dict__
            cls.append([k, len(d), 64 + dict_b(len(d)) + sum(cost(x, 1) for x in d.values())])
    own = 16 + dict_b(len(g)) + sum(cost(x) for x in g.values())
    print('@ ' + json.dumps({"census": "module " + name, "names": len(g), "ram": own, "classes": cls}))
print('@ ' + json.dumps({"census": "sys.modules", "names": len(sys.modules) - n0,
                         "ram": dict_b(len(sys.modules)) - dict_b(n0)}))
print('@ ' + json.dumps({"measured": f0 - f1}))
print('@ {"done": 1}')
"""


# MicroPython's own map of its heap (micropython.mem_info(1): a character a
# block, its kind as py/gc.c tells the kinds apart), after a collection
# before and after the button program: the census's check, with no model.
# And its count of the names it interned in RAM (micropython.qstr_info())
HEAP_MAP = """
import gc, micropython
u0 = u1 = 0
gc.collect()
u0 = gc.mem_alloc()
print('@@ heap before')
micropython.mem_info(1)
micropython.qstr_info()
""" + BUTTON_PROGRAM + """gc.collect()
u1 = gc.mem_alloc()
print('@@ heap after')
micropython.mem_info(1)
micropython.qstr_info()
print('@ {"grew": %d}' % (u1 - u0))
print('@ {"done": 1}')
"""

# py/gc.c's letters for the head block of an object; '=' continues the
# object before it, '.' is free
_KINDS = {
    "B": "function objects (a def or a method; frozen, its code stays in flash)",
    "D": "dict objects (a module's, a class's namespace: 16 B; the table is an object of its own)",
    "M": "module objects",
    "S": "str and bytes objects (16 B; their characters an object of their own)",
    "T": "tuples",
    "L": "lists (16 B; their items an object of their own)",
    "A": "arrays and bytearrays (16 B; their bytes an object of their own)",
    "F": "floats",
}
_TABLES = (2, 4, 6, 8, 10, 12, 17, 23, 29, 37, 47, 59, 73, 97)  # py/map.c's sizes: a table of n slots is 8n B


def heap_blocks(dump):
    """{block: (kind, blocks)} for each object in one mem_info(1) dump, and
    the bytes in a block (from the dump's addresses: 64 blocks a line)."""
    lines, size, prev = [], None, None
    for line in dump.splitlines():
        m = re.match(r"^([0-9a-f]{8}): (\S+)$", line.strip())
        if not m:
            prev = None  # ("(n lines all free)": the next line is not the next 64 blocks)
            continue
        addr = int(m.group(1), 16)
        if prev is not None and size is None:
            size = (addr - prev) // 64
        prev = addr
        lines.append((addr, m.group(2)))
    size = size or 16
    grid = {}
    for addr, row in lines:
        for i, c in enumerate(row):
            grid[addr // size + i] = c
    objs = {}
    for k in sorted(grid):
        c = grid[k]
        if c not in ".=":
            n = 1
            while grid.get(k + n) == "=":
                n += 1
            objs[k] = (c, n)
    return objs, size


def _qstrs(dump):
    """(names, bytes) of the qstr pools in RAM, from qstr_info()'s line."""
    m = re.search(r"n_qstr=(\d+), n_str_data_bytes=\d+, n_total_bytes=(\d+)", dump)
    return (int(m.group(1)), int(m.group(2))) if m else (0, 0)


def heap_map_table(out):
    """What the button program's objects are, from the heap maps before and
    after it: {"rows": (kind, size, count, bytes), a row per kind and size,
    largest first; "total"; "gone": the bytes of objects that were there
    before and are not after; "size": a block's bytes; "names", "qstr_bytes":
    the names it interned in RAM and their pools' bytes, part of the total}.
    Raises ValueError unless total - gone is what gc.mem_alloc() grew by."""
    before = out.split("@@ heap before", 1)[1].split("@@ heap after", 1)[0]
    after = out.split("@@ heap after", 1)[1]
    b, size = heap_blocks(before)
    a, _ = heap_blocks(after)
    new = [v for k, v in a.items() if b.get(k) != v]
    gone = sum(n for k, (c, n) in b.items() if a.get(k) != (c, n)) * size
    rows = {}
    for c, n in new:
        key = (c, n * size) if c == "h" else (c, 0)
        r = rows.setdefault(key, [0, 0])
        r[0] += 1
        r[1] += n * size
    table = sorted(((c, sz, k, ram) for (c, sz), (k, ram) in rows.items()), key=lambda r: -r[3])
    total = sum(r[3] for r in table)
    grew = [json.loads(l[2:])["grew"] for l in after.splitlines() if l.startswith('@ {"grew"')][0]
    if total - gone != grew:
        raise ValueError("the heap maps do not add up: %d B new, %d B gone, but gc.mem_alloc() grew by %d B"
                         % (total, gone, grew))
    q0, q1 = _qstrs(before), _qstrs(after)
    return {"rows": table, "total": total, "gone": gone, "size": size,
            "names": q1[0] - q0[0], "qstr_bytes": q1[1] - q0[1]}


def heap_map_markdown(h, summary=False):
    """The rows as markdown; "other" sizes named as a 32-bit board's (16-byte
    blocks, 8-byte dict slots) where they are one.  summary: the kinds gc.c
    names, the names' pools, and the rest in one row (the .mpy install, whose
    code is in the heap too)."""
    size, table, total = h["size"], h["rows"], h["total"]

    def what(c, sz):
        if c != "h":
            return _KINDS.get(c, c)
        if size != 16:
            return "other objects of %d B" % sz
        n = [t for t in _TABLES if (t * 8 + 15) // 16 * 16 == sz]
        guess = ("a table of %d slots (a dict's, an instance's)" % n[0]) if n else ""
        if sz == 16:
            guess = "bound methods, staticmethods, machine-code functions, small objects"
        elif sz == 64:
            guess = "a class's type object (64 B), or a table of 8 slots"
        return "other objects of %d B%s" % (sz, (": " + guess) if guess else "")
    lines = ["| objects | count | RAM |", "|---|---|---|"]
    rest = [0, 0]
    for c, sz, k, ram in table:
        if summary and c == "h":
            rest[0] += k
            rest[1] += ram
            continue
        lines.append("| %s | %d | {:,} B |".format(ram) % (what(c, sz), k))
    q = "the names it interned in RAM (`micropython.qstr_info()`: %d names, their pools' bytes; objects " \
        "gc.c does not name)" % h["names"]
    if summary:
        lines.append("| %s | | {:,} B |".format(h["qstr_bytes"]) % q)
        lines.append("| everything else gc.c does not name: bytecode and machine code, types, "
                     "instances, dict tables, bound methods | %d | {:,} B |".format(rest[1] - h["qstr_bytes"])
                     % rest[0])
    lines.append("| **made by the program** (%s B of what was there before it is gone) | | **{:,} B** |"
                 .format(total) % "{:,}".format(h["gone"]))
    if not summary:
        lines.append("| of which %s | | {:,} B |".format(h["qstr_bytes"]) % q)
    return "\n".join(lines)


# What each object a program makes keeps: gc.mem_free() after gc.collect()
# before and after making it (what making one leaves behind is not counted),
# its modules loaded before.  A timer node: a queue of 32 nodes in place of
# one of 16 (pollen.timer.init), per node
OBJECTS = _HEAD + """
import pollen
from pollen import gpio, sync, timer
timer.Ticker  # loads pollen.ticker
ex = pollen.Executor(8)
def kept(fn):
    f = free()
    keep = fn()
    return f - free(), keep
async def task():
    await timer.sleep_ms(1000)
rows = []
timer.init(16)
d, _ = kept(lambda: timer.init(32))
timer.init(16)
rows.append(["a timer node (`pollen.timer.init(capacity)`: 16 by default)", d / 16])
for what, make in (("`Executor(8)`", lambda: pollen.Executor(8)),
                   ("a task, spawned, with its coroutine", lambda: ex.spawn(task())),
                   ('`Input(14, pull="up")`', lambda: gpio.Input(14, pull="up")),
                   ("`Output(25)`", lambda: gpio.Output(25)),
                   ("`Signal()`", sync.Signal), ("`Event()`", sync.Event),
                   ("`Channel(8)`", lambda: sync.Channel(8)), ("`Ticker(10)`", lambda: timer.Ticker(10))):
    d, keep = kept(make)
    rows.append([what, d])
    if hasattr(keep, "release"):
        keep.release()
for r in rows:
    print('@ ' + json.dumps({"object": r[0], "ram": r[1]}))
print('@ {"done": 1}')
"""


def objects_table(results):
    """What each object keeps, one column per install."""
    labels = [l for l in results if results[l][2]]
    if not labels:
        return ""
    lines = ["What each object a program makes keeps (`gc.mem_free()` after `gc.collect()` before and after "
             "making it; its modules loaded before):", "",
             "| object | " + " | ".join("RAM, %s" % l for l in labels) + " |", "|---|" + "---|" * len(labels)]
    for k, first in enumerate(results[labels[0]][2]):
        lines.append("| %s | %s |" % (first["object"], " | ".join(
            "{:,.0f} B".format(results[l][2][k]["ram"]) for l in labels)))
    return "\n".join(lines)


def census_table(recs):
    """The census as markdown: a row per object, then per module (its
    classes, then the rest of it), and what the model does not see."""
    def b(n):
        return "{:,} B".format(n)
    lines = ["| module or object | its classes: names, RAM | the rest: names, RAM | RAM |", "|---|---|---|---|"]
    total = 0
    for r in recs:
        if "census" not in r:
            continue
        cls = r.get("classes", [])
        ram = r["ram"] + sum(c[2] for c in cls)
        total += ram
        lines.append("| %s | %s | %d, %s | %s |" % (
            r["census"], ", ".join("`%s` %d, %s" % (c[0], c[1], b(c[2])) for c in cls) or "—",
            r["names"], b(r["ram"]), b(ram)))
    measured = [r["measured"] for r in recs if "measured" in r][0]
    lines.append("| not seen by the model (the 100-byte emergency exception buffer the board port asks for, "
                 "the pin's IRQ object, the program's own names, what the model misses) | | | %s |"
                 % b(measured - total))
    lines.append("| **measured, nothing → task done** | | | **%s** |" % b(measured))
    return "\n".join(lines)


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
    objects = records(b.run(OBJECTS, timeout=240))
    print("  %s: what each object keeps" % label, flush=True)
    return out, steps, objects


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


def heap_map(b, label):
    """The HEAP_MAP program's table (heap_map_table), run on board b."""
    out = b.run(HEAP_MAP, timeout=240)
    records(out)  # (raises if it did not finish)
    print("  %s: the heap's own map" % label, flush=True)
    return heap_map_table(out)


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
    census = heap = heap_mpy = None
    try:
        if a.port or a.emulator:
            b = boardmod.open_board(port=a.port, emulator=a.emulator, control=a.control)
            try:
                if not a.no_install:
                    print("installing pollen as `make flash` does ...", flush=True)
                    b.install()
                results[".mpy (make flash)"] = measure(b, ".mpy", a.reps)
                heap_mpy = heap_map(b, ".mpy")
            finally:
                b.close()
        if a.firmware:
            b = boardmod.open_board(emulator=True, firmware=a.firmware)
            try:
                results["frozen (make firmware)"] = measure(b, "frozen", a.reps)
                census = records(b.run(CENSUS, timeout=240))
                print("  frozen: the RAM, item by item", flush=True)
                heap = heap_map(b, "frozen")
            finally:
                b.close()
    except boardmod.BoardError as e:
        print("bench_startup: %s" % e, file=sys.stderr)
        return 2
    if not results:
        print("bench_startup: " + boardmod.NO_BOARD, file=sys.stderr)
        return 2
    text = table(results)
    objects = objects_table(results)
    if objects:
        text += "\n\n" + objects
    if census:
        text += ("\n\nWhere the frozen install's RAM goes, item by item: after the same program, a model of "
                 "MicroPython's object sizes applied to the live objects (a frozen module's code is in flash; "
                 "its RAM is its objects).  A class costs its type (64 B) and its dict; a dict or an instance "
                 "16 B and a table of 8-byte slots, grown through `py/map.c`'s sizes (12, 17, 23, 29, 37, ... slots: "
                 "the table fills before it grows); a function, bound method or staticmethod 16 B; a buffer "
                 "16 B and its bytes; everything in 16-byte blocks.  \"names\": the entries of the dict.  "
                 "(The program is the one above without its timing: its total differs from the table's by "
                 "the measuring program's own names.)\n\n"
                 + census_table(census))
    if heap:
        text += ("\n\nThe same program by MicroPython's own map of its heap (`micropython.mem_info(1)`, "
                 "a character a 16-byte block, the kind `py/gc.c` tells apart), after a collection before "
                 "and after it: every object it left, with no model.  The kinds gc.c does not name "
                 "(\"other\") by size; a size that is a dict table's is most often one.\n\n"
                 + heap_map_markdown(heap))
    if heap_mpy:
        text += ("\n\nThe `.mpy` install by the same map: its code is in the heap too (each function's "
                 "bytecode, the machine code of the viper and asm_thumb modules) and so are the names its "
                 "modules bring.\n\n" + heap_map_markdown(heap_mpy, summary=True))
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
