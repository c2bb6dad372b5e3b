# When a cancelled task sees CancelledError, and what cancel() returns.
import asyncio


async def sleeper(name, s):
    try:
        print(name, "sleeps")
        await asyncio.sleep(s)
        print(name, "woke")
    except asyncio.CancelledError:
        print(name, "cancelled")
        raise
    finally:
        print(name, "finally")


async def stubborn():
    for i in range(3):
        try:
            await asyncio.sleep(1)
        except asyncio.CancelledError:
            print("stubborn ignores cancel", i)
    return "stubborn done"


async def waits_on(ev):
    try:
        await ev.wait()
        print("waits_on woke")
    except asyncio.CancelledError:
        print("waits_on cancelled")


async def outer():
    try:
        await asyncio.create_task(sleeper("inner", 1))
    except asyncio.CancelledError:
        print("outer cancelled")
        raise


async def main():
    t = asyncio.create_task(sleeper("never-ran", 1))
    print("cancel before it ran:", t.cancel())
    await asyncio.sleep(0)
    print("done:", t.done(), "cancel again:", t.cancel())

    t = asyncio.create_task(sleeper("sleeping", 1))
    await asyncio.sleep_ms(10)
    print("cancel while sleeping:", t.cancel())
    print("main: cancel returned, task not run yet")
    try:
        await t
    except asyncio.CancelledError:
        print("main: awaiting it raised CancelledError")

    t = asyncio.create_task(stubborn())
    for _ in range(3):
        await asyncio.sleep_ms(5)
        t.cancel()
    print("main:", await t)

    ev = asyncio.Event()
    t = asyncio.create_task(waits_on(ev))
    await asyncio.sleep(0)
    t.cancel()
    ev.set()
    await asyncio.sleep(0)
    print("waits_on done:", t.done())

    t = asyncio.create_task(outer())
    await asyncio.sleep_ms(10)
    t.cancel()
    await asyncio.sleep_ms(50)  # the cancel goes through both tasks meanwhile

    try:
        asyncio.current_task().cancel()
    except RuntimeError as e:
        print("RuntimeError:", e)

    ts = [asyncio.create_task(sleeper("many%d" % i, 1)) for i in range(3)]
    await asyncio.sleep(0)
    for t in reversed(ts):
        t.cancel()
    await asyncio.sleep(0)
    print("all done:", [t.done() for t in ts])


asyncio.run(main())
