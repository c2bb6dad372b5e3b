"""The poll / wait / wake protocol, wakers, Flag, oneshot and block_on."""

from support import ScriptedPort, allocation_free, raises

import pollen
from pollen import (PENDING, Context, CountingWaker, Flag, Future, RawWaker,
                    RawWakerVTable, Waker, block_on, flag_waker, oneshot)


class Countdown(Future):
    """Ready after `n` pending polls; wakes its waker itself each time (the
    seeds' exercise), so it needs no event source."""

    def __init__(self, n):
        self.n = n

    def poll(self, cx):
        if self.n == 0:
            return "liftoff"
        self.n -= 1
        cx.waker().wake_by_ref()
        return PENDING


class Device:
    """An event source: an 'interrupt handler' wakes the stored waker."""

    def __init__(self):
        self.waker = None
        self.events = 0

    def irq(self):
        self.events += 1
        w = self.waker
        if w is not None:
            w.wake_by_ref()


class WaitForEvents(Future):
    """Pending until the device has seen `n` events; registers its waker."""

    def __init__(self, dev, n):
        self.dev = dev
        self.n = n

    def poll(self, cx):
        self.dev.waker = cx.waker()
        if self.dev.events >= self.n:
            return None
        return PENDING


def test_noop_waker_polls_a_future_by_hand():
    cx = Context.from_waker(Waker.noop())
    f = Countdown(2)
    assert f.poll(cx) is PENDING
    assert f.poll(cx) is PENDING
    assert f.poll(cx) == "liftoff"


def test_counting_waker_counts_exactly_n_wakes_for_a_countdown():
    cw = CountingWaker()
    cx = Context.from_waker(cw.waker)
    f = Countdown(5)
    polls = 0
    while f.poll(cx) is PENDING:
        polls += 1
    assert polls == 5
    assert cw.wakes == 5


def test_raw_waker_vtable_is_called_with_the_data():
    log = []
    vt = RawWakerVTable(lambda d: RawWaker(d + 1, vt), lambda d: log.append(("wake", d)),
                        lambda d: log.append(("ref", d)), lambda d: log.append(("drop", d)))
    w = Waker.from_raw(RawWaker(7, vt))
    assert w.data == 7 and w.vtable is vt
    w.wake_by_ref()
    c = w.clone()
    assert c is not w and c.data == 8
    c.drop()
    w.wake()
    assert log == [("ref", 7), ("drop", 8), ("wake", 7)]
    assert not w.will_wake(c)
    assert w.will_wake(Waker.from_raw(RawWaker(7, vt)))


def test_cloning_a_static_waker_returns_itself_and_allocates_nothing():
    f = Flag()
    w = flag_waker(f)

    def clone_many():
        c = w
        for _ in range(1000):
            c = c.clone()
        return c

    assert allocation_free(clone_many) is w
    assert flag_waker(f) is w
    assert Waker.noop().clone() is Waker.noop()


def test_flag_take_reports_once_and_clears():
    f = Flag()
    assert not f.take() and not f.is_set()
    f.set()
    f.set()
    assert f.is_set()
    assert f.take()
    assert not f.take()
    flag_waker(f).wake()
    assert f.take()


def test_flag_set_and_take_allocate_nothing():
    f = Flag()
    w = flag_waker(f)

    def cycle():
        n = 0
        for _ in range(10000):
            w.wake_by_ref()
            if f.take():
                n += 1
        return n

    assert allocation_free(cycle) == 10000


def test_oneshot_polled_before_and_after_resolution():
    fut, res = oneshot()
    cw = CountingWaker()
    cx = Context.from_waker(cw.waker)
    assert fut.poll(cx) is PENDING
    assert fut.poll(cx) is PENDING  # polling again does not wake
    assert cw.wakes == 0
    res.resolve(42)
    assert cw.wakes == 1  # the stored waker was woken
    assert fut.poll(cx) == 42
    res.resolve(43)  # the first value stands
    assert fut.poll(cx) == 42


def test_oneshot_resolved_before_first_poll_is_ready_at_once():
    fut, res = oneshot()
    res.resolve("early")
    assert fut.poll(Context.from_waker(Waker.noop())) == "early"


def test_resolving_a_oneshot_allocates_nothing():
    futs = [oneshot() for _ in range(100)]
    cw = CountingWaker()
    cx = Context.from_waker(cw.waker)
    for f, r in futs:
        f.poll(cx)

    def resolve_all():
        for f, r in futs:
            r.resolve(1)

    allocation_free(resolve_all)
    assert cw.wakes == 100


def test_block_on_returns_the_result_of_a_coroutine():
    async def main():
        return await Countdown(3)

    assert block_on(main(), port=ScriptedPort()) == "liftoff"


def test_block_on_raises_what_the_future_raised():
    async def main():
        await Countdown(1)
        raise ValueError("sensor unplugged")

    e = raises(ValueError, block_on, main(), port=ScriptedPort())
    assert "sensor unplugged" in str(e)


def test_block_on_sleeps_until_the_interrupt_and_allocates_nothing():
    dev = Device()
    port = ScriptedPort()
    port.idle = dev.irq  # each sleep ends with the device's interrupt
    fut = WaitForEvents(dev, 0)

    def run_10000():
        dev.events = 0
        fut.n = 10000
        port.sleeps = 0
        block_on(fut, port=port)
        return port.sleeps

    assert allocation_free(run_10000) == 10000  # slept once per event, never spun


def test_block_on_polls_again_only_after_a_wake():
    dev = Device()
    polls = []

    class Watch(WaitForEvents):
        def poll(self, cx):
            polls.append(dev.events)
            return WaitForEvents.poll(self, cx)

    port = ScriptedPort(dev.irq, dev.irq, dev.irq)
    block_on(Watch(dev, 3), port=port)
    assert polls == [0, 1, 2, 3]


def test_spawning_something_not_awaitable_says_how_to_fix_it():
    async def job():
        return 1

    e = raises(TypeError, block_on, job, port=ScriptedPort())
    assert "f()" in str(e)


def test_pollen_exports_the_public_api():
    for name in ("PENDING", "RawWakerVTable", "RawWaker", "Waker", "Context", "Flag",
                 "flag_waker", "CountingWaker", "parking_waker", "oneshot", "block_on",
                 "Executor", "SpawnError", "yield_now", "join", "select", "TimeoutError"):
        assert hasattr(pollen, name), name


def test_the_names_a_program_reaches_for_first_come_from_the_package():
    from pollen import (Button, Delay, Input, Output, Ticker, Watchdog, sleep_ms,
                        sleep_until, sleep_us, with_timeout)
    from pollen import button, gpio, ticker, timer, watchdog

    assert (sleep_ms, sleep_us, sleep_until) == (timer.sleep_ms, timer.sleep_us, timer.sleep_until)
    assert (Ticker, Delay, with_timeout) == (ticker.Ticker, ticker.Delay, ticker.with_timeout)
    assert (Input, Output, Button, Watchdog) == (gpio.Input, gpio.Output, button.Button,
                                                 watchdog.Watchdog)


def test_every_name_in_the_package_table_is_its_module_s_own():
    t = pollen._attrs  # module, (its names), ...
    assert len(t) >= 24 and len(t) % 2 == 0  # a dozen modules or more, in pairs
    for i in range(0, len(t), 2):
        for name in t[i + 1]:
            m = __import__("pollen." + t[i], None, None, [name])
            assert getattr(pollen, name) is getattr(m, name), name


def test_a_name_pollen_lacks_raises_attribute_error_naming_it():
    e = raises(AttributeError, getattr, pollen, "sleep_seconds")
    assert "pollen has no 'sleep_seconds'" in str(e), str(e)


# -- WakerSlot: the one place an event source keeps a waiting task's waker ------


def test_a_waker_slot_wakes_the_registered_task_with_two_stores():
    from pollen.slot import WakerSlot

    cell = bytearray(4)  # an executor's ready[]: slots 0..2, then the look byte
    w = Waker(RawWaker(1, RawWakerVTable(None, None, None, None)), cell, 1)  # no vtable call may happen
    slot = WakerSlot("the thing")
    slot.wake()  # nobody registered: nothing happens
    assert cell == bytearray(4) and not slot.waiting()
    slot.register(w)
    allocation_free(slot.wake)
    assert cell == bytearray([0, 1, 0, 1]) and slot.waiting()
    slot.clear()
    cell[1] = cell[3] = 0
    slot.wake()
    assert cell == bytearray(4)


def test_a_waker_slot_wakes_a_waker_without_a_cell_through_its_vtable():
    from pollen.slot import WakerSlot

    cw = CountingWaker()
    slot = WakerSlot("the thing")
    slot.register(cw.waker)
    slot.wake()
    assert cw.wakes == 1 and cw.drops == 0  # wake_by_ref: the slot keeps it
    allocation_free(slot.wake)


def test_a_waker_slot_holds_one_task_and_says_so():
    from pollen.slot import WakerSlot

    a, b = CountingWaker(), CountingWaker()
    slot = WakerSlot("Sensor 3", "one task reads it")
    slot.register(a.waker)
    slot.register(a.waker)  # the same task again: fine
    e = raises(RuntimeError, slot.register, b.waker)
    assert str(e) == "Sensor 3 already has a waiting task: one task reads it", str(e)
    slot.clear_if_current(Context.from_waker(b.waker))  # another task's close(): keeps a's
    assert slot.waker is a.waker
    slot.clear_if_current(Context.from_waker(a.waker))
    assert not slot.waiting()
    slot.register(b.waker)
    slot.clear_if_current(None)  # close() by hand: no task to tell, so cleared
    assert not slot.waiting()
