"""Run an asyncio program under MicroPython's asyncio or under pollen.asyncio.

    micropython runner.py asyncio|pollen PROGRAM.py

"pollen" puts pollen.asyncio in sys.modules["asyncio"] first, so the
program's own `import asyncio` gets it: the one-line switch, made from
outside.  The program runs as __main__ under its own file name, so its
traceback lines read the same either way.  Used by
host_tests/test_asyncio_differential_cpython.py.
"""

import sys

HERE = __file__.rsplit("/", 1)[0] if "/" in __file__ else "."

which, path = sys.argv[1], sys.argv[2]
if which == "pollen":
    sys.path.insert(0, HERE + "/../../firmware")
    import pollen.asyncio

    sys.modules["asyncio"] = pollen.asyncio
elif which != "asyncio":
    raise SystemExit("usage: runner.py asyncio|pollen PROGRAM.py")

with open(path) as f:
    src = f.read()
exec(compile(src, path, "exec"), {"__name__": "__main__", "__file__": path})
