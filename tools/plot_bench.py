"""Draw pollen vs asyncio scaling (switch throughput, ping-pong) to a PNG.

    python tools/plot_bench.py results.json docs/bench_scaling.png

results.json is what `tools/bench.py --plot ... --json results.json` saves;
bench.py --plot calls plot() directly.  Needs matplotlib (host only; it is in
requirements-docs.txt, not in make test's venv: `make docs-deps`).
"""

import json
import sys

NEEDS = ("drawing the plot needs matplotlib, which make test's venv leaves out: "
         "pip install -r requirements-docs.txt (or make docs-deps)")


def require():
    """Fail now, with the fix, rather than after a long bench run."""
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        raise SystemExit("plot_bench: error: " + NEEDS) from None


def plot(records, path, title_note=""):
    require()
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 2, figsize=(10, 4.2), dpi=110)
    panels = (
        ("scale_switch", "Switch throughput (yield / sleep_ms(0))", "M switches / s", 1e6),
        ("scale_pingpong", "Wake ping-pong, 2 tasks + parked ones", "k round trips / s", 1e3),
    )
    for ax, (kind, title, ylabel, div) in zip(axes, panels):
        rs = sorted((r for r in records if r["kind"] == kind), key=lambda r: r["tasks"])
        xs = [r["tasks"] for r in rs]
        ax.plot(xs, [r["pollen"] / div for r in rs], "o-", color="#2a7d2e", lw=2, label="pollen")
        ax.plot(xs, [r["asyncio"] / div for r in rs], "s--", color="#b5452b", lw=2,
                label="asyncio")
        for r in rs:
            ax.annotate("%.1fx" % (r["pollen"] / r["asyncio"]), (r["tasks"], r["pollen"] / div),
                        textcoords="offset points", xytext=(0, 7), ha="center", fontsize=8,
                        color="#2a7d2e")
        ax.set_xscale("log", base=2)
        ax.set_xticks(xs)
        ax.set_xticklabels([str(x) for x in xs])
        top = max([r["pollen"] / div for r in rs] + [r["asyncio"] / div for r in rs] + [1e-9])
        ax.set_ylim(0, top * 1.18)  # room for the ratio labels
        ax.set_xlabel("tasks")
        ax.set_ylabel(ylabel)
        ax.set_title(title, fontsize=10)
        ax.grid(True, alpha=0.3)
        ax.legend(loc="best", fontsize=9)
    fig.suptitle("pollen vs asyncio on unix MicroPython (default heap) %s" % title_note, fontsize=9)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)


def main(argv):
    if len(argv) != 2:
        print(__doc__)
        return 2
    require()
    data = json.load(open(argv[0]))
    runs = list(data["runs"].values())
    plot(data["scaling"], argv[1], runs[0][0].get("version", "") if runs else "")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
