"""Draw docs/img/wiring.png: the wiring for the pollen demos on a Raspberry Pi Pico.

    python tools/draw_wiring.py [OUT.png]        (default: docs/img/wiring.png)

A Pico seen from above (USB at the top, 40 pins, pin 1 = GP0 top left), a push
button from GP14 (physical pin 19) to GND (pin 18) using the internal pull-up,
and the on-board LED (GP25 on the Pico; Pin("LED") on the Pico W).  Drawn
with matplotlib patches so it can be regenerated; CPython only (matplotlib is
in requirements-docs.txt: `make docs-deps`).
"""

import os
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# Pico pinout, top to bottom.  Left column: pins 1..20; right column: 40..21.
LEFT = ["GP0", "GP1", "GND", "GP2", "GP3", "GP4", "GP5", "GND", "GP6", "GP7",
        "GP8", "GP9", "GND", "GP10", "GP11", "GP12", "GP13", "GND", "GP14", "GP15"]
RIGHT = ["VBUS", "VSYS", "GND", "3V3_EN", "3V3(OUT)", "ADC_VREF", "GP28", "GND", "GP27",
         "GP26", "RUN", "GP22", "GND", "GP21", "GP20", "GP19", "GP18", "GND", "GP17", "GP16"]
assert len(LEFT) == 20 and len(RIGHT) == 20

# geometry in mm (y grows downwards; the axis is inverted)
BOARD_W, BOARD_H = 21.0, 51.0
PITCH = 2.54
PIN_X = (1.61, BOARD_W - 1.61)
PIN_Y0 = (BOARD_H - 19 * PITCH) / 2


def pin_y(i):
    """y of the i-th pin from the top of a column (0..19)."""
    return PIN_Y0 + i * PITCH


PCB = "#1f7a3c"
PCB_EDGE = "#145a2b"
PAD = "#d9b45a"
BG = "#ffffff"
INK = "#1d232a"
SUB = "#56606b"
TAG = {"gpio": ("#cfe9d6", "#2c7a45"), "gnd": ("#2b2b2b", "#000000"),
       "pwr": ("#f5c6c6", "#b23a3a"), "sys": ("#dcdcf0", "#5a5a9a")}
HILITE = "#ffd54a"
WIRE_SIG = "#e8892a"   # orange: GP14
WIRE_GND = "#222222"   # black: GND


def _tag_kind(name):
    if name == "GND":
        return "gnd"
    if name.startswith("GP"):
        return "gpio"
    if name in ("VBUS", "VSYS", "3V3(OUT)"):
        return "pwr"
    return "sys"


def draw(out_path):
    try:
        import matplotlib
    except ImportError:
        raise SystemExit("draw_wiring: error: drawing needs matplotlib, which make test's venv leaves out: "
                         "pip install -r requirements-docs.txt (or make docs-deps)") from None
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.patches import Circle, FancyBboxPatch, Rectangle, FancyArrowPatch

    x0, x1, y0, y1 = -52.0, 52.0, -22.0, 74.0           # drawing extent in mm
    scale = 10.0                                         # px per mm at dpi 100
    fig = plt.figure(figsize=((x1 - x0) * scale / 100, (y1 - y0) * scale / 100), dpi=100,
                     facecolor=BG)
    ax = fig.add_axes([0, 0, 1, 1])
    ax.set_xlim(x0, x1)
    ax.set_ylim(y1, y0)
    ax.set_aspect("equal")
    ax.axis("off")

    # title
    ax.text((x0 + x1) / 2, y0 + 3.2, "Wiring for the pollen demos (Raspberry Pi Pico, top view)",
            ha="center", va="center", fontsize=17, weight="bold", color=INK)
    ax.text((x0 + x1) / 2, y0 + 7.2, "one push button between GP14 (pin 19) and GND (pin 18)"
            " \u2022 the LED is the on-board one",
            ha="center", va="center", fontsize=12, color=SUB)

    # the board
    ax.add_patch(FancyBboxPatch((0, 0), BOARD_W, BOARD_H, boxstyle="round,pad=0,rounding_size=1.2",
                                facecolor=PCB, edgecolor=PCB_EDGE, linewidth=2, zorder=1))
    for hx, hy in ((7.4, BOARD_H - 2.0), (BOARD_W - 7.4, BOARD_H - 2.0)):  # mounting holes
        ax.add_patch(Circle((hx, hy), 0.8, facecolor=BG, edgecolor=PAD, linewidth=1.5, zorder=2))
    # micro-USB connector overhanging the top edge
    ax.add_patch(FancyBboxPatch((BOARD_W / 2 - 4, -1.3), 8, 5.6,
                                boxstyle="round,pad=0,rounding_size=0.6",
                                facecolor="#c9ccd1", edgecolor="#7d8289", linewidth=1.5, zorder=3))
    ax.add_patch(Rectangle((BOARD_W / 2 - 2.6, -1.3), 5.2, 1.1, facecolor="#5d6168",
                           edgecolor="none", zorder=4))
    ax.text(BOARD_W / 2, 2.4, "USB", ha="center", va="center", fontsize=8, color="#3b3f45",
            weight="bold", zorder=4)
    # RP2040 chip, BOOTSEL button, flash chip
    ax.add_patch(Rectangle((BOARD_W / 2 - 3.5, 23.5), 7, 7, facecolor="#262a2f",
                           edgecolor="#111", linewidth=1, zorder=3))
    ax.text(BOARD_W / 2, 27, "RP2040", ha="center", va="center", fontsize=8, color="#cfd3d8",
            zorder=4)
    ax.add_patch(Rectangle((BOARD_W / 2 - 2.2, 36.0), 4.4, 3.0, facecolor="#262a2f",
                           edgecolor="#111", zorder=3))
    ax.add_patch(FancyBboxPatch((BOARD_W / 2 - 2.4, 10.0), 4.8, 4.0,
                                boxstyle="round,pad=0,rounding_size=0.4",
                                facecolor="#e8e8e8", edgecolor="#999", zorder=3))
    ax.add_patch(Circle((BOARD_W / 2, 12.0), 1.3, facecolor="#f7f7f7", edgecolor="#aaa", zorder=4))
    ax.text(BOARD_W / 2, 15.3, "BOOTSEL", ha="center", va="center", fontsize=6.5,
            color="#e6efe8", zorder=4)
    ax.text(BOARD_W / 2, 46.5, "Raspberry Pi\nPico", ha="center", va="center", fontsize=8.5,
            color="#e6efe8", weight="bold", zorder=4, linespacing=1.1)

    # on-board LED, top left beside the USB connector
    led_xy = (7.9, 6.9)
    ax.add_patch(Rectangle((led_xy[0] - 0.9, led_xy[1] - 0.55), 1.8, 1.1, facecolor="#7dff8a",
                           edgecolor="#2a6", linewidth=1, zorder=5))
    ax.add_patch(Circle(led_xy, 1.7, facecolor="none", edgecolor=HILITE, linewidth=2.5, zorder=5))
    ax.text(led_xy[0] + 0.1, led_xy[1] + 2.6, "LED", ha="center", va="center", fontsize=7,
            color="#e6efe8", weight="bold", zorder=5)

    # pins: pads, numbers inside the board, name tags outside
    tag_w, tag_h, gap = 11.0, 2.1, 1.3
    for col, names in ((0, LEFT), (1, RIGHT)):
        for i, name in enumerate(names):
            y = pin_y(i)
            num = i + 1 if col == 0 else 40 - i
            px = PIN_X[col]
            hl = num in (18, 19)
            ax.add_patch(Circle((px, y), 0.85, facecolor=PAD, edgecolor="#a07f2a",
                                linewidth=0.8, zorder=5))
            ax.add_patch(Circle((px, y), 0.4, facecolor=PCB_EDGE, edgecolor="none", zorder=6))
            if hl:
                ax.add_patch(Circle((px, y), 1.25, facecolor="none", edgecolor=HILITE,
                                    linewidth=2.5, zorder=6))
            nx = px + (2.1 if col == 0 else -2.1)
            ax.text(nx, y, str(num), ha="left" if col == 0 else "right", va="center",
                    fontsize=8.5 if not hl else 9.5, color="#ffffff",
                    weight="bold" if hl else "normal", zorder=6)
            face, edge = TAG[_tag_kind(name)]
            tx = -gap - tag_w if col == 0 else BOARD_W + gap
            ax.add_patch(FancyBboxPatch((tx, y - tag_h / 2), tag_w, tag_h,
                                        boxstyle="round,pad=0,rounding_size=0.5",
                                        facecolor=face, edgecolor=HILITE if hl else edge,
                                        linewidth=2.6 if hl else 1.0, zorder=5))
            ax.text(tx + tag_w / 2, y, name, ha="center", va="center",
                    fontsize=10.5 if len(name) <= 6 else 9, family="monospace",
                    color="#ffffff" if name == "GND" else INK,
                    weight="bold" if hl else "normal", zorder=6)
            # a short lead from the tag to the pad
            a, b = (tx + tag_w, px - 0.85) if col == 0 else (px + 0.85, tx)
            ax.plot([a, b], [y, y], color="#8a8f96", linewidth=1, zorder=4)

    # the push button (schematic symbol) and its two wires, left of the board
    y18, y19 = pin_y(17), pin_y(18)
    tag_l = -gap - tag_w
    sw_y = 60.0
    sw_a, sw_b = -37.0, -25.0                    # terminals: GND side, GP14 side
    ww = 3.2
    ax.plot([tag_l, -21.0, -21.0, sw_b], [y19, y19, sw_y, sw_y], color=WIRE_SIG, linewidth=ww,
            solid_joinstyle="round", solid_capstyle="round", zorder=7)
    ax.plot([tag_l, -41.0, -41.0, sw_a], [y18, y18, sw_y, sw_y], color=WIRE_GND, linewidth=ww,
            solid_joinstyle="round", solid_capstyle="round", zorder=7)
    for sx in (sw_a, sw_b):
        ax.add_patch(Circle((sx, sw_y), 0.9, facecolor="#ffffff", edgecolor=INK, linewidth=2,
                            zorder=8))
    # the open contact bar with its plunger
    bar_y = sw_y - 2.6
    ax.plot([sw_a - 0.6, sw_b + 0.6], [bar_y, bar_y], color=INK, linewidth=3, zorder=8,
            solid_capstyle="round")
    ax.plot([(sw_a + sw_b) / 2] * 2, [bar_y, bar_y - 3.2], color=INK, linewidth=2.5, zorder=8)
    ax.plot([(sw_a + sw_b) / 2 - 2.2, (sw_a + sw_b) / 2 + 2.2], [bar_y - 3.2] * 2, color=INK,
            linewidth=2.5, zorder=8, solid_capstyle="round")
    ax.add_patch(FancyArrowPatch(((sw_a + sw_b) / 2, bar_y - 7.6), ((sw_a + sw_b) / 2, bar_y - 3.9),
                                 arrowstyle="-|>", mutation_scale=14, color=SUB, linewidth=1.3,
                                 zorder=8))
    ax.text((sw_a + sw_b) / 2, bar_y - 8.6, "press", ha="center", va="bottom", fontsize=10,
            color=SUB, style="italic")
    ax.text((sw_a + sw_b) / 2, sw_y + 2.8, "push button", ha="center", va="top", fontsize=13,
            weight="bold", color=INK)
    ax.text((sw_a + sw_b) / 2, sw_y + 6.0, "internal pull-up, no resistor needed",
            ha="center", va="top", fontsize=11.5, color="#b35a00", weight="bold")
    ax.text((sw_a + sw_b) / 2, sw_y + 8.9, "released = 1, pressed = 0 (GP14 pulled to GND)",
            ha="center", va="top", fontsize=10, color=SUB)
    # wire labels
    ax.text(-20.0, (y19 + sw_y) / 2 + 1.5, "GP14\n(pin 19)", ha="left", va="center", fontsize=10,
            color=WIRE_SIG, weight="bold", linespacing=1.1)
    ax.text(-42.0, (y18 + sw_y) / 2, "GND\n(pin 18)", ha="right", va="center", fontsize=10,
            color=WIRE_GND, weight="bold", linespacing=1.1)

    # the LED callout, above the board on the left
    cx, cy = -22.0, -7.0
    ax.add_patch(FancyArrowPatch((cx + 14.5, cy + 2.0), (led_xy[0] - 1.3, led_xy[1] - 1.3),
                                 connectionstyle="arc3,rad=-0.3", arrowstyle="-|>",
                                 mutation_scale=14, color="#b08a00", linewidth=1.6, zorder=9))
    ax.text(cx, cy - 1.2, "on-board LED", ha="center", va="bottom", fontsize=12.5,
            weight="bold", color=INK)
    ax.text(cx, cy - 0.6, "Pico: GP25, i.e. Pin(25)\nPico W: on the wireless chip, Pin(\"LED\")",
            ha="center", va="top", fontsize=10, color=SUB, linespacing=1.25,
            bbox=dict(facecolor=BG, edgecolor="none", pad=1))

    # legend of the tag colours, bottom right
    lx, ly = 22.5, 57.0
    for k, (kind, label) in enumerate((("gpio", "GPIO"), ("gnd", "ground"),
                                        ("pwr", "power"), ("sys", "system / ADC ref"))):
        face, edge = TAG[kind]
        yy = ly + k * 3.0
        ax.add_patch(FancyBboxPatch((lx, yy - 0.9), 4.0, 1.8, boxstyle="round,pad=0,rounding_size=0.4",
                                    facecolor=face, edgecolor=edge, linewidth=1))
        ax.text(lx + 5.2, yy, label, ha="left", va="center", fontsize=10, color=SUB)
    ax.text(lx, ly + 12.0, "numbers on the board = physical pins\n(pin 1 = GP0, top left, USB up)",
            ha="left", va="top", fontsize=9.5, color=SUB, linespacing=1.25)

    d = os.path.dirname(out_path)
    if d:
        os.makedirs(d, exist_ok=True)
    fig.savefig(out_path, dpi=100, facecolor=BG, metadata={"Software": None})
    plt.close(fig)
    return out_path


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    out = argv[0] if argv else os.path.join(ROOT, "docs", "img", "wiring.png")
    draw(out)
    print("wrote %s" % out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
