"""tools/vcd_png.py draws PNGs (CPython only, needs matplotlib: make test-docs
installs requirements-docs.txt and runs these; make test leaves them out, as
host_tests/conftest.py says).  Parsing and the waveform geometry are tested
in host_tests/test_vcd_png_cpython.py without matplotlib."""

import os
import struct
import subprocess
import sys

import matplotlib  # noqa: F401  -- no skip: without it this module fails, naming it

import vcd_png
from test_vcd_png_cpython import SMALL_VCD

REPO = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
PNG_SIG = b"\x89PNG\r\n\x1a\n"


def png_size(path):
    with open(path, "rb") as f:
        head = f.read(24)
    assert head[:8] == PNG_SIG, "not a PNG file"
    assert head[12:16] == b"IHDR"
    return struct.unpack(">II", head[16:24])


def test_render_png(tmp_path):
    src = tmp_path / "t.vcd"
    src.write_text(SMALL_VCD)
    out = tmp_path / "t.png"
    vcd_png.render(vcd_png.read_vcd(str(src)), str(out), title="small")
    w, h = png_size(out)
    assert w == 1000 and 150 <= h <= 600
    assert out.stat().st_size > 5000      # something was drawn

    zoom = tmp_path / "zoom.png"
    vcd_png.render(vcd_png.read_vcd(str(src)), str(zoom), from_ms=9, to_ms=12,
                   signals=["GP14", "poll_button"], cursors=[(10.0, "press"), (11.0, None)])
    w2, h2 = png_size(zoom)
    assert w2 == 1000 and h2 < h          # two rows, not three


def test_render_from_simboard_trace(tmp_path):
    from simboard import SimBoard
    b = SimBoard(variant="rpi_pico")
    b.trace.signal("GP14", 1)
    b.now = 5000
    b.trace.change("GP14", 0)
    b.trace.event("poll_main")
    b.now = 8000
    b.trace.change("GP14", 1)
    vcd = b.trace.write_vcd(str(tmp_path / "sim.vcd"))
    out = tmp_path / "sim.png"
    vcd_png.render(vcd_png.read_vcd(vcd), str(out))
    assert png_size(out)[0] == 1000


def test_cli_subprocess(tmp_path):
    src = tmp_path / "t.vcd"
    src.write_text(SMALL_VCD)
    out = tmp_path / "sub" / "t.png"
    r = subprocess.run([sys.executable, os.path.join(REPO, "tools", "vcd_png.py"), str(src),
                        str(out), "--from-ms", "5", "--to-ms", "35", "--title", "T",
                        "--cursor", "11=last edge", "--cursor", "31"],
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    assert png_size(out)[0] == 1000
