# StreamReader(sys.stdin), as aiorepl and echo programs use it: read(1)
# returns str (what sys.stdin.read returns; readline() bytes, as asyncio's),
# each as soon as its bytes arrive, and a ticker task keeps running while
# the reader waits.
# On unix the test feeds stdin from a pipe, in steps, and closes it:
# stdin: [(0.3, b"ab"), (0.3, b"\xc3\xa9\n"), (0.2, b"line two\n"), (0.2, b"line three\n"), (0.2, b"four\n"), (0.2, b"five\n"), (0.2, b"six\n"), (0.2, b"last, no newline"), (0.2, None)]
# On the chip the board tier types into its USB serial, which never ends:
# serial: [(0.5, b"ab"), (0.5, b"\xc3\xa9\n"), (0.5, b"line two\n"), (0.5, b"line three\n"), (0.5, b"four\n"), (0.5, b"five\n"), (0.5, b"six\n"), (0.5, b"seven\n"), (0.5, b"end\n")]
import sys

import asyncio

ticks = [0]


async def ticker():
    while True:
        await asyncio.sleep_ms(20)
        ticks[0] += 1


async def main():
    asyncio.create_task(ticker())
    r = asyncio.StreamReader(sys.stdin)
    print("reading sys.stdin")  # on the chip, typing starts here
    for _ in range(4):  # 'a', 'b', 'é', '\n'
        before = ticks[0]
        c = await r.read(1)
        print("read(1):", repr(c), type(c).__name__)
        if ticks[0] - before > 3 or before == ticks[0] == 0:
            print("the ticker ran while the reader waited")
    while True:
        before = ticks[0]
        line = await r.readline()
        print("readline:", repr(line), type(line).__name__)
        print("the ticker ran while the reader waited:", ticks[0] - before > 3)
        if not line or line == b"end\n":  # a console's end: it never closes
            break
    if not line:
        print("at the end read(1) gives", repr(await r.read(1)))


asyncio.run(main())
