"""Watchdog: reset the board when a task stops giving control back.

Watchdog(executor, timeout_ms) feeds the hardware watchdog (machine.WDT)
every time the executor begins a poll.  A task stuck in a busy loop never
returns to the executor, the feeding stops, and the board resets after
timeout_ms.  An idle board is healthy: a small keeper task sleeps timeout/2
at a time, so the executor polls -- and feeds -- at least that often.
On rp2 the timeout is at most 8388 ms and, once started, cannot be stopped.
Create it before executor.run().
"""

from . import port as _port
from .timer import sleep_ms


class Watchdog:
    def __init__(self, executor, timeout_ms=5000, port=None):
        port = port if port is not None else _port.current()
        if timeout_ms < 10:
            raise ValueError("watchdog timeout_ms must be at least 10 (got %d)" % timeout_ms)
        self._wdt = port.watchdog(timeout_ms)
        self.timeout_ms = timeout_ms
        self.feeds = 0
        self._then = executor._tracer
        executor._tracer = self._on_poll  # bound once, here
        executor.spawn(self._keeper(), name="watchdog")

    def _on_poll(self, kind, task):
        self._wdt.feed()
        self.feeds += 1
        then = self._then
        if then is not None:
            then(kind, task)

    async def _keeper(self):
        while True:
            await sleep_ms(self.timeout_ms // 2)
