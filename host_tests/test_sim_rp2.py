"""The simulated board's rp2 (boards/sim/simrp2.py): the assembler gives
MicroPython's words, the two PIO examples run on it as timelines on the
virtual clock, and DMA completions reach a task through pollen.Interrupt.
Hard handlers run under heap_lock on MicroPython, so every interrupt here
also proves the handler allocates nothing."""

import sys
from array import array

from simsupport import board, run

from pollen import Interrupt, select
from pollen.ticker import Delay
from pollen.timer import sleep_ms

sys.path.insert(0, (__file__.rsplit("/", 1)[0] if "/" in __file__ else ".") + "/../firmware/examples")

_loader = board()  # the examples' module-level `import rp2` needs a board's modules once
ws2812_dma = _loader.import_module("ws2812_dma")
pio_pulse_counter = _loader.import_module("pio_pulse_counter")


# ---------------------------------------------------------- the assembler ----
#
# Words from the RP2040 datasheet's encoding (3.4), as rp2.py packs them:
#   out x,1 side 0 [2]         011 0 0010 | 001 00001  = 0x6221  (1 side-set bit: bit 12)
#   jmp !x do_zero side 1 [1]  000 1 0001 | 001 00011  = 0x1123  (do_zero = 3)
#   jmp bitloop side 1 [4]     000 1 0100 | 000 00000  = 0x1400
#   nop side 0 [4]  (mov y,y)  101 0 0100 | 010 00 010 = 0xA442
#   wait 1 pin 0               001 00000 | 1 01 00000  = 0x20A0
#   wait 0 pin 0               001 00000 | 0 01 00000  = 0x2020
#   irq wait 0 rel             110 00000 | 0 1 1 0000  = 0xC030
#   set pins 0 [31] / 1 [31]   111 11111 | 000 0000x   = 0xFF00, 0xFF01

def test_the_ws2812_program_assembles_to_micropythons_words():
    prog = ws2812_dma.ws2812
    assert list(prog[0]) == [0x6221, 0x1123, 0x1400, 0xA442], [hex(w) for w in prog[0]]
    assert prog[1:4] == [-1, -1, -1]  # not loaded into any PIO (the example removes it)
    assert prog[4] == 3 << 12 | 0 << 7  # EXECCTRL: wrap top 3, wrap bottom 0
    # SHIFTCTRL: pull_thresh 24, push_thresh 32 (as 0), shift left, autopull
    assert prog[5] == 24 << 25 | 1 << 17, hex(prog[5])
    assert prog[6:] == [None, None, 2]  # sideset_init=OUT_LOW


def test_the_pulse_counter_programs_assemble_to_micropythons_words():
    prog = pio_pulse_counter.falling_edges
    assert list(prog[0]) == [0x20A0, 0x2020, 0xC030], [hex(w) for w in prog[0]]
    assert prog[4] == 2 << 12
    sq = pio_pulse_counter.square
    assert list(sq[0]) == [0xFF00, 0xFF01], [hex(w) for w in sq[0]]
    assert sq[4] == 1 << 12  # no wrap(): rp2.py wraps at the last instruction
    assert sq[7] == 3        # set_init=OUT_HIGH


def test_asm_pio_errors_are_rp2s():
    rp2 = _loader.rp2
    try:
        @rp2.asm_pio()
        def too_long():
            nop()[32]  # noqa: F821
    except rp2.PIOASMError as e:
        assert "delay too large" in str(e)
    else:
        raise AssertionError("a 32-cycle delay assembled")


# ------------------------------------------------------------------ ws2812 ----

def _pulses(levels):
    """[(rise, high time)] of a 0/1 trace."""
    out = []
    rise = None
    for t, v in levels:
        if v and rise is None:
            rise = t
        elif not v and rise is not None:
            out.append((rise, t - rise))
            rise = None
    return out


def test_ws2812_frames_leave_gp22_with_each_frames_bits_one_frame_per_dma_completion():
    b = board()
    frames = 3
    got = run(b, ws2812_dma.animate(frames=frames, log=None, rp2=b.rp2, Pin=b.machine.Pin))[0]
    assert got == frames
    pulses = _pulses(b.trace.levels("GP22"))
    bits = 24 * ws2812_dma.LEDS
    assert len(pulses) == frames * bits, len(pulses)
    # at 8 MHz a 1 is high 7 cycles (0.875 us), a 0 two (0.25 us); a bit is 10 cycles
    assert set(h for _, h in pulses) == {0.875, 0.25}, set(h for _, h in pulses)
    want = array("I", [0] * ws2812_dma.LEDS)
    for k in range(frames):
        frame = pulses[k * bits:(k + 1) * bits]
        ws2812_dma.draw(want, k)
        for led in range(ws2812_dma.LEDS):
            word = 0
            for rise, high in frame[led * 24:(led + 1) * 24]:
                word = word << 1 | (1 if high > 0.5 else 0)
            assert word == want[led] >> 8, (k, led, hex(word), hex(want[led] >> 8))
        for i in range(1, bits):  # back to back: the DMA kept the FIFO fed
            assert frame[i][0] - frame[i - 1][0] == 1.25, (k, i, frame[i - 1], frame[i])
    # The first frame's DMA completes when its last word enters the FIFO: four
    # words wait there and one in the state machine's OSR, so when it pulls the
    # fourth LED's word, 3 LEDs of 24 bits of 1.25 us after the frame began.  The task awaits that, then the Ticker's
    # first period; after that one frame per period.
    starts = [pulses[k * bits][0] for k in range(frames)]
    assert starts[0] == 0.375, starts  # out side 0 [2]: 3 cycles low first
    done_us = (ws2812_dma.LEDS - 5) * 24 * 1.25
    assert starts[1] - starts[0] == done_us + 1000 * ws2812_dma.FRAME_MS, starts
    assert starts[2] - starts[1] == 1000 * ws2812_dma.FRAME_MS, starts
    assert not b.irq_errors
    assert b.rp2.StateMachine(0).active() is False
    assert b.rp2.DMA().channel == 0  # the example closed its channel: it is free again


# ------------------------------------------------------------ pulse counter ----

def test_the_pulse_counter_counts_every_falling_edge_of_its_self_test():
    b = board()
    out = []
    total = pio_pulse_counter.main(seconds=2, log=out.append, rp2=b.rp2, Pin=b.machine.Pin)
    # the square wave: set 0 [31], set 1 [31] at 10 kHz: 64 cycles, 6400 us a
    # period, its first falling edge when it starts (t = 0), so edges at k * 6400 us
    period_us = 64 * 1000000 // 10000
    assert b.now == 2000000, b.now  # the second report ends the run
    expected = (b.now - 1) // period_us + 1  # edges before the end (2000000 is not one)
    assert total == expected == 313, (total, expected)
    assert out == ["157 pulses, 157 in the last second",
                   "313 pulses, 156 in the last second"], out
    lv = b.trace.levels("GP15")
    falls = [lv[i][0] for i in range(1, len(lv)) if lv[i - 1][1] == 1 and lv[i][1] == 0]
    assert len(falls) == 313 and falls[:3] == [0, 6400, 12800], falls[:3]
    sm = b.rp2.StateMachine(0)
    assert sm._irq.handler is None and b.rp2.pios[0].inte0 == 0  # it.close() removed it
    assert not b.irq_errors


def test_a_cancelled_wait_on_a_state_machine_leaves_nothing_and_counting_goes_on():
    b = board()
    m = b.machine
    rp2 = b.rp2
    pin = m.Pin(15, m.Pin.IN, m.Pin.PULL_UP)
    sm = rp2.StateMachine(0, pio_pulse_counter.falling_edges, freq=1000000, in_base=pin)
    it = Interrupt(sm)
    for t in (10, 12, 14):  # three pulses, 1 ms low each
        b.set_level(15, 0, at_us=t * 1000)
        b.set_level(15, 1, at_us=t * 1000 + 1000)
    b.set_level(15, 0, at_us=30000)  # one more after close(): nobody acknowledges it
    seen = []

    async def main():
        sm.active(1)
        i, _ = await select(it.wait(), Delay(5))  # nothing yet: the Delay wins
        seen.append((i, it._slot.waiting()))
        await sleep_ms(20)  # 25 ms: the three pulses came meanwhile
        b.heap_lock()
        try:
            seen.append(it.take())
        finally:
            b.heap_unlock()
        it.close()
        await sleep_ms(10)

    run(b, main())
    assert seen == [(1, False), 3], seen
    assert sm._irq.handler is None and rp2.pios[0].inte0 == 0
    # the fourth pulse's flag is set and nothing clears it: `irq block` stalls for ever
    assert sm.stall == "irq" and rp2.pios[0].flags == 1, (sm.stall, rp2.pios[0].flags)
    sm.active(0)
    assert not b.irq_errors


def test_a_state_machine_reads_back_the_pin_it_drives_and_put_paces_it():
    b = board()
    rp2 = b.rp2

    @rp2.asm_pio(out_init=rp2.PIO.OUT_LOW, out_shiftdir=rp2.PIO.SHIFT_RIGHT)
    def bits():
        pull()                # noqa: F821
        out(pins, 1)[9]       # noqa: F821  -- the word's bit 0, then 9 cycles more
    sm = rp2.StateMachine(1, bits, freq=1000000, out_base=b.machine.Pin(3))
    got = []

    async def main():
        sm.active(1)
        await sleep_ms(1)           # stalled on pull: no steps, no events
        sm.put(array("I", [1, 0, 1]))  # the FIFO takes all three
        assert sm.tx_fifo() == 3    # the state machine takes one at its next clock edge
        await sleep_ms(1)
        got.extend(b.trace.levels("GP3"))

    run(b, main())
    # put at 1000 us: pull at 1000, out at 1001; each next word 11 cycles later
    assert got == [(0, 0), (1001, 1), (1012, 0), (1023, 1)], got
    assert sm.stall == "tx"
    sm.active(0)


# --------------------------------------------------------------------- DMA ----

def test_dma_memory_copies_complete_through_interrupt_without_allocating():
    b = board()
    rp2 = b.rp2
    dma = rp2.DMA()
    ctrl = dma.pack_ctrl(irq_quiet=False)  # words, both addresses incrementing, unpaced
    assert ctrl == 1 | 2 << 2 | 1 << 4 | 1 << 5 | dma.channel << 11 | 0x3F << 15, hex(ctrl)
    done = Interrupt(dma)
    src = array("I", range(1000, 1016))
    dst = array("I", [0] * 16)
    times = [0] * 16
    n = [0]

    async def main():
        # warm up: the first wait allocates its first-use things
        dma.config(read=src, write=dst, count=16, ctrl=ctrl, trigger=True)
        n[0] += await done.wait()
        b.heap_lock()
        try:
            for k in range(16):
                src[k] = k * 7 + 1
                t0 = b.now
                dma.config(read=src, write=dst, count=16, ctrl=ctrl, trigger=True)
                assert dma.active()
                n[0] += await done.wait()
                times[k] = b.now - t0
                if dst[k] != k * 7 + 1 or dma.active() or dma.count:
                    raise AssertionError((k, dst[k], dma.count))
        finally:
            b.heap_unlock()

    run(b, main())
    assert n[0] == 17 and done.flags == 1, (n, done.flags)
    assert times == [1] * 16, times  # 16 words at one per 8 ns: within the first us
    assert list(dst) == list(src)
    assert not b.irq_errors
    done.close()
    dma.close()
    try:
        dma.count
    except ValueError:
        pass
    else:
        raise AssertionError("a closed channel answered")


def test_a_dma_bytes_copy_takes_its_transfers_time_and_a_quiet_one_raises_no_irq():
    b = board()
    dma = b.rp2.DMA()
    seen = []
    dma.irq(lambda d: seen.append((b.now, d.irq().flags())), hard=False)
    src = bytes(range(250)) * 4
    dst = bytearray(1000)

    async def main():
        dma.config(read=src, write=dst, count=1000, trigger=True,
                   ctrl=dma.pack_ctrl(size=0, irq_quiet=False))
        await sleep_ms(1)
        dma.config(read=bytes(4), write=dst, count=4, trigger=True,
                   ctrl=dma.pack_ctrl(size=0))  # irq_quiet by default
        await sleep_ms(1)

    run(b, main())
    assert seen == [(8, 1)], seen  # 1000 transfers of 8 ns: 8 us, then its (soft) handler
    assert dst[:4] == bytearray(4) and dst[4:] == src[4:]
    dma.close()


def test_a_hard_handler_that_raises_is_disabled_as_the_firmware_does():
    b = board()
    dma = b.rp2.DMA()
    calls = [0]

    def bad(ch):
        calls[0] += 1
        raise ValueError("oops")

    dma.irq(bad, hard=True)
    ctrl = dma.pack_ctrl(irq_quiet=False)
    for _ in range(2):
        dma.config(read=bytes(8), write=bytearray(8), count=2, ctrl=ctrl, trigger=True)
        b.advance(5)
    assert calls[0] == 1 and dma.irq().handler is None, (calls, dma.irq().handler)
    assert len(b.irq_errors) == 1 and b.irq_errors[0][0] == "dma", b.irq_errors
    dma.close()


def test_a_pio_irq_handler_sees_the_flags_and_acknowledges_them():
    b = board()
    rp2 = b.rp2
    pin = b.machine.Pin(15, b.machine.Pin.IN, b.machine.Pin.PULL_UP)
    sm = rp2.StateMachine(5, pio_pulse_counter.falling_edges, freq=1000000, in_base=pin)
    it = Interrupt(rp2.PIO(1), trigger=rp2.PIO.IRQ_SM1)  # PIO1's state machine 1: flag 1 (rel)
    b.set_level(15, 0, at_us=3000)
    b.set_level(15, 1, at_us=4000)
    b.set_level(15, 0, at_us=5000)

    async def main():
        sm.active(1)
        n = await it.wait()
        await sleep_ms(5)
        return n, it.flags, it.take()

    assert run(b, main())[0] == (1, 0x200, 1)
    assert sm.stall == "wait" and rp2.pios[1].flags == 0  # both acknowledged: waiting again
    it.close()
    sm.active(0)
    rp2.PIO(1).remove_program()
    assert not b.irq_errors


def test_two_state_machines_hand_over_through_an_internal_irq_flag():
    b = board()
    rp2 = b.rp2

    @rp2.asm_pio(set_init=rp2.PIO.OUT_LOW)
    def leader():
        set(pins, 1)       # noqa: F821
        irq(block, 4)      # noqa: F821  -- flag 4 raises no interrupt: the follower clears it
        set(pins, 0)[31]   # noqa: F821

    @rp2.asm_pio()
    def follower():
        wait(1, irq, 4)    # noqa: F821  -- and clears it
        nop()[31]          # noqa: F821

    a = rp2.StateMachine(2, leader, freq=1000000, set_base=b.machine.Pin(7))
    f = rp2.StateMachine(3, follower, freq=1000000)

    async def main():
        a.active(1)
        await sleep_ms(1)   # the leader waits at its irq: nobody cleared flag 4
        f.active(1)
        await sleep_ms(1)

    run(b, main())
    # set at 0; irq at 1 until the follower's wait at 1000 clears it; set 0 at 1001.
    # Then the follower paces it: set 1 at 1033, its irq at 1034 wakes the follower's
    # wait (there since 1033), which clears the flag in the same us: set 0 at 1035
    assert b.trace.levels("GP7")[:5] == [(0, 0), (0, 1), (1001, 0), (1033, 1), (1035, 0)], \
        b.trace.levels("GP7")[:6]
    a.active(0)
    f.active(0)
