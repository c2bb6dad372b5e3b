"""pollen.Interrupt on the simulated board: a Pin, a machine.Timer (through
Interrupt(None) and its handler) and a UART, each a timeline on the virtual
clock.  The simulator runs hard handlers under heap_lock on MicroPython, so
every interrupt here also proves the handler allocates nothing."""

from simsupport import board, run

from pollen import Interrupt, select
from pollen.ticker import Delay
from pollen.timer import sleep_ms


def test_pin_edges_are_counted_with_their_flags():
    b = board()
    m = b.machine
    pin = m.Pin(14, m.Pin.IN, m.Pin.PULL_UP)
    it = Interrupt(pin, trigger=m.Pin.IRQ_FALLING | m.Pin.IRQ_RISING)
    got = []

    async def main():
        for _ in range(3):
            n = await it.wait()
            got.append((b.now // 1000, n, it.flags))
        await sleep_ms(40)  # the rest of the bounce and the 50 ms edges come meanwhile
        got.append(it.take())

    b.press(14, at_ms=10, hold_ms=5)              # a falling edge at 10, rising at 15
    b.bounce(14, 30000, 0, 5, 100)                 # five edges from 30.0 to 30.4 ms
    b.set_level(14, 0, at_us=50000)                # one more: its level is already 0
    b.set_level(14, 1, at_us=50000)
    run(b, main())
    assert got[0] == (10, 1, 4), got               # IRQ_FALLING
    assert got[1] == (15, 1, 8), got               # IRQ_RISING
    assert got[2][1] == 1 and got[2][0] == 30, got  # the task runs at the first bounce edge
    assert got[3] == 4 + 1                         # the other four, then 50 ms's rising edge
    assert not b.irq_errors
    it.close()
    assert b._pin_state(14).handler is None


def test_a_timer_callback_through_a_sourceless_interrupt_counts_every_period():
    b = board()
    it = Interrupt(None)
    t = b.machine.Timer(-1, mode=1, period=10, callback=it.handler, hard=True)  # every 10 ms
    seen = []

    async def main():
        await sleep_ms(35)  # three periods come while the task sleeps
        seen.append(await it.wait())
        seen.append(await it.wait())
        t.deinit()

    run(b, main())
    assert seen == [3, 1], seen
    assert not b.irq_errors


def test_uart_rxidle_wakes_the_task_after_each_line_and_a_break_is_seen():
    b = board()
    m = b.machine
    u = m.UART(0, 115200)
    it = Interrupt(u, trigger=m.UART.IRQ_RXIDLE | m.UART.IRQ_BREAK)
    lines = []
    flags = []

    async def main():
        while len(flags) < 3:
            await it.wait()
            flags.append(it.flags)
            data = u.read()
            if data:
                lines.append(data)

    t1 = b.uart_feed(0, b"$GPGGA,1*00\r\n", at_ms=10)
    t2 = b.uart_feed(0, b"$GPRMC,2*00\r\n", at_ms=30)
    tb = b.uart_break(0, at_ms=50)
    run(b, main())
    assert lines[:2] == [b"$GPGGA,1*00\r\n", b"$GPRMC,2*00\r\n"], lines
    assert flags[0] & m.UART.IRQ_RXIDLE and flags[1] & m.UART.IRQ_RXIDLE, flags
    assert flags[2] & m.UART.IRQ_BREAK, flags
    assert b.now >= tb and t1 < t2 < tb
    assert not b.irq_errors
    it.close()
    assert b.uart_state(0).irq_handler is None


def test_uart_rxidle_comes_32_bit_times_after_the_last_byte():
    b = board()
    m = b.machine
    u = m.UART(0, 115200)
    it = Interrupt(u, trigger=m.UART.IRQ_RXIDLE)
    at = []

    async def main():
        await it.wait()
        at.append(b.now)

    last = b.uart_feed(0, b"hello\n", at_ms=5)
    run(b, main())
    # 32 bit periods at 115200 baud: 277 us after the last stop bit
    assert 270 <= at[0] - last <= 290, at[0] - last


def test_a_cancelled_uart_wait_leaves_nothing_registered_and_counting_goes_on():
    b = board()
    m = b.machine
    u = m.UART(0, 115200)
    it = Interrupt(u, trigger=m.UART.IRQ_RXIDLE)

    async def main():
        i, _ = await select(it.wait(), Delay(5))  # nothing comes: the Delay wins
        assert i == 1 and not it._slot.waiting()
        b.uart_feed(0, b"x")
        await sleep_ms(5)
        return await it.wait()  # the interrupt that came meanwhile is counted

    assert run(b, main())[0] == 1
    u.read()


def test_a_task_waiting_on_pin_edges_under_heap_lock_gets_exact_counts():
    b = board()
    m = b.machine
    pin = m.Pin(15, m.Pin.IN, m.Pin.PULL_UP)
    it = Interrupt(pin, trigger=m.Pin.IRQ_FALLING)
    counts = [0, 0, 0, 0]

    for k in range(4):  # bursts of 1, 2, 3 and 4 falling edges at 10, 20, 30 and 40 ms
        for j in range(k + 1):
            t = 10000 * (k + 1) + 200 * j
            b.set_level(15, 0, at_us=t)
            b.set_level(15, 1, at_us=t + 100)

    async def main():
        counts[0] = await it.wait()  # warm up: the first uses allocate
        await sleep_ms(1)
        b.heap_lock()
        try:
            await sleep_ms(10)  # 21 ms: the burst of two came while the task slept
            counts[1] = await it.wait()
            counts[2] = await it.wait()  # sleeps until 30.0 ms: the first of three
            await sleep_ms(12)  # 42 ms: the other two, and the burst of four
            counts[3] = await it.wait()
        finally:
            b.heap_unlock()

    run(b, main())
    assert counts == [1, 2, 1, 6], counts
    assert not b.irq_errors
