"""On-target: the idle sleep (port_rp2: WFI in machine code).  The task is
woken, the CPU is not kept busy, and what the firmware schedules -- soft
IRQ callbacks -- still runs while pollen sleeps."""

import gc

import machine
import micropython

import pollen
from pollen import port
from pollen.sync import Signal
from pollen.timer import sleep_ms


def test_the_board_port_sleeps_in_wfi():
    p = port.current()
    assert p.wfi is not None, "not the RP2040's WFI idle: %r" % (p.sleep,)


def test_an_idle_executor_sleeps_instead_of_spinning():
    async def main():
        await sleep_ms(200)

    ex = pollen.Executor(4)
    ex.run(main())
    # A spinning loop would go idle thousands of times in 200 ms; a sleeping
    # one once per interrupt (the alarm, USB traffic).
    assert ex.idle_wakeups < 50, ex.idle_wakeups


def test_soft_irq_callbacks_run_while_pollen_sleeps():
    # The executor loop is native code, which does not run scheduled
    # callbacks; port_rp2.wait's bytecode loop must, or this hangs.
    sig = Signal()
    t = machine.Timer(-1)

    def soft(_):
        sig.set(7)

    async def main():
        t.init(mode=machine.Timer.ONE_SHOT, period=5, callback=soft, hard=False)
        await sig.wait()
        return sig.value

    try:
        assert pollen.Executor(4).run(main()) == 7
    finally:
        t.deinit()


def test_a_hard_irq_wake_reaches_the_task_and_allocates_nothing():
    sig = Signal()
    t = machine.Timer(-1)
    n = [0]

    def hard(_):
        sig.set(1)

    async def main():
        gc.collect()
        micropython.heap_lock()
        try:
            t.init(mode=machine.Timer.PERIODIC, freq=1000, callback=hard, hard=True)
            for _ in range(100):
                await sig.wait()
                n[0] += 1
        finally:
            t.deinit()
            micropython.heap_unlock()

    pollen.Executor(4).run(main())
    assert n[0] == 100


def test_signal_ping_pong_between_tasks_allocates_nothing_on_the_chip():
    a = Signal()
    b = Signal()
    rounds = 200

    async def pong():
        for _ in range(rounds):
            await a.wait()
            b.set(1)

    async def main(ex):
        t = ex.spawn(pong())
        await sleep_ms(0)
        gc.collect()
        micropython.heap_lock()
        try:
            for _ in range(rounds):
                a.set(1)
                await b.wait()
        finally:
            micropython.heap_unlock()
        await t
        return True

    ex = pollen.Executor(4)
    assert ex.run(main(ex))
