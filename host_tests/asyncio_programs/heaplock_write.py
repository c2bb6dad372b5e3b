# Stream writes with the heap locked (as an interrupt-driven logger would
# make them): write() hands the bytes over without allocating, a drain()
# made before the lock completes under it, and a task that then fails to
# allocate ends the run with its MemoryError, not with the scheduler's.
import io

import asyncio
import micropython


class Sink(io.IOBase):
    """Takes every byte at once; always writable."""

    def __init__(self):
        self.got = bytearray(256)
        self.n = 0

    def ioctl(self, req, arg):
        return arg & 4 if req == 3 else 0  # MP_STREAM_POLL: POLLOUT

    def write(self, b):
        k = len(b)
        self.got[self.n:self.n + k] = b
        self.n += k
        return k


async def ticker(n):
    for i in range(n):
        print("tick", i)
        await asyncio.sleep_ms(0)


async def writes():
    sink = Sink()
    w = asyncio.StreamWriter(sink, {})
    msgs = [b"line %d\n" % i for i in range(8)]
    for m in msgs:
        d = w.drain()  # a coroutine: made before the lock
        micropython.heap_lock()
        try:
            w.write(m)
            await d
            ok = True
        except MemoryError:
            ok = False
        micropython.heap_unlock()
        print("locked write of", m, "ok:", ok, "bytes so far:", sink.n)
        await asyncio.sleep_ms(0)
    print("sink holds", bytes(sink.got[:sink.n]))


async def main():
    t = asyncio.create_task(ticker(10))
    await writes()
    await t


async def fails_locked():
    await asyncio.sleep_ms(1)
    micropython.heap_lock()
    return bytearray(16)  # the heap is locked: MemoryError


def run_failing():
    try:
        asyncio.run(fails_locked())
        what = "no error"
    except MemoryError:
        what = "the task's MemoryError"
    except BaseException as e:  # noqa: B036 -- pollen's loop once raised StopIteration here
        what = e
    micropython.heap_unlock()
    print("run ended with", what if isinstance(what, str) else type(what).__name__)


asyncio.run(main())
run_failing()
print("done")
