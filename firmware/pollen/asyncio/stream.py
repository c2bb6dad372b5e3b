"""pollen.asyncio's streams: asyncio's Stream, open_connection, start_server,
on pollen.stream.  Loaded on first use of one of these names
(pollen.asyncio's __getattr__), so a program without streams does not pay
its RAM.

Stream(s, e={}) wraps whatever pollen.stream.Stream takes -- a machine.UART,
a socket, an io.IOBase object with ioctl, sys.stdin -- with asyncio's
methods and results (StreamReader and StreamWriter are the same class, as
in asyncio).  A StreamReader and a StreamWriter made on one object share
its one pollen Stream: one task may read while another writes.  The waits
are pollen's: the port's idle sleep watches the object (port.watch), and
while tasks are ready the loop asks the port at every step (as asyncio's
poller is asked), so a busy loop does not starve a stream on a board.  A
task woken by its stream is queued behind the ready tasks, as asyncio
queues it.

wait_closed() gives the object back (pollen's release() and the object's
close()): call it when done with a stream, as asyncio's documentation asks.

read(n) returns what the object's own read(n) returns, as asyncio's does:
bytes, or str from a text object (sys.stdin: the bytes it gave, decoded as
UTF-8, a character cut at the end completed first).  read() (to the end),
readexactly() and readline() return bytes from any object, as asyncio's do.  An object without any() is never asked for more than it has
(pollen.stream: a socket is set non-blocking, sys.stdin read a byte per
readiness report), so a read never stops the loop.

What allocates: as asyncio's streams, a coroutine per call, the bytes
returned; readinto() reads into your buffer.
"""

from .. import asyncio as _a
from .. import port as _port
from ..future import PENDING, Future
from ..stream import Stream as _PStream
from ..future import Waker, static_raw_waker

POLLIN = 1   # select.POLLIN
POLLOUT = 4  # select.POLLOUT

_pstreams = {}  # id(obj) -> its pollen Stream, shared by every asyncio Stream on obj


def _is_text(s):
    """Does s's own read() return str (sys.stdin)?  read(0) asks without
    reading.  An object with any() (a UART) is binary."""
    if hasattr(s, "any"):
        return False
    read = getattr(s, "read", None)
    if read is None:
        return False
    try:
        return isinstance(read(0), str)
    except Exception:
        return False


def _utf8_missing(b):
    """How many bytes the UTF-8 character that bytes b ends inside lacks (0:
    b ends on a character's end)."""
    n = len(b)
    i = n - 1
    while i >= 0 and i > n - 4 and b[i] & 0xC0 == 0x80:  # continuation bytes
        i -= 1
    if i < 0:
        return 0
    c = b[i]
    need = 1 if c < 0xC0 else 2 if c < 0xE0 else 3 if c < 0xF0 else 4
    have = n - i
    return need - have if need > have else 0


class _IOMark:
    """In Task.aw while the task waits in a stream: collect() queues it at
    the back when its waker fires (not in front, as other pollen wakes)."""

    @staticmethod
    def ready(r, t):
        return 1 if t.woken else 0

    @staticmethod
    def thrown(t):
        pass


_IO = _IOMark()


async def _io(aw):
    """Await `aw`, a pollen stream wait, as an asyncio I/O wait."""
    t = _a.cur_task
    t.aw = _IO
    _a._isr.io += 1  # the loop asks the port about streams at every step
    try:
        return await aw
    finally:
        _a._isr.io -= 1
        t.aw = None


def _io_ready(f):
    f.fired = True
    w = f.waker
    if w is not None:
        w.wake_by_ref()


class _Ready(Future):
    """Until obj is ready for mask (the port watches it): open_connection's
    wait for the connect, start_server's for a connection to accept."""

    def __init__(self, obj, mask):
        self.obj = obj
        self.mask = mask
        self.port = _port.current()
        self.fired = False
        self.waker = None
        self._pw = Waker(static_raw_waker(self, _io_ready))  # made once: each wait reuses it

    def poll(self, cx):
        if self.fired:
            self.fired = False
            self.waker = None
            return None
        self.waker = cx.waker()
        self.port.watch(self.obj, self.mask, self._pw)
        return PENDING

    def close(self):
        if self.waker is not None:
            self.waker = None
            self.port.unwatch(self.obj)
        self.fired = False


class Stream:
    """asyncio's Stream (StreamReader, StreamWriter): s is the object, e the
    extra info get_extra_info() answers from ({"peername": addr} for a
    server's connection)."""

    def __init__(self, s, e={}):
        self.s = s
        self.e = e
        self._ps = None
        self._p()  # made now, as asyncio's buffers are: write() allocates nothing later
        self._text = _is_text(s)

    def _p(self):
        ps = self._ps
        if ps is None:
            ps = _pstreams.get(id(self.s))
            if ps is None:
                ps = _pstreams[id(self.s)] = _PStream(self.s)
            self._ps = ps
        return ps

    def get_extra_info(self, v):
        return self.e[v]

    def close(self):
        pass

    async def wait_closed(self):
        ps = _pstreams.pop(id(self.s), None)
        if ps is not None:
            ps.release()
        self._ps = None
        close = getattr(self.s, "close", None)  # a machine.UART has none: it stays open
        if close is not None:
            close()

    async def __aenter__(self):
        return self

    async def __aexit__(self, exc_type, exc, tb):
        self.close()
        await self.wait_closed()

    async def _str(self, b):
        """Bytes b from a text object (sys.stdin) as its own read() returns
        them: str, the character b ends inside completed first."""
        k = _utf8_missing(b)
        if k:
            try:
                b += await _io(self._p().readexactly(k))
            except EOFError:
                pass  # a cut character at the end: decode what there is
        return str(b, "utf-8")

    async def read(self, n=-1):
        """Up to n bytes once there are any (b"" at the end), or, as asyncio's
        (obj.read(n)), str from a text object (sys.stdin; "" at the end);
        n=-1: all bytes until the end of the stream."""
        ps = self._p()
        if n >= 0:
            b = await _io(ps.read(n))
            return await self._str(b) if self._text else b
        r = b""
        while True:
            r2 = await _io(ps.read(256))
            if not r2:
                return r
            r += r2

    async def readinto(self, buf):
        """Bytes into buf once there are any; how many (0 at the end)."""
        ps = self._p()
        await _io(ps.readinto(buf))
        return ps.count

    async def readexactly(self, n):
        """Exactly n bytes; EOFError if the stream ends first."""
        try:
            return await _io(self._p().readexactly(n))
        except EOFError:
            raise EOFError  # asyncio's, without pollen's message

    async def readline(self):
        """The next line, newline included (at the end what is left, or b""):
        bytes, from a text object too, as asyncio's."""
        return await _io(self._p().readline())

    def write(self, buf):
        """Hand buf to the object now; what it cannot take waits for drain()."""
        self._p().write(buf)

    async def drain(self):
        """Wait until everything written is handed over.  Always yields (as
        asyncio's), so a loop of write() and drain() lets other tasks run."""
        ps = self._p()
        if not ps.pending():
            return await _a.sleep_ms(0)
        await _io(ps.drain())

    aclose = wait_closed

    async def awrite(self, buf, off=0, sz=-1):
        if off != 0 or sz != -1:
            buf = memoryview(buf)
            if sz == -1:
                sz = len(buf)
            buf = buf[off:off + sz]
        self.write(buf)
        await self.drain()

    awritestr = awrite


StreamReader = Stream
StreamWriter = Stream


async def open_connection(host, port, ssl=None, server_hostname=None):
    """A TCP connection to host:port: (reader, writer), one Stream."""
    from errno import EINPROGRESS
    import socket

    ai = socket.getaddrinfo(host, port, 0, socket.SOCK_STREAM)[0]  # blocking, as asyncio's
    s = socket.socket(ai[0], ai[1], ai[2])
    s.setblocking(False)
    try:
        s.connect(ai[-1])
    except OSError as er:
        if er.errno != EINPROGRESS:
            raise er
    if ssl:
        if ssl is True:
            import ssl as _ssl
            ssl = _ssl.SSLContext(_ssl.PROTOCOL_TLS_CLIENT)
        if not server_hostname:
            server_hostname = host
        s = ssl.wrap_socket(s, server_hostname=server_hostname, do_handshake_on_connect=False)
        s.setblocking(False)
    ss = Stream(s)
    await _io(_Ready(s, POLLOUT))
    return ss, ss


class Server:
    """start_server's result: close() and wait_closed(), or `async with`."""

    async def __aenter__(self):
        return self

    async def __aexit__(self, exc_type, exc, tb):
        self.close()
        await self.wait_closed()

    def close(self):
        self.state = True
        self.task.cancel()

    async def wait_closed(self):
        await self.task

    async def _serve(self, s, cb, ssl):
        self.state = False
        ready = _Ready(s, POLLIN)
        while True:
            try:
                await _io(ready)
            except _a.CancelledError as er:
                s.close()
                if self.state:
                    return  # closed by close()
                raise er
            try:
                s2, addr = s.accept()
            except Exception:
                continue  # a failed accept is ignored
            if ssl:
                try:
                    s2 = ssl.wrap_socket(s2, server_side=True, do_handshake_on_connect=False)
                except OSError as e:
                    import sys
                    from .loop import print_exception
                    print_exception(e, sys.stdout)
                    s2.close()
                    continue
            s2.setblocking(False)
            s2s = Stream(s2, {"peername": addr})
            _a.create_task(cb(s2s, s2s))


async def start_server(cb, host, port, backlog=5, ssl=None):
    """Serve TCP on host:port: cb(reader, writer) runs as a task per connection."""
    import socket

    addr_info = socket.getaddrinfo(host, port)[0]  # blocking, as asyncio's
    s = socket.socket(addr_info[0])
    s.setblocking(False)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(addr_info[-1])
    s.listen(backlog)
    srv = Server()
    srv.task = _a.create_task(srv._serve(s, cb, ssl))
    try:
        await _a.sleep_ms(0)  # _serve starts, so it is there to handle a cancel
    except _a.CancelledError as er:
        srv.task.cancel()
        raise er
    return srv
