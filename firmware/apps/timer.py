"""Timer demo: the LED blinks at 2 Hz from a Ticker; every 5 s a report of
the ticks seen, the worst lateness of a tick (us), missed ticks, and the
executor's counters."""

import pollen
from pollen.gpio import Output
from pollen.timer import Ticker


async def blink(led, tick):
    while True:
        await tick.next()  # every 250 ms on the grid: 2 Hz
        led.toggle()


async def app(ex, cfg, log):
    led = Output(cfg.LED)
    tick = Ticker(250)
    ex.spawn(blink(led, tick), name="blink")
    report = Ticker(5000)
    log("timer demo: LED at 2 Hz, a report every 5 s")
    while True:
        await report.next()
        log("ticks %d  max late %d us  missed %d  | polls %d  idle wakeups %d"
            % (tick.ticks, tick.max_late_us, tick.missed, ex.polls, ex.idle_wakeups))


def main(cfg, log=print, executor=None):
    ex = executor if executor is not None else pollen.Executor(4)
    ex.run(app(ex, cfg, log))
