"""pollen: Rust's Future / Waker / Context, for MicroPython boards.

Layers, each depending only on those below it:
  drivers  timer (the alarm queue, sleeps), ticker (Delay, Ticker, with_timeout),
           gpio, irq (Interrupt: any .irq() source), sync, button, watchdog
  core     future, waker, flag, wakers, oneshot, blocking, executor, loop
           (native code on a board), combinators, debug (Executor(debug=True))
  port     port (registry), port_machine (board), port_host (no board)

`import pollen` loads nothing else: each name below is imported on first use
(as MicroPython's asyncio does), so a program pays RAM only for the parts it
uses.  `from pollen import Executor` works as usual, and so do the drivers'
everyday names (`from pollen import sleep_ms, Ticker, Input, Button`): the
table below may point at drivers because it only names them -- the core
modules still import no driver.
"""

__version__ = "0.1.0"

# name -> the submodule that defines it
_attrs = {
    "PENDING": "future", "Context": "future", "Future": "future",
    "RawWaker": "waker", "RawWakerVTable": "waker", "Waker": "waker",
    "Flag": "flag", "flag_waker": "flag",
    "CountingWaker": "wakers", "parking_waker": "wakers",
    "oneshot": "oneshot",
    "block_on": "blocking",
    "Executor": "executor", "Task": "executor", "LOG": "executor", "STOP": "executor",
    "RESTART": "executor",
    "join": "combinators", "select": "combinators", "yield_now": "combinators",
    "Signal": "sync", "Event": "sync", "Channel": "sync",
    "Interrupt": "irq",
    # drivers: what a program reaches for first
    "sleep_ms": "timer", "sleep_us": "timer", "sleep_until": "timer",
    "Ticker": "ticker", "Delay": "ticker", "with_timeout": "ticker",
    "Input": "gpio", "Output": "gpio",
    "Button": "button",
    "Watchdog": "watchdog",
    "SpawnError": "errors", "CancelledError": "errors", "TimeoutError": "errors",
    "ContractError": "errors",
}


def __getattr__(attr):
    mod = _attrs.get(attr, None)
    if mod is None:  # `from . import port`: a submodule, asked for before it was loaded
        try:
            value = __import__("pollen." + attr, None, None, [attr])
        except ImportError:
            raise AttributeError("pollen has no %r" % attr)
    else:
        value = getattr(__import__("pollen." + mod, None, None, [attr]), attr)
    globals()[attr] = value  # next time: a plain module attribute
    return value
