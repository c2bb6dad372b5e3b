# Event and Lock: who is woken, in which order, and what wait() returns.
import asyncio


async def event_waiter(ev, i):
    print("waiter", i, "waits")
    r = await ev.wait()
    print("waiter", i, "woke with", r, "set:", ev.is_set())


async def locker(lock, i, hold_ms):
    print("locker", i, "wants the lock")
    async with lock as got:
        print("locker", i, "has it:", got, lock.locked())
        await asyncio.sleep_ms(hold_ms)
    print("locker", i, "released")


async def cancellable(lock, i):
    try:
        await lock.acquire()
    except asyncio.CancelledError:
        print("cancellable", i, "cancelled while waiting")
        return
    print("cancellable", i, "got it")
    await asyncio.sleep(0)
    lock.release()


async def main():
    ev = asyncio.Event()
    print("is_set:", ev.is_set())
    for i in range(3):
        asyncio.create_task(event_waiter(ev, i))
    await asyncio.sleep(0)
    print("set, then clear at once")
    ev.set()
    ev.clear()
    await asyncio.sleep(0)
    ev.set()
    print("already set:", await ev.wait())
    asyncio.create_task(event_waiter(ev, 3))
    await asyncio.sleep(0)
    ev.clear()

    lock = asyncio.Lock()
    ts = [asyncio.create_task(locker(lock, i, 5)) for i in range(3)]
    for t in ts:
        await t
    print("locked:", lock.locked())
    await lock.acquire()
    ts = [asyncio.create_task(cancellable(lock, i)) for i in range(4)]
    await asyncio.sleep(0)
    ts[1].cancel()
    lock.release()
    ts[0].cancel()
    for _ in range(6):
        await asyncio.sleep(0)
    print("locked at the end:", lock.locked())
    try:
        lock.release()
    except RuntimeError as e:
        print("RuntimeError:", e)


asyncio.run(main())
