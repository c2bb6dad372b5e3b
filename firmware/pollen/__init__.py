"""pollen: Rust's Future / Waker / Context, for MicroPython boards.

Layers, each depending only on those below it:
  drivers  timer (the alarm queue, sleeps), ticker (Delay, Ticker, with_timeout),
           gpio, irq (Interrupt: any .irq() source), sync, button, watchdog
  core     future (Future, Context, Waker), wakers (Flag, ...), oneshot, blocking,
           executor, loop (native code on a board), combinators, debug
  port     port (registry, twin rule), port_machine (board), port_host (no board)

`import pollen` loads nothing else: each name below is imported on first use
(as MicroPython's asyncio does), so a program pays RAM only for the parts it
uses.  `from pollen import Executor` works as usual, and so do the drivers'
everyday names (`from pollen import sleep_ms, Ticker, Input, Button`): the
table below may point at drivers because it only names them -- the core
modules still import no driver.
"""

__version__ = "0.1.0"

# submodule, (the names it defines, that the package hands out), ...  A
# constant tuple, not a dict: frozen into flash, it costs no RAM (a dict is
# built at import, ~500 B)
_attrs = (
    "future", ("PENDING", "Context", "Future", "RawWaker", "RawWakerVTable", "Waker"),
    "wakers", ("Flag", "flag_waker", "CountingWaker", "parking_waker"),
    "oneshot", ("oneshot",),
    "blocking", ("block_on",),
    "executor", ("Executor", "Task", "LOG", "STOP", "RESTART"),
    "combinators", ("join", "select", "yield_now"),
    "sync", ("Signal", "Event", "Channel"),
    "irq", ("Interrupt",),
    "timer", ("sleep_ms", "sleep_us", "sleep_until"),
    "ticker", ("Ticker", "Delay", "with_timeout"),
    "gpio", ("Input", "Output"),
    "button", ("Button",),
    "watchdog", ("Watchdog",),
    "errors", ("SpawnError", "CancelledError", "TimeoutError", "ContractError"),
)


def __getattr__(attr):
    mod = None
    t = _attrs
    for i in range(0, len(t), 2):
        if attr in t[i + 1]:
            mod = t[i]
            break
    if mod is None:  # `from . import port`: a submodule, asked for before it was loaded
        try:
            value = __import__("pollen." + attr, None, None, [attr])
        except ImportError:
            raise AttributeError("pollen has no %r" % attr)
    else:
        value = getattr(__import__("pollen." + mod, None, None, [attr]), attr)
    globals()[attr] = value  # next time: a plain module attribute
    return value
