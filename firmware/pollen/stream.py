"""Streams: await bytes from a UART, stdin, a socket -- anything select.poll
accepts (an io.IOBase object with ioctl, too).

Stream(obj) wraps one such object.  A wait that finds nothing to read (or no
room to write) asks the port to watch obj -- port.watch(obj, mask, waker) --
and the port's idle sleep, the same select.poll().ipoll that waits for
interrupts and deadlines, wakes the task when obj is ready.  So nothing
spins, and no wake is lost: the port asks obj's ioctl before it sleeps, and
the interrupt that makes obj ready (a UART's) ends the sleep.  While no
Stream waits, the port's idle path is what it is without streams.

  await s.readinto(buf)   1..len(buf) bytes into buf; how many is s.count.
                          Completes with None: allocates nothing.
  await s.read(n)         1..n bytes (b"" once the stream has ended)
  await s.readexactly(n)  n bytes; EOFError if the stream ends first
  await s.readline()      up to and including b"\\n" (at the end: what is left)
  s.write(data)           hands data to obj now; keeps what obj did not take
  await s.drain()         waits while obj is full (POLLOUT), until all that
                          write() kept is handed over.  write() + drain()
                          allocate nothing while obj takes everything at once

Reading never blocks the executor (but for a UART line's tail: below).
A Stream reads what obj says it has (machine.UART.any()); an object
without any() is read only after the port reported it readable, and None
from its readinto() (EAGAIN) means "not yet".
How much it asks for then (chunk=None, the default, chooses):
  * an object with setblocking() (a socket, blocking or not): the Stream
    sets it non-blocking, and asks for all the room it has;
  * an object with an ioctl() method (a Python io.IOBase stream, which
    returns what it holds): all the room it has;
  * anything else -- sys.stdin, whose read waits until it has all it was
    asked for -- one byte per readiness report, so a read never waits.
chunk=0 asks for all the room always; chunk=k at most k bytes per report.
A text object without readinto() (CPython's sys.stdin) is read through its
binary buffer.  Writing: machine.UART.write() itself waits
(up to timeout_char, >= 1 ms) for room in its txbuf when data does not fit:
give the UART a txbuf that holds what you write between two drain()s.

A machine.UART on a board port wakes its Stream by its own interrupt
(irq=None, the default, chooses; irq=False keeps the port's watch).  The
Stream takes the UART's irq() (port.uart_irq): a hard handler for the RX
FIFO level (4 bytes on an RP2040), IRQ_RXIDLE (the line went quiet) and
IRQ_TXIDLE (the txbuf went empty) wakes the reader or the writer through a
WakerSlot, so nothing asks the port to watch the UART and the executor
keeps its plain idle sleep -- WFI on an RP2040 -- while a task waits: the
idle costs what a pin wait costs.  readline(), woken by a line's first
bytes, reads the rest of it in the UART's own readline(), whose C loop
takes each byte as it lands (obj's timeout must be 0, the default): the
line is the task's as its last byte lands, not 32 bit periods later at
the RX timeout.  That is how asyncio's StreamReader gets its lines early;
it holds the executor while a line comes in, until the newline, a pause of
2.5 character times, or a ms tick with another task woken.  drain() waits
for IRQ_TXIDLE and hands over a txbuf at a time.  The handler and every
wait allocate nothing; release() takes the handler off.

One task reads and one task writes a Stream at a time, and an object has
one Stream: the port keeps one watch per object, which the Stream shares
between its reader and writer (so a wake may be for the other direction:
the woken side looks, and waits again if it was not its turn).

What runs where: everything here runs in task context; the port calls
_on_ready (the Stream's waker) from inside its wait(), also task context.
Stream._on_irq is the UART's hard IRQ handler (ISR-safe: no allocation);
nothing else here may be called from an interrupt handler.
"""

import sys
from .port import array  # the built-in, with no search of sys.path

from . import port as _port
from .future import CURRENT, Leaf, stop_iteration
from .slot import WakerSlot
from .future import Waker, static_raw_waker

POLLIN = 1   # select.POLLIN
POLLOUT = 4  # select.POLLOUT

_CPYTHON = sys.implementation.name != "micropython"
_owners = {}  # id(obj) -> its Stream: two Streams on one object would lose wakes


def _on_ready(s):
    """The port's waker for Stream s: obj is ready for what was watched (or
    reports an error).  Called by the port in wait(); stores and wakes."""
    s._ready |= s._watching
    s._watching = 0  # the port forgot the watch: it is one-shot
    w = s._rw
    if w is not None:
        w.wake_by_ref()
    w = s._ww
    if w is not None:
        w.wake_by_ref()


def _readinto(obj, rd):
    """readinto(buf[, nbytes]) for CPython's objects, whose readinto takes no
    nbytes, and for a text object without readinto (CPython's sys.stdin):
    the raw file under its buffer (the buffer itself would read ahead, out of
    the poller's sight).  Host code: allocates."""
    if rd is None:
        b = getattr(obj, "buffer", None)
        rd = getattr(getattr(b, "raw", b), "readinto", None)
    if rd is None:
        def readinto(buf, n=-1):
            raise TypeError("%r has no readinto(): pollen cannot read it" % (obj,))
    else:
        def readinto(buf, n=-1):
            return rd(memoryview(buf)[:n] if 0 <= n < len(buf) else buf)

    return readinto


def _rx_maybe():
    """Stream._flags until port.uart_irq hands back the irq's own: the
    handler is live from the moment it is installed, and bytes may be
    arriving then.  It reads as RX, so the reader looks again (a wake with
    nothing to read is harmless; one lost is a reader asleep for good)."""
    return 0x50


def _field(r, key, default):
    """The number after `key` in repr string r ("baudrate=", "txbuf="), or
    default.  Task side, at construction: allocates."""
    i = r.find(key)
    if i < 0:
        return default
    i += len(key)
    j = i
    while j < len(r) and r[j].isdigit():
        j += 1
    return int(r[i:j]) if j > i else default


class _Leaf(Leaf):
    """A Stream's wait: the work is in __next__ (the await path), poll(cx)
    is future.Leaf's, as timer._Sleep's is."""

    def __init__(self, s):
        self.s = s


class _ReadInto(_Leaf):
    """s.readinto(buf): made once per Stream, completes with None."""

    def __init__(self, s):
        _Leaf.__init__(self, s)
        self.buf = None

    def __next__(self):
        s = self.s
        sl = s._rslot
        if sl is not None:  # the UART's interrupt: register, then look
            sl.register(CURRENT.cx.waker())
            s._st[0] = 0  # (SPIN: a tail before may have left it set)
        n = s._take_into(self.buf)
        if n < 0:
            if sl is None:
                s._wait(POLLIN, CURRENT.cx)
            return None
        s.count = n
        self.buf = None
        s._done(POLLIN)
        stop_iteration()

    def close(self):
        self.buf = None
        self.s._done(POLLIN, True)


class _Fill(_Leaf):
    """Completes once the Stream's own buffer gained bytes (or the stream
    ended): what read(), readexactly() and readline() await."""

    def __next__(self):
        s = self.s
        sl = s._rslot
        if sl is not None:  # the UART's interrupt: register, then look
            sl.register(CURRENT.cx.waker())
            s._st[0] = 0  # (SPIN: a tail before may have left it set)
        if s._fill():
            s._done(POLLIN)
            stop_iteration()
        if sl is None:
            s._wait(POLLIN, CURRENT.cx)
        return None

    def close(self):
        self.s._done(POLLIN, True)


class _Drain(_Leaf):
    """s.drain(): completes once everything write() kept is handed to obj."""

    def __next__(self):
        s = self.s
        sl = s._wslot
        if sl is not None:  # the UART's IRQ_TXIDLE: register, then look
            sl.register(CURRENT.cx.waker())
        if s._flush():
            s._done(POLLOUT)
            stop_iteration()
        if sl is None:
            s._wait(POLLOUT, CURRENT.cx)
        return None

    def close(self):
        self.s._done(POLLOUT, True)


class Stream:
    """Await reads and writes on `obj` (machine.UART, a socket, sys.stdin, an
    io.IOBase object with ioctl: anything select.poll accepts).

    bufsize: the Stream's own read-ahead buffer, used by read(), readexactly()
    and readline() (readinto() reads straight into your buffer).  chunk: for
    an object without any(), the most to ask for per readiness report (the
    module docstring: None chooses; sys.stdin gets 1, so a read never waits).
    Making a Stream on an object with setblocking() sets it non-blocking.

    After `await s.readinto(buf)`, `s.count` is the number of bytes read
    (0 only once the stream has ended: then `s.eof` is True).
    """

    def __init__(self, obj, bufsize=64, chunk=None, port=None, irq=None):
        key = id(obj)
        other = _owners.get(key)
        if other is not None:
            raise ValueError("%r already has a Stream (%r): share it -- one task may "
                             "read and one write -- or release() it first" % (obj, other))
        self.obj = obj
        self.port = port if port is not None else _port.current()
        self._any = getattr(obj, "any", None)  # bound once: machine.UART.any()
        rd = getattr(obj, "readinto", None)
        if rd is None or _CPYTHON:  # CPython's take no nbytes; its sys.stdin has none
            rd = _readinto(obj, rd)
        self._rd = rd  # bound once: readinto(buf[, nbytes])
        if chunk is None:
            chunk = 0
            if self._any is None and not hasattr(obj, "ioctl"):
                sb = getattr(obj, "setblocking", None)
                if sb is not None:
                    sb(False)  # a socket: a read returns what it has (None: EAGAIN)
                else:
                    chunk = 1  # sys.stdin: a read waits until it has all it asked for
        self._chunk = chunk
        self._buf = bytearray(bufsize)  # read ahead by read()/readline(), not returned yet
        self._mv = memoryview(self._buf)
        self._rs = 0                    # _buf[_rs:_re] is what is buffered
        self._re = 0
        self._out = None                # written, not yet taken by obj (a bytearray)
        self._oo = 0                    # how much of _out obj has taken
        self._rw = None                 # the waker of the task waiting to read
        self._ww = None                 # ... and to write
        self._watching = 0              # the mask the port watches obj for, for us
        self._ready = 0                 # directions the port reported ready since
        self._pw = Waker(static_raw_waker(self, _on_ready))  # made once: watching allocates nothing
        self._readinto = _ReadInto(self)
        self._fillf = _Fill(self)
        self._drainf = _Drain(self)
        self.count = 0
        self.eof = False
        self._rslot = None              # the UART's interrupt wakes through these (else: port.watch)
        self._wslot = None
        self._uline = None              # obj.readline, for the rest of a line coming in (_tail)
        if irq is not False:
            self._take_irq(obj, irq)
        _owners[key] = self

    def _take_irq(self, obj, want):
        """Wake by obj's own interrupt if obj is a machine.UART (it has any()
        and IRQ_RXIDLE) and the port can hand it over (port.uart_irq): then
        no wait asks the port to watch obj, and the executor keeps its plain
        idle sleep (WFI on an RP2040) while a task waits here.  Allocates
        here, once; want=True: raise if it cannot."""
        p = self.port
        ui = getattr(p, "uart_irq", None)
        if ui is None or self._any is None or not hasattr(obj, "IRQ_RXIDLE"):
            if want:
                raise ValueError("%r: no UART interrupt to wake by (irq=True needs a machine.UART "
                                 "on a board port); leave irq=None to wait through the port" % (obj,))
            return
        t = p.ticks_us
        self._tick = t                  # bound once: the tail's clock
        self._tdiff = p.ticks_diff
        self._due = getattr(p, "due", None)  # a board alarm (rp2): the tail gives way to it
        self._last = t()                # ticks_us when _fill last gained bytes
        r = repr(obj)                   # "UART(0, baudrate=115200, ... txbuf=256, timeout=0, ...)"
        baud = _field(r, "baudrate=", 115200)
        self._gap = 25000000 // baud    # 2.5 character times (10 bits): a line still coming in
        self._txroom = _field(r, "txbuf=", 32)
        # the tail: obj.readline() waits in C for each next byte, until the
        # ms tick turns when obj's timeout is 0 (the default); a longer
        # timeout would hold the executor that long: then no tail
        self._uline = getattr(obj, "readline", None) if _field(r, "timeout=", -1) == 0 else None
        self._txdone = getattr(obj, "txdone", None)
        self._st = array("i", [0, 1])   # SPIN: the reader reads a line's tail itself (_tail); TXIDLE seen
        self._rslot = WakerSlot("%r's reader" % (obj,), "one task reads a Stream at a time")
        self._wslot = WakerSlot("%r's writer" % (obj,), "one task writes a Stream at a time")
        self._rwake = self._rslot.wake  # bound once: the handler makes no bound method
        self._wwake = self._wslot.wake
        self._flags = _rx_maybe  # first: the handler may run inside ui(), before it returns the getter
        self._flags = ui(obj, self._on_irq)  # (the bound handler is made once, here)

    def _on_irq(self, _uart):
        """obj's hard IRQ handler (port.uart_irq): wake the reader for the RX
        FIFO level (0x10), IRQ_RXIDLE (0x40) or a break (0x200) -- unless it
        is spinning for the rest of a line, looking itself -- and the writer
        for IRQ_TXIDLE (0x20).  ISR-safe: no allocation."""
        f = self._flags()
        st = self._st
        if f & 0x20:
            st[1] = 1
            self._wwake()
        if f & 0x250 and not st[0]:
            self._rwake()

    # -- reading --------------------------------------------------------------

    def readinto(self, buf):
        """Await it: reads 1..len(buf) bytes into buf (bytes read ahead by
        read()/readline() first); the count is then self.count, 0 only at the
        end of the stream.  Hands back one preallocated future: allocates
        nothing."""
        self._check_one(self._rw, "reading")
        f = self._readinto
        f.buf = buf
        return f

    async def read(self, n):
        """1..n bytes, as soon as there are any; b"" once the stream ended."""
        while self._rs == self._re and not self.eof:
            await self._fillf
        k = self._re - self._rs
        return self._take(self._rs + (n if n < k else k))

    async def readexactly(self, n):
        """Exactly n bytes; EOFError if the stream ends before."""
        out = bytearray(n)
        got = 0
        while got < n:
            k = self._re - self._rs
            if not k:
                if self.eof:
                    raise EOFError("the stream ended after %d of %d bytes" % (got, n))
                await self._fillf
                continue
            if k > n - got:
                k = n - got
            rs = self._rs
            out[got:got + k] = self._mv[rs:rs + k]
            got += k
            self._consumed(rs + k)
        return bytes(out)

    async def readline(self):
        """The next line, b"\\n" included.  A line longer than the buffer is
        gathered in pieces; at the end of the stream, what is left (b"" if
        nothing)."""
        part = None
        while True:
            i = self._buf.find(b"\n", self._rs, self._re)
            if i >= 0:
                line = self._take(i + 1)
                break
            if self.eof:
                line = self._take(self._re)
                break
            if self._rs == 0 and self._re == len(self._buf):  # full, no newline yet
                line = self._take(self._re)
                part = line if part is None else part + line
                continue
            ul = self._uline
            if ul is not None and self._re > self._rs:  # a line is coming in: its tail (_tail)
                line = self._take(self._re)
                part = line if part is None else part + line
                cell, last = self._tail()
                while True:  # here, not in _tail: the line's last byte -> return is what counts
                    r = ul()
                    if r:
                        part += r
                        if r[-1] == 10:
                            return part
                        last = self._tick()
                    elif self._tdiff(self._tick(), last) > self._gap:
                        break
                    if (cell is not None and cell[-1]) or (self._due is not None and self._due()):
                        break  # someone else's turn: the next interrupt brings the reader back
                continue  # (the buffer is empty now: the interrupt's turn)
            await self._fillf
        return line if part is None else part + line

    # -- writing --------------------------------------------------------------

    def write(self, data):
        """Hand data (bytes-like, or str) to obj now; what obj did not take --
        it is full -- is kept, in order, for drain().  Never waits.  Allocates
        nothing when obj takes it all."""
        if isinstance(data, str):
            data = data.encode()
        if self._out is None:
            r = self.obj.write(data)
            if r is not None and r >= len(data):
                return
            self._out = bytearray(data[r:] if r else data)  # obj is full: keep the rest
            self._oo = 0
            if self._wslot is not None:
                self._st[1] = 0  # its txbuf is full now: wait for IRQ_TXIDLE
        else:
            self._out += data  # behind what is already waiting

    def drain(self):
        """Await it: waits while obj is full, until everything write() kept is
        handed to obj.  Done at once when nothing is kept.  Hands back one
        preallocated future."""
        self._check_one(self._ww, "writing")
        return self._drainf

    def pending(self):
        """Bytes write() kept that obj has not taken yet."""
        return 0 if self._out is None else len(self._out) - self._oo

    # -- giving obj back ------------------------------------------------------

    def release(self):
        """Stop watching obj (and take the Stream's handler off its
        interrupt); the Stream is not used after this, and obj may get a new
        one."""
        if self._watching:
            self._watching = 0
            self.port.unwatch(self.obj)
        if self._rslot is not None:
            self.obj.irq(handler=None)  # trigger 0: the driver's own RX level again
            self._rslot.clear()
            self._wslot.clear()
        self._rw = None
        self._ww = None
        _owners.pop(id(self.obj), None)

    def __repr__(self):
        return "<Stream %r>" % (self.obj,)

    # -- inside ---------------------------------------------------------------

    def _check_one(self, held, what):
        cx = CURRENT.cx
        if held is not None and cx is not None:
            w = cx.waker()
            if held is not w and not held.will_wake(w):
                raise RuntimeError("%r already has a task %s it; one task reads and one "
                                   "writes a Stream at a time" % (self.obj, what))

    def _wait(self, mask, cx):
        """Register cx's waker for `mask` and have the port watch obj for it
        (and for the other direction, if a task waits on that too)."""
        w = cx.waker()
        if mask == POLLIN:
            self._rw = w
        else:
            self._ww = w
        m = self._watching | mask
        self._watching = m
        self._ready &= ~mask  # only a report from this watch counts from here on
        self.port.watch(self.obj, m, self._pw)

    def _done(self, mask, cancel=False):
        """The wait for `mask` ended (completed, or cancelled: close()): drop
        its waker and its part of the port's watch."""
        if self._rslot is not None:
            sl = self._rslot if mask == POLLIN else self._wslot
            if cancel:
                sl.clear_if_current(CURRENT.cx)  # a cancelled task drops only its own
            else:
                sl.clear()
            return
        if mask == POLLIN:
            self._rw = None
        else:
            self._ww = None
        m = self._watching
        if m & mask:
            m &= ~mask
            self._watching = m
            if m:
                self.port.watch(self.obj, m, self._pw)
            else:
                self.port.unwatch(self.obj)

    def _avail(self, n):
        """How many bytes obj can give now without waiting, at most n; 0 if
        none is known to be there."""
        a = self._any
        if a is not None:
            k = a()
            return k if k < n else n
        if not self._ready & POLLIN:
            return 0
        self._ready &= ~POLLIN  # this report is used up by the read it allows
        c = self._chunk
        return c if 0 < c < n else n

    def _got(self, r):
        """obj.readinto's answer as a count: -1 for None (nothing yet: EAGAIN)."""
        if r is None:
            return -1
        if r == 0:
            self.eof = True
        return r

    def _take_into(self, buf):
        """Bytes into buf, read-ahead first: the count, or -1 if none yet."""
        n = len(buf)
        rs = self._rs
        k = self._re - rs
        if k:
            if k > n:
                k = n
            b = self._buf
            for i in range(k):  # byte by byte: a slice would allocate
                buf[i] = b[rs + i]
            self._consumed(rs + k)
            return k
        if self.eof:
            return 0
        k = self._avail(n)
        if k <= 0:
            return -1
        if k < n:
            return self._got(self._rd(buf, k))
        return self._got(self._rd(buf))

    def _fill(self):
        """Read what obj has into the Stream's buffer.  True if the buffer
        gained bytes, is full or the stream ended: the reader can go on."""
        b = self._buf
        rs = self._rs
        re = self._re
        if rs and re == len(b):  # room only at the front: move the bytes down
            for i in range(re - rs):  # forwards: safe although the ranges overlap
                b[i] = b[rs + i]
            re -= rs
            self._rs = 0
            self._re = re
        room = len(b) - re
        if room == 0 or self.eof:
            return True
        k = self._avail(room)
        if k <= 0:
            return False
        mv = self._mv[re:]
        r = self._got(self._rd(mv, k) if k < room else self._rd(mv))
        if r < 0:
            return False
        self._re = re + r
        if self._rslot is not None:
            self._last = self._tick()
        return True

    def _tail(self):
        """The start of readline()'s tail, its loop's (cell, last): the look
        byte's cell of the running task and when the last byte came.

        The tail: the rest of a line that is coming in on a UART.  Its first
        bytes woke the reader (the RX FIFO level); the RX timeout would wake
        it only 32 bit periods after the line's end.  This is what gives
        asyncio its line early: its StreamReader.readline() calls
        UART.readline(), whose C loop takes each byte from the FIFO as it
        lands.  Here too obj.readline() waits in C (obj's timeout is 0): it
        returns at the newline, or with what it has when the ms tick turns
        -- then the loop goes on while bytes keep coming (no gap of 2.5
        character times), and gives way when the executor has something
        else woken (the look byte) or the board alarm is due: another task
        waits at most a ms tick.  While it runs, the handler leaves the
        reader alone (SPIN, cleared by the next wait: a wake for bytes it
        reads itself would only cost a poll).  Task side; the tail allocates
        what the line holds, as readline does."""
        self._st[0] = 1
        return CURRENT.cx.waker().cell, self._last

    def _consumed(self, upto):
        if upto >= self._re:
            self._rs = self._re = 0
        else:
            self._rs = upto

    def _take(self, upto):
        line = bytes(self._mv[self._rs:upto])
        self._consumed(upto)
        return line

    def _flush(self):
        """Hand kept bytes to obj once the port said it has room.  True when
        nothing is kept any more."""
        out = self._out
        if out is None:
            return True
        o = self._oo
        if self._wslot is not None:  # room: IRQ_TXIDLE came (the txbuf is empty), or all is sent
            st = self._st
            if not st[1]:
                td = self._txdone
                if td is None or not td():
                    return False
            st[1] = 0
            k = len(out) - o
            if k > self._txroom:
                k = self._txroom  # what the empty txbuf takes without write() waiting
            r = self.obj.write(memoryview(out)[o:o + k])
        else:
            if not self._ready & POLLOUT:
                return False
            self._ready &= ~POLLOUT
            r = self.obj.write(memoryview(out)[o:] if o else out)
        if r:
            o += r
        if o >= len(out):
            self._out = None
            self._oo = 0
            return True
        self._oo = o
        return False
