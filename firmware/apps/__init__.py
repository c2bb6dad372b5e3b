"""The demo apps, and start(): what main.py runs at boot.

Safe mode: if the demo button is held while the board resets, start() runs
no app, so the REPL stays free and `make flash` can always replace a broken
app.  (Ctrl-C at the REPL stops a running app too.)
"""

from pollen import port


def button_held(cfg):
    Pin = port.current().Pin
    pull = Pin.PULL_UP if cfg.BUTTON_PULL_UP else Pin.PULL_DOWN
    p = Pin(cfg.BUTTON, Pin.IN, pull)
    return p.value() == (0 if cfg.BUTTON_PULL_UP else 1)


def start(cfg, log=print, executor=None):
    """Run the app cfg.APP, unless the button is held (safe mode)."""
    if button_held(cfg):
        log("pollen: safe mode (button held at reset): no app started; the REPL is yours")
        return None
    app = __import__("apps." + cfg.APP, None, None, ["main"])
    return app.main(cfg, log=log, executor=executor)
