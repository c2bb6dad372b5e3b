"""The button demo (firmware/apps/button.py) in plain asyncio.

    import asyncio                      # MicroPython's asyncio
    import pollen.asyncio as asyncio    # or pollen's: the one line that changes

Wiring: a push button from GP14 to GND; the on-board LED (GP25 on a Pico).
A click toggles the LED; a long press (1 s) blinks it at 5 Hz until the
next click; a double click (second press within 400 ms of the first
release) prints how many there have been.  Every event is printed with the
ticks_ms of the edge that caused it.  Run it: `mpremote run
firmware/examples/asyncio_button.py`.

How: the pin's hard IRQ notes the time of each edge and sets a
ThreadSafeFlag; a task believes a level once the contact has been still for
20 ms (no edge), so bounce never makes an extra event.
"""

import asyncio
import time

from machine import Pin

BUTTON = 14
LED = 25
DEBOUNCE_MS = 20
LONG_MS = 1000
DOUBLE_MS = 400


class Edges:
    """What the IRQ handler records (it allocates nothing: int stores)."""

    def __init__(self, pin):
        self.pin = pin
        self.flag = asyncio.ThreadSafeFlag()
        self.last_ms = time.ticks_ms()  # the latest edge
        self.first_ms = 0               # the first edge since arm()
        self.armed = False
        pin.irq(self.on_edge, Pin.IRQ_FALLING | Pin.IRQ_RISING, hard=True)

    def on_edge(self, pin):
        t = time.ticks_ms()
        self.last_ms = t
        if self.armed:
            self.armed = False
            self.first_ms = t
        self.flag.set()

    async def wait_level(self, level):
        """Wait until the pin reads `level`; first_ms is then the edge that
        began it (or now, if the pin was at that level already)."""
        self.armed = True
        self.flag.clear()
        if self.pin.value() == level:
            self.armed = False
            self.first_ms = time.ticks_ms()
            return
        while self.pin.value() != level:
            await self.flag.wait()

    async def settle(self):
        """Wait until no edge came for DEBOUNCE_MS; return the level then."""
        while True:
            still = time.ticks_diff(time.ticks_ms(), self.last_ms)
            if still >= DEBOUNCE_MS:
                return self.pin.value()
            await asyncio.sleep_ms(DEBOUNCE_MS - still)


async def blink(led, blinking):
    """5 Hz while `blinking` is set: the LED toggles every 100 ms."""
    while True:
        await blinking.wait()
        while blinking.is_set():
            await asyncio.sleep_ms(100)
            if blinking.is_set():
                led.toggle()
        led.off()


async def main(log=print):
    led = Pin(LED, Pin.OUT, value=0)
    edges = Edges(Pin(BUTTON, Pin.IN, Pin.PULL_UP))
    blinking = asyncio.Event()
    asyncio.create_task(blink(led, blinking))
    log("button demo: click = toggle LED, long press = blink, double click = count")
    doubles = 0
    last_click = None  # ticks_ms of the last short click's release

    def event(ms, name):
        log("%9d ms  %s" % (ms, name))

    while True:
        await edges.wait_level(0)  # pressed: the pin is pulled up, the button pulls it low
        t_press = edges.first_ms
        if await edges.settle() != 0:
            continue  # a glitch shorter than the debounce time
        event(t_press, "PRESS")
        double = last_click is not None and time.ticks_diff(t_press, last_click) <= DOUBLE_MS
        if double:
            doubles += 1
            event(t_press, "DOUBLE")
            log("%9s     double clicks so far: %d" % ("", doubles))
        long_press = False
        while True:  # held: until a debounced release
            if not long_press:
                left = LONG_MS - time.ticks_diff(time.ticks_ms(), t_press)
                if left <= 0:
                    long_press = True
                    event(t_press, "LONG")
                    blinking.set()
                    continue
                try:
                    await asyncio.wait_for_ms(edges.wait_level(1), left)
                except asyncio.TimeoutError:
                    continue
            else:
                await edges.wait_level(1)
            t_release = edges.first_ms
            if await edges.settle() == 1:
                break  # otherwise it bounced back: still held
        event(t_release, "RELEASE")
        if not long_press:  # a click
            if blinking.is_set():
                blinking.clear()
            else:
                led.toggle()
        last_click = None if (long_press or double) else t_release


if __name__ == "__main__":
    asyncio.run(main())
