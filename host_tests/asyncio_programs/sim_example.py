"""Run an asyncio example on the simulated board, in virtual time.

    micropython sim_example.py asyncio|pollen EXAMPLE.py SCENARIO MS

Prints what the example logs, each line stamped with the virtual time (as
tools/sim.py does for the apps), until MS virtual ms have passed.  The
example's `machine` and `time` are the simulated board's.

"pollen": pollen.asyncio in sys.modules["asyncio"], on pollen's board port
over the simulated board (CPython or MicroPython).

"asyncio": MicroPython's own asyncio (core, event, funcs, lock: the frozen
modules of the unix port), with the simulated board's `time` and `select`
in place of the real ones, so its sleeps and its ThreadSafeFlag poll run in
virtual time too.  One part is replaced: the C `_asyncio` module (its run
queue reads the real clock), by SimTaskQueue/SimTask below -- asyncio's
Python TaskQueue/Task contract, a sorted list on the virtual clock.
MicroPython only.
"""

import sys

HERE = __file__.rsplit("/", 1)[0] if "/" in __file__ else "."
ROOT = HERE + "/../.."
for p in (ROOT + "/firmware", ROOT + "/boards/sim"):
    sys.path.insert(0, p)

from simboard import SimBoard, SimStop  # noqa: E402
import board_config as cfg  # noqa: E402  (boards/sim/board_config.py)
from scenarios import SCENARIOS  # noqa: E402

which, example, scenario, ms = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
b = SimBoard()


def _core():
    return sys.modules["asyncio.core"]


class SimTaskQueue:
    """asyncio's TaskQueue: sorted by ph_key (ticks_ms), ties first in first out."""

    def __init__(self):
        self.items = []

    def peek(self):
        return self.items[0] if self.items else None

    def push(self, v, key=None):
        core = _core()
        v.data = None
        v.ph_key = core.ticks() if key is None else key
        items = self.items
        i = len(items)
        while i and core.ticks_diff(items[i - 1].ph_key, v.ph_key) > 0:
            i -= 1
        items.insert(i, v)

    def pop(self):
        return self.items.pop(0)

    def remove(self, v):
        if v in self.items:
            self.items.remove(v)


class SimTask:
    """asyncio's Task contract (extmod/asyncio/task.py)."""

    def __init__(self, coro, globals=None):
        self.coro = coro
        self.data = None
        self.state = True
        self.ph_key = 0

    def __iter__(self):
        if not self.state:
            self.state = False
        elif self.state is True:
            self.state = SimTaskQueue()
        elif type(self.state) is not SimTaskQueue:
            raise RuntimeError("can't wait")
        return self

    __await__ = __iter__

    def __next__(self):
        if not self.state:
            raise self.data
        core = _core()
        self.state.push(core.cur_task)
        core.cur_task.data = self

    def done(self):
        return not self.state

    def cancel(self):
        if not self.state:
            return False
        core = _core()
        if self is core.cur_task:
            raise RuntimeError("can't cancel self")
        while isinstance(self.data, SimTask):
            self = self.data
        if hasattr(self.data, "remove"):
            self.data.remove(self)
            core._task_queue.push(self)
        elif core.ticks_diff(self.ph_key, core.ticks()) > 0:
            core._task_queue.remove(self)
            core._task_queue.push(self)
        self.data = core.CancelledError
        return True


class _Poll:
    """The simulated select.poll, with modify()."""

    def __init__(self, poll):
        self.p = poll
        self.ipoll = poll.ipoll

    def register(self, obj, mask=1):
        self.p.register(obj, mask)

    def unregister(self, obj):
        self.p.unregister(obj)

    def modify(self, obj, mask):
        self.p.unregister(obj)
        self.p.register(obj, mask)


class _Select:
    POLLIN = 1
    POLLPRI = 2
    POLLOUT = 4
    POLLERR = 8
    POLLHUP = 16

    def poll(self):
        return _Poll(b.select.poll())


class _Module:
    pass


if which == "pollen":
    import pollen.asyncio
    from pollen import timer

    b.port()
    timer.init()
    sys.modules["asyncio"] = pollen.asyncio
elif which == "asyncio":
    fake = _Module()
    sys.modules["_asyncio"] = fake  # no TaskQueue in it: core.py falls back to .task
    task = _Module()
    task.TaskQueue = SimTaskQueue
    task.Task = SimTask
    sys.modules["asyncio.task"] = task
    sys.modules["select"] = _Select()
    real_time = sys.modules.get("time")
    sys.modules["time"] = b.time
    import asyncio  # noqa: F401  (MicroPython's, frozen: it imports time and select now)
else:
    raise SystemExit("usage: sim_example.py asyncio|pollen EXAMPLE.py SCENARIO MS")

sys.modules["machine"] = b.machine
sys.modules["time"] = b.time


def out(s):
    print("[%10.3f ms] %s" % (b.now / 1000, s))


SCENARIOS[scenario](b, cfg)
b.stop_at = ms * 1000
with open(example) as f:
    src = f.read()
g = {"__name__": "example"}
exec(compile(src, example, "exec"), g)
try:
    g["asyncio"].run(g["main"](log=out))
except SimStop:
    pass
print("LED changes: %d, IRQ errors: %d" % (len(b.trace.levels("LED")) - 1, len(b.irq_errors)))
