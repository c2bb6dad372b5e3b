"""Build MicroPython for a board with pollen frozen in (`make firmware`).

    python tools/build_firmware.py [--board rpi_pico] [--micropy-dir DIR] [--out build/firmware]

The image is MicroPython's own rp2 build with boards/<board>/manifest.py as its
FROZEN_MANIFEST: the stock frozen modules (asyncio, ...) plus firmware/pollen
and firmware/apps, compiled by the port with mpy-cross -march=armv6m (so
@micropython.viper / asm_thumb functions are frozen as machine code).  The
result is build/firmware/<BOARD>/firmware.uf2 (and firmware.elf beside it);
`make flash FIRMWARE=build/firmware/RPI_PICO/firmware.uf2` writes it and the
two files that stay on the filesystem (main.py, board_config.py).

Where MicroPython comes from:
  * no --micropy-dir: ../shared/mpsrc/micropython-v1.28.0-rp2-src.tar.xz
    (beside the repo; env POLLEN_MPSRC names another tarball), sha256-checked
    against its README, extracted once into a cache outside the repo
    ($POLLEN_FW_CACHE, else $XDG_CACHE_HOME/pollen-fw or ~/.cache/pollen-fw,
    in a folder named after the tarball's sha256), where picotool and
    mpy-cross are built once too.  Later runs only rebuild what changed.
  * --micropy-dir DIR: a MicroPython checkout with its submodules
    (`make -C ports/rp2 submodules`); picotool is the one in
    $PICOTOOL_FETCH_FROM_GIT_PATH / picotool_DIR if set, else one already
    built from the tarball above, else the pico-sdk fetches and builds it
    (network) into the cache.

The ARM toolchain (arm-none-eabi-gcc and newlib) is installed with apt-get
when missing and this runs as root on a system that has apt-get; otherwise
it fails with one line saying what to install.  The build has its own build
directory (ports/rp2/build-pollen-<BOARD>) so it never reuses a stock build's
CMake configuration (the port's Makefile configures a build dir only once).
The frozen machine code is 4-byte aligned (align_frozen_native_code: v1.28's
mpy-tool.py aligns ARMv6-M code to 2, which breaks its constant loads) and
the build fails if any frozen function is not.  Every step prints a line
with the elapsed seconds; on failure the tail of the build log is printed
and the exit status is 1 (2 for a usage or setup error).
"""

import argparse
import fcntl
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TARBALL_NAME = "micropython-v1.28.0-rp2-src.tar.xz"
APT_PACKAGES = ["gcc-arm-none-eabi", "libnewlib-arm-none-eabi"]
T0 = time.monotonic()


class BuildError(Exception):
    """One line for the user; exit status 2 (setup) or 1 (a build step failed)."""

    def __init__(self, msg, status=2):
        super().__init__(msg)
        self.status = status


def step(msg):
    print("firmware [%4.0f s] %s" % (time.monotonic() - T0, msg), flush=True)


def default_tarball():
    return os.environ.get("POLLEN_MPSRC") or os.path.join(os.path.dirname(ROOT), "shared", "mpsrc",
                                                          TARBALL_NAME)


def cache_root():
    d = os.environ.get("POLLEN_FW_CACHE")
    if not d:
        base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
        d = os.path.join(base, "pollen-fw")
    return d


def file_sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def run_logged(cmd, log, cwd=None, env=None, what=None):
    """Run `cmd` with its output appended to `log`; a progress line every 30 s;
    on failure print the log's tail and raise BuildError."""
    what = what or " ".join(cmd)
    with open(log, "ab") as f:
        f.write(("\n$ %s\n" % " ".join(cmd)).encode())
        f.flush()
        p = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=f, stderr=subprocess.STDOUT,
                             stdin=subprocess.DEVNULL)
        t = time.monotonic()
        while True:
            try:
                rc = p.wait(timeout=30)
                break
            except subprocess.TimeoutExpired:
                step("  ... %s: %.0f s so far%s" % (what, time.monotonic() - t, last_line(log)))
    if rc:
        print("---- last lines of %s ----" % log)
        print(tail(log, 40))
        print("----")
        raise BuildError("%s failed (exit %d); full log: %s" % (what, rc, log), status=1)


def tail(path, n):
    with open(path, "rb") as f:
        f.seek(0, 2)
        f.seek(max(0, f.tell() - 16000))
        lines = f.read().decode("utf-8", "replace").splitlines()
    return "\n".join(lines[-n:])


def last_line(log):
    """': [ 46%] modtime.c.o' from make's last line (paths cut to their last part)."""
    lines = [l for l in tail(log, 5).splitlines() if l.strip()]
    if not lines:
        return ""
    line = lines[-1].strip()
    m = re.match(r"(\[\s*\d+%\]).*?(\S+)$", line)
    return ": " + ("%s %s" % (m.group(1), os.path.basename(m.group(2))) if m else line[:100])


# -- host tools -----------------------------------------------------------------

def have_newlib():
    r = subprocess.run(["arm-none-eabi-gcc", "-print-file-name=libc.a"], capture_output=True, text=True)
    return r.returncode == 0 and os.path.isabs(r.stdout.strip())


def ensure_toolchain(log):
    missing = []
    if not shutil.which("arm-none-eabi-gcc"):
        missing = APT_PACKAGES
    elif not have_newlib():
        missing = ["libnewlib-arm-none-eabi"]
    if missing:
        if os.geteuid() == 0 and shutil.which("apt-get"):
            step("installing the ARM toolchain: apt-get install -y %s" % " ".join(missing))
            env = dict(os.environ, DEBIAN_FRONTEND="noninteractive")
            run_logged(["apt-get", "update"], log, env=env, what="apt-get update")
            run_logged(["apt-get", "install", "-y"] + missing, log, env=env, what="apt-get install")
        else:
            raise BuildError("the ARM toolchain is missing (arm-none-eabi-gcc with newlib): install it, e.g. "
                             "`sudo apt-get install %s` (macOS: `brew install --cask gcc-arm-embedded`), "
                             "then rerun make firmware" % " ".join(APT_PACKAGES))
        if not shutil.which("arm-none-eabi-gcc") or not have_newlib():
            raise BuildError("apt-get installed %s but arm-none-eabi-gcc/newlib still is not usable"
                             % " ".join(missing))
    for tool, hint in (("cmake", "cmake"), ("make", "make"), ("python3", "python3"),
                       ("cc", "build-essential"), ("c++", "build-essential")):
        if not shutil.which(tool):
            raise BuildError("%s not found: install it (Debian/Ubuntu: apt-get install %s) and rerun make firmware"
                             % (tool, hint))
    out = subprocess.run(["arm-none-eabi-gcc", "--version"], capture_output=True, text=True).stdout
    step("toolchain: %s" % (out.splitlines() or ["arm-none-eabi-gcc"])[0])


# -- MicroPython source -----------------------------------------------------------

def expected_sha(tarball):
    readme = os.path.join(os.path.dirname(tarball), "README.md")
    try:
        with open(readme) as f:
            text = f.read()
    except OSError:
        return None
    m = re.search(re.escape(os.path.basename(tarball)) + r"[^\n]*?sha256[^0-9a-f]*([0-9a-f]{64})", text)
    return m.group(1) if m else None


def extract(tarball, dest):
    """Unpack `tarball` into dest (made atomically: a temp dir renamed)."""
    parent = os.path.dirname(dest)
    os.makedirs(parent, exist_ok=True)
    tmp = tempfile.mkdtemp(prefix=".extract-", dir=parent)
    try:
        if shutil.which("tar"):
            r = subprocess.run(["tar", "xJf", tarball, "-C", tmp], capture_output=True, text=True)
            if r.returncode:
                raise BuildError("extracting %s failed: %s" % (tarball, r.stderr.strip()[-300:]))
        else:
            import tarfile
            with tarfile.open(tarball, "r:xz") as t:
                t.extractall(tmp, filter="data")
        if os.path.isdir(dest):
            shutil.rmtree(dest)
        os.rename(tmp, dest)
    finally:
        if os.path.isdir(tmp):
            shutil.rmtree(tmp, ignore_errors=True)


def prepare_tarball(tarball, log):
    """(micropython dir, picotool install dir) from the cached extraction of
    `tarball`, extracting and building picotool / mpy-cross there if needed."""
    if not os.path.isfile(tarball):
        raise BuildError("MicroPython source not found: %s (set POLLEN_MPSRC to the tarball, or pass "
                         "MICROPY_DIR=/path/to/micropython, a checkout with its submodules)" % tarball)
    sha = file_sha256(tarball)
    want = expected_sha(tarball)
    if want and want != sha:
        raise BuildError("%s has sha256 %s, its README says %s: the file is damaged or not the one described"
                         % (tarball, sha, want))
    cache = os.path.join(cache_root(), sha[:12])
    os.makedirs(cache, exist_ok=True)
    src = os.path.join(cache, "mpsrc")
    stamp = os.path.join(cache, ".extracted")
    if not os.path.isfile(stamp):
        step("extracting %s (sha256 %s%s) into %s" % (os.path.basename(tarball), sha[:12],
                                                     ", as its README says" if want else "", cache))
        if os.path.exists(stamp):
            os.remove(stamp)
        extract(tarball, os.path.join(cache, "src.tmp"))
        inner = os.path.join(cache, "src.tmp", "mpsrc")
        if not os.path.isdir(os.path.join(inner, "micropython", "ports", "rp2")):
            raise BuildError("%s has no mpsrc/micropython/ports/rp2 inside" % tarball)
        if os.path.isdir(src):
            shutil.rmtree(src)
        os.rename(inner, src)
        shutil.rmtree(os.path.join(cache, "src.tmp"), ignore_errors=True)
        with open(stamp, "w") as f:
            f.write(sha + "\n")
    else:
        step("MicroPython source: %s (cached, sha256 %s)" % (src, sha[:12]))
    mp = os.path.join(src, "micropython")
    sdk = os.path.join(mp, "lib", "pico-sdk")
    install = os.path.join(src, "picotool-install")
    exe = os.path.join(install, "picotool", "picotool")
    if not os.path.isfile(exe):
        step("building picotool (once; about a minute)")
        build = os.path.join(src, "picotool-build")
        run_logged(["cmake", "-S", os.path.join(src, "picotool"), "-B", build, "-DPICO_SDK_PATH=" + sdk,
                    "-DPICOTOOL_NO_LIBUSB=1", "-DPICOTOOL_FLAT_INSTALL=1",
                    "-DCMAKE_INSTALL_PREFIX=" + install], log, what="picotool cmake")
        run_logged(["make", "-C", build, "-j%d" % jobs()], log, what="picotool make")
        run_logged(["make", "-C", build, "install"], log, what="picotool install")
        if not os.path.isfile(exe):
            raise BuildError("picotool built but %s is missing; full log: %s" % (exe, log))
    else:
        step("picotool: %s (cached)" % exe)
    return mp, install


def picotool_for_checkout(log):
    """PICOTOOL_FETCH_FROM_GIT_PATH for a user's checkout: where an installed
    picotool is (or where the pico-sdk may fetch and build one)."""
    given = os.environ.get("PICOTOOL_FETCH_FROM_GIT_PATH")
    if given:
        step("picotool: $PICOTOOL_FETCH_FROM_GIT_PATH=%s" % given)
        return given
    if os.environ.get("picotool_DIR"):
        step("picotool: $picotool_DIR=%s" % os.environ["picotool_DIR"])
        return None
    root = cache_root()
    if os.path.isdir(root):
        for name in sorted(os.listdir(root)):
            install = os.path.join(root, name, "mpsrc", "picotool-install")
            if os.path.isfile(os.path.join(install, "picotool", "picotool")):
                step("picotool: %s (built from the MicroPython source tarball)" % install)
                return install
    tarball = default_tarball()
    if os.path.isfile(tarball):
        _, install = prepare_tarball(tarball, log)
        return install
    fetch = os.path.join(root, "picotool")
    step("picotool: none installed; the pico-sdk will fetch and build it into %s (needs the network)" % fetch)
    return fetch


def check_checkout(mp):
    if not os.path.isfile(os.path.join(mp, "ports", "rp2", "Makefile")):
        raise BuildError("%s is not a MicroPython checkout (no ports/rp2/Makefile)" % mp)
    for sub in ("lib/pico-sdk/README.md", "lib/micropython-lib/README.md", "lib/tinyusb/README.rst"):
        if not os.path.exists(os.path.join(mp, sub)):
            raise BuildError("%s: submodule %s is missing: run `make -C %s/ports/rp2 submodules` first"
                             % (mp, sub.split("/")[1], mp))


def jobs():
    return max(1, os.cpu_count() or 2)


# -- the firmware -----------------------------------------------------------------

def board_info(board):
    bdir = os.path.join(ROOT, "boards", board)
    manifest = os.path.join(bdir, "manifest.py")
    if not os.path.isfile(manifest):
        raise BuildError("no freeze manifest for board %r: %s is missing" % (board, manifest))
    mp_board = board.upper()
    meta = os.path.join(bdir, "board.json")
    if os.path.isfile(meta):
        with open(meta) as f:
            mp_board = json.load(f).get("micropython_board", mp_board)
    return mp_board, manifest


def frozen_signature(manifest):
    """What the port's makemanifest.py cannot see by timestamps: the manifest's
    text, the checkout it is in, and the files it freezes, by content.  Its
    compiled modules (frozen_mpy/) are kept while a source is older than its
    .mpy: a deleted module would stay frozen, and so would another checkout's
    newer build of a module (two checkouts share the cached build dir)."""
    h = hashlib.sha256()
    with open(manifest, "rb") as f:
        h.update(f.read())
    h.update(ROOT.encode() + b"\n")
    fw = os.path.join(ROOT, "firmware")
    for d in ("pollen", "apps"):
        for dp, dn, fn in sorted(os.walk(os.path.join(fw, d))):
            dn.sort()
            for n in sorted(fn):
                if n.endswith(".py"):
                    path = os.path.join(dp, n)
                    h.update(os.path.relpath(path, fw).encode() + b"\n")
                    with open(path, "rb") as f:
                        h.update(hashlib.sha256(f.read()).digest())
    return h.hexdigest()


def cmake_cache_value(build, name):
    try:
        with open(os.path.join(build, "CMakeCache.txt")) as f:
            for line in f:
                if line.startswith(name + ":"):
                    return line.split("=", 1)[1].strip()
    except OSError:
        pass
    return None


def build_firmware(mp, mp_board, manifest, out, log, picotool_path):
    port = os.path.join(mp, "ports", "rp2")
    if not os.path.isdir(os.path.join(port, "boards", mp_board)):
        raise BuildError("MicroPython in %s has no rp2 board %s" % (mp, mp_board))
    if mp_board.endswith("_W"):  # the wireless chip's driver and the network stack
        for sub in ("cyw43-driver", "lwip"):
            d = os.path.join(mp, "lib", sub)
            if not (os.path.isdir(d) and os.listdir(d)):
                raise BuildError("%s needs lib/%s, which %s lacks (the bundled v1.28.0 source leaves it out): "
                                 "use a full checkout, MICROPY_DIR=/path/to/micropython" % (mp_board, sub, mp))
    env = dict(os.environ)
    env.pop("MICROPY_MPYCROSS", None)   # the checkout's own mpy-cross, built below
    if picotool_path:
        env["PICOTOOL_FETCH_FROM_GIT_PATH"] = picotool_path
    mpy_cross = os.path.join(mp, "mpy-cross", "build", "mpy-cross")
    if not os.path.isfile(mpy_cross):
        step("building mpy-cross (once)")
    run_logged(["make", "-C", os.path.join(mp, "mpy-cross"), "-j%d" % jobs()], log, env=env, what="mpy-cross make")

    build_name = "build-pollen-" + mp_board
    build = os.path.join(port, build_name)
    if os.path.isfile(os.path.join(build, "CMakeCache.txt")):
        # The port's Makefile runs cmake only when the build dir is new: a
        # manifest path from an earlier run (a moved repo) would stick.
        if cmake_cache_value(build, "MICROPY_FROZEN_MANIFEST") != manifest:
            step("reconfiguring %s for %s" % (build, manifest))
            run_logged(["cmake", "-S", port, "-B", build, "-DMICROPY_FROZEN_MANIFEST=" + manifest],
                       log, env=env, what="cmake reconfigure")
    sig_file = os.path.join(build, "pollen-frozen.sig")
    sig = frozen_signature(manifest)
    try:
        with open(sig_file) as f:
            old = f.read().strip()
    except OSError:
        old = None
    if old != sig:  # every frozen module compiled again, and frozen_content.c regenerated
        shutil.rmtree(os.path.join(build, "frozen_mpy"), ignore_errors=True)
        if os.path.isfile(os.path.join(build, "frozen_content.c")):
            os.remove(os.path.join(build, "frozen_content.c"))
    fresh = not os.path.isfile(os.path.join(build, "Makefile"))
    step("building MicroPython %s with %s frozen in (%s)"
         % (mp_board, os.path.relpath(manifest, ROOT), "first build of this dir: a minute or two" if fresh
            else "incremental"))
    run_logged(["make", "-C", port, "BOARD=" + mp_board, "BUILD=" + build_name,
                "FROZEN_MANIFEST=" + manifest, "-j%d" % jobs()], log, env=env, what="MicroPython make")
    if align_frozen_native_code(build):
        step("frozen machine code aligned to 4 bytes (see align_frozen_native_code); relinking")
        run_logged(["make", "-C", port, "BOARD=" + mp_board, "BUILD=" + build_name,
                    "FROZEN_MANIFEST=" + manifest, "-j%d" % jobs()], log, env=env, what="MicroPython make")
    misaligned = misaligned_native_code(build)
    if misaligned:
        raise BuildError("%d frozen machine-code functions are not 4-byte aligned in %s/firmware.elf (e.g. %s): "
                         "their constant loads would read the wrong word" % (len(misaligned), build, misaligned[0]),
                         status=1)
    with open(sig_file, "w") as f:
        f.write(sig + "\n")
    if cmake_cache_value(build, "MICROPY_FROZEN_MANIFEST") != manifest:
        raise BuildError("the build in %s did not use %s as its FROZEN_MANIFEST" % (build, manifest))
    uf2 = os.path.join(build, "firmware.uf2")
    if not os.path.isfile(uf2):
        raise BuildError("the build finished but made no %s; log: %s" % (uf2, log))
    dest = os.path.join(out, mp_board)
    os.makedirs(dest, exist_ok=True)
    for name in ("firmware.uf2", "firmware.elf", "firmware.bin"):
        if os.path.isfile(os.path.join(build, name)):
            shutil.copyfile(os.path.join(build, name), os.path.join(dest, name))
    return os.path.join(dest, "firmware.uf2"), build


ALIGN2 = "__attribute__ ((aligned (2)))"
ALIGN4 = "__attribute__ ((aligned (4)))"


def align_frozen_native_code(build):
    """Make the frozen viper / native / asm_thumb functions start on a 4-byte
    boundary.  MicroPython v1.28's tools/mpy-tool.py declares ARMv6-M..ARMv7EM
    machine code `aligned (2)`, but py/asmthumb.c's ARMv6-M 32-bit constant
    load (asm_thumb_mov_reg_i32: `ldr rX, [pc, #0]` then the word, padded
    as if the code began 4-byte aligned) assumes 4: a function that the
    linker puts at 2 mod 4 loads the wrong word (pollen.leaves_viper's
    signal_set then masked its count with garbage and Signal never fired).
    Loaded from a .mpy the code sits in a heap block, always 4-aligned.
    Edits the build's frozen_content.c in place (makemanifest.py leaves it
    alone until a frozen file changes, then this runs again); True if it
    changed anything."""
    path = os.path.join(build, "frozen_content.c")
    with open(path) as f:
        text = f.read()
    if ALIGN2 not in text:
        return False
    with open(path, "w") as f:
        f.write(text.replace(ALIGN2, ALIGN4))
    return True


def misaligned_native_code(build):
    """Frozen machine-code functions (fun_data_* in .text) not on a 4-byte boundary."""
    nm = shutil.which("arm-none-eabi-nm")
    elf = os.path.join(build, "firmware.elf")
    if not nm or not os.path.isfile(elf):
        return []
    out = subprocess.run([nm, elf], capture_output=True, text=True).stdout
    bad = []
    for line in out.splitlines():
        parts = line.split()
        if len(parts) == 3 and parts[1] in "tT" and parts[2].startswith("fun_data_") and int(parts[0], 16) % 4:
            bad.append(parts[2])
    return bad


def frozen_names(build):
    """Module names in the image's frozen_content.c that come from pollen's folders."""
    try:
        with open(os.path.join(build, "frozen_content.c")) as f:
            text = f.read()
    except OSError:
        return []
    m = re.search(r"mp_frozen_names\[\]\s*=\s*\{(.*?)\};", text, re.S)
    names = re.findall(r'"([^"]+)\\0"', m.group(1)) if m else []
    return [n for n in names if n.startswith(("pollen/", "apps/"))]


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--board", default="rpi_pico", help="board folder under boards/ (default %(default)s)")
    ap.add_argument("--micropy-dir", help="a MicroPython checkout with its submodules (default: the cached "
                    "extraction of ../shared/mpsrc/%s or $POLLEN_MPSRC)" % TARBALL_NAME)
    ap.add_argument("--out", default=os.path.join(ROOT, "build", "firmware"),
                    help="where <BOARD>/firmware.uf2 goes (default build/firmware)")
    a = ap.parse_args(argv)
    out = os.path.abspath(a.out)
    os.makedirs(out, exist_ok=True)
    log = os.path.join(out, "build.log")
    with open(log, "w") as f:
        f.write("tools/build_firmware.py %s\n" % " ".join(sys.argv[1:] if argv is None else argv))
    try:
        mp_board, manifest = board_info(a.board)
        ensure_toolchain(log)
        os.makedirs(cache_root(), exist_ok=True)
        if a.micropy_dir:
            mp = os.path.abspath(a.micropy_dir)
            check_checkout(mp)
            lock_path = os.path.join(cache_root(), "checkout-%s.lock"
                                     % hashlib.sha256(mp.encode()).hexdigest()[:12])
        else:
            lock_path = os.path.join(cache_root(), "tarball.lock")
        with open(lock_path, "w") as lock:
            try:
                fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except OSError:
                step("another firmware build holds %s; waiting" % lock_path)
                fcntl.flock(lock, fcntl.LOCK_EX)
            if a.micropy_dir:
                step("MicroPython source: %s" % mp)
                picotool = picotool_for_checkout(log)
            else:
                mp, picotool = prepare_tarball(default_tarball(), log)
            uf2, build = build_firmware(mp, mp_board, manifest, out, log, picotool)
    except BuildError as e:
        print("firmware: error: %s" % e, file=sys.stderr, flush=True)
        return e.status
    except KeyboardInterrupt:
        return 130
    names = frozen_names(build)
    if not any(n.startswith("pollen/") for n in names):
        print("firmware: error: %s has no pollen module frozen in (frozen_content.c lists %d of pollen's "
              "files); check %s" % (uf2, len(names), manifest), file=sys.stderr)
        return 1
    step("done: %s (%d bytes), with %d modules of pollen and the apps frozen in: %s"
         % (os.path.relpath(uf2, os.getcwd()), os.path.getsize(uf2), len(names),
            " ".join(sorted(n.rsplit(".", 1)[0] for n in names))))
    print("flash it: make flash FIRMWARE=%s   test it: make test-board EMU=1 FIRMWARE=%s"
          % (os.path.relpath(uf2, ROOT), os.path.relpath(uf2, ROOT)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
