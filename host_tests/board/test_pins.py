"""On-target: pin waits against the firmware's own machine.Pin.

No wiring: GP16 is left unconnected, and flipping its pull between up and
down makes real edges (the pad follows its pull), on a bare Pico as on the
emulated one.  A task flips it; the task under test waits on it.
"""

import gc
import time

import micropython
from machine import Pin

import pollen
from pollen.combinators import select
from pollen.gpio import Input
from pollen.ticker import Delay
from pollen.timer import sleep_ms

WANT, HIT = 1, 2  # pollen.gpio's state layout (private const()s there: no names to import)

PIN = 16
# Checks of the chip's own handler (port_rp2); the simulated board, which runs
# these modules too (host_tests/test_board_modules_on_sim.py), has the portable one.
CHIP_ONLY = ("test_pins_use_the_rp2040_handler_with_the_portable_contract",)


def _pull(inp, up):
    inp.pin.init(Pin.IN, Pin.PULL_UP if up else Pin.PULL_DOWN)


def _input():
    inp = Input(PIN, pull="up")
    return inp


def test_a_falling_edge_wakes_the_task_with_the_irq_timestamp():
    inp = _input()
    seen = []

    async def flipper():
        await sleep_ms(5)
        seen.append(time.ticks_us())
        _pull(inp, False)
        seen.append(time.ticks_us())

    async def main(ex):
        ex.spawn(flipper())
        await inp.wait_for_falling_edge()
        seen.append(time.ticks_us())

    try:
        ex = pollen.Executor(4)
        ex.run(main(ex))
        before, after, woke = seen
        assert inp.level == 0
        assert time.ticks_diff(inp.edge_us, before) >= 0, (inp.edge_us, before)
        assert time.ticks_diff(after, inp.edge_us) >= 0, (after, inp.edge_us)
        assert time.ticks_diff(woke, inp.edge_us) < 2000, "woke %d us after the edge" % time.ticks_diff(woke, inp.edge_us)
    finally:
        inp.release()


def test_an_edge_before_the_wait_began_never_satisfies_it():
    inp = _input()

    async def main():
        _pull(inp, False)  # an edge nobody waits for
        await sleep_ms(2)
        i, _ = await select(inp.wait_for_falling_edge(), Delay(20))
        return i

    try:
        assert pollen.Executor(4).run(main()) == 1  # the Delay won: the old edge did not count
    finally:
        inp.release()


def test_a_cancelled_wait_leaves_nothing_behind():
    inp = _input()

    async def main():
        i, _ = await select(inp.wait_for_falling_edge(), Delay(5))
        assert i == 1
        assert inp._st[WANT] == 0 and inp._wait.waker is None  # the IRQ records nothing now
        _pull(inp, False)  # an edge after the cancel wakes nobody
        await sleep_ms(2)
        return inp._st[HIT]

    try:
        assert pollen.Executor(4).run(main()) == 0
    finally:
        inp.release()


def test_rising_and_level_waits_see_the_right_edges():
    inp = _input()

    async def flip(up):
        await sleep_ms(3)
        _pull(inp, up)

    async def main(ex):
        await inp.wait_for_high()  # already high: ready at once
        ex.spawn(flip(False))
        await inp.wait_for_low()
        assert inp.level == 0
        ex.spawn(flip(True))
        await inp.wait_for_rising_edge()
        assert inp.level == 1
        ex.spawn(flip(False))
        await inp.wait_for_any_edge()
        return inp.level

    try:
        ex = pollen.Executor(4)
        assert ex.run(main(ex)) == 0
    finally:
        inp.release()


def test_200_pin_wakes_allocate_nothing_on_the_chip():
    inp = _input()
    n = 200
    got = [0]

    async def flipper():
        up = False
        for _ in range(2 * n):
            await sleep_ms(1)
            _pull(inp, up)
            up = not up

    async def waiter():
        for _ in range(n):
            await inp.wait_for_falling_edge()
            got[0] += 1

    async def main(ex):
        t = ex.spawn(waiter())
        await sleep_ms(0)  # both tasks have made their first poll: steady state
        f = flipper()  # a coroutine is a heap object: made before the lock
        gc.collect()
        micropython.heap_lock()
        try:
            await f
        finally:
            micropython.heap_unlock()
        await t

    try:
        ex = pollen.Executor(4)
        ex.run(main(ex))
        assert got[0] == n, got[0]
    finally:
        inp.release()


def test_pins_use_the_rp2040_handler_with_the_portable_contract():
    # port_rp2.EdgeISR (viper, reads TIMERAWL and GPIO_IN itself) is what an
    # Input installs on this chip; the tests above hold it to _on_edge's contract.
    from pollen import port
    assert getattr(port.current(), "edge_isr", None) is not None
    inp = _input()
    try:
        assert inp._isr.__class__.__name__ == "bound_method" and inp._isr != inp._on_edge
        assert time.ticks_diff(time.ticks_us(), inp.last_edge_us) >= 0
    finally:
        inp.release()
