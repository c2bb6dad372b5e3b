# wait_for / wait_for_ms: the result in time, TimeoutError and the cancel
# the inner task sees, and wait_for itself being cancelled.
import asyncio


async def work(name, ms, fail=False):
    try:
        print(name, "start")
        await asyncio.sleep_ms(ms)
        if fail:
            raise KeyError(name)
        print(name, "end")
        return name + " result"
    except asyncio.CancelledError:
        print(name, "cancelled")
        raise


async def ignores_cancel():
    try:
        await asyncio.sleep_ms(100)
    except asyncio.CancelledError:
        print("ignores_cancel: ignoring")
    return "ignored"


async def waits_for(ms):
    try:
        print("waits_for:", await asyncio.wait_for_ms(work("deep", 400), ms))
    except asyncio.CancelledError:
        print("waits_for cancelled")
        raise


async def main():
    print(await asyncio.wait_for(work("quick", 10), 1))
    try:
        await asyncio.wait_for(work("slow", 200), 0.02)
    except asyncio.TimeoutError:
        print("TimeoutError")
    try:
        print(await asyncio.wait_for_ms(ignores_cancel(), 10))
    except asyncio.TimeoutError:
        print("TimeoutError though it ignored")
    try:
        await asyncio.wait_for_ms(work("bad", 5, fail=True), 100)
    except KeyError as e:
        print("KeyError", e)
    print(await asyncio.wait_for(work("unlimited", 5), None))
    t = asyncio.create_task(waits_for(200))
    await asyncio.sleep_ms(10)
    t.cancel()
    await asyncio.sleep_ms(50)  # the cancel goes through wait_for's tasks meanwhile
    ev = asyncio.Event()
    try:
        await asyncio.wait_for_ms(ev.wait(), 10)
    except asyncio.TimeoutError:
        print("event: TimeoutError")
    asyncio.create_task(setter(ev))
    print("event:", await asyncio.wait_for_ms(ev.wait(), 100))
    lock = asyncio.Lock()
    await lock.acquire()
    try:
        await asyncio.wait_for_ms(lock.acquire(), 10)
    except asyncio.TimeoutError:
        print("lock: TimeoutError, locked:", lock.locked())
    lock.release()
    print("lock free:", not lock.locked())
    for n in range(1, 4):
        t = asyncio.create_task(work("race%d" % n, 0))
        w = asyncio.create_task(asyncio.wait_for(t, 1))
        for _ in range(n):
            await asyncio.sleep(0)
        w.cancel()
        try:
            print("race", n, await w)
        except asyncio.CancelledError:
            print("race", n, "cancelled")


async def setter(ev):
    await asyncio.sleep_ms(5)
    print("setter sets")
    ev.set()


asyncio.run(main())
