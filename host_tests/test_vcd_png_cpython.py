"""tools/vcd_png.py: VCD parsing, the waveform geometry and the CLI's errors
(CPython only).  Nothing here needs matplotlib, which make test's venv leaves
out; the tests that draw PNGs are host_tests/docs/ (make test-docs)."""

import os
import sys

import pytest

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(REPO, "tools"))

import vcd_png  # noqa: E402

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


def test_parse_small_vcd():
    tr = vcd_png.parse_vcd(SMALL_VCD)
    assert [s.name for s in tr.signals] == ["GP14", "LED", "poll_button"]
    assert [s.kind for s in tr.signals] == ["wire", "wire", "event"]
    assert tr.ms(tr.end) == 40.0
    assert tr.by_name("GP14").changes == [(0, "1"), (10000, "0"), (10500, "1"), (11000, "0")]
    assert [t for t, _ in tr.by_name("poll_button").changes] == [0, 10000, 31000]


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


def test_cli_rejects_empty_window(tmp_path, capsys):
    src = tmp_path / "t.vcd"
    src.write_text(SMALL_VCD)
    assert vcd_png.main([str(src), str(tmp_path / "t.png"), "--from-ms", "5", "--to-ms", "5"]) == 2
    assert "empty window" in capsys.readouterr().err


def test_wire_geometry_is_the_square_wave_of_the_changes():
    # what render() draws for a wire: level lines, the edges between them, the
    # high spans filled; here GP14 from 9 to 12 ms: high, low at 10, high at
    # 10.5, low at 11 (rows from y 0.2 to 0.8)
    tr = vcd_png.parse_vcd(SMALL_VCD)
    lines, xlines, spans = vcd_png._wire_segments(tr.by_name("GP14"), 0.2, 0.8, 9.0, 12.0, tr.ms)
    lines = [[(round(x, 6), y) for x, y in seg] for seg in lines]  # ms from us: 10.499999999999998
    spans = [(round(a, 6), round(b, 6)) for a, b in spans]
    assert lines == [[(9.0, 0.8), (10.0, 0.8)], [(10.0, 0.8), (10.0, 0.2)],
                     [(10.0, 0.2), (10.5, 0.2)], [(10.5, 0.2), (10.5, 0.8)],
                     [(10.5, 0.8), (11.0, 0.8)], [(11.0, 0.8), (11.0, 0.2)],
                     [(11.0, 0.2), (12.0, 0.2)]]
    assert xlines == [] and spans == [(9.0, 1.0), (10.5, 0.5)]


def test_drawing_without_matplotlib_says_how_to_get_it(tmp_path, monkeypatch, capsys):
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # import matplotlib -> ImportError
    src = tmp_path / "t.vcd"
    src.write_text(SMALL_VCD)
    out = tmp_path / "t.png"
    with pytest.raises(vcd_png.NeedsMatplotlib) as e:
        vcd_png.render(vcd_png.read_vcd(str(src)), str(out))
    assert "requirements-docs.txt" in str(e.value)
    assert vcd_png.main([str(src), str(out)]) == 2
    assert "needs matplotlib" in capsys.readouterr().err and not out.exists()
