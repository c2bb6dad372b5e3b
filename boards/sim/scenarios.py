"""Scripted inputs for the simulated board: what a person does to the button.

Each scenario takes the board and its config and schedules pin levels; the
returned number is how long (ms) the run should last.
"""


def demo(b, cfg):
    """The README's timeline: a click, a long press, a click to stop the
    blinking, a double click and a 2 ms glitch -- with contact bounce."""
    pin = cfg.BUTTON
    b.press(pin, at_ms=500, hold_ms=120, bounce_us=3000)     # click
    b.press(pin, at_ms=2000, hold_ms=1500, bounce_us=3000)   # long press: blink
    b.press(pin, at_ms=5000, hold_ms=100, bounce_us=3000)    # click: stop blinking
    b.press(pin, at_ms=7000, hold_ms=90, bounce_us=2000)     # double click...
    b.press(pin, at_ms=7250, hold_ms=90, bounce_us=2000)     # ...second press
    b.press(pin, at_ms=9000, hold_ms=2)                      # a 2 ms glitch: nothing
    return 10000


def idle(b, cfg):
    """Nobody touches anything for a minute."""
    return 60000


def clicks(b, cfg):
    """A click every 2 s for 10 minutes, each with 5 ms of bounce."""
    for i in range(300):
        b.press(cfg.BUTTON, at_ms=1000 + i * 2000, hold_ms=150, bounce_us=5000)
    return 601000


def storm(b, cfg):
    """A contact bouncing at 100 kHz for 50 ms, then held for 300 ms."""
    pin = cfg.BUTTON
    b.bounce(pin, 1000000, 0, 5000, 10)  # 5000 flips 10 us apart, ends low
    b.set_level(pin, 1, 1350000)
    return 2000


SCENARIOS = {"demo": demo, "idle": idle, "clicks": clicks, "storm": storm}
