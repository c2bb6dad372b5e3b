"""Button demo.  Wiring: a push button from GP14 to GND; the on-board LED.

A click toggles the LED; a long press makes it blink at 5 Hz until the next
click; a double click prints how many there have been.  Every event is
printed with the ticks_ms of the edge that caused it.
"""

import pollen
from pollen.button import DOUBLE, LONG, PRESS, RELEASE, Button
from pollen.gpio import Output
from pollen.sync import Event
from pollen.timer import Ticker


async def blink(led, blinking):
    """5 Hz while `blinking` is set: the LED toggles every 100 ms."""
    tick = Ticker(100)
    while True:
        await blinking.wait()
        tick.reset()
        while blinking.is_set():
            await tick.next()
            if blinking.is_set():
                led.toggle()
        led.off()


async def app(ex, cfg, log):
    led = Output(cfg.LED)
    button = Button(cfg.BUTTON, pull_up=cfg.BUTTON_PULL_UP, executor=ex)
    blinking = Event()
    ex.spawn(blink(led, blinking), name="blink")
    log("button demo: click = toggle LED, long press = blink, double click = count")
    long_press = False
    doubles = 0
    async for ev in button:
        log("%9d ms  %s" % (ev.ms, ev.name))
        if ev.kind == PRESS:
            long_press = False
        elif ev.kind == LONG:
            long_press = True
            blinking.set()
        elif ev.kind == DOUBLE:
            doubles += 1
            log("%9s     double clicks so far: %d" % ("", doubles))
        elif ev.kind == RELEASE and not long_press:  # a click
            if blinking.is_set():
                blinking.clear()
            else:
                led.toggle()


def main(cfg, log=print, executor=None):
    ex = executor if executor is not None else pollen.Executor(6)
    ex.run(app(ex, cfg, log))
