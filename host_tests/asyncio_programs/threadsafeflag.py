# ThreadSafeFlag set from a task and from a scheduled callback (soft IRQ):
# the waiter is queued as asyncio queues it.
import asyncio
import micropython


async def waiter(flag, name):
    print(name, "waits")
    await flag.wait()
    print(name, "woke")


async def busy(name, n):
    for i in range(n):
        print(name, i)
        await asyncio.sleep(0)


def soft_irq(flag):
    flag.set()


async def main():
    flag = asyncio.ThreadSafeFlag()
    w = asyncio.create_task(waiter(flag, "w1"))
    await asyncio.sleep(0)
    asyncio.create_task(busy("b", 3))
    print("main sets")
    flag.set()
    await asyncio.sleep(0)
    print("main after sleep(0)")
    await w

    print("---- already set")
    flag.set()
    await waiter(flag, "w2")

    print("---- cleared before the wait")
    flag.set()
    flag.clear()
    try:
        await asyncio.wait_for_ms(flag.wait(), 10)
    except asyncio.TimeoutError:
        print("TimeoutError")

    print("---- from a scheduled callback")
    w = asyncio.create_task(waiter(flag, "w3"))
    await asyncio.sleep(0)
    asyncio.create_task(busy("c", 2))
    micropython.schedule(soft_irq, flag)
    await asyncio.sleep(0)
    print("main after sleep(0)")
    await w

    print("---- set twice, one wake")
    w = asyncio.create_task(waiter(flag, "w4"))
    await asyncio.sleep(0)
    flag.set()
    flag.set()
    await w
    try:
        await asyncio.wait_for_ms(flag.wait(), 10)
    except asyncio.TimeoutError:
        print("consumed: TimeoutError")

    print("---- a cancelled wait")
    w = asyncio.create_task(waiter(flag, "w5"))
    await asyncio.sleep(0)
    w.cancel()
    await asyncio.sleep(0)
    flag.set()
    await waiter(flag, "w6")


asyncio.run(main())
