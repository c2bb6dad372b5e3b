# Streams: a TCP echo server and client on 127.0.0.1 (start_server,
# open_connection, readline, readexactly, readinto, read, write, drain,
# wait_closed, Server), and a StreamReader on an io.IOBase object.
import asyncio
import io
import os

PORT = int(os.getenv("ASYNCIO_TEST_PORT") or "47931")
handled = asyncio.Event()  # the server's handler has seen the client close


async def handle(reader, writer):
    host = writer.get_extra_info("peername")
    print("server: connection from a peer:", host is not None)
    while True:
        line = await reader.readline()
        if not line:
            break
        print("server got", line)
        writer.write(b"echo " + line)
        await writer.drain()
    print("server: the client closed")
    writer.close()
    await writer.wait_closed()
    handled.set()


class Pipe(io.IOBase):
    """Bytes a task writes, for a StreamReader to read: readable while it
    holds any (or once it is closed: the end of the stream)."""

    def __init__(self):
        self.buf = bytearray()
        self.ended = False

    def ioctl(self, req, arg):
        if req == 3:  # MP_STREAM_POLL
            return arg & 1 if (self.buf or self.ended) else 0
        return 0

    def feed(self, data):
        self.buf += data

    def readinto(self, b, n=-1):
        if not self.buf:
            return 0 if self.ended else None
        n = min(len(b) if n < 0 else n, len(self.buf))
        b[:n] = self.buf[:n]
        self.buf = self.buf[n:]
        return n

    def read(self, n=-1):
        if not self.buf:
            return b"" if self.ended else None
        n = len(self.buf) if n < 0 else min(n, len(self.buf))
        r = bytes(self.buf[:n])
        self.buf = self.buf[n:]
        return r

    def readline(self):
        if not self.buf:
            return b"" if self.ended else None
        i = self.buf.find(b"\n")
        return self.read(len(self.buf) if i < 0 else i + 1)

    def close(self):
        pass


async def producer(pipe):
    for line in (b"one\n", b"two\n", b"three\n"):
        await asyncio.sleep_ms(20)
        print("producer feeds", line)
        pipe.feed(line)
    await asyncio.sleep_ms(20)
    print("producer ends the stream")
    pipe.ended = True


async def main():
    srv = await asyncio.start_server(handle, "127.0.0.1", PORT)
    print("server started")
    r, w = await asyncio.open_connection("127.0.0.1", PORT)
    print("client connected; reader is writer:", r is w)
    for msg in (b"hello\n", b"pollen\n"):
        w.write(msg)
        await w.drain()
        print("client got", await r.readline())
    w.write(b"abcdef\n")
    await w.drain()
    print("readexactly:", await r.readexactly(5))
    buf = bytearray(3)
    n = await r.readinto(buf)
    print("readinto:", n, bytes(buf[:n]))
    print("read:", await r.read(100))
    await w.awrite(b"legacy\n")
    print("client got", await r.readline())
    w.close()
    await w.wait_closed()
    await handled.wait()
    srv.close()
    await srv.wait_closed()
    print("server closed")

    pipe = Pipe()
    reader = asyncio.StreamReader(pipe)
    asyncio.create_task(producer(pipe))
    while True:
        line = await reader.readline()
        print("reader got", line)
        if not line:
            break
    print("a drain with nothing to write still yields:")
    t = asyncio.create_task(say("the other task ran"))
    await asyncio.StreamWriter(Pipe(), {}).drain()
    print("after drain; done:", t.done())


async def say(s):
    print(s)


asyncio.run(main())
