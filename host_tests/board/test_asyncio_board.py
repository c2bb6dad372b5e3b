"""On-target: pollen.asyncio against the firmware's own hard IRQs and heap.

No wiring: GP16 is left unconnected and flipping its pull makes real edges;
GP17 is an output whose own level changes fire its IRQ (an RP2040 pin's
IRQ sees its output).  The handlers only set a ThreadSafeFlag and store
ints: if one allocated, the firmware would disable its IRQ and the wait
below would time out instead of hanging.
"""

import gc
import time

import micropython
from machine import Pin, Timer

import pollen.asyncio as asyncio

EDGE_PIN = 16
OUT_PIN = 17


class _Edge:
    """A hard IRQ handler that notes when it ran and sets a flag."""

    def __init__(self, flag):
        self.flag = flag
        self.us = 0
        self.n = 0
        self.cb = self.on_edge  # bound once: the IRQ allocates nothing

    def on_edge(self, pin):
        self.us = time.ticks_us()
        self.n += 1
        self.flag.set()


def _pull(pin, up):
    pin.init(Pin.IN, Pin.PULL_UP if up else Pin.PULL_DOWN)


def test_a_flag_set_by_a_hard_pin_irq_wakes_the_waiting_task_soon_after_the_edge():
    asyncio.new_event_loop()
    flag = asyncio.ThreadSafeFlag()
    edge = _Edge(flag)
    pin = Pin(EDGE_PIN, Pin.IN, Pin.PULL_UP)
    pin.irq(edge.cb, Pin.IRQ_FALLING, hard=True)
    woke = []

    async def flipper():
        await asyncio.sleep_ms(5)
        _pull(pin, False)  # a real falling edge

    async def main():
        asyncio.create_task(flipper())
        await asyncio.wait_for_ms(flag.wait(), 1000)
        woke.append(time.ticks_us())

    try:
        asyncio.run(main())
    finally:
        pin.irq(None)
        _pull(pin, True)
    assert edge.n >= 1
    late = time.ticks_diff(woke[0], edge.us)
    assert 0 <= late < 5000, "woke %d us after the edge" % late


def test_one_hard_irq_set_releases_every_task_waiting_on_the_flag():
    asyncio.new_event_loop()
    flag = asyncio.ThreadSafeFlag()
    edge = _Edge(flag)
    out = Pin(OUT_PIN, Pin.OUT, value=0)
    out.irq(edge.cb, Pin.IRQ_RISING, hard=True)
    got = []

    async def waiter(i):
        await asyncio.wait_for_ms(flag.wait(), 1000)
        got.append(i)

    async def main():
        ts = [asyncio.create_task(waiter(i)) for i in range(3)]
        for _ in range(3):  # not a sleep: however slow the chip, all three now wait
            await asyncio.sleep(0)
        out.value(1)  # its own IRQ fires: a hard IRQ in the middle of this task
        for t in ts:
            await t

    try:
        asyncio.run(main())
    finally:
        out.irq(None)
        out.value(0)
    assert edge.n == 1
    assert got == [0, 1, 2]


def test_a_flag_set_from_a_soft_timer_callback_wakes_the_task():
    asyncio.new_event_loop()
    flag = asyncio.ThreadSafeFlag()
    t = Timer(-1)

    async def main():
        t.init(mode=Timer.ONE_SHOT, period=5, callback=lambda _: flag.set(), hard=False)
        await asyncio.wait_for_ms(flag.wait(), 1000)
        return "woken"

    try:
        assert asyncio.run(main()) == "woken"
    finally:
        t.deinit()


def test_a_hundred_hard_irq_wakes_allocate_nothing_on_the_chip():
    asyncio.new_event_loop()
    flag = asyncio.ThreadSafeFlag()
    edge = _Edge(flag)
    t = Timer(-1)
    n = [0]

    async def main():
        await asyncio.sleep_ms(1)  # warm up: the loop's timer node and first idle
        gc.collect()
        micropython.heap_lock()
        try:
            t.init(mode=Timer.PERIODIC, freq=1000, callback=edge.cb, hard=True)
            for _ in range(100):
                await flag.wait()
                n[0] += 1
        finally:
            t.deinit()
            micropython.heap_unlock()

    asyncio.run(main())
    assert n[0] == 100


def _locked_round_trips(ping, pong, rounds):
    """Run ping(rounds) against pong under heap_lock (after a warm-up);
    returns whether nothing allocated, and the bytes gc.mem_alloc grew."""
    asyncio.new_event_loop()
    result = {"locked": False, "grown": -1}

    async def main():
        t = asyncio.create_task(pong(2 * rounds + 5))
        await ping(5)
        c = ping(rounds)  # made before measuring: making a coroutine allocates
        gc.collect()
        before = gc.mem_alloc()
        micropython.heap_lock()
        try:
            await c
            result["locked"] = True
        except MemoryError:
            pass
        micropython.heap_unlock()
        result["grown"] = gc.mem_alloc() - before
        await ping(rounds)
        await t

    asyncio.run(main())
    return result["locked"], result["grown"]


def test_event_round_trips_allocate_nothing_on_the_chip():
    a = asyncio.Event()
    b = asyncio.Event()

    async def ping(n):
        for _ in range(n):
            a.set()
            await b.wait()
            b.clear()

    async def pong(n):
        for _ in range(n):
            await a.wait()
            a.clear()
            b.set()

    assert _locked_round_trips(ping, pong, 200) == (True, 0)


def test_threadsafeflag_round_trips_allocate_nothing_on_the_chip():
    a = asyncio.ThreadSafeFlag()
    b = asyncio.ThreadSafeFlag()

    async def ping(n):
        for _ in range(n):
            a.set()
            await b.wait()

    async def pong(n):
        for _ in range(n):
            await a.wait()
            b.set()

    assert _locked_round_trips(ping, pong, 200) == (True, 0)


def test_sleep_ms_allocates_nothing_on_the_chip():
    # every sleep idles the CPU until the alarm's hard IRQ
    async def ping(n):
        for _ in range(n):
            await asyncio.sleep_ms(1)

    async def pong(n):
        for _ in range(n):
            await asyncio.sleep_ms(0)

    assert _locked_round_trips(ping, pong, 50) == (True, 0)


def test_lock_round_trips_allocate_nothing_on_the_chip():
    lock = asyncio.Lock()

    async def ping(n):
        for _ in range(n):
            async with lock:
                await asyncio.sleep_ms(0)

    assert _locked_round_trips(ping, ping, 200) == (True, 0)
