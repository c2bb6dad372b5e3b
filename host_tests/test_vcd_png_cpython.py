"""tools/vcd_png.py: VCD parsing and PNG rendering (CPython only, needs matplotlib)."""

import os
import struct
import subprocess
import sys

import pytest

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(REPO, "tools"))

import vcd_png  # noqa: E402

PNG_SIG = b"\x89PNG\r\n\x1a\n"

# The format boards/sim/simboard.py's Trace.write_vcd writes: a bouncy press on
# GP14 at 10 ms, the button task polled at the first edge and 20 ms after the last.
SMALL_VCD = """$date pollen simulated board $end
$version pollen sim $end
$timescale 1us $end
$scope module board $end
$var wire 1 ! GP14 $end
$var wire 1 " LED $end
$var event 1 # poll_button $end
$upscope $end
$enddefinitions $end
$dumpvars
1!
0"
$end
#0
1#
#10000
0!
1#
#10500
1!
#11000
0!
#31000
1#
1"
#40000
"""


def png_size(path):
    with open(path, "rb") as f:
        head = f.read(24)
    assert head[:8] == PNG_SIG, "not a PNG file"
    assert head[12:16] == b"IHDR"
    return struct.unpack(">II", head[16:24])


def test_parse_small_vcd():
    tr = vcd_png.parse_vcd(SMALL_VCD)
    assert [s.name for s in tr.signals] == ["GP14", "LED", "poll_button"]
    assert [s.kind for s in tr.signals] == ["wire", "wire", "event"]
    assert tr.ms(tr.end) == 40.0
    assert tr.by_name("GP14").changes == [(0, "1"), (10000, "0"), (10500, "1"), (11000, "0")]
    assert [t for t, _ in tr.by_name("poll_button").changes] == [0, 10000, 31000]


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


@pytest.mark.parametrize("text, words", [
    ("", "empty"),
    ("hello world\n", "not a VCD"),
    ("$timescale 1us $end\n$var wire 1 ! a $end\n", "$enddefinitions"),
    ("$var wire 1 ! a $end\n$enddefinitions $end\n#0\n1?\n", "undeclared id"),
    ("$var wire 1 ! a $end\n$enddefinitions $end\n#5\n1!\n#3\n0!\n", "backwards"),
    ("$var wire 1 ! a $end\n$enddefinitions $end\n#zz\n", "bad timestamp"),
    ("$var wire 8 ! bus $end\n$enddefinitions $end\n", "1-bit"),
    ("$timescale 3 parsecs $end\n$enddefinitions $end\n", "timescale"),
    ("$var wire 1 ! a\n", "never closed"),
])
def test_malformed_vcd_rejected(text, words):
    with pytest.raises(vcd_png.VCDError) as e:
        vcd_png.parse_vcd(text)
    assert words in str(e.value)


def test_cli_reports_malformed_vcd(tmp_path):
    bad = tmp_path / "bad.vcd"
    bad.write_text("this is not a vcd\n")
    out = tmp_path / "bad.png"
    assert vcd_png.main([str(bad), str(out)]) == 2
    assert not out.exists()


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


def test_cli_rejects_empty_window(tmp_path, capsys):
    src = tmp_path / "t.vcd"
    src.write_text(SMALL_VCD)
    assert vcd_png.main([str(src), str(tmp_path / "t.png"), "--from-ms", "5", "--to-ms", "5"]) == 2
    assert "empty window" in capsys.readouterr().err
