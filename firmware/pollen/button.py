"""Button: a debounced push button with press, release, long and double events.

Built from the pin and time futures: a task (run()) waits for the pin to
reach its pressed level, then for the contact to be still -- no edge seen by
the pin's IRQ for debounce_ms after the last one -- before it believes the
new level.  Bounce
inside that window therefore never makes an extra event, however fast.

Gestures and their events (defaults: debounce 20 ms, long 1000 ms, double 400 ms;
t0 = the press edge, t1 = the release edge, times are the edges' ticks_ms):

  click:          PRESS@t0, RELEASE@t1
  long press:     PRESS@t0, LONG@t0 (sent at t0+long_ms, while still held), RELEASE@t1
  double click:   PRESS@t0, RELEASE@t1, PRESS@t2, DOUBLE@t2, RELEASE@t3
                  (the second press starts within double_ms of the first release)
  bounce / glitch shorter than debounce_ms: nothing

Events wait in a fixed queue (`queue` events); if the application falls
behind, newer events are dropped and counted in `overflow`.
"""

from .gpio import Input
from .combinators import select
from .sync import Channel
from .ticker import Delay
from .timer import sleep_us

PRESS = 1
RELEASE = 2
LONG = 3
DOUBLE = 4
NAMES = ("?", "PRESS", "RELEASE", "LONG", "DOUBLE")


class ButtonEvent:
    __slots__ = ("kind", "ms")

    def __init__(self, kind, ms):
        self.kind = kind
        self.ms = ms  # ticks_ms of the edge that caused it

    @property
    def name(self):
        return NAMES[self.kind]

    def __repr__(self):
        return "%s@%d" % (NAMES[self.kind], self.ms)


class Button:
    """A push button on `pin`.  pull_up=True: wired to GND, pressed = low.

    Spawn `button.run()` (or pass executor=) and then `await button.event()`,
    or `async for ev in button`.
    """

    def __init__(self, pin, *, pull_up=True, debounce_ms=20, long_ms=1000, double_ms=400,
                 queue=8, executor=None, port=None):
        if debounce_ms < 1 or long_ms <= debounce_ms or double_ms < 0:
            raise ValueError("Button needs 1 <= debounce_ms < long_ms and double_ms >= 0 "
                             "(got %d, %d, %d)" % (debounce_ms, long_ms, double_ms))
        self.input = Input(pin, pull="up" if pull_up else "down", port=port)
        self._down = 0 if pull_up else 1
        self.debounce_ms = debounce_ms
        self.long_ms = long_ms
        self.double_ms = double_ms
        self._events = Channel(queue)
        self._long = Delay(0)
        self.pressed = False
        if executor is not None:
            executor.spawn(self.run(), name="button")

    @property
    def overflow(self):
        """Events dropped because the queue was full."""
        return self._events.overflow

    def event(self):
        """Await the next ButtonEvent."""
        return self._events.recv()

    def __aiter__(self):
        return self

    async def __anext__(self):
        return await self._events.recv()

    def _emit(self, kind, ms):
        self._events.send_nowait(ButtonEvent(kind, ms))

    async def _settle(self):
        """Wait until the contact has been still for debounce_ms (no edge
        seen by the pin's IRQ); then return its level."""
        inp = self.input
        port = inp.port
        need = self.debounce_ms * 1000
        while True:
            still = port.ticks_diff(port.ticks_us(), inp.last_edge_us)
            if still >= need:
                return inp.value()
            await sleep_us(need - still)

    def _wait_level(self, level):
        return self.input.wait_for_low() if level == 0 else self.input.wait_for_high()

    async def run(self):
        """The button's task: turns edges into events.  Runs forever."""
        inp = self.input
        down = self._down
        up = 1 - down
        ticks_diff = inp.port.ticks_diff
        last_click = None  # ticks_ms of the last short click's release
        while True:
            await self._wait_level(down)
            t_press = inp.edge_ms
            if await self._settle() != down:
                continue  # a glitch shorter than the debounce time
            self.pressed = True
            self._emit(PRESS, t_press)
            double = last_click is not None and ticks_diff(t_press, last_click) <= self.double_ms
            if double:
                self._emit(DOUBLE, t_press)
            long_sent = False
            while True:  # held: until a debounced release
                if not long_sent:
                    left = self.long_ms - ticks_diff(inp.port.ticks_ms(), t_press)
                    if left <= 0:
                        self._emit(LONG, t_press)
                        long_sent = True
                        continue
                    i, _ = await select(self._wait_level(up), self._long.reset(left))
                    if i == 1:
                        continue
                else:
                    await self._wait_level(up)
                t_release = inp.edge_ms
                if await self._settle() == up:
                    break  # otherwise it bounced back: still held
            self.pressed = False
            self._emit(RELEASE, t_release)
            last_click = None if (long_sent or double) else t_release
