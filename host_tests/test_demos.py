"""The demo apps run for virtual minutes with exactly the expected output,
and the board boots into them (or into safe mode)."""

import board_config as cfg
from sim import simulate
from simboard import SimStop
from simsupport import board

import apps

BUTTON_DEMO = [
    "[     0.000 ms] button demo: click = toggle LED, long press = blink, double click = count",
    "[   523.000 ms]       500 ms  PRESS",
    "[   643.000 ms]       620 ms  RELEASE",
    "[  2023.000 ms]      2000 ms  PRESS",
    "[  3000.000 ms]      2000 ms  LONG",
    "[  3523.000 ms]      3500 ms  RELEASE",
    "[  5023.000 ms]      5000 ms  PRESS",
    "[  5123.000 ms]      5100 ms  RELEASE",
    "[  7022.000 ms]      7000 ms  PRESS",
    "[  7112.000 ms]      7090 ms  RELEASE",
    "[  7272.000 ms]      7250 ms  PRESS",
    "[  7272.000 ms]      7250 ms  DOUBLE",
    "[  7272.000 ms]               double clicks so far: 1",
    "[  7362.000 ms]      7340 ms  RELEASE",
]


def test_the_button_demo_prints_the_scripted_timeline_exactly():
    b, lines = simulate("button", "demo")
    assert lines[:len(BUTTON_DEMO)] == BUTTON_DEMO
    led = b.trace.levels("LED")
    # the click at 500 ms turned it on (at 643 ms, when the click was known)...
    assert (643000, 1) in led
    # ...the long press blinked it at 5 Hz from 3 s until the click at 5 s
    blinks = [t for t, v in led if 3000000 <= t < 5123000]
    assert len(blinks) >= 20
    assert all((t2 - t1) == 100000 for t1, t2 in zip(blinks, blinks[1:]))


def test_the_button_demo_handles_ten_minutes_of_clicks():
    b, lines = simulate("button", "clicks")
    events = [l.split("  ")[-1] for l in lines if l.endswith("PRESS") or l.endswith("RELEASE")]
    assert events == ["PRESS", "RELEASE"] * 300
    # each press bounces for 5 ms: known 20 ms after the last bounce, stamped at its first edge
    assert lines[1:3] == ["[  1025.000 ms]      1000 ms  PRESS", "[  1175.000 ms]      1150 ms  RELEASE"]
    # 300 clicks toggled the LED 300 times; it ends off
    led = b.trace.levels("LED")
    assert len(led) - 1 == 300 and led[-1][1] == 0


def test_the_timer_demo_reports_every_5_seconds_for_a_minute():
    b, lines = simulate("timer", "idle", ms=60001)
    reports = [l for l in lines if "ticks" in l]
    assert len(reports) == 12
    # the report and the 20th tick share the 5 s deadline: the report runs first
    assert reports[0] == ("[  5000.000 ms] ticks 19  max late 0 us  missed 0  | "
                          "polls 21  idle wakeups 20")
    # one wake and one poll per alarm, one idle wakeup per 250 ms tick: nothing wasted
    assert reports[-1] == ("[ 60000.000 ms] ticks 239  max late 0 us  missed 0  | "
                           "polls 252  idle wakeups 240")
    assert len(b.trace.levels("LED")) - 1 == 240  # 2 Hz: a toggle every 250 ms
    assert b.cpu_wakeups <= 60 * 4 + 12 + 2       # one wake per alarm, never per ms


def test_the_board_boots_into_its_app():
    b = board(stop_after_ms=1000)
    out = []
    b.press(cfg.BUTTON, at_ms=200, hold_ms=100)
    try:
        apps.start(cfg, log=out.append)
    except SimStop:
        pass
    assert out[0].startswith("button demo")
    assert "PRESS" in out[1]


def test_holding_the_button_at_reset_starts_safe_mode():
    b = board(stop_after_ms=1000)
    b.set_level(cfg.BUTTON, 0)  # held while the board boots
    out = []
    assert apps.start(cfg, log=out.append) is None
    assert "safe mode" in out[0]
    assert b.now == 0  # returned at once: the REPL is free


def _readme_example():
    here = __file__.rsplit("/", 1)[0] if "/" in __file__ else "."
    with open(here + "/../README.md") as f:
        text = f.read()
    start = text.index("```python\n") + len("```python\n")
    return text[start:text.index("```", start)]


def test_the_readme_first_example_runs_on_the_simulated_board():
    b = board(stop_after_ms=1000)
    b.press(14, at_ms=100, hold_ms=50)
    b.press(14, at_ms=400, hold_ms=50)
    try:
        exec(_readme_example(), {"__name__": "readme"})
    except SimStop:
        pass
    assert b.trace.levels("LED") == [(0, 0), (100000, 1), (400000, 0)]  # toggled per press
