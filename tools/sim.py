"""Run a demo app on the simulated board, in virtual time.

    micropython tools/sim.py APP [--scenario NAME] [--ms N] [--vcd PATH] [--start-ms N]

APP is a module in firmware/apps, or examples.NAME for one in
firmware/examples (its main() with the board's machine and rp2: the PIO
and DMA ones too; 3000 ms, ws2812_dma 100 ms -- its trace grows by 384
edges a frame -- unless --ms or --scenario says); NAME a scenario
in boards/sim/scenarios.py (default: demo for the button app, idle otherwise).  Prints the app's output
with the virtual time, a summary, and with --vcd writes a trace of the pins
and task polls that GTKWave, PulseView or Surfer open.  Runs under CPython
too (python3 tools/sim.py ...).
"""

import sys

_HERE = __file__.rsplit("/", 1)[0] if "/" in __file__ else "."   # tools/
ROOT = _HERE.rsplit("/", 1)[0] if "/" in _HERE else ("." if _HERE != "." else "..")
sys.path.insert(0, ROOT + "/boards/sim")
sys.path.insert(0, ROOT + "/firmware")

import board_config as cfg  # noqa: E402  (boards/sim/board_config.py)
from scenarios import SCENARIOS  # noqa: E402
from simboard import SimBoard, SimStop  # noqa: E402

import pollen  # noqa: E402
from pollen import timer  # noqa: E402


_EXAMPLE_MS = {"ws2812_dma": 100}  # five frames: each a waveform of 192 bits on GP22


def simulate(app_name, scenario=None, ms=None, vcd=None, start_ms=0, log=None, variant="rpi_pico"):
    """Run app `app_name` on a fresh simulated board; returns (board, output lines)."""
    lines = []

    def out(s):
        line = "[%10.3f ms] %s" % (b.now / 1000, s)
        lines.append(line)
        if log is not None:
            log(line)

    b = SimBoard(variant=variant, start_ms=start_ms)
    b.port()
    timer.init()
    example = app_name[9:] if app_name.startswith("examples.") else None
    if example is not None and scenario is None and ms is None:
        ms = _EXAMPLE_MS.get(example, 3000)
    if scenario is None:
        scenario = "demo" if app_name == "button" else "idle"
    if scenario not in SCENARIOS:
        raise SystemExit("unknown scenario %r; have: %s" % (scenario, ", ".join(sorted(SCENARIOS))))
    length = SCENARIOS[scenario](b, cfg)
    b.stop_at = (ms if ms is not None else length) * 1000
    ex = None
    if example is not None:  # it makes its own Executor, and takes `machine`/`rp2` at import
        sys.path.insert(0, ROOT + "/firmware/examples")
        app = b.import_module(example)
        try:
            app.main(log=out)
        except SimStop:
            pass
    else:
        app = __import__("apps." + app_name, None, None, ["main"])
        ex = pollen.Executor(8, tracer=b.trace.executor_hook if vcd else None)
        try:
            app.main(cfg, log=out, executor=ex)
        except SimStop:
            pass
    led = b.trace.levels("LED")
    out("end: %d LED changes, %d interrupts, CPU woke %d times%s"
        % (max(0, len(led) - 1), b.interrupts, b.cpu_wakeups,
           "" if ex is None else ", %d polls" % ex.polls))
    if vcd:
        b.trace.write_vcd(vcd)
        out("trace written to %s" % vcd)
    return b, lines


def main(argv):
    if not argv or argv[0].startswith("-"):
        print(__doc__)
        return 2
    app = argv[0]
    opts = {"--scenario": None, "--ms": None, "--vcd": None, "--start-ms": "0"}
    i = 1
    while i < len(argv):
        if argv[i] not in opts or i + 1 >= len(argv):
            print("unknown option %s\n%s" % (argv[i], __doc__))
            return 2
        opts[argv[i]] = argv[i + 1]
        i += 2
    vcd = opts["--vcd"]
    if vcd and "/" in vcd:
        import os
        d = vcd.rsplit("/", 1)[0]
        try:
            os.mkdir(d)
        except OSError:
            pass
    simulate(app, opts["--scenario"], None if opts["--ms"] is None else int(opts["--ms"]),
             vcd, int(opts["--start-ms"]), log=print)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
