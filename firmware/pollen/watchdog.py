"""Watchdog: reset the board when a task stops giving control back.

Watchdog(executor, timeout_ms) starts the hardware watchdog (machine.WDT)
and spawns a keeper task on `executor` that feeds it, then sleeps
timeout_ms/2, for ever.  The keeper is an ordinary task woken by its timer:
it runs only when the running task gives control back, so

  * while tasks make progress -- awaiting, even only yield_now() -- the
    keeper runs every timeout_ms/2 (a woken task waits behind at most one
    slice of each other task) and the board lives;
  * a task stuck in a busy loop never returns to the executor, the keeper
    never runs, and the board resets timeout_ms after the last feed;
  * a slice longer than timeout_ms/2 may already reset it: keep every
    stretch between two awaits shorter than that.

Create it anywhere: before executor.run() or inside a running task (most
programs make it first thing in main).  The executor's loop does nothing
for it: no cost per task switch.  It takes one task slot and one timer
node; feeding allocates nothing.  On rp2 the timeout is at most 8388 ms
and, once started, the watchdog cannot be stopped.
"""

from . import port as _port
from .timer import sleep_ms


class Watchdog:
    def __init__(self, executor, timeout_ms=5000, port=None):
        port = port if port is not None else _port.current()
        if timeout_ms < 10:
            raise ValueError("watchdog timeout_ms must be at least 10 (got %d)" % timeout_ms)
        self.timeout_ms = timeout_ms
        self.feeds = 0
        self._wdt = port.watchdog(timeout_ms)  # started: the first feed is due within timeout_ms
        executor.spawn(self._keeper(), name="watchdog")

    async def _keeper(self):
        wdt = self._wdt
        half = self.timeout_ms // 2
        while True:
            wdt.feed()
            self.feeds = (self.feeds + 1) & 0x3FFFFFFF  # a small int: no allocation, ever
            await sleep_ms(half)
