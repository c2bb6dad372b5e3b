"""On the chip: pollen.Interrupt on the RP2040's own interrupt sources.

Runs ON the board (the firmware's rp2.DMA, rp2.StateMachine, machine.UART),
through the board tier's runner; no wiring:
  * DMA memory-to-memory transfers, each one's completion IRQ awaited, the
    data checked, 16 of them under heap_lock;
  * a PIO program that raises exactly 50 IRQs (one per word the task puts
    in its TX FIFO, so none merges), counted exactly, 49 of them heap-locked,
    and none extra afterwards;
  * lines fed into UART0 with the emulator's `uart_send` (NEEDS_CONTROL: the
    test prints `@ctl uart_send 0 "..."` and the runner forwards it), each
    line's IRQ_RXIDLE awaited.  The emulator has no way to put a break on the
    line, so IRQ_BREAK is tested on the simulated board only
    (host_tests/test_irq_sim.py);
  * in each case, a cancelled wait (a select the Delay wins) leaves nothing
    registered, and the interrupts after it are still counted.
"""

import sys

import micropython
import rp2
from machine import UART

import pollen
from pollen import Interrupt, select
from pollen.ticker import Delay
from pollen.timer import sleep_ms

NEEDS_CONTROL = True


def ctl(cmd):
    print("@ctl " + cmd)
    flush = getattr(sys.stdout, "flush", None)
    if flush is not None:
        flush()


def run(main):
    ex = pollen.Executor(4)
    try:
        return ex.run(main)
    finally:
        ex.shutdown()


# -- DMA ------------------------------------------------------------------------

def test_16_dma_transfers_are_awaited_with_their_data_under_heap_lock():
    d = rp2.DMA()
    src = bytearray(1024)
    dst = bytearray(1024)
    ctrl = d.pack_ctrl(size=0, inc_read=True, inc_write=True, irq_quiet=False)
    it = Interrupt(d)
    res = [0, 0, 0, 0]  # transfers done, bad data, interrupts counted, flags

    def fill(k):
        for i in range(1024):
            src[i] = (i + 7 * k) & 0xFF

    async def main():
        locked = False
        try:
            for k in range(17):  # the first one warms up (first uses allocate), the other 16 heap-locked
                if k == 1:
                    res[0] = res[1] = res[2] = 0
                    micropython.heap_lock()
                    locked = True
                fill(k)
                d.config(read=src, write=dst, count=1024, ctrl=ctrl, trigger=True)
                res[2] += await it.wait()
                res[3] = it.flags
                if dst != src:
                    res[1] += 1
                res[0] += 1
        finally:
            if locked:
                micropython.heap_unlock()

    try:
        assert it.hard is True
        run(main())
    finally:
        it.close()
        d.close()
    assert res[:3] == [16, 0, 16], res
    assert res[3] == 1, res  # rp2.DMA's irq().flags(): 1 after its IRQ


def test_a_cancelled_dma_wait_leaves_nothing_registered():
    d = rp2.DMA()
    src = bytearray(b"pollen" * 16)
    dst = bytearray(len(src))
    it = Interrupt(d)
    ctrl = d.pack_ctrl(size=0, irq_quiet=False)

    async def main():
        i, _ = await select(it.wait(), Delay(5))  # no transfer: the Delay wins
        assert i == 1
        assert not it._slot.waiting()
        d.config(read=src, write=dst, count=len(src), ctrl=ctrl, trigger=True)
        await sleep_ms(2)  # it completes while nobody waits
        return await it.wait()

    try:
        assert run(main()) == 1
    finally:
        it.close()
        d.close()
    assert dst == src


# -- PIO ------------------------------------------------------------------------

@rp2.asm_pio()
def irq_each_word():
    wrap_target()
    pull(block)         # stall until the task puts a word ...
    irq(0)              # ... then raise IRQ 0 once
    wrap()
# (A free-running program -- irq(block, 0) in a counted loop -- is no test on
# the emulated Pico: rp2040js runs PIO on wall-clock time and now and then
# raises a blocked irq again, which the chip does not.  Paced by the task's
# words, each IRQ is one the program raised.)


def test_a_pio_program_raising_50_irqs_is_counted_exactly_and_none_extra():
    sm = rp2.StateMachine(0, irq_each_word, freq=2000000)
    it = Interrupt(sm)
    res = [0, 0, 0, 0]  # counted, waits, extra after the 50th, timed out

    async def main():
        sm.active(1)
        sm.put(0)
        i, n = await select(it.wait(), Delay(5000))  # the first, with a timeout (select allocates)
        if i == 1:
            res[3] = 1
            return
        res[0] += n
        res[1] += 1
        micropython.heap_lock()  # the other 49 heap-locked: a plain wait allocates nothing
        try:
            while res[0] < 50:
                sm.put(0)
                res[0] += await it.wait()
                res[1] += 1
        finally:
            micropython.heap_unlock()
        await sleep_ms(50)  # no word, no IRQ: nothing more may come
        res[2] = it.take()

    try:
        run(main())
    finally:
        sm.active(0)
        it.close()
        rp2.PIO(0).remove_program()
    assert res[3] == 0, "no IRQ for 5 s after %d" % res[0]
    assert res[0] == 50 and res[2] == 0, res
    assert res[1] == 50, res
    assert it.flags == 1, it.flags  # StateMachine's irq().flags(): 1


def test_a_cancelled_pio_wait_leaves_nothing_registered():
    sm = rp2.StateMachine(0, irq_each_word, freq=2000000)
    it = Interrupt(sm)

    async def main():
        i, _ = await select(it.wait(), Delay(5))  # not started: the Delay wins
        assert i == 1 and not it._slot.waiting()
        sm.active(1)
        sm.put(0)
        return await it.wait()

    try:
        assert run(main()) >= 1
    finally:
        sm.active(0)
        it.close()
        rp2.PIO(0).remove_program()


# -- UART -----------------------------------------------------------------------

LINES = ("$GPGGA,123519,4807.038,N*47\r\n", "$GPRMC,1*00\r\n", "short\n", "$GPGSV,3,1,11*4F\r\n")


def uart_send(text):
    quoted = text.replace("\\", "\\\\").replace('"', '\\"').replace("\r", "\\r").replace("\n", "\\n")
    ctl('uart_send 0 "%s"' % quoted)


def test_uart_lines_each_wake_the_task_through_rxidle():
    u = UART(0, 115200)
    while u.any():
        u.read()
    it = Interrupt(u, trigger=UART.IRQ_RXIDLE)
    got = []
    buf = bytearray(64)

    async def main():
        for text in LINES:
            uart_send(text)
            line = b""
            while not line.endswith(b"\n"):
                i, n = await select(it.wait(), Delay(5000))
                if i == 1:
                    return
                k = u.readinto(buf) or 0
                line += bytes(buf[:k])
            got.append(line)

    try:
        assert it.hard is True
        run(main())
    finally:
        it.close()
    assert got == [t.encode() for t in LINES], got
    assert it.flags & UART.IRQ_RXIDLE, it.flags


def test_a_cancelled_uart_wait_leaves_nothing_registered():
    u = UART(0, 115200)
    while u.any():
        u.read()
    it = Interrupt(u, trigger=UART.IRQ_RXIDLE)

    async def main():
        i, _ = await select(it.wait(), Delay(5))  # nothing sent: the Delay wins
        assert i == 1 and not it._slot.waiting()
        uart_send("after\n")
        i, n = await select(it.wait(), Delay(5000))
        return i, u.read()

    try:
        assert run(main()) == (0, b"after\n")
    finally:
        it.close()
