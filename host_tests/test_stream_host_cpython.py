"""Streams on the host port under CPython: real pipes, real time, a thread
at the other end.  The host port hands objects with a file descriptor to the
stdlib's select.poll and naps in it; see test_stream.py for the ioctl path."""

import os
import threading
import time

import pollen
from pollen import TimeoutError
from pollen.port_host import HostPort
from pollen.stream import Stream
from pollen.timer import with_timeout


def pipe(nonblocking_end):
    r, w = os.pipe()
    os.set_blocking(r if nonblocking_end == "r" else w, False)
    return open(r, "rb", buffering=0), open(w, "wb", buffering=0)


def later(delay_s, fn):
    t = threading.Timer(delay_s, fn)
    t.start()
    return t


def test_lines_written_into_a_pipe_by_another_thread_are_read_then_the_end():
    hp = HostPort()
    r, w = pipe("r")
    s = Stream(r, port=hp)

    def producer():
        w.write(b"one\n")
        time.sleep(0.02)
        w.write(b"two\nthr")
        time.sleep(0.02)
        w.write(b"ee\n")
        w.close()

    async def main():
        got = []
        while True:
            line = await s.readline()
            got.append(line)
            if not line:
                return got

    th = later(0.02, producer)
    try:
        got = pollen.Executor(2, port=hp).run(main())
    finally:
        th.join()
        r.close()
    assert got == [b"one\n", b"two\n", b"three\n", b""]
    assert s.eof and not hp._streams and hp.wait == hp._wait_idle


def test_a_timed_out_read_on_a_pipe_leaves_nothing_registered():
    hp = HostPort()
    r, w = pipe("r")
    s = Stream(r, port=hp)

    async def main():
        try:
            await with_timeout(30, s.readline())
        except TimeoutError:
            return "timed out"

    try:
        assert pollen.Executor(2, port=hp).run(main()) == "timed out"
        assert not hp._streams and not hp._keys and hp.wait == hp._wait_idle
    finally:
        r.close()
        w.close()


def test_drain_waits_until_the_reader_makes_room_in_a_full_pipe():
    hp = HostPort()
    r, w = pipe("w")
    s = Stream(w, port=hp)
    big = bytes(range(256)) * 1024  # 256 KiB: more than a pipe holds
    received = bytearray()

    def consumer():
        while True:
            chunk = r.read(65536)
            if not chunk:
                return
            received.extend(chunk)

    async def main():
        s.write(big)
        kept = s.pending()
        th = later(0.05, consumer)
        t0 = time.monotonic()
        await s.drain()
        return kept, time.monotonic() - t0, th

    kept, waited, th = pollen.Executor(2, port=hp).run(main())
    w.close()
    th.join()
    r.close()
    assert kept > 0               # the pipe was full: write() kept the rest
    assert waited >= 0.04         # drain() waited for the consumer
    assert bytes(received) == big
