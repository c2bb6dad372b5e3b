"""Import RAM of pollen's modules, measured in a MicroPython process of its own.

    micropython tools/bench_import.py "DIR GROUP GROUP ..."

DIR goes first on sys.path ("-": leave sys.path alone; ".frozen": the frozen
modules); each GROUP is a comma list of modules imported together.  Prints
one `@ {json}` line per group: {"kind": "mem", "what": "import",
"modules": GROUP, "bytes": N} (null if a module cannot be imported there,
e.g. port_host on tools/mp32, which has no time module).  Run by tools/bench.py, on a board too (it writes
the argument list into ARGS below, as there is no argv there).

Why a file of its own: MicroPython interns every name (qstr) in RAM once,
for whoever uses it first.  bench_mp.py uses many of pollen's names
(Executor, spawn, sleep_ms, ...), so an import measured there would not pay
for them and would read about 2 KB low on 32-bit.  This file uses none of
pollen's names: the module names come in one long string (strings of more
than 10 characters are not interned when source is compiled), and the
identifiers below are not names pollen has (a test checks both).
"""

import gc
import sys

ARGS = None


def measure(spec):
    words = spec.split()
    if words[0] != "-":
        sys.path.insert(0, words[0])
    for grp in words[1:]:
        gc.collect()
        base = gc.mem_alloc()
        try:
            for modname in grp.split(","):
                __import__(modname)
        except ImportError:
            base = None
        gc.collect()
        print('@ {"kind": "mem", "what": "import", "modules": "%s", "bytes": %s}'
              % (grp, "null" if base is None else gc.mem_alloc() - base))
    print('@ {"kind": "end"}')


measure((ARGS or sys.argv)[-1])
