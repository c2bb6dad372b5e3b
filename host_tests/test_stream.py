"""Streams: UARTs and io.IOBase objects awaited through the port's idle sleep.

Timelines on the simulated board (its machine.UART: bytes on the wire at the
baud rate, the PL011's FIFOs and interrupt levels, the firmware's rings),
plus the host port in real time.  Both interpreters.
"""

import io

from simsupport import board, run, run_until_stop
from support import MICROPYTHON, allocation_free, raises

import pollen
from pollen import TimeoutError, select
from pollen.gpio import Input
from pollen.stream import Stream
from pollen.timer import Delay, Ticker, sleep_ms, with_timeout


def char_us(n, baud=115200):
    """Wire time of n 8N1 characters (10 bits each)."""
    return n * 10 * 1000000 // baud


def rx_timeout_us(baud=115200):
    """The PL011's RX timeout: 32 bit periods of idle line."""
    return 32 * 1000000 // baud


def watches(b):
    """The port's active stream watches (None or {} when there are none)."""
    return b.port()._streams


def no_watch_left(b, obj):
    p = b.port()
    assert not p._streams, p._streams
    assert p.wait is p.sleep, "the idle path still goes through the stream poller"
    for e in getattr(p, "_spoll", None)._objs if p._streams is not None else ():
        # the simulated select.poll's entries: [obj, mask, ioctl]
        if e[0] is obj:
            assert e[1] == 0, "the poller still asks %r for mask %d" % (obj, e[1])


# -- reading ------------------------------------------------------------------


def test_lines_arriving_at_scripted_times_are_read_in_order_once_their_last_byte_is_in():
    b = board()
    s = Stream(b.machine.UART(0, 115200))
    lines = [b"hello\n", b"pollen on a pico\n", b"x\n"]
    last = [b.uart_feed(0, lines[0], at_ms=100),
            b.uart_feed(0, lines[1], at_ms=250),
            b.uart_feed(0, lines[2], at_ms=900)]
    got = []

    async def main():
        for _ in lines:
            line = await s.readline()
            got.append((line, b.now))

    run(b, main())
    assert [g[0] for g in got] == lines
    for (line, t), t_last in zip(got, last):
        # never before the newline is on the wire; at the latest when the
        # firmware's RX timeout moves the last bytes out of the FIFO
        assert t_last <= t <= t_last + rx_timeout_us(), (line, t, t_last)
    assert b.time.ticks_ms() == 900  # the virtual clock jumped from line to line


def test_a_lone_byte_wakes_the_sleeping_cpu_at_the_rx_timeout_not_before():
    # rp2: the UART interrupt fires at 4 bytes in the RX FIFO or after 32 idle
    # bit periods; until then WFE sleeps on, though ioctl would see the byte
    b = board()
    s = Stream(b.machine.UART(0, 115200))
    buf = bytearray(4)
    t_in = b.uart_feed(0, b"!", at_ms=10)

    async def main():
        await s.readinto(buf)
        return b.now, s.count, buf[0]

    assert run(b, main())[0] == (t_in + rx_timeout_us(), 1, ord("!"))


def test_four_bytes_wake_the_reader_at_the_fourth_without_the_rx_timeout():
    b = board()
    s = Stream(b.machine.UART(0, 115200))
    buf = bytearray(16)
    t_in = b.uart_feed(0, b"abcd", at_ms=10)

    async def main():
        await s.readinto(buf)
        return b.now, bytes(buf[:s.count])

    assert run(b, main())[0] == (t_in, b"abcd")


def test_tasks_waiting_on_different_uarts_each_wake_for_their_own_bytes():
    b = board()
    s0 = Stream(b.machine.UART(0, 115200))
    s1 = Stream(b.machine.UART(1, 9600))
    last0 = [b.uart_feed(0, b"zero-a\n", at_ms=20), b.uart_feed(0, b"zero-b\n", at_ms=300)]
    last1 = [b.uart_feed(1, b"one-a\n", at_ms=100), b.uart_feed(1, b"one-b\n", at_ms=150)]
    log = {0: [], 1: []}
    polls = {"r0": 0, "r1": 0}

    async def reader(i, s):
        for _ in range(2):
            line = await s.readline()
            log[i].append((line, b.now))

    def tracer(kind, task):
        if task.name in polls:
            polls[task.name] += 1

    async def main():
        r0 = ex.spawn(reader(0, s0), name="r0")
        r1 = ex.spawn(reader(1, s1), name="r1")
        await r0
        await r1

    ex = pollen.Executor(4, tracer=tracer)
    ex.run(main())
    assert [line for line, _ in log[0]] == [b"zero-a\n", b"zero-b\n"]
    assert [line for line, _ in log[1]] == [b"one-a\n", b"one-b\n"]
    for (line, t), t_last in zip(log[0], last0):
        assert t_last <= t <= t_last + rx_timeout_us(), (line, t)
    for (line, t), t_last in zip(log[1], last1):
        assert t_last <= t <= t_last + rx_timeout_us(9600), (line, t)
    # each reader is polled for its own UART's interrupts only: its first poll,
    # then per line the 4-byte level and the RX timeout
    assert polls["r0"] <= 1 + 2 * 2 and polls["r1"] <= 1 + 2 * 2, polls


def test_read_readexactly_and_a_line_longer_than_the_buffer():
    b = board()
    u = b.machine.UART(0, 115200)
    s = Stream(u, bufsize=8)
    long_line = b"0123456789abcdefghij\n"
    b.uart_feed(0, b"AB", at_ms=10)
    b.uart_feed(0, b"0123456789", at_ms=20)
    b.uart_feed(0, long_line, at_ms=30)

    async def main():
        first = await s.read(100)           # what is there: 2 bytes
        exact = await s.readexactly(10)     # across several interrupts
        line = await s.readline()           # longer than the 8-byte buffer
        return first, exact, line

    assert run(b, main())[0] == (b"AB", b"0123456789", long_line)


def test_lines_split_across_the_buffer_come_out_whole():
    b = board()
    s = Stream(b.machine.UART(0, 115200), bufsize=8)
    b.uart_feed(0, b"ab\ncdefghijk\nl", at_ms=1)

    async def main():
        await sleep_ms(10)  # all of it waits in the UART: each fill takes what fits
        return await s.readline(), await s.readline(), await s.read(5)

    assert run(b, main())[0] == (b"ab\n", b"cdefghijk\n", b"l")


def test_bytes_that_arrive_while_nobody_reads_wait_in_the_uart_for_the_next_read():
    b = board()
    s = Stream(b.machine.UART(0, 115200))
    b.uart_feed(0, b"early\n", at_ms=5)

    async def main():
        await sleep_ms(100)
        return await s.readline(), b.now

    assert run(b, main())[0] == (b"early\n", 100000)


# -- cancelling -----------------------------------------------------------------


def test_a_read_that_loses_a_select_leaves_no_watch_behind():
    b = board()
    u = b.machine.UART(0, 115200)
    s = Stream(u)

    async def main():
        i, _ = await select(s.readline(), Delay(50))
        assert i == 1
        no_watch_left(b, u)
        b.uart_feed(0, b"late\n", at_ms=80)
        await sleep_ms(100)      # nobody reads: the bytes wait in the UART...
        assert b.now == 150000   # ...and the sleep was not cut short by them
        return await s.readline()

    assert run(b, main())[0] == b"late\n"
    no_watch_left(b, u)


def test_a_readinto_under_with_timeout_times_out_and_leaves_no_watch_behind():
    b = board()
    u = b.machine.UART(0, 115200)
    s = Stream(u)
    buf = bytearray(8)

    async def main():
        try:
            await with_timeout(30, s.readinto(buf))
        except TimeoutError:
            return b.now
        return None

    assert run(b, main())[0] == 30000
    no_watch_left(b, u)


def test_a_cancelled_task_leaves_no_watch_behind_and_the_stream_can_be_read_again():
    b = board()
    u = b.machine.UART(0, 115200)
    s = Stream(u, irq=False)  # the portable path: the port watches the UART

    async def reader():
        await s.readline()

    async def main():
        t = ex.spawn(reader())
        await sleep_ms(10)
        assert watches(b)  # it waits on the UART
        t.cancel()
        no_watch_left(b, u)
        b.uart_feed(0, b"again\n", at_ms=20)
        return await s.readline()

    ex = pollen.Executor(4)
    assert ex.run(main()) == b"again\n"
    no_watch_left(b, u)


# -- the UART's own interrupt ----------------------------------------------------
# A Stream on a machine.UART, on a board port, takes the UART's interrupt
# (port.uart_irq): RX FIFO level, IRQ_RXIDLE, IRQ_TXIDLE.  Nothing asks the
# port to watch the UART, so the executor keeps its plain idle sleep (WFI
# on an RP2040) while a task waits for bytes.


def test_a_uart_reader_waits_in_the_plain_idle_sleep_not_the_stream_poller():
    b = board()
    u = b.machine.UART(0, 115200)
    s = Stream(u)
    p = b.port()
    b.uart_feed(0, b"one line\n", at_ms=50)
    seen = {}

    async def reader():
        return await s.readline()

    async def main():
        t = ex.spawn(reader())
        await sleep_ms(20)  # the reader waits; nothing on the wire yet
        seen["wait"] = p.wait is p.sleep
        seen["watches"] = watches(b)
        seen["waiting"] = s._rslot.waiting()
        return await t

    ex = pollen.Executor(4)
    assert ex.run(main()) == b"one line\n"
    assert seen == {"wait": True, "watches": None, "waiting": True}, seen
    assert not s._rslot.waiting()


def test_a_line_reaches_the_reader_at_its_last_byte_not_at_the_rx_timeout():
    # 17 bytes: the FIFO level (4) wakes the reader at the 4th; it waits for
    # the rest in the UART's own readline() (C: each byte as it lands) and
    # has the line as the newline lands -- not at the RX timeout, 278 us later
    b = board()
    u = b.machine.UART(0, 115200)
    s = Stream(u)
    line = b"$GPGLL,4916.45,N\n"
    t_last = b.uart_feed(0, line, at_ms=10)

    async def main():
        got = await s.readline()
        return got, b.now

    (got, t), ex = run(b, main())
    assert got == line
    assert t == t_last, (t - t_last)


def test_the_tail_gives_way_when_bytes_stop_and_the_rx_timeout_brings_the_rest():
    # the line stops half way for 10 ms: the reader stops waiting for it at
    # the next ms tick (2.5 character times without a byte) and sleeps
    b = board()
    u = b.machine.UART(0, 115200)
    calls = {"n": 0}
    real = u.readline

    def counting():
        calls["n"] += 1
        return real()

    u.readline = counting
    s = Stream(u)
    b.uart_feed(0, b"abcdef", at_ms=10)
    t_last = b.uart_feed(0, b"gh\n", at_ms=20)

    async def main():
        return await s.readline(), b.now

    (got, t), ex = run(b, main())
    assert got == b"abcdefgh\n"
    assert calls["n"] <= 4, calls  # not a wait through the 10 ms gap, one ms at a time
    # the last 3 bytes stay under the FIFO level: the RX timeout wakes the reader
    assert t_last + rx_timeout_us() <= t <= t_last + rx_timeout_us() + 10, (t - t_last)


def test_the_tail_gives_way_to_a_task_woken_meanwhile():
    b = board()
    u = b.machine.UART(0, 115200)
    s = Stream(u)
    btn = Input(14, pull="up")
    line = b"0123456789abcdefghijklmnopq\n"  # 28 bytes: 10.0 ms .. 12.4 ms
    t_last = b.uart_feed(0, line, at_ms=10)
    b.set_level(14, 0, at_us=10500)  # a press in the middle of the line
    seen = {}

    async def presses():
        await btn.wait_for_falling_edge()
        seen["press"] = b.now

    async def main():
        ex.spawn(presses())
        got = await s.readline()
        return got, b.now

    ex = pollen.Executor(4)
    got, t = ex.run(main())
    btn.release()
    assert got == line
    # the press waits at most for the ms tick the UART's readline returns at
    assert 10500 <= seen["press"] <= 11000, seen
    assert t_last <= t <= t_last + 10, (t - t_last)


def test_a_cancelled_uart_read_leaves_nothing_registered_and_reads_again():
    b = board()
    u = b.machine.UART(0, 115200)
    s = Stream(u)

    async def reader():
        await s.readline()

    async def main():
        t = ex.spawn(reader())
        await sleep_ms(10)
        assert s._rslot.waiting()
        t.cancel()
        assert not s._rslot.waiting()
        b.uart_feed(0, b"again\n", at_ms=20)
        return await s.readline()

    ex = pollen.Executor(4)
    assert ex.run(main()) == b"again\n"
    assert not s._rslot.waiting()
    no_watch_left(b, u)


def test_drain_sleeps_until_txidle_without_the_stream_poller():
    b = board()
    u = b.machine.UART(1, 115200, txbuf=32)
    s = Stream(u)
    p = b.port()
    data = bytes(range(200))
    seen = {"polled": 0, "plain": True}

    async def writer():
        s.write(data)
        assert s.pending() > 0
        await s.drain()
        return b.now

    def tracer(kind, task):
        if task.name == "w":
            seen["polled"] += 1
            seen["plain"] = seen["plain"] and p.wait is p.sleep

    async def main():
        return await ex.spawn(writer(), name="w")

    ex = pollen.Executor(4, tracer=tracer)
    t = ex.run(main())
    b.time.sleep_us(char_us(80))  # what the hardware still holds goes out
    assert b.uart_sent(1) == data
    assert seen["plain"], "drain went through the stream poller"
    # each IRQ_TXIDLE hands over one txbuf (32 bytes): a handful of wakes
    assert seen["polled"] <= 2 + (len(data) + 31) // 32 * 2, seen
    assert t >= char_us(len(data) - 32 - 1 - 32)


def test_the_uart_handler_allocates_nothing_waking_a_waiting_reader():
    b = board()
    u = b.machine.UART(0, 115200)
    s = Stream(u)
    st = b.uart_state(0)
    handler = st.irq_handler  # what the UART calls: Stream._on_irq, bound once
    buf = bytearray(8)

    def level_interrupt():
        st.irq_flags = 0x10  # the RX FIFO level, as the driver sets flags() before the call
        handler(u)

    def txidle_interrupt():
        st.irq_flags = 0x20
        handler(u)

    async def reader():
        await s.readinto(buf)
        return bytes(buf[:s.count])

    async def main():
        t = ex.spawn(reader())
        await sleep_ms(1)
        assert s._rslot.waiting()
        allocation_free(level_interrupt)  # wakes the reader: ISR-safe
        allocation_free(txidle_interrupt)  # nobody writes: stores the flag only
        assert s._st[1] == 1
        b.uart_feed(0, b"ok", at_ms=5)
        return await t

    ex = pollen.Executor(4)
    assert ex.run(main()) == b"ok"


def test_release_takes_the_handler_off_the_uart():
    b = board()
    u = b.machine.UART(0, 115200)
    s = Stream(u)
    st = b.uart_state(0)
    assert st.irq_handler is not None and st.rx_level == 4
    s.release()
    assert st.irq_handler is None and st.irq_trigger == 0
    s2 = Stream(u, irq=False)  # and the UART may be had again, either way
    s2.release()


def test_irq_true_on_an_object_without_a_uart_interrupt_says_what_to_do():
    b = board()
    e = raises(ValueError, Stream, io.BytesIO(b"x"), irq=True)
    assert "irq=None" in str(e)


# -- what it costs --------------------------------------------------------------


def test_readinto_allocates_nothing_in_the_steady_state():
    b = board()
    s = Stream(b.machine.UART(0, 115200))
    buf = bytearray(16)
    total = 0
    for i in range(120):  # 7-byte bursts every 2 ms: a 4-byte wake and a timeout wake each
        chunk = bytes((i * 7 + k) & 0xFF for k in range(7))
        total += sum(chunk)
        b.uart_feed(0, chunk, at_us=10000 + i * 2000)
    result = {"ok": None, "n": 0, "sum": 0}

    async def main():
        await s.readinto(buf)  # warm up: the first watch registers the UART with the poller
        n = s.count
        acc = 0
        for k in range(n):
            acc += buf[k]
        b.heap_lock()
        try:
            while n < 120 * 7:
                await s.readinto(buf)
                c = s.count
                for k in range(c):
                    acc += buf[k]
                n += c
            result["ok"] = True
        except MemoryError:
            result["ok"] = False
        b.heap_unlock()
        result["n"] = n
        result["sum"] = acc

    run(b, main())
    assert result["ok"], "readinto allocated with the heap locked"
    assert result["n"] == 120 * 7 and result["sum"] == total


def test_a_pin_wait_and_a_ticker_keep_their_timing_while_a_stream_is_read():
    b = board(stop_after_ms=1000)
    s = Stream(b.machine.UART(0, 115200))
    btn = Input(14, pull="up")
    tk = Ticker(10)
    for k in range(19):
        b.uart_feed(0, ("line %02d\n" % k).encode(), at_ms=13 + 50 * k)
    edges = [(137000 + 100000 * k) for k in range(9)]
    for t in edges:
        b.set_level(14, 0, at_us=t)
        b.set_level(14, 1, at_us=t + 20000)
    seen = {"lines": [], "edges": []}

    async def lines():
        while True:
            seen["lines"].append(await s.readline())

    async def presses():
        while True:
            await btn.wait_for_falling_edge()
            seen["edges"].append((b.now, btn.edge_us))

    async def ticking():
        while True:
            await tk.next()

    async def main():
        ex.spawn(lines())
        ex.spawn(presses())
        await ticking()

    ex = pollen.Executor(4)
    run_until_stop(b, main(), ex=ex)
    assert seen["lines"] == [("line %02d\n" % k).encode() for k in range(19)]
    assert [e[0] for e in seen["edges"]] == edges  # woken at the edge itself
    assert tk.ticks == 99 and tk.missed == 0 and tk.max_late_us == 0


def test_idle_without_streams_never_goes_through_stream_code():
    b = board()
    p = b.port()
    calls = {"wait_streams": 0, "ioctl": 0}
    real = p.wait_streams

    def counting(cell):
        calls["wait_streams"] += 1
        return real(cell)

    p.wait_streams = counting  # what watch() swaps in as the port's wait
    box = Mailbox(calls)
    s = Stream(box)

    async def sleeps():
        for _ in range(10):
            await sleep_ms(5)

    run(b, sleeps())
    assert calls == {"wait_streams": 0, "ioctl": 0}  # no stream: the plain sleep only
    assert p.wait is p.sleep

    pin = b.machine.Pin(15, b.machine.Pin.IN, b.machine.Pin.PULL_UP)
    pin.irq(lambda pin: box.put(ord("A")), b.machine.Pin.IRQ_FALLING, hard=True)
    b.set_level(15, 0, at_us=b.now + 3000)
    buf = bytearray(1)

    async def one_read_then_sleeps():
        await s.readinto(buf)
        during = dict(calls)
        await sleeps()
        return during

    during = run(b, one_read_then_sleeps())[0]
    assert during["wait_streams"] >= 1 and during["ioctl"] >= 1
    assert calls == during  # once nobody waits, idling never asks the stream again
    assert p.wait is p.sleep


# -- writing --------------------------------------------------------------------


def test_drain_waits_while_tx_is_full_and_every_byte_goes_out_in_order():
    b = board()
    u = b.machine.UART(1, 115200, txbuf=32)
    s = Stream(u)
    data = bytes(range(200))
    tk = Ticker(1)
    log = {}

    async def writer():
        s.write(data[:150])
        s.write(data[150:])  # queued behind what the UART did not take
        log["kept"] = s.pending()  # the UART took what fitted; the rest waits in the Stream
        log["t_write"] = b.now
        await s.drain()
        log["t_drained"] = b.now
        log["on_wire"] = len(b.uart_sent(1))
        log["ticks"] = tk.ticks

    async def main():
        w = ex.spawn(writer())
        while not w.done() or len(b.uart_sent(1)) < len(data):
            await tk.next()

    ex = pollen.Executor(4)
    ex.run(main())
    assert b.uart_sent(1) == data
    assert log["kept"] > 0
    # the hardware holds at most the 32-byte FIFO, the shift register and the
    # 32-byte ring: drain() returned only once the rest was in them
    assert log["on_wire"] >= len(data) - 32 - 1 - 32
    assert log["t_drained"] >= char_us(len(data) - 32 - 1 - 32)
    # the writer slept while the UART was full: the 1 ms Ticker ticked all
    # along, late only by what machine.UART.write waits itself when data does
    # not fit its txbuf (timeout_char + 1 ms at most: 2 ms at 115200)
    assert log["ticks"] >= (log["t_drained"] - 2000) // 1000 and tk.missed == 0, log
    assert tk.max_late_us <= 2000, tk.max_late_us


def test_write_hands_everything_to_the_uart_at_once_when_it_fits():
    b = board()
    u = b.machine.UART(0, 115200)
    s = Stream(u)

    async def main():
        s.write(b"ok\r\n")
        assert s.pending() == 0
        await s.drain()  # nothing kept: done at once
        t = b.now
        await sleep_ms(1)
        return t

    assert run(b, main())[0] == 0
    assert b.uart_sent(0) == b"ok\r\n"
    no_watch_left(b, u)


# -- other streams ----------------------------------------------------------------


class Mailbox(io.IOBase):
    """A stream fed by an interrupt handler: ioctl reports it to select.poll
    (MP_STREAM_POLL), readinto hands over what it has.  put() allocates nothing."""

    def __init__(self, calls=None):
        self._buf = bytearray(32)
        self._n = 0
        self.calls = calls

    def put(self, byte):  # ISR-safe: stores only
        if self._n < len(self._buf):
            self._buf[self._n] = byte
            self._n += 1

    def ioctl(self, req, arg):
        if self.calls is not None:
            self.calls["ioctl"] += 1
        if req != 3:  # MP_STREAM_POLL
            return -1
        return (arg & 1 if self._n else 0) | (arg & 4)

    def readinto(self, buf):
        n = self._n
        if not n:
            return None  # nothing yet: EAGAIN
        k = min(n, len(buf))
        for i in range(k):
            buf[i] = self._buf[i]
        for i in range(k, n):
            self._buf[i - k] = self._buf[i]
        self._n = n - k
        return k

    def write(self, buf):
        return len(buf)


def test_an_iobase_object_with_ioctl_is_awaited_like_a_uart():
    b = board()
    box = Mailbox()
    s = Stream(box)
    pin = b.machine.Pin(15, b.machine.Pin.IN, b.machine.Pin.PULL_UP)
    pin.irq(lambda pin: box.put(ord("a") + pin.value()), b.machine.Pin.IRQ_FALLING, hard=True)
    for t in (5000, 17000, 40000):
        b.set_level(15, 0, at_us=t)
        b.set_level(15, 1, at_us=t + 1000)
    got = []
    buf = bytearray(4)

    async def main():
        for _ in range(3):
            await s.readinto(buf)
            got.append((b.now, bytes(buf[:s.count])))

    run(b, main())
    assert got == [(5000, b"a"), (17000, b"a"), (40000, b"a")]
    assert b.irq_errors == []


def test_a_stream_has_one_owner_until_released():
    b = board()
    u = b.machine.UART(0)
    s = Stream(u)
    e = raises(ValueError, Stream, u)
    assert "already has a Stream" in str(e) and "release()" in str(e)
    s.release()
    Stream(u).release()


# -- the host port (real time) ----------------------------------------------------


class Later(io.IOBase):
    """Readable from `ready_ms` (host ticks) on: what the host port polls."""

    def __init__(self, port, after_ms):
        self.port = port
        self.ready_ms = port.ticks_add(port.ticks_ms(), after_ms)
        self.given = False

    def _ready(self):
        return not self.given and self.port.ticks_diff(self.port.ticks_ms(), self.ready_ms) >= 0

    def ioctl(self, req, arg):
        if req != 3:
            return -1
        return arg & 1 if self._ready() else 0

    def readinto(self, buf):
        if not self._ready():
            return None
        self.given = True
        buf[0] = ord("!")
        return 1


def test_the_host_port_wakes_a_reader_when_its_object_becomes_readable():
    # CPython: the host port asks the object's ioctl before every nap;
    # MicroPython: its select.poll does (io.IOBase objects are polled by ioctl)
    from pollen.port_host import HostPort

    hp = HostPort()
    obj = Later(hp, 20)
    s = Stream(obj, port=hp)
    buf = bytearray(4)

    async def main():
        t0 = hp.ticks_ms()
        await s.readinto(buf)
        return hp.ticks_diff(hp.ticks_ms(), t0), s.count, buf[0]

    ex = pollen.Executor(2, port=hp)
    waited, n, c = ex.run(main())
    assert (n, c) == (1, ord("!"))
    assert 19 <= waited < 500, waited
    assert not hp._streams and hp.wait == hp._wait_idle
