"""Runs host_tests' shared test modules under the MicroPython interpreter.

Usage: micropython host_tests/mprun.py [--pollen DIR] [-kNAME] [module ...]
Every test_*.py here except *_cpython.py is shared; each test_* function is
called with no arguments.  --pollen DIR: import pollen from DIR (compiled
.mpy files, as tools/test_all.py makes them) instead of firmware/.  Prints one line per test and a closing line
`micropython: N passed, N failed`; exits 1 if any failed.
"""

import micropython
import os
import sys

HERE = __file__.rsplit("/", 1)[0] if "/" in __file__ else "."
ROOT = HERE + "/.."
for p in (HERE, ROOT + "/tools", ROOT + "/boards/sim", ROOT + "/firmware"):
    sys.path.insert(0, p)


def _unlock():
    """Undo heap locks a failed test left (without allocating)."""
    micropython.heap_lock()
    n = micropython.heap_unlock()  # the depth the test left
    while n:
        n = micropython.heap_unlock()


def modules(names):
    if names:
        return names
    found = []
    for f in os.listdir(HERE):
        if f.startswith("test_") and f.endswith(".py") and not f.endswith("_cpython.py"):
            found.append(f[:-3])
    found.sort()
    return found


def main(argv):
    passed = failed = 0
    only = None
    names = []
    args = iter(argv)
    for a in args:
        if a == "--pollen":
            sys.path.insert(0, next(args))
        elif a.startswith("-k"):
            only = a[2:]
        else:
            names.append(a)
    for name in modules(names):
        try:
            mod = __import__(name)
        except Exception as e:
            print("FAIL %s (import)" % name)
            sys.print_exception(e)
            failed += 1
            continue
        for t in sorted(n for n in dir(mod) if n.startswith("test_")):
            if only and only not in t:
                continue
            fn = getattr(mod, t)
            if not callable(fn):
                continue
            try:
                fn()
            except Exception as e:
                _unlock()  # a test that failed with the heap locked: report it all the same
                failed += 1
                print("FAIL %s::%s" % (name, t))
                sys.print_exception(e)
            else:
                passed += 1
                print("ok   %s::%s" % (name, t))
    print("micropython: %d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


sys.exit(main(sys.argv[1:]))
