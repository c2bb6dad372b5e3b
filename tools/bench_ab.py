"""A/B: two builds of pollen alternating in one MicroPython process.

    micropython tools/bench_ab.py DIR_A DIR_B [reps]

DIR_A and DIR_B each hold a `pollen` package: source, or `.mpy` files made
as a board gets them (`python tools/deploy.py build --march host --out OUT`
puts them in OUT).  Both are loaded up front and swapped in and out of
sys.modules, so the two alternate run by run and share whatever the machine
is doing.  Prints, per build, the median Signal ping-pong rate (with
asyncio.Event's for scale) and switch throughput as a fraction of the floor
(tools/bench_mp.py's figures 1-3).  For iterating on hot paths; the numbers
that are reported come from tools/bench.py.
"""

import sys

sys.path.insert(0, __file__.rsplit("/", 1)[0] if "/" in __file__ else ".")
import bench_mp as B  # noqa: E402

NAMES = ("pollen", "pollen.executor", "pollen.sync", "pollen.timer", "pollen.port_host")


def ours():
    return [n for n in sys.modules if n == "pollen" or n.startswith("pollen.")]


def use(build):
    for n in ours():
        del sys.modules[n]
    sys.modules.update(build)


def load(d):
    """Every pollen module of the build in `d`, imported and warmed up (its
    lazy imports made) while it is the only pollen in sys.modules."""
    use({})
    sys.path.insert(0, d)
    for n in NAMES:
        __import__(n)
    B.pingpong("signal", 10)
    B.time_pollen_switch(2, 10)
    sys.path.pop(0)
    return {n: sys.modules[n] for n in ours()}


def main(argv):
    dirs = argv[:2]
    reps = int(argv[2]) if len(argv) > 2 else 9
    builds = [load(d) for d in dirs]
    pp, sw = [[], []], [[], []]
    a_pp, floor = [], []
    for _ in range(reps):
        for k in (0, 1):
            use(builds[k])
            pp[k].append(B.pingpong("signal", 20000)[0])
            sw[k].append(B.time_pollen_switch(10, 10000))
        a_pp.append(B.pingpong("asyncio", 20000)[0])
        floor.append(B.time_floor(10, 10000))
    a = B.median(a_pp)
    for k in (0, 1):
        p = B.median(pp[k])
        print("%s: ping-pong %.1f k/s (%.2fx asyncio.Event), switches %.0f %% of the %s floor"
              % (dirs[k], 20000e3 / p, a / p, 100.0 * B.median(floor) / B.median(sw[k]),
                 B.FLOOR_EMITTER))


main(sys.argv[1:])
