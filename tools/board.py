"""The board tier's link to a board: a Pico on a serial port, or the emulated
Pico in ../shared/rp2040 (rp2040js running MicroPython's RPI_PICO firmware).

Used by tools/test_board.py (`make test-board`) and tools/bench_board.py
(`make bench PORT=...`).  Everything goes through the real `mpremote`; on the
emulated Pico the control socket also drives pins, reads the emulator's
timestamps and cycle counters and feeds the UARTs.

    b = open_board(port="/dev/ttyACM0")          # a real board
    b = open_board(emulator=True)                # starts the emulated Pico
    b = open_board(emulator=True, firmware="build/firmware/RPI_PICO/firmware.uf2")
    b.install()                                  # pollen, as `make flash` installs it
    b.install_boot_files()                       # pollen frozen in: main.py, board_config.py only
    out = b.run(source, on_line=print)           # soft reset, run, stream lines
    b.type(b"1+1\n")                              # ... meanwhile: keys into its stdin
    b.close()
"""

import os
import subprocess
import sys
import tempfile
import threading
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tools"))
import deploy  # noqa: E402

NO_BOARD = ("no board: connect a Pico running MicroPython and pass PORT=/dev/ttyACM0 "
            "(see `mpremote connect list`), or use the emulated Pico: EMU=1 "
            "(needs ../shared/rp2040, Node.js >= 18 and npm)")


class BoardError(Exception):
    """One line for the user; the make target exits 2."""


def harness_dir():
    """Where rp2emu.py is: $RP2EMU_DIR, else ../shared/rp2040 beside the repo."""
    d = os.environ.get("RP2EMU_DIR") or os.path.join(os.path.dirname(ROOT), "shared", "rp2040")
    return d if os.path.isfile(os.path.join(d, "rp2emu.py")) else None


class Board:
    def __init__(self, port, emu=None):
        self.port = port
        self.emu = emu
        self.ctl = emu.control if emu is not None else None
        self.platform = None

    # -- mpremote -------------------------------------------------------------

    def mpremote(self, *args, timeout=120):
        return deploy.mpremote(self.port, *args, resume=False, timeout=timeout)

    def probe(self):
        """Check that MicroPython answers; returns sys.platform."""
        try:
            out = self.mpremote("exec", "import sys; print('MPY', sys.implementation.name, sys.platform)",
                                timeout=60)
        except deploy.DeployError as e:
            raise BoardError(str(e))
        for line in out.splitlines():
            parts = line.split()
            if len(parts) == 3 and parts[0] == "MPY":
                if parts[1] != "micropython":
                    raise BoardError("the device at %s runs %s, not MicroPython" % (self.port, parts[1]))
                self.platform = parts[2]
                return parts[2]
        raise BoardError("the device at %s did not answer like MicroPython: %r" % (self.port, out[-200:]))

    def install(self, app="button"):
        """pollen and `app`, the way `make flash` installs them (sha256-verified,
        hard reset at the end)."""
        out = os.path.join(ROOT, "build", "board-tier")
        rc = deploy.main(["flash", "--port", self.port, "--app", app, "--out", out])
        if rc:
            raise BoardError("installing pollen on %s failed (see above)" % self.port)

    def frozen_pollen(self):
        """The name `import pollen` gives on the board when it is frozen into
        the firmware ("pollen/__init__.py"), None when it comes from the
        filesystem or is not there (one exec after a soft reset)."""
        try:
            return deploy.frozen_pollen(self.port)
        except deploy.DeployError as e:
            raise BoardError(str(e))

    def install_boot_files(self, app="button"):
        """For a firmware with pollen and the apps frozen in: only the two
        files that stay on the filesystem, firmware/main.py and the board's
        board_config.py with APP = `app` (as `make flash FIRMWARE=...` does).
        Returns their repo paths."""
        out = os.path.join(ROOT, "build", "board-tier-frozen")
        os.makedirs(out, exist_ok=True)
        main = os.path.join(out, "main.py")
        cfg = os.path.join(out, "board_config.py")
        with open(os.path.join(ROOT, "firmware", "main.py")) as f, open(main, "w") as g:
            g.write(f.read())
        with open(os.path.join(ROOT, "boards", "rpi_pico", "board_config.py")) as f, open(cfg, "w") as g:
            g.write(f.read() + "\nAPP = %r  # set by the board tier\n" % app)
        self.mpremote("fs", "cp", main, ":main.py", "+", "fs", "cp", cfg, ":board_config.py", timeout=60)
        return ["firmware/main.py", "boards/rpi_pico/board_config.py"]

    def put(self, files, dest):
        """Copy {name: local path} into the board folder `dest` (made if missing)."""
        self.mpremote("exec", "import os\ntry:\n    os.mkdir(%r)\nexcept OSError:\n    pass\n" % dest)
        args = []
        for name, local in sorted(files.items()):
            args += (["+"] if args else []) + ["fs", "cp", local, ":%s/%s" % (dest, name)]
        self.mpremote(*args, timeout=60 + 30 * len(files))

    def run(self, source, timeout=300, on_line=None, on_output=None):
        """Soft-reset, run `source` on the board, return its output.  Each
        output line is passed to on_line(line) as it arrives (a test's
        `@ctl ...` requests are answered that way); on_output(text) gets the
        output as it comes, unfinished lines too (a prompt has no newline).
        Raises BoardError if the script does not end within `timeout` seconds.
        While it runs, type() writes to the board's stdin."""
        import codecs
        with tempfile.NamedTemporaryFile("w", suffix=".py", delete=False) as f:
            f.write(source)
        cmd = [deploy.tool("mpremote"), "connect", self.port, "soft-reset", "run", f.name]
        lines = []
        try:
            p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)

            def reader():
                dec = codecs.getincrementaldecoder("utf-8")("replace")
                pending = ""
                while True:
                    chunk = os.read(p.stdout.fileno(), 4096)
                    text = dec.decode(chunk, final=not chunk)
                    if text and on_output is not None:
                        on_output(text)
                    pending += text
                    while True:  # lines as universal newlines cut them (\n, \r\n, \r)
                        i = min((j for j in (pending.find("\n"), pending.find("\r")) if j >= 0), default=-1)
                        if i < 0 or (pending[i] == "\r" and i == len(pending) - 1 and chunk):
                            break  # no end yet, or a \r whose \n may be in the next chunk
                        line, pending = pending[:i], pending[i + (2 if pending[i:i + 2] == "\r\n" else 1):]
                        lines.append(line + "\n")
                        if on_line is not None:
                            on_line(line)
                    if not chunk:
                        break
                if pending:
                    lines.append(pending)
                    if on_line is not None:
                        on_line(pending)

            t = threading.Thread(target=reader, daemon=True)
            t.start()
            try:
                p.wait(timeout=timeout)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()
                t.join(5)
                raise BoardError("the board did not finish within %d s; its last output:\n%s"
                                 % (timeout, "".join(lines[-20:])))
            t.join(5)
        finally:
            os.unlink(f.name)
        return "".join(lines)

    def type(self, data):
        """Write `data` (bytes) to the board's stdin while run() is attached:
        straight to its serial device, beside mpremote (whose `run` forwards
        none of its own stdin; its lock on the port is an advisory flock).
        The same on a Pico's /dev/ttyACM0 as on the emulated Pico's pty."""
        fd = os.open(self.port, os.O_WRONLY | os.O_NOCTTY)
        try:
            while data:
                data = data[os.write(fd, data):]
        finally:
            os.close(fd)

    def close(self):
        if self.emu is not None:
            self.emu.stop()
            self.emu = None


def open_board(port=None, emulator=False, fast=False, control=None, firmware=None):
    """A Board on `port`, or on a freshly started emulated Pico (running
    `firmware`, a .uf2/.elf/.bin, instead of the harness's stock image).
    `control`: the control socket of an emulated Pico already running on `port`."""
    if emulator:
        d = harness_dir()
        if d is None:
            raise BoardError("no emulated Pico: ../shared/rp2040/rp2emu.py not found "
                             "(set RP2EMU_DIR to the folder that has it)")
        sys.path.insert(0, d)
        from rp2emu import Emulator
        kw = {}
        if firmware:
            if not os.path.isfile(firmware):
                raise BoardError("firmware not found: %s (make firmware builds "
                                 "build/firmware/RPI_PICO/firmware.uf2)" % firmware)
            kw["firmware"] = os.path.abspath(firmware)
        print("board: starting the emulated Pico (%s)%s ..."
              % (d, " with the firmware %s" % firmware if firmware else ""), flush=True)
        t0 = time.monotonic()
        try:
            emu = Emulator(fast=fast, **kw).start()
        except Exception as e:
            raise BoardError("the emulated Pico did not come up: %s" % e)
        print("board: emulated Pico up in %.1f s: %s" % (time.monotonic() - t0, emu.pty), flush=True)
        b = Board(emu.pty, emu)
    elif port:
        b = Board(port)
        if control:
            d = harness_dir()
            if d is None:
                raise BoardError("--control needs ../shared/rp2040/rp2emu.py (or RP2EMU_DIR)")
            sys.path.insert(0, d)
            from rp2emu import Control
            b.ctl = Control(control)
    else:
        raise BoardError(NO_BOARD)
    try:
        b.probe()
    except BaseException:
        b.close()
        raise
    return b
