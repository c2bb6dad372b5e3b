"""What an import from the board's filesystem costs, on the emulated Pico.

    python tools/probe_imports.py            # installs pollen as `make flash` does, then probes

The figures behind docs/BENCHMARKS.md's "Where a `.mpy` start goes" and
"Every `import array` searched the filesystem", in emulated time
(`ticks_us`; the emulator is deterministic):

  builtins  `import array` against `import uarray` (and machine, select,
            time): an extensible built-in is looked for along sys.path first,
            at every import statement; the u-prefixed name is the built-in.
  lookups   `os.stat` of a missing name in fresh folders: 30 and 34 files of
            1.8 KB, and 30 with 4 or 8 files of 300 B (small enough that
            littlefs keeps them inline in the folder's metadata); then in
            `/` and `/pollen` as `make flash` left them, and each
            of pollen's files found there.

Takes about a minute.  The folders it makes are on the emulator's own
flash image, gone when it stops.
"""

import argparse
import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tools"))
import board as boardmod  # noqa: E402

BUILTINS = """
import time
def t(stmt):
    t0 = time.ticks_us()
    exec(stmt)
    return time.ticks_diff(time.ticks_us(), t0)
for s in ("pass", "import array", "import array", "import uarray", "import machine", "import umachine",
          "import select", "import uselect", "import time", "import utime"):
    print("%-20s %6d us" % (s, t(s)))
"""

LOOKUPS = """
import os, time
def miss(p):
    t0 = time.ticks_us()
    try:
        os.stat(p)
    except OSError:
        pass
    return time.ticks_diff(time.ticks_us(), t0)
def folder(d, nbig, nsmall):
    os.mkdir(d)
    for i in range(nbig + nsmall):
        with open("%s/m%02d.mpy" % (d, i), "wb") as f:
            f.write(bytes(1800 if i < nbig else 300))
for d, nbig, nsmall in (("/p30", 30, 0), ("/p34", 34, 0), ("/p30i4", 30, 4), ("/p30i8", 30, 8)):
    folder(d, nbig, nsmall)
    print("missing name in %-7s (%d files of 1.8 KB, %d of 300 B): %5d us" % (d, nbig, nsmall, miss(d + "/x.py")))
for p in ("/x.py", "/pollen/x.py"):
    print("missing name %-18s %5d us" % (p, miss(p)))
for n in sorted(os.listdir("/pollen")):
    t0 = time.ticks_us()
    os.stat("/pollen/" + n)
    print("found /pollen/%-18s %5d us" % (n, time.ticks_diff(time.ticks_us(), t0)))
"""


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.parse_args(argv)
    b = boardmod.open_board(emulator=True)
    try:
        b.install()
        for name, prog in (("builtins", BUILTINS), ("lookups", LOOKUPS)):
            print("== " + name, flush=True)
            print(b.run(prog, timeout=300).rstrip(), flush=True)
    finally:
        b.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
