"""pollen.asyncio against MicroPython's own asyncio: the same programs must
print the same lines in the same order.

Each program in host_tests/asyncio_programs/ runs twice under the unix
MicroPython interpreter: once with its own asyncio, once with pollen.asyncio
put in its place (asyncio_programs/runner.py), in real time.  The outputs,
stdout and stderr together, are compared line for line after two
normalisations: object addresses, and traceback lines inside the
schedulers themselves (asyncio/core.py or pollen/asyncio/__init__.py, which differ
by design); the program's own traceback lines are kept.

The two examples in firmware/examples/ run on the simulated board, in
virtual time, under both (asyncio_programs/sim_example.py) and must print
the same timeline -- for the button, the very timeline of pollen's own
button demo (test_demos.py).
"""

import os
import subprocess
import sys

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
PROGRAMS = os.path.join(HERE, "asyncio_programs")
sys.path.insert(0, os.path.join(ROOT, "tools"))

from ptyboard import find_micropython  # noqa: E402
from test_board import differential_programs, normalise, program_input  # noqa: E402

MP = find_micropython()
NAMES = differential_programs()


def free_port():
    import socket
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def run_program(which, name, env):
    import threading
    import time

    script = program_input(name, "stdin")
    p = subprocess.Popen([MP, "-X", "heapsize=4m", "runner.py", which, name + ".py"], cwd=PROGRAMS,
                         env=env, stdin=subprocess.PIPE if script else subprocess.DEVNULL,
                         stdout=subprocess.PIPE, stderr=subprocess.STDOUT)

    def feed():
        for delay, data in script:
            time.sleep(delay)  # the program's input arrives over time, as typed
            if data is None:
                break
            p.stdin.write(data)
            p.stdin.flush()
        p.stdin.close()

    if script:
        threading.Thread(target=feed, daemon=True).start()
    try:
        out = p.stdout.read()
        rc = p.wait(timeout=120)
    finally:
        if p.poll() is None:
            p.kill()
    return rc, normalise(out.decode("utf-8", "replace"), name + ".py")


def test_there_are_programs_for_every_part_of_the_api():
    assert set(NAMES) >= {"order", "cancel", "gather", "wait_for", "sync", "threadsafeflag",
                          "exceptions", "loop_api", "streams"}


@pytest.mark.parametrize("name", NAMES)
def test_the_program_prints_the_same_under_asyncio_and_pollen_asyncio(name):
    env = dict(os.environ, ASYNCIO_TEST_PORT=str(free_port()))  # streams.py serves TCP on it
    rc_a, out_a = run_program("asyncio", name, env)
    rc_p, out_p = run_program("pollen", name, env)
    assert len(out_a) >= 20, "\n".join(out_a)  # the program ran and said something
    assert out_p == out_a
    assert rc_p == rc_a == 0


def test_the_comparison_would_see_a_different_order():
    # the normalisation keeps what matters: a swapped pair of lines differs
    a = normalise("a\nb\n", "x.py")
    assert a != normalise("b\na\n", "x.py")
    assert normalise('  File "x.py", line 3, in f\n  File "asyncio/core.py", line 1\n', "x.py") == \
        ['  File "x.py", line 3, in f']


def run_example(interp, which, example, scenario, ms):
    r = subprocess.run([interp] + (["-X", "heapsize=4m"] if interp == MP else []) +
                       [os.path.join(PROGRAMS, "sim_example.py"), which,
                        os.path.join(ROOT, "firmware", "examples", example), scenario, str(ms)],
                       cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                       timeout=120)
    assert r.returncode == 0, r.stdout
    return r.stdout.splitlines()


def test_the_asyncio_button_example_prints_the_pollen_demo_timeline_under_both():
    from test_demos import BUTTON_DEMO

    native = run_example(MP, "asyncio", "asyncio_button.py", "demo", 10000)
    assert native[:len(BUTTON_DEMO)] == BUTTON_DEMO
    assert native[-1] == "LED changes: 24, IRQ errors: 0"
    assert run_example(MP, "pollen", "asyncio_button.py", "demo", 10000) == native
    assert run_example(sys.executable, "pollen", "asyncio_button.py", "demo", 10000) == native


def test_the_asyncio_button_example_counts_ten_minutes_of_clicks_the_same_under_both():
    native = run_example(MP, "asyncio", "asyncio_button.py", "clicks", 601000)
    assert sum(1 for l in native if l.endswith("PRESS")) == 300
    assert native[-1] == "LED changes: 300, IRQ errors: 0"
    assert run_example(MP, "pollen", "asyncio_button.py", "clicks", 601000) == native


def test_the_asyncio_timer_example_reports_the_same_grid_under_both():
    native = run_example(MP, "asyncio", "asyncio_timer.py", "idle", 20001)
    assert native[1:5] == ["[%10.3f ms] ticks %d  max late 0 ms  missed 0" % (t * 5000.0, t * 20 - 1)
                           for t in (1, 2, 3, 4)]
    assert native[-1] == "LED changes: 80, IRQ errors: 0"
    assert run_example(MP, "pollen", "asyncio_timer.py", "idle", 20001) == native
    assert run_example(sys.executable, "pollen", "asyncio_timer.py", "idle", 20001) == native


_LOADS = """
import sys
sys.path.insert(0, %r)
import pollen, pollen.executor, pollen.timer, pollen.gpio, pollen.sync
print("pollen.asyncio" in sys.modules)
import pollen.asyncio as asyncio
print(asyncio.__name__, "asyncio" in sys.modules)
"""


def test_pollen_asyncio_is_loaded_only_when_imported_and_never_loads_micropythons_asyncio():
    script = _LOADS % os.path.join(ROOT, "firmware")
    r = subprocess.run([MP, "-c", script], capture_output=True, text=True, timeout=30)
    assert r.returncode == 0, r.stderr
    assert r.stdout.split() == ["False", "pollen.asyncio", "False"]


def test_the_bench_program_prints_every_figure_and_pollen_allocates_nothing_per_round_trip():
    import json

    r = subprocess.run([MP, "-X", "heapsize=4m", os.path.join(ROOT, "tools", "bench_asyncio_compat.py"),
                        "0.01", "1", os.path.join(ROOT, "firmware")],
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, timeout=120)
    assert r.returncode == 0, r.stdout
    rows = [json.loads(l[2:]) for l in r.stdout.splitlines() if l.startswith("@ ")]
    got = {(row["kind"], row.get("what")) for row in rows}
    assert got == {("info", None), ("mem", "import"), ("mem", "per_task"), ("rate", "switch"),
                   ("rate", "switch, 10 tasks + 1 sleeper"), ("rate", "switch, 100 tasks + 1 sleeper"),
                   ("rate", "switch, 1000 tasks + 1 sleeper"),
                   ("rate", "event"), ("rate", "flag"), ("alloc", "event"), ("alloc", "flag"),
                   ("alloc", "sleep_ms0"), ("alloc", "lock")}, got
    for row in rows:
        if row["kind"] == "alloc":
            assert row["pollen"] == 0, row
            assert row["what"] == "sleep_ms0" or row["asyncio"] > 0, row  # asyncio's do allocate
        elif row["kind"] == "rate":
            assert row["pollen"] > 0 and row["asyncio"] > 0, row


_PARTS = """
import sys
sys.path.insert(0, %r)
import pollen.asyncio as asyncio
parts = ("event", "flag", "lock", "funcs", "stream", "loop")
def loaded():
    return " ".join(p for p in parts if "pollen.asyncio." + p in sys.modules)
print("loaded:", loaded())
asyncio.Event
print("loaded:", loaded())
asyncio.ThreadSafeFlag
print("loaded:", loaded())
asyncio.Lock, asyncio.gather
print("loaded:", loaded())
asyncio.StreamReader
print("loaded:", loaded())
asyncio.get_event_loop().set_exception_handler
print("loaded:", loaded())
try:
    asyncio.NoSuchName
except AttributeError as e:
    print("AttributeError", e)
"""


def test_the_core_loads_alone_and_each_part_on_the_first_use_of_its_names():
    # asyncio's __init__.py table: Event, ThreadSafeFlag, Lock, wait_for
    # and gather, the streams and the loop object each load when a program
    # first names them
    script = _PARTS % os.path.join(ROOT, "firmware")
    r = subprocess.run([MP, "-c", script], capture_output=True, text=True, timeout=30)
    assert r.returncode == 0, r.stderr
    assert r.stdout.splitlines() == [
        "loaded: ",
        "loaded: event",
        "loaded: event flag",
        "loaded: event flag lock funcs",
        "loaded: event flag lock funcs stream",
        "loaded: event flag lock funcs stream loop",
        "AttributeError NoSuchName"]
