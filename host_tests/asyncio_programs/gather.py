# What gather returns or raises, with and without return_exceptions.
# (Deadlines that decide an order are 50 ms or more apart: real time,
# and a loaded machine may stall a process for tens of ms.)
import asyncio


async def after(ms, value, fail=False):
    print("start", value)
    await asyncio.sleep_ms(ms)
    if fail:
        print("raise", value)
        raise ValueError(value)
    print("end", value)
    return value


async def forever(name):
    try:
        while True:
            await asyncio.sleep_ms(100)
            print(name, "tick")
    except asyncio.CancelledError:
        print(name, "cancelled")
        raise


async def gathers(*aws):
    try:
        print("gathers got", await asyncio.gather(*aws))
    except asyncio.CancelledError:
        print("gathers cancelled")
        raise


async def main():
    print(await asyncio.gather(after(150, "a"), after(50, "b"), after(100, "c")))
    print(await asyncio.gather())
    print(await asyncio.gather(after(100, 1), after(20, 2, True), return_exceptions=True))
    try:
        await asyncio.gather(after(160, 3), after(80, 4, True), after(1, 5, True))
    except ValueError as e:
        print("raised", repr(e))
    await asyncio.sleep_ms(250)
    t = asyncio.create_task(forever("f"))
    try:
        await asyncio.gather(t, after(50, 6, True))
    except ValueError as e:
        print("raised", repr(e), "f done:", t.done())
    t.cancel()
    await asyncio.sleep(0)
    t1 = asyncio.create_task(after(1, "early"))
    await asyncio.sleep_ms(50)
    print("gather of a finished task:", await asyncio.gather(t1, after(1, "late")))
    t2 = asyncio.create_task(after(1, "failed", True))
    await asyncio.sleep_ms(50)
    print(await asyncio.gather(t2, after(1, "x"), return_exceptions=True))
    g = asyncio.create_task(gathers(forever("g1"), forever("g2")))
    await asyncio.sleep_ms(50)
    g.cancel()
    await asyncio.sleep_ms(50)
    t3 = asyncio.create_task(after(5, "shared"))
    g2 = asyncio.create_task(gathers(t3))
    await asyncio.sleep(0)
    try:
        await t3
    except RuntimeError as e:
        print("RuntimeError:", e)
    await g2


asyncio.get_event_loop().set_exception_handler(lambda loop, ctx: print("handler:", repr(ctx["exception"])))
asyncio.run(main())
