"""The timer demo (firmware/apps/timer.py) in plain asyncio.

    import asyncio                      # MicroPython's asyncio
    import pollen.asyncio as asyncio    # or pollen's: the one line that changes

The on-board LED (GP25 on a Pico) blinks at 2 Hz; every 5 s a report: the
ticks so far, the worst lateness of a tick (ms) and the ticks skipped
because the task fell a whole period behind.  Each tick is due on a fixed
grid (start + k * 250 ms), so the blinking never drifts however late one
wake-up is.  Run it: `mpremote run firmware/examples/asyncio_timer.py`.
"""

import asyncio
import time

from machine import Pin

LED = 25
PERIOD_MS = 250
REPORT_MS = 5000


class Grid:
    """A periodic wake-up on start + k * period_ms; late ticks are skipped
    and counted, never run back to back."""

    def __init__(self, period_ms):
        self.period = period_ms
        self.due = time.ticks_add(time.ticks_ms(), period_ms)
        self.ticks = 0
        self.missed = 0
        self.max_late = 0

    async def next(self):
        await asyncio.sleep_ms(max(0, time.ticks_diff(self.due, time.ticks_ms())))
        late = time.ticks_diff(time.ticks_ms(), self.due)
        if late > self.max_late:
            self.max_late = late
        skip = late // self.period
        self.missed += skip
        self.due = time.ticks_add(self.due, (skip + 1) * self.period)
        self.ticks += 1


async def blink(led, grid):
    while True:
        await grid.next()  # every 250 ms on the grid: 2 Hz
        led.toggle()


async def main(log=print):
    led = Pin(LED, Pin.OUT, value=0)
    tick = Grid(PERIOD_MS)
    report = Grid(REPORT_MS)
    asyncio.create_task(blink(led, tick))
    log("timer demo: LED at 2 Hz, a report every 5 s")
    while True:
        await report.next()
        log("ticks %d  max late %d ms  missed %d" % (tick.ticks, tick.max_late, tick.missed))


if __name__ == "__main__":
    asyncio.run(main())
