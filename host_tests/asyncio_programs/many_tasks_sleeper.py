# Many ready tasks and sleepers together (almost every real program has a
# sleeping task): ready tasks keep first-in-first-out order round after
# round, a sleeper whose deadline passes while they run is served in the
# middle of the run, and sleepers with one deadline wake in the order
# they went to sleep.
# On a Pico (the board tier runs this too) the long run is 100 tasks for 100
# rounds: 1,000 tasks and a 40,000-step log need more RAM than it has, and
# at its speed 10,000 steps outlast the 20 ms sleepers as surely.
import sys

import asyncio

CHIP = sys.platform == "rp2"
LONG_RUN = 3000 if CHIP else 30000  # steps that surely outlast a 20 ms sleep


async def worker(i, rounds, log):
    for r in range(rounds):
        log.append(i)
        await asyncio.sleep(0)


async def sleeper(name, ms, woke, log):
    await asyncio.sleep_ms(ms)
    woke.append((name, len(log)))


async def run(n, rounds):
    log = []
    woke = []
    long = asyncio.create_task(sleeper("long", 60000, woke, log))
    short = [asyncio.create_task(sleeper("short%d" % k, 20, woke, log)) for k in range(3)]
    ts = [asyncio.create_task(worker(i, rounds, log)) for i in range(n)]
    for t in ts:
        await t
    for t in short:
        await t
    asleep = not long.done()
    long.cancel()
    fifo = all(log[k] == k % n for k in range(len(log)))
    print("%d tasks, %d rounds: %d steps, first in first out every round: %s"
          % (n, rounds, len(log), fifo))
    print("  first steps:", log[:8])
    print("  short sleepers woke in the order they slept:", [w[0] for w in woke])
    mid = [0 < w[1] < len(log) for w in woke]
    print("  ... while the workers still ran:", mid if n * rounds >= LONG_RUN else "(run too short)")
    print("  the long sleeper was still asleep:", asleep)


async def main():
    for n, rounds in ((10, 3), (100, 3), (100, 100) if CHIP else (1000, 40), (3, 2)):
        await run(n, rounds)
    print("done")


asyncio.run(main())
