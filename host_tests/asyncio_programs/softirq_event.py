# An Event set from a micropython.schedule callback (a soft IRQ) while every
# task waits on it: the callback runs outside the loop and the loop must
# wake.  The schedule call comes from an interrupt, as a driver's would: a
# hard machine.Timer callback on a board; on the unix port, which has no
# machine.Timer, from a second thread.
import time

import asyncio
import micropython

try:
    from machine import Timer
except ImportError:
    Timer = None

ev = asyncio.Event()
rnd = [0]


def soft(i):
    print("callback %d sets the event" % i)
    ev.set()


def hard(_timer):  # a hard IRQ: no allocation; schedule() queues soft(i)
    micropython.schedule(soft, rnd[0])


def later(i):
    time.sleep_ms(20)
    micropython.schedule(soft, i)


def trigger(i):
    """soft(i) runs about 20 ms from now, scheduled from an interrupt."""
    rnd[0] = i
    if Timer is not None:
        Timer(-1, mode=Timer.ONE_SHOT, period=20, callback=hard, hard=True)
    else:
        import _thread
        _thread.start_new_thread(later, (i,))


async def waiter(name, i):
    await ev.wait()
    print("round %d: %s woke" % (i, name))


async def main():
    for i in range(5):
        ev.clear()
        ts = [asyncio.create_task(waiter(n, i)) for n in ("a", "b", "c")]
        trigger(i)
        await ev.wait()  # main waits too: every task waits on the event
        print("round %d: main woke" % i)
        for t in ts:
            await t
    print("done")


asyncio.run(main())
