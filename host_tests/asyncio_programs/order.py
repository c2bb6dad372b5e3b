# The order ready tasks run in, what sleep(0) yields to, sleepers by deadline,
# and what happens to tasks still queued when run() returns.
import asyncio


async def worker(name, n):
    for i in range(n):
        print(name, i)
        await asyncio.sleep(0)
    return name


async def spawner():
    print("spawner: creates s1, s2")
    asyncio.create_task(worker("s1", 2))
    asyncio.create_task(worker("s2", 1))
    await asyncio.sleep(0)
    print("spawner: after sleep(0)")


async def sleeper(name, ms):
    print(name, "sleeps", ms)
    await asyncio.sleep_ms(ms)
    print(name, "woke")


async def background():
    for i in range(4):
        print("background", i)
        await asyncio.sleep(0)


async def main():
    ts = [asyncio.create_task(worker(c, 3)) for c in "abc"]
    print("main: created a, b, c")
    await asyncio.sleep(0)
    print("main: after sleep(0)")
    asyncio.create_task(spawner())
    await asyncio.sleep_ms(0)
    print("main: after sleep_ms(0)")
    for t in ts:
        print("main: awaited", await t)
    print("---- sleepers")
    asyncio.create_task(sleeper("long", 300))  # deadlines 100 ms apart: real time
    asyncio.create_task(sleeper("short", 100))
    asyncio.create_task(sleeper("zero", 0))
    asyncio.create_task(sleeper("mid", 200))
    asyncio.create_task(worker("busy", 3))
    await asyncio.sleep(0.4)
    print("---- a task nobody awaits")
    asyncio.create_task(background())
    await asyncio.sleep(0)
    await asyncio.sleep(0)
    print("main: returns with background still queued")
    return "first run"


print(asyncio.run(main()))


async def second():
    print("second: starts")
    await asyncio.sleep(0)
    print("second: ends")
    return "second run"


print(asyncio.run(second()))
