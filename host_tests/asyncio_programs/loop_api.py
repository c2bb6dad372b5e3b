# The loop object: get_event_loop, new_event_loop, create_task,
# run_until_complete, run_forever, stop, close, current_task.
import asyncio


async def ticker(name, n):
    for i in range(n):
        print(name, i)
        await asyncio.sleep(0)
    return name


async def stopper(loop, after):
    for i in range(after):
        await asyncio.sleep(0)
    print("stopper stops the loop")
    loop.stop()


loop = asyncio.get_event_loop()
print("same loop:", loop is asyncio.get_event_loop())
try:
    asyncio.current_task()
except RuntimeError as e:
    print("outside:", e)

t = loop.create_task(ticker("t1", 3))
print(loop.run_until_complete(ticker("main", 2)))
print("t1 done:", t.done())
print(loop.run_until_complete(t))

loop.create_task(ticker("forever", 10))
loop.create_task(stopper(loop, 4))
loop.run_forever()
print("run_forever returned")
loop.create_task(stopper(loop, 8))
loop.run_forever()  # "forever" is still queued: it goes on
print("run_forever returned again")


async def who():
    t = asyncio.current_task()
    print("current task is a Task:", isinstance(t, asyncio.Task), t)
    return t


t = loop.create_task(who())
print("same task:", loop.run_until_complete(t) is t)

loop.create_task(ticker("old", 5))
loop = asyncio.new_event_loop()
print("new loop forgets old tasks")
print(loop.run_until_complete(ticker("new", 2)))
loop.close()
print(asyncio.run(ticker("run", 1)))
