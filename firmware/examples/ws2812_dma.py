"""A WS2812 (NeoPixel) strip driven by PIO and fed by DMA; the task awaits
each frame's DMA completion, then draws the next frame.

Wiring (README.md, "Wiring the demos"): the strip's DIN to GP22 (pin 29),
its GND to a GND pin, its 5 V to VBUS (pin 40) for a short strip (8 LEDs at
low brightness; a longer one needs its own supply with a common GND).

How it goes: state machine 0 runs the usual WS2812 program (one 24-bit
GRB word per LED from its TX FIFO, autopull); DMA channel moves a frame
(array('I'), one word per LED, shifted left by 8) into that FIFO, paced by
the state machine's DREQ, and raises its IRQ when the last word went in.
`await done.wait()` sleeps the task (and, when nothing else runs, the CPU)
through the transfer.  Then the strip needs its reset time (>= 280 us low)
and the frame period; the next frame is drawn into the same buffer, which
the DMA has finished reading.  Drawing and waiting allocate nothing.

    mpremote run firmware/examples/ws2812_dma.py      # on a Pico, or the emulated one

The emulated Pico (rp2040js) runs PIO and DMA, so this runs there (the GP22
waveform is the PIO's; its timing follows the emulator's PIO stepping, not
800 kHz).  It runs on the simulated board too, whose rp2 models PIO and DMA
in virtual time at 8 MHz (boards/sim/simrp2.py): `python3 tools/sim.py
examples.ws2812_dma --vcd build/ws2812.vcd` shows GP22's bits; a test loads
this file with the board's modules (SimBoard.import_module) and passes
them to animate() (host_tests/test_sim_rp2.py).
"""

from array import array

import rp2
from machine import Pin

import pollen
from pollen import Interrupt
from pollen.timer import Ticker

PIN = 22
LEDS = 8
FRAME_MS = 20            # 50 frames a second
BRIGHTNESS = 32          # of 255: enough for a desk, kind to USB power


@rp2.asm_pio(sideset_init=rp2.PIO.OUT_LOW, out_shiftdir=rp2.PIO.SHIFT_LEFT,
             autopull=True, pull_thresh=24)
def ws2812():
    T1 = 2
    T2 = 5
    T3 = 3
    wrap_target()
    label("bitloop")
    out(x, 1).side(0)[T3 - 1]
    jmp(not_x, "do_zero").side(1)[T1 - 1]
    jmp("bitloop").side(1)[T2 - 1]
    label("do_zero")
    nop().side(0)[T2 - 1]
    wrap()


def wheel(pos, level):
    """A colour of the rainbow (pos 0..255) as a GRB word at `level` of 255."""
    if pos < 85:
        r, g, b = 255 - pos * 3, pos * 3, 0
    elif pos < 170:
        pos -= 85
        r, g, b = 0, 255 - pos * 3, pos * 3
    else:
        pos -= 170
        r, g, b = pos * 3, 0, 255 - pos * 3
    return ((g * level // 255) << 16) | ((r * level // 255) << 8) | (b * level // 255)


def draw(frame, k):
    """Frame k of a rainbow that walks along the strip, into `frame`."""
    for i in range(LEDS):
        frame[i] = wheel((i * 256 // LEDS + k) & 0xFF, BRIGHTNESS) << 8  # the PIO takes 24 bits from the top


async def animate(frames=None, log=print, rp2=rp2, Pin=Pin):
    """Draw `frames` frames (None: for ever); returns how many.  `rp2`,
    `Pin`: the modules' (a simulated board's in a test)."""
    sm = rp2.StateMachine(0, ws2812, freq=8000000, sideset_base=Pin(PIN))
    sm.active(1)
    dma = rp2.DMA()
    # 32-bit words, into the state machine's TX FIFO (one address), paced by
    # its DREQ (DREQ_PIO0_TX0 = 0); irq_quiet=False: an IRQ at the end
    ctrl = dma.pack_ctrl(size=2, inc_write=False, treq_sel=0, irq_quiet=False)
    done = Interrupt(dma)
    frame = array("I", [0] * LEDS)
    tick = Ticker(FRAME_MS)
    k = 0
    try:
        while frames is None or k < frames:
            draw(frame, k)
            dma.config(read=frame, write=sm, count=LEDS, ctrl=ctrl, trigger=True)
            await done.wait()     # the last word is in the FIFO: the buffer is free
            await tick.next()     # the frame period (and the strip's reset time)
            k += 1
            if k % 250 == 0:
                log("%d frames, %d missed periods" % (k, tick.missed))
    finally:
        done.close()
        dma.close()
        sm.active(0)
        rp2.PIO(0).remove_program(ws2812)
    return k


def main(frames=None, log=print, rp2=rp2, Pin=Pin):
    return pollen.Executor(4).run(animate(frames, log, rp2, Pin))


if __name__ == "__main__":
    main()
