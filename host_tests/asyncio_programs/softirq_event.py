# An Event set from a micropython.schedule callback (a soft IRQ) while every
# task waits on it: the callback runs outside the loop and the loop must
# wake.  The schedule call comes from a thread, as a driver's would come
# from an interrupt.
import _thread
import time

import asyncio
import micropython

ev = asyncio.Event()


def soft(i):
    print("callback %d sets the event" % i)
    ev.set()


def later(i):
    time.sleep_ms(20)
    micropython.schedule(soft, i)


async def waiter(name, i):
    await ev.wait()
    print("round %d: %s woke" % (i, name))


async def main():
    for i in range(5):
        ev.clear()
        ts = [asyncio.create_task(waiter(n, i)) for n in ("a", "b", "c")]
        _thread.start_new_thread(later, (i,))
        await ev.wait()  # main waits too: every task waits on the event
        print("round %d: main woke" % i)
        for t in ts:
            await t
    print("done")


asyncio.run(main())
