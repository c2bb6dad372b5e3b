"""A pulse counter on PIO IRQs: a flow meter, a rain gauge, an encoder's
index, a fan's tachometer.  A state machine watches the pin and raises one
IRQ per pulse; a task counts them with pollen.Interrupt, and another reports
the rate once a second.

Wiring (README.md, "Wiring the demos"): the sensor's open-collector output
to GP15 (pin 20) and GND; the internal pull-up makes it idle high, a pulse
pulls it low.  With SELFTEST = True (the default) nothing needs wiring: a
second state machine drives GP15 itself with a square wave (an RP2040 pin
reads back the level it drives), so every report shows the counter running.
Set SELFTEST = False for a real sensor.

One IRQ per pulse, and none merged: `irq(block, rel(0))` stalls the state
machine until the handler has acknowledged the flag.  So the highest rate
it counts is one pulse per interrupt round trip (tens of us); pulses that
come while it is stalled are not seen.  The task side is exact: every
interrupt is counted once, however late the task runs (Interrupt.wait()
returns how many came since the last one), and counting allocates nothing.

    mpremote run firmware/examples/pio_pulse_counter.py   # on a Pico, or the emulated one

Runs on the emulated Pico (rp2040js has PIO; its state machines step at
the emulator's pace, not at `freq`, so the self-test rate differs from a
Pico's).  It runs on the simulated board too, whose rp2 steps the state
machines at `freq` in virtual time (boards/sim/simrp2.py), so the
self-test counts a Pico's 156.25 Hz: `python3 tools/sim.py
examples.pio_pulse_counter`; a test loads this file with the board's
modules (SimBoard.import_module) and passes them to main()
(host_tests/test_sim_rp2.py).
"""

import rp2
from machine import Pin

import pollen
from pollen import Interrupt
from pollen.timer import Ticker

PIN = 15
SELFTEST = True


@rp2.asm_pio()
def falling_edges():
    wrap_target()
    wait(1, pin, 0)          # idle high
    wait(0, pin, 0)          # pulled low: a pulse
    irq(block, rel(0))       # one IRQ, and wait until it is acknowledged
    wrap()


@rp2.asm_pio(set_init=rp2.PIO.OUT_HIGH)
def square():
    set(pins, 0)[31]
    set(pins, 1)[31]


async def counter(it, total):
    while True:
        total[0] += await it.wait()


async def report(it, total, seconds, log):
    tick = Ticker(1000)
    last = 0
    k = 0
    while seconds is None or k < seconds:  # (MicroPython has no iter(callable, sentinel))
        k += 1
        await tick.next()
        n = total[0]
        log("%d pulses, %d in the last second" % (n, n - last))
        last = n


def main(seconds=None, log=print, rp2=rp2, Pin=Pin):
    """Count until `seconds` reports were printed (None: for ever); returns
    the total.  `rp2`, `Pin`: the modules' (a simulated board's in a test)."""
    pin = Pin(PIN, Pin.IN, Pin.PULL_UP)
    sm = rp2.StateMachine(0, falling_edges, freq=1000000, in_base=pin)
    it = Interrupt(sm)  # StateMachine.irq(), hard: the handler counts and wakes
    gen = None
    if SELFTEST:
        gen = rp2.StateMachine(1, square, freq=10000, set_base=pin)  # ~156 Hz on a Pico
    total = [0]
    ex = pollen.Executor(4)

    async def both():
        ex.spawn(counter(it, total))
        await report(it, total, seconds, log)

    sm.active(1)
    if gen is not None:
        gen.active(1)
    try:
        ex.run(both())
    finally:
        if gen is not None:
            gen.active(0)
        sm.active(0)
        it.close()
        ex.shutdown()
        rp2.PIO(0).remove_program()
    return total[0]


if __name__ == "__main__":
    main()
