"""Wakers across threads (CPython threading): parking, and block_on's Flag."""

import threading
import time

import pollen
from pollen import PENDING, Context, block_on, oneshot, parking_waker
from pollen.port_host import HostPort


def test_a_parked_thread_is_woken_from_another_thread():
    waker, parker = parking_waker()
    woke = []

    def sleeper():
        parker.park()
        woke.append(time.monotonic())

    t = threading.Thread(target=sleeper)
    t.start()
    time.sleep(0.05)
    assert not woke  # still parked: park() does not spin through
    sent = time.monotonic()
    waker.clone().wake()
    t.join(2)
    assert woke and woke[0] >= sent


def test_a_wake_before_park_is_kept():
    waker, parker = parking_waker()
    waker.wake_by_ref()
    done = threading.Event()
    t = threading.Thread(target=lambda: (parker.park(), done.set()))
    t.start()
    assert done.wait(2)  # returned at once
    t.join()


def test_a_parking_waker_drives_a_future_polled_by_hand():
    fut, res = oneshot()
    waker, parker = parking_waker()
    cx = Context.from_waker(waker)
    assert fut.poll(cx) is PENDING
    threading.Timer(0.02, res.resolve, args=("from a thread",)).start()
    parker.park()
    assert fut.poll(cx) == "from a thread"


def test_block_on_sleeps_until_another_thread_resolves_the_future():
    fut, res = oneshot()
    threading.Timer(0.05, res.resolve, args=(99,)).start()
    t0 = time.monotonic()
    assert block_on(fut, port=HostPort()) == 99
    assert time.monotonic() - t0 >= 0.04


def test_many_threads_resolving_many_oneshots_lose_nothing():
    pairs = [oneshot() for _ in range(50)]
    threads = [threading.Thread(target=r.resolve, args=(i,)) for i, (f, r) in enumerate(pairs)]

    async def main():
        return await pollen.join(*[f for f, r in pairs])

    for t in threads:
        t.start()
    assert block_on(main(), port=HostPort()) == list(range(50))
