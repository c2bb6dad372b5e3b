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

Reading never blocks the executor.  A Stream reads what obj says it has
(machine.UART.any()); an object without any() is read only after the port
reported it readable, and None from its readinto() (EAGAIN) means "not yet".
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

One task reads and one task writes a Stream at a time, and an object has
one Stream: the port keeps one watch per object, which the Stream shares
between its reader and writer (so a wake may be for the other direction:
the woken side looks, and waits again if it was not its turn).

What runs where: everything here runs in task context; the port calls
_on_ready (the Stream's waker) from inside its wait(), also task context.
Nothing here may be called from an interrupt handler.
"""

import sys

from . import port as _port
from .future import CURRENT, Leaf, stop_iteration
from .waker import Waker, static_raw_waker

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
        n = s._take_into(self.buf)
        if n < 0:
            s._wait(POLLIN, CURRENT.cx)
            return None
        s.count = n
        self.buf = None
        s._done(POLLIN)
        stop_iteration()

    def close(self):
        self.buf = None
        self.s._done(POLLIN)


class _Fill(_Leaf):
    """Completes once the Stream's own buffer gained bytes (or the stream
    ended): what read(), readexactly() and readline() await."""

    def __next__(self):
        s = self.s
        if s._fill():
            s._done(POLLIN)
            stop_iteration()
        s._wait(POLLIN, CURRENT.cx)
        return None

    def close(self):
        self.s._done(POLLIN)


class _Drain(_Leaf):
    """s.drain(): completes once everything write() kept is handed to obj."""

    def __next__(self):
        s = self.s
        if s._flush():
            s._done(POLLOUT)
            stop_iteration()
        s._wait(POLLOUT, CURRENT.cx)
        return None

    def close(self):
        self.s._done(POLLOUT)


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

    def __init__(self, obj, bufsize=64, chunk=None, port=None):
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
        _owners[key] = self

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
        """Stop watching obj; the Stream is not used after this, and obj may
        get a new one."""
        if self._watching:
            self._watching = 0
            self.port.unwatch(self.obj)
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

    def _done(self, mask):
        """The wait for `mask` ended (completed or cancelled): drop its waker
        and its part of the port's watch."""
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
        return True

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
        if not self._ready & POLLOUT:
            return False
        self._ready &= ~POLLOUT
        o = self._oo
        r = self.obj.write(memoryview(out)[o:] if o else out)
        if r:
            o += r
        if o >= len(out):
            self._out = None
            self._oo = 0
            return True
        self._oo = o
        return False
