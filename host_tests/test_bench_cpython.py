"""tools/bench.py runs end to end on the MicroPython interpreter and prints
well-formed tables.  Shape only: no timing threshold is checked here."""

import json
import os
import re
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
NUMBER = re.compile(r"^-?[\d,]+(\.\d+)?(e[+-]?\d+)?$")


def micropython():
    mp = os.environ.get("MICROPYTHON") or os.path.join(ROOT, ".venv", "bin", "micropython")
    assert os.path.isfile(mp), "no MicroPython interpreter: set MICROPYTHON (tried %s)" % mp
    return mp


def tables(text):
    """Every markdown table in `text` as (header cells, [row cells])."""
    out = []
    lines = text.splitlines()
    i = 0
    while i < len(lines):
        if lines[i].startswith("| ") and i + 1 < len(lines) and lines[i + 1].startswith("|---"):
            head = [c.strip() for c in lines[i].strip("|").split("|")]
            rows = []
            i += 2
            while i < len(lines) and lines[i].startswith("|"):
                rows.append([c.strip() for c in lines[i].strip().strip("|").split("|")])
                i += 1
            out.append((head, rows))
        else:
            i += 1
    return out


def is_number(cell):
    return bool(NUMBER.match(cell))


def test_bench_prints_a_well_formed_table_for_every_figure():
    p = subprocess.run(
        [sys.executable, os.path.join(ROOT, "tools", "bench.py"), "--micropython", micropython(),
         "--iterations-scale", "0.01", "--reps", "1", "--heaps", "default,192k"],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=120)
    assert p.returncode == 0, p.stdout
    ts = tables(p.stdout)
    compared = [(h, rows) for h, rows in ts if "pollen" in h and "asyncio" in h]
    assert len(compared) >= 3, p.stdout  # throughput, latency, allocation (+ memory)
    with_ratio = [(h, rows) for h, rows in compared if "ratio" in h]
    assert with_ratio, p.stdout
    for head, rows in with_ratio:
        P, A, R = head.index("pollen"), head.index("asyncio"), head.index("ratio")
        assert rows, head
        for row in rows:
            assert len(row) == len(head), row
            assert is_number(row[P]) and is_number(row[A]), row
            # a derived row (no meaningful ratio) says so with a dash
            assert is_number(row[R]) or row[R] == "—", row
    throughput = with_ratio[0][1]
    assert any("switch throughput" in r[0] for r in throughput)
    assert any("ping-pong" in r[0] for r in throughput)
    for row in throughput:
        assert is_number(row[with_ratio[0][0].index("ratio")]), row
        assert row[-1] in ("PASS", "MISS"), row
    # both heap sizes are stated
    assert "default (" in p.stdout and "192k (" in p.stdout
    alloc = [rows for h, rows in compared if "pollen under heap_lock" in h][0]
    for row in alloc:
        assert row[2] == "n/a (pending)" or is_number(row[2]), row
        assert row[4] in ("survives", "MemoryError", "n/a"), row
    targets = [rows for h, rows in ts if h == ["target", "result"]]
    assert targets and all(r[1] in ("PASS", "MISS") for r in targets[0])


def _interned_names(path):
    """The names MicroPython interns when it compiles `path`: identifiers,
    and string literals of up to 10 characters (py/parse.c interns those).
    For pollen, loaded as .mpy, this is more than it interns (locals are
    not): the check below errs on the safe side."""
    import io
    import tokenize

    names = set()
    with open(path) as f:
        for tok in tokenize.generate_tokens(io.StringIO(f.read()).readline):
            if tok.type == tokenize.NAME:
                names.add(tok.string)
            elif tok.type == tokenize.STRING and len(tok.string) <= 12:  # 10 plus the quotes
                names.add(tok.string[1:-1])
    return names


def test_the_import_harness_interns_none_of_pollens_names():
    # A name the harness interns first is one pollen's import would not pay for.
    import builtins
    import glob
    import keyword

    pollen = set()
    for path in glob.glob(os.path.join(ROOT, "firmware", "pollen", "**", "*.py"), recursive=True):
        pollen |= _interned_names(path)
    harness = _interned_names(os.path.join(ROOT, "tools", "bench_import.py"))
    # built into every MicroPython: modules, functions and methods in ROM
    rom = set(dir(builtins)) | set(keyword.kwlist) | {"gc", "sys", "path", "insert", "collect",
                                                      "mem_alloc", "argv", "split"}
    assert (harness & pollen) - rom == set()
    assert "Executor" in pollen and "main" in pollen  # the check sees pollen's names


def test_the_import_harness_reports_each_group_on_micropython():
    groups = "pollen,pollen.executor pollen.timer pollen.nothing_here"
    p = subprocess.run([micropython(), os.path.join(ROOT, "tools", "bench_import.py"),
                        os.path.join(ROOT, "firmware") + " " + groups],
                       capture_output=True, text=True, timeout=60)
    assert p.returncode == 0, p.stderr
    recs = [json.loads(line[2:]) for line in p.stdout.splitlines() if line.startswith("@ ")]
    assert [r.get("modules") for r in recs] == groups.split() + [None]
    assert recs[0]["bytes"] > 1000 and recs[1]["bytes"] > 100
    assert recs[2]["bytes"] is None  # a module that is not there
    assert recs[-1] == {"kind": "end"}


def test_ram_what_if_removes_exactly_the_named_definitions():
    sys.path.insert(0, os.path.join(ROOT, "tools"))
    import ram_what_if

    src = "def f():\n    pass\n\n\nclass C:\n    def m(self):\n        pass\n\n    def n(self):\n        pass\n"
    out = ram_what_if.strip(src, ["f", "C.m"])
    assert "def f" not in out and "def m" not in out and "def n" in out and "class C" in out
    assert "class C:\n    pass" in ram_what_if.strip(src, ["C.m", "C.n"])
    try:
        ram_what_if.strip(src, ["C.nope"])
    except SystemExit as e:
        assert "C.nope" in str(e)
    else:
        raise AssertionError("an unknown name was ignored")


def test_a_board_run_sets_the_programs_own_args_line_not_its_docstring():
    sys.path.insert(0, os.path.join(ROOT, "tools"))
    import bench_board
    with open(os.path.join(ROOT, "tools", "bench_asyncio_compat.py")) as f:
        src = f.read()
    out = bench_board.with_args(src, ["0.02", "3"])
    assert re.search(r"^ARGS = \['0.02', '3'\]", out, re.M)
    assert "replace the `ARGS = None` line" in out  # the docstring is left alone
    changed = [(a, b) for a, b in zip(src.splitlines(), out.splitlines()) if a != b]
    assert changed == [(a, "ARGS = ['0.02', '3']  # a board run: the argument list goes here")
                       for a, _ in changed] and len(changed) == 1, changed


class _Here:
    """A stand-in for tools/board.Board that runs what the board would get on
    the unix MicroPython, pollen's source on its path."""

    def run(self, src, timeout):
        src = "import sys\nsys.path.insert(0, %r)\n" % os.path.join(ROOT, "firmware") + src
        r = subprocess.run([micropython(), "-X", "heapsize=4m", "-c", src],
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=timeout)
        assert r.returncode == 0, r.stdout
        return r.stdout


def test_the_chips_rate_program_is_the_unix_one_and_runs_here_as_sent():
    """bench_board sends tools/bench_mp.py itself, in `rates` mode, for the
    chip's switch and ping-pong rows: run here exactly as the board gets it,
    it gives every row, and pollen's ping-pong windows allocate nothing."""
    sys.path.insert(0, os.path.join(ROOT, "tools"))
    import bench_board
    recs = bench_board.rate_records(_Here(), 60, 1, "both", pad=2)
    rows = {(x["what"], x["side"]): x for x in recs}
    assert set(rows) == {("switch", "asyncio"), ("switch", "pollen"), ("pingpong", "asyncio.Event"),
                         ("pingpong", "pollen Signal"), ("pingpong", "pollen Event")}, recs
    assert all(x["mode"] == "both" and x["value"] > 0 for x in rows.values())
    assert rows[("pingpong", "pollen Signal")]["alloc"] == 0
    assert rows[("pingpong", "pollen Event")]["alloc"] == 0
    assert rows[("pingpong", "asyncio.Event")]["alloc"] > 0  # the window would see an allocation


def test_the_chips_ram_program_is_the_unix_one_and_gives_every_row():
    sys.path.insert(0, os.path.join(ROOT, "tools"))
    import bench_board
    ram = bench_board.memory_records(_Here())
    assert set(ram) == {"asyncio_import", "executor8", "per_slot", "pollen_per_task", "asyncio_per_task",
                        "coroutine"}, ram
    assert all(v > 0 for v in ram.values()), ram


def test_the_startup_step_program_runs_here_and_tables_both_installs_side_by_side():
    """bench_startup's step program, run here as the board gets it: a record
    per step (RAM and time), and the lookup probe in pollen's folder (a file
    system here, as on a board with the .mpy install); table() puts two
    installs' steps side by side."""
    sys.path.insert(0, os.path.join(ROOT, "tools"))
    import bench_startup
    from bench_board import records
    recs = records(_Here().run(bench_startup.STEPS, 120))
    steps = [r for r in recs if "step" in r]
    assert len(steps) == 13 and all(r["us"] > 0 for r in steps), recs
    assert steps[0]["modules"] == ["pollen"], steps[0]
    lookup = [r for r in recs if "lookup" in r]
    assert len(lookup) == 1 and lookup[0]["lookup"].endswith("/firmware/pollen"), recs
    side = {"ram": 1000, "us": [1, 2, 3], "fast": {}}
    res = {"asyncio": side, "pollen": side, "pollen.asyncio": side}
    text = bench_startup.table({".mpy": (res, recs), "frozen": (res, steps)})
    head, rows = [t for t in tables(text) if t[0][0] == "module or object"][0]
    assert head == ["module or object", "RAM, .mpy", "time, .mpy", "RAM, frozen", "time, frozen",
                    "modules loaded"], head
    assert len(rows) == 13 and all(is_number(c.split()[0]) for r in rows for c in r[1:5]), rows
    assert ".mpy: a name that is not there, looked for in" in text
    assert "frozen: a name" not in text  # frozen modules have no folder


def test_the_census_program_runs_here_and_its_table_adds_up_to_the_measured_ram():
    """bench_startup's census (where the frozen RAM goes, item by item), run
    here as the board gets it: a row per object the program makes and per
    pollen module, each module's classes with their names and RAM, and a
    last row that makes the table add up to what gc measured."""
    sys.path.insert(0, os.path.join(ROOT, "tools"))
    import bench_startup
    from bench_board import records
    recs = records(_Here().run(bench_startup.CENSUS, 120))
    rows = {r["census"]: r for r in recs if "census" in r}
    assert {"object the board port", "object the timer queue (16 nodes)", 'object Input(14, pull="up")',
            "object Executor(8)", "module pollen.executor", "module pollen.future", "sys.modules"} <= set(rows)
    assert all(r["ram"] > 0 for w, r in rows.items() if w.startswith("object")), rows
    assert {c[0] for c in rows["module pollen.executor"]["classes"]} == {"Task", "Executor"}
    assert {"Waker", "Context", "Leaf"} <= {c[0] for c in rows["module pollen.future"]["classes"]}
    measured = [r["measured"] for r in recs if "measured" in r][0]
    text = bench_startup.census_table(recs)
    total = sum(int(line.split("|")[-2].strip().strip("*").replace(",", "").split()[0])
                for line in text.splitlines()[2:-1])
    assert total == measured > 0, text
    assert text.splitlines()[-1] == "| **measured, nothing → task done** | | | **{:,} B** |".format(measured)

def test_the_heap_map_program_runs_here_and_its_objects_add_up_to_what_gc_counts():
    """bench_startup's heap map (MicroPython's own mem_info(1) before and
    after the button program), run here as the board gets it: the objects
    it finds new, less those gone, are what gc.mem_alloc() grew by
    (heap_map_table raises otherwise), and the program's functions and
    modules are among them."""
    sys.path.insert(0, os.path.join(ROOT, "tools"))
    import bench_startup
    from bench_board import records
    out = _Here().run(bench_startup.HEAP_MAP, 120)
    records(out)
    h = bench_startup.heap_map_table(out)
    assert h["size"] == 32  # a 64-bit build's blocks (16 B on the chip)
    kinds = {c: k for c, sz, k, ram in h["rows"] if c != "h"}
    assert kinds["B"] > 50 and kinds["M"] >= 10, h  # pollen's functions and modules
    assert h["names"] > 100 and 0 < h["qstr_bytes"] < h["total"], h  # source here: its names are interned
    for summary in (False, True):
        text = bench_startup.heap_map_markdown(h, summary).splitlines()
        last = [i for i, line in enumerate(text) if "**made by the program**" in line][0]
        assert text[last].endswith("| **{:,} B** |".format(h["total"])), text
        assert sum(int(line.split("|")[-2].strip().replace(",", "").split()[0])
                   for line in text[2:last]) == h["total"], text
    bad = out.replace('@ {"grew": ', '@ {"grew": 1')
    try:
        bench_startup.heap_map_table(bad)
    except ValueError as e:
        assert "do not add up" in str(e)
    else:
        raise AssertionError("a map that does not add up was taken")


def test_the_objects_program_runs_here_and_tables_what_each_object_keeps():
    """bench_startup's objects program (what each thing a program makes
    keeps), run here as the board gets it: a positive size for each, and a
    column per install in the table."""
    sys.path.insert(0, os.path.join(ROOT, "tools"))
    import bench_startup
    from bench_board import records
    recs = records(_Here().run(bench_startup.OBJECTS, 120))
    assert [r["object"].split()[0] for r in recs] == [
        "a", "`Executor(8)`", "a", "`Input(14,", "`Output(25)`", "`Signal()`", "`Event()`", "`Channel(8)`",
        "`Ticker(10)`"], recs
    assert all(r["ram"] > 0 for r in recs), recs
    text = bench_startup.objects_table({".mpy": ({}, [], recs), "frozen": ({}, [], recs)})
    head = text.splitlines()[2]
    assert head == "| object | RAM, .mpy | RAM, frozen |", text
    assert len(text.splitlines()) == 4 + len(recs)

def test_the_uart_figure_pools_every_line_of_every_run():
    # Two late lines in one run of five moved that run's median by 10 us;
    # pooled over three runs the median is the typical line's
    sys.path.insert(0, os.path.join(ROOT, "tools"))
    import argparse
    import bench_board
    runs = [{"idle": 0.0, "lines_duty": d, "lat": lat} for d, lat in (
        (8.4, [36, 36, 37, 38, 46]), (8.5, [51, 36, 37, 80, 47]), (8.3, [35, 36, 37, 36, 46]))]
    r = bench_board.uart_pooled(runs)
    assert (r["n"], r["median"], r["worst"], r["lines_duty"]) == (15, 37, 80, 8.4)
    a = argparse.Namespace(emulator=True, firmware=None, port=None, edges=100, rounds=300, reps=3)
    text = bench_board.report({("uart", "asyncio"): r, ("uart", "pollen"): r}, [], {}, a)
    assert "3 runs of each runtime in turn" in text
    assert "| a line's last byte → the task has it, median (µs, 15 lines: every line of every run) | 37.0 | 37.0 |" in text
    assert "36 / 36 / 37 / 38 / 46; 51 / 36 / 37 / 80 / 47; 35 / 36 / 37 / 36 / 46" in text
