"""Render a VCD trace as a PNG that looks like a logic-analyser screenshot.

    python tools/vcd_png.py IN.vcd OUT.png [--from-ms A] [--to-ms B] [--title T]
                            [--signals N1,N2,...] [--cursor MS[=LABEL]]...
                            [--width PX]

One row per signal: square waves for 1-bit wires, tick marks for events (the
task polls that tools/sim.py --vcd records), signal names on the left, a time
axis in milliseconds.  --from-ms/--to-ms pick a window (default: the whole
trace); --signals picks and orders the rows (default: wires, then events, in
declaration order); --cursor draws a vertical cursor line (repeatable) and the
first two cursors get a delta measurement, as on a logic analyser.

Reads the VCD subset that boards/sim/simboard.py's Trace.write_vcd writes
(and most tools write for 1-bit signals): $timescale, $scope, $var wire|reg|
event 1 <id> <name>, $dumpvars, #<time>, 0<id>/1<id>/x<id>/z<id>.  Anything
malformed raises VCDError (the CLI prints it and exits with status 2).

CPython only; parsing needs nothing, drawing needs matplotlib, which is in
requirements-docs.txt, not in make test's venv (`make docs-deps` adds it).
Nothing here runs on a board.
"""

import os
import sys

__all__ = ["VCDError", "NeedsMatplotlib", "Signal", "Trace", "parse_vcd", "read_vcd", "render", "main"]


class VCDError(ValueError):
    """The input is not a VCD file this renderer understands."""


class Signal:
    def __init__(self, name, kind, ident):
        self.name = name
        self.kind = kind        # "wire" (levels) or "event" (instants)
        self.ident = ident
        self.changes = []       # [(time in timescale units, value char)]

    def __repr__(self):
        return "Signal(%r, %r, %d changes)" % (self.name, self.kind, len(self.changes))


class Trace:
    def __init__(self, signals, timescale_s, end):
        self.signals = signals          # in declaration order
        self.timescale_s = timescale_s  # seconds per time unit
        self.end = end                  # last timestamp, in time units

    def ms(self, t):
        return t * self.timescale_s * 1000.0

    def by_name(self, name):
        for s in self.signals:
            if s.name == name:
                return s
        raise KeyError(name)


_UNITS = {"s": 1.0, "ms": 1e-3, "us": 1e-6, "ns": 1e-9, "ps": 1e-12, "fs": 1e-15}
_WIRE_KINDS = ("wire", "reg", "logic", "bit", "tri", "wand", "wor", "supply0", "supply1")
_VALUES = "01xXzZ"


def _tokens(text):
    for lineno, line in enumerate(text.splitlines(), 1):
        for tok in line.split():
            yield lineno, tok


def _section(toks, keyword, lineno):
    """The tokens up to the $end that closes `keyword`."""
    body = []
    for ln, tok in toks:
        if tok == "$end":
            return body
        body.append((ln, tok))
    raise VCDError("line %d: %s is never closed by $end" % (lineno, keyword))


def _timescale(words, lineno):
    s = "".join(words)
    num = s.rstrip("abcdefghijklmnopqrstuvwxyz")
    unit = s[len(num):]
    if num not in ("1", "10", "100") or unit not in _UNITS:
        raise VCDError("line %d: bad $timescale %r (want e.g. 1us, 10 ns)" % (lineno, s))
    return int(num) * _UNITS[unit]


def parse_vcd(text):
    """Parse VCD text into a Trace; raises VCDError on malformed input."""
    if not text.strip():
        raise VCDError("empty file: not a VCD")
    toks = _tokens(text)
    signals, by_id = [], {}
    timescale = None
    # ---- header
    for lineno, tok in toks:
        if not tok.startswith("$"):
            raise VCDError("line %d: unexpected %r in the header (not a VCD file?)" % (lineno, tok))
        body = _section(toks, tok, lineno)
        words = [w for _, w in body]
        if tok == "$timescale":
            timescale = _timescale(words, lineno)
        elif tok == "$var":
            if len(words) < 4:
                raise VCDError("line %d: $var needs: type size id name" % lineno)
            kind, size, ident, name = words[0], words[1], words[2], " ".join(words[3:])
            if kind == "event":
                kind = "event"
            elif kind in _WIRE_KINDS:
                kind = "wire"
            else:
                raise VCDError("line %d: unsupported $var type %r" % (lineno, words[0]))
            if size != "1":
                raise VCDError("line %d: signal %r is %s bits wide; only 1-bit signals "
                               "are supported" % (lineno, name, size))
            if ident in by_id:      # an alias of an existing signal: same data
                continue
            sig = Signal(name, kind, ident)
            signals.append(sig)
            by_id[ident] = sig
        elif tok == "$enddefinitions":
            break
        elif tok in ("$date", "$version", "$comment", "$scope", "$upscope"):
            pass
        else:
            raise VCDError("line %d: unknown header keyword %s" % (lineno, tok))
    else:
        raise VCDError("no $enddefinitions: the header is incomplete (not a VCD file?)")
    if not signals:
        raise VCDError("the header declares no $var signals")
    if timescale is None:
        timescale = 1e-9    # the VCD default when $timescale is absent
    # ---- value changes
    t = 0
    seen_time = False
    for lineno, tok in toks:
        c = tok[0]
        if c == "#":
            try:
                nt = int(tok[1:])
            except ValueError:
                raise VCDError("line %d: bad timestamp %r" % (lineno, tok)) from None
            if nt < 0 or (seen_time and nt < t):
                raise VCDError("line %d: time goes backwards (#%d after #%d)" % (lineno, nt, t))
            t, seen_time = nt, True
        elif c == "$":
            if tok == "$comment":
                _section(toks, tok, lineno)
            elif tok not in ("$dumpvars", "$dumpall", "$dumpon", "$dumpoff", "$end"):
                raise VCDError("line %d: unexpected %s after $enddefinitions" % (lineno, tok))
        elif c in "bBrR":
            try:
                ln2, ident = next(toks)
            except StopIteration:
                raise VCDError("line %d: vector value %r without an id" % (lineno, tok)) from None
            _change(by_id, ident, tok[1:] if c in "bB" else "x", t, ln2)
        elif c in _VALUES:
            _change(by_id, tok[1:], c.lower(), t, lineno)
        else:
            raise VCDError("line %d: cannot parse %r as a value change" % (lineno, tok))
    end = t
    for s in signals:
        if s.changes:
            end = max(end, s.changes[-1][0])
    return Trace(signals, timescale, end)


def _change(by_id, ident, value, t, lineno):
    sig = by_id.get(ident)
    if sig is None:
        raise VCDError("line %d: value change for undeclared id %r" % (lineno, ident))
    value = value.lower()
    if len(value) != 1 or value not in "01xz":
        raise VCDError("line %d: bad value %r for 1-bit signal %s" % (lineno, value, sig.name))
    sig.changes.append((t, value))


def read_vcd(path):
    with open(path) as f:
        return parse_vcd(f.read())


# -------------------------------------------------------------- drawing ----

BG = "#15181c"          # plot area
FIG_BG = "#202428"      # around it
GRID = "#3a4048"
TEXT = "#d8dde3"
DIM = "#8a939c"
WIRE = "#4cdc6a"        # logic-analyser green
WIRE_FILL = "#4cdc6a"
UNKNOWN = "#ff5a5a"
EVENT = "#ffb432"
CURSOR = "#5ab4ff"


def _wire_segments(sig, lo, hi, t0, t1, tconv):
    """(lines, x_lines, high_spans) for a wire within [t0, t1] (in ms)."""
    level = "x"
    runs = []           # [(start_ms, value)]
    for t, v in sig.changes:
        tm = tconv(t)
        if tm <= t0:
            level = v
            continue
        if tm > t1:
            break
        runs.append((tm, v))
    runs.insert(0, (t0, level))
    lines, xlines, spans = [], [], []
    y = {"0": lo, "1": hi}
    mid = (lo + hi) / 2
    for i, (start, v) in enumerate(runs):
        stop = runs[i + 1][0] if i + 1 < len(runs) else t1
        if v in y:
            lines.append([(start, y[v]), (stop, y[v])])
            if v == "1" and stop > start:
                spans.append((start, stop - start))
        else:
            xlines.append([(start, mid), (stop, mid)])
        if i + 1 < len(runs):       # the edge at `stop`
            nv = runs[i + 1][1]
            a = y.get(v, mid)
            b = y.get(nv, mid)
            if a != b:
                (lines if v in y and nv in y else xlines).append([(stop, a), (stop, b)])
    return lines, xlines, spans


def _fmt_ms(x):
    return ("%.3f" % x).rstrip("0").rstrip(".")


class NeedsMatplotlib(RuntimeError):
    """matplotlib is not installed (it is not in requirements.txt: docs only)."""


DOCS_DEPS = "pip install -r requirements-docs.txt (make docs-deps installs it into .venv)"


def _matplotlib():
    try:
        import matplotlib
    except ImportError:
        raise NeedsMatplotlib("rendering a PNG needs matplotlib: " + DOCS_DEPS) from None
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.collections import LineCollection
    from matplotlib.ticker import FuncFormatter, MaxNLocator
    return plt, LineCollection, FuncFormatter, MaxNLocator


def render(trace, out_path, from_ms=None, to_ms=None, title=None, signals=None,
           cursors=(), width_px=1000, dpi=100):
    """Draw `trace` (a Trace) into the PNG `out_path`."""
    if signals:
        try:
            rows = [trace.by_name(n) for n in signals]
        except KeyError as e:
            raise VCDError("no signal named %s; the trace has: %s"
                           % (e, ", ".join(s.name for s in trace.signals))) from None
    else:
        rows = ([s for s in trace.signals if s.kind == "wire"]
                + [s for s in trace.signals if s.kind == "event"])
    t0 = 0.0 if from_ms is None else float(from_ms)
    t1 = trace.ms(trace.end) if to_ms is None else float(to_ms)
    if t1 <= t0:
        if to_ms is None:
            t1 = t0 + 1.0       # a trace with no time span: show 1 ms
        else:
            raise VCDError("empty window: --to-ms (%g) must be after --from-ms (%g)" % (t1, t0))
    tconv = trace.ms
    plt, LineCollection, FuncFormatter, MaxNLocator = _matplotlib()

    n = len(rows)
    row_h = 0.62                                    # inches per row
    top_in = 0.62 if title else 0.3
    top_in += 0.28 if cursors else 0.0
    bottom_in = 0.62
    height_in = top_in + bottom_in + row_h * n
    width_in = width_px / float(dpi)
    name_px = 26 + 9.4 * max(len(s.name) for s in rows)
    fig = plt.figure(figsize=(width_in, height_in), dpi=dpi, facecolor=FIG_BG)
    ax = fig.add_axes([name_px / width_px, bottom_in / height_in,
                       1 - (name_px + 34) / width_px, row_h * n / height_in])
    ax.set_facecolor(BG)
    ax.set_xlim(t0, t1)
    ax.set_ylim(0, n)
    for sp in ax.spines.values():
        sp.set_color(GRID)

    # time axis in ms, grid lines like an analyser's divisions
    ax.xaxis.set_major_locator(MaxNLocator(nbins=10, steps=[1, 2, 2.5, 5, 10]))
    ax.xaxis.set_major_formatter(FuncFormatter(lambda x, _pos: _fmt_ms(x)))
    ax.tick_params(axis="x", colors=TEXT, labelsize=10, length=4)
    ax.set_xlabel("time (ms)", color=DIM, fontsize=10, labelpad=4)
    ax.grid(axis="x", color=GRID, linewidth=0.8, linestyle=(0, (2, 3)))
    ax.set_axisbelow(True)

    # signal names on the left, one row each (row 0 at the top)
    ax.set_yticks([n - i - 0.5 for i in range(n)])
    ax.set_yticklabels([s.name for s in rows], fontsize=11, family="monospace")
    ax.tick_params(axis="y", length=0, pad=8)
    for lab, s in zip(ax.get_yticklabels(), rows):
        lab.set_color(WIRE if s.kind == "wire" else EVENT)
    for i in range(1, n):
        ax.axhline(i, color=GRID, linewidth=0.6)

    for i, s in enumerate(rows):
        base = n - i - 1
        lo, hi = base + 0.2, base + 0.8
        if s.kind == "wire":
            lines, xlines, spans = _wire_segments(s, lo, hi, t0, t1, tconv)
            if spans:
                ax.broken_barh(spans, (lo, hi - lo), facecolors=WIRE_FILL, alpha=0.13,
                               linewidth=0)
            ax.add_collection(LineCollection(lines, colors=WIRE, linewidths=1.6,
                                             capstyle="projecting", joinstyle="miter"))
            if xlines:
                ax.add_collection(LineCollection(xlines, colors=UNKNOWN, linewidths=1.6))
        else:
            times = [tconv(t) for t, _v in s.changes]
            times = [x for x in times if t0 <= x <= t1]
            ax.add_collection(LineCollection([[(x, lo), (x, hi)] for x in times],
                                             colors=EVENT, linewidths=1.6))
            ax.plot(times, [hi] * len(times), linestyle="none", marker="v", markersize=5,
                    color=EVENT, clip_on=False, zorder=3)

    # cursors (A, B, ...) and the A-B delta
    marks = []
    for k, c in enumerate(cursors):
        ms, label = c if isinstance(c, tuple) else (c, None)
        ms = float(ms)
        marks.append(ms)
        name = chr(ord("A") + k % 26)
        ax.axvline(ms, color=CURSOR, linewidth=1.1, linestyle=(0, (5, 3)), zorder=1.5)
        txt = "%s %s ms" % (name, _fmt_ms(ms)) + ("  %s" % label if label else "")
        ax.annotate(txt, xy=(ms, n), xytext=(0, 4), textcoords="offset points",
                    ha="center", va="bottom", color=CURSOR, fontsize=9, annotation_clip=False)
    if len(marks) >= 2:
        a, b = marks[0], marks[1]
        ax.annotate("", xy=(a, n - 0.06), xytext=(b, n - 0.06),
                    arrowprops=dict(arrowstyle="<|-|>", color=CURSOR, lw=1.0,
                                    shrinkA=0, shrinkB=0))
        ax.text((a + b) / 2, n - 0.12, "B-A = %s ms" % _fmt_ms(abs(b - a)),
                color=CURSOR, fontsize=9, ha="center", va="top",
                bbox=dict(facecolor=BG, edgecolor="none", pad=1.5))

    if title:
        fig.text(0.5, 1 - 0.3 / height_in, title, ha="center", va="center",
                 color=TEXT, fontsize=13, weight="bold")
    d = os.path.dirname(out_path)
    if d:
        os.makedirs(d, exist_ok=True)
    fig.savefig(out_path, dpi=dpi, facecolor=FIG_BG, metadata={"Software": None})
    plt.close(fig)
    return out_path


# ------------------------------------------------------------------ CLI ----

def _parse_args(argv):
    import argparse
    p = argparse.ArgumentParser(prog="vcd_png.py",
                                description="Render a VCD trace as a logic-analyser style PNG.")
    p.add_argument("vcd", help="input .vcd file")
    p.add_argument("png", help="output .png file")
    p.add_argument("--from-ms", type=float, default=None, help="window start (ms)")
    p.add_argument("--to-ms", type=float, default=None, help="window end (ms)")
    p.add_argument("--title", default=None, help="title above the traces")
    p.add_argument("--signals", default=None,
                   help="comma-separated signal names, in row order (default: all)")
    p.add_argument("--cursor", action="append", default=[], metavar="MS[=LABEL]",
                   help="a cursor line at MS ms (repeatable; the first two show their delta)")
    p.add_argument("--width", type=int, default=1000, help="image width in pixels (default 1000)")
    return p.parse_args(argv)


def main(argv=None):
    args = _parse_args(sys.argv[1:] if argv is None else argv)
    cursors = []
    for c in args.cursor:
        ms, _, label = c.partition("=")
        try:
            cursors.append((float(ms), label or None))
        except ValueError:
            sys.stderr.write("vcd_png: error: bad --cursor %r (want MS or MS=LABEL)\n" % c)
            return 2
    try:
        trace = read_vcd(args.vcd)
        render(trace, args.png, from_ms=args.from_ms, to_ms=args.to_ms, title=args.title,
               signals=args.signals.split(",") if args.signals else None,
               cursors=cursors, width_px=args.width)
    except (VCDError, OSError) as e:
        sys.stderr.write("vcd_png: error: %s: %s\n" % (args.vcd, e))
        return 2
    except NeedsMatplotlib as e:
        sys.stderr.write("vcd_png: error: %s\n" % e)
        return 2
    print("wrote %s" % args.png)
    return 0


if __name__ == "__main__":
    sys.exit(main())
