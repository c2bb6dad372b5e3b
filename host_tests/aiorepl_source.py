"""micropython-lib's aiorepl, unmodified, for the tests that run it under
pollen.asyncio: extracted once from the MicroPython v1.28.0 source tarball
(../shared/mpsrc/, or $POLLEN_MPSRC) into build/aiorepl/aiorepl.py.  Third-
party source: never committed, only extracted into build/."""

import os
import tarfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
TARBALL = os.environ.get("POLLEN_MPSRC") or os.path.join(
    os.path.dirname(ROOT), "shared", "mpsrc", "micropython-v1.28.0-rp2-src.tar.xz")
MEMBER = "mpsrc/micropython/lib/micropython-lib/micropython/aiorepl/aiorepl.py"
DEST = os.path.join(ROOT, "build", "aiorepl")


def aiorepl_dir():
    """The folder holding aiorepl.py (extracted on first use)."""
    path = os.path.join(DEST, "aiorepl.py")
    if not os.path.exists(path):
        if not os.path.exists(TARBALL):
            raise AssertionError("aiorepl comes from the MicroPython source tarball, not found at %s "
                                 "(set POLLEN_MPSRC to its path)" % TARBALL)
        with tarfile.open(TARBALL, "r:xz") as tf:
            src = tf.extractfile(MEMBER).read()
        os.makedirs(DEST, exist_ok=True)
        with open(path + ".tmp", "wb") as f:
            f.write(src)
        os.replace(path + ".tmp", path)
    return DEST
