"""tools/bench.py runs end to end on the MicroPython interpreter and prints
well-formed tables.  Shape only: no timing threshold is checked here."""

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
