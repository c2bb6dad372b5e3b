# Exceptions: what the default handler prints, a custom handler, tasks
# nobody awaits, and the main task's exception.
import asyncio


async def fails(n):
    await asyncio.sleep(0)
    raise ValueError("fail %d" % n)


async def cancelled_quietly():
    await asyncio.sleep(1)


async def returns(n):
    return n


async def main():
    loop = asyncio.get_event_loop()
    print("handler:", loop.get_exception_handler())
    asyncio.create_task(fails(1))
    for _ in range(3):
        await asyncio.sleep(0)
    print("after the default handler")

    t = asyncio.create_task(fails(2))
    await asyncio.sleep(0)
    await asyncio.sleep(0)
    try:
        await t
    except ValueError as e:
        print("retrieved in time:", e)

    def custom(loop, context):
        print("custom:", context["message"], repr(context["exception"]), context["future"])

    loop.set_exception_handler(custom)
    print("custom set:", loop.get_exception_handler() is custom)
    asyncio.create_task(fails(3))
    asyncio.create_task(fails(4))
    for _ in range(3):
        await asyncio.sleep(0)
    loop.call_exception_handler({"message": "by hand", "exception": KeyError(5), "future": None})

    t = asyncio.create_task(cancelled_quietly())
    await asyncio.sleep(0)
    t.cancel()
    asyncio.create_task(returns(6))
    for _ in range(3):
        await asyncio.sleep(0)
    print("a cancelled or finished task is not reported")

    t = asyncio.create_task(fails(7))
    a = asyncio.create_task(awaiter(t, "a"))
    b = asyncio.create_task(awaiter(t, "b"))
    await a
    await b
    loop.set_exception_handler(None)
    asyncio.create_task(fails(8))
    await asyncio.sleep(0)
    await asyncio.sleep(0)
    raise OSError("main fails")


async def awaiter(t, name):
    try:
        await t
    except ValueError as e:
        print(name, "got", e)


try:
    asyncio.run(main())
except OSError as e:
    print("run raised:", repr(e))
asyncio.run(returns(9))
print("the report of fail 8 came in the second run")
