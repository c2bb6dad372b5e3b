"""A/B: two builds of pollen alternating in one MicroPython process.

    micropython tools/bench_ab.py DIR_A DIR_B [reps]

DIR_A and DIR_B each hold a `pollen` package: source, or `.mpy` files made
as a board gets them (`python tools/deploy.py build --march host --out OUT`
puts them in OUT/lib).  Both are loaded up front and swapped in and out of
sys.modules, so the two alternate run by run and share whatever the machine
is doing.  Prints, per build, the median Signal ping-pong rate (with
asyncio.Event's for scale) and switch throughput as a fraction of the floor
(tools/bench_mp.py's figures 1-3).  For iterating on hot paths; the numbers
that are reported come from tools/bench.py.
"""

import sys

sys.path.insert(0, __file__.rsplit("/", 1)[0] if "/" in __file__ else ".")
import bench_mp as B  # noqa: E402

NAMES = ("pollen", "pollen.future", "pollen.waker", "pollen.flag", "pollen.errors", "pollen.port",
         "pollen.executor", "pollen.loop", "pollen.combinators", "pollen.sync",
         "pollen.port_host", "pollen.ticks")


def load(d):
    for n in NAMES:
        sys.modules.pop(n, None)
    sys.path.insert(0, d)
    for n in NAMES:
        __import__(n)
    sys.path.pop(0)
    return {n: sys.modules[n] for n in NAMES}


def main(argv):
    dirs = argv[:2]
    reps = int(argv[2]) if len(argv) > 2 else 9
    builds = [load(d) for d in dirs]
    pp, sw = [[], []], [[], []]
    a_pp, floor = [], []
    for _ in range(reps):
        for k in (0, 1):
            sys.modules.update(builds[k])
            pp[k].append(B.run_pollen_pingpong(20000))
            sw[k].append(B.time_pollen_switch(10, 10000))
        a_pp.append(B.run_asyncio_pingpong(20000))
        floor.append(B.time_floor(10, 10000))
    a = B.median(a_pp)
    for k in (0, 1):
        p = B.median(pp[k])
        print("%s: ping-pong %.1f k/s (%.2fx asyncio.Event), switches %.0f %% of the %s floor"
              % (dirs[k], 20000e3 / p, a / p, 100.0 * B.median(floor) / B.median(sw[k]),
                 B.FLOOR_EMITTER))


main(sys.argv[1:])
