"""Pins on the simulated board: edges, levels, cancellation, bad input."""

from simsupport import board, run
from support import HIT, WANT, raises

import pollen
from pollen import TimeoutError, select
from pollen.gpio import Input, Output
from pollen.timer import Delay, sleep_ms, with_timeout


def test_a_press_wakes_exactly_the_task_waiting_on_it():
    b = board()
    btn = Input(14, pull="up")
    other = Input(15, pull="up")
    log = []

    async def on_button():
        await btn.wait_for_falling_edge()
        log.append(("GP14", b.now, btn.edge_us))

    async def on_other():
        await other.wait_for_falling_edge()
        log.append(("GP15", b.now))

    async def main():
        ex.spawn(on_other())
        await on_button()

    b.set_level(14, 0, at_us=100000)  # press at 100 ms
    ex = pollen.Executor(4)
    ex.run(main())
    assert log == [("GP14", 100000, b.time.ticks_us())]
    assert ex.tasks() == 1  # GP15's task still waits: it was never woken


def test_the_edge_timestamp_is_taken_in_the_interrupt_not_when_the_task_ran():
    b = board()
    btn = Input(14, pull="up")

    async def main():
        await btn.wait_for_falling_edge()
        b.advance(700)  # the task is busy for 0.7 ms before it looks
        return b.time.ticks_us() - btn.edge_us

    b.set_level(14, 0, at_us=5000)
    assert run(b, main())[0] == 700


def test_an_edge_before_the_wait_began_does_not_satisfy_it():
    b = board()
    btn = Input(14, pull="up")
    b.set_level(14, 0, at_us=1000)   # falls before anyone waits
    b.set_level(14, 1, at_us=2000)
    b.set_level(14, 0, at_us=9000)   # the edge the wait must see

    async def main():
        await sleep_ms(5)
        await btn.wait_for_falling_edge()
        return b.now

    assert run(b, main())[0] == 9000


def test_wait_for_low_is_ready_at_once_when_the_level_already_holds():
    b = board()
    btn = Input(14, pull="up")
    b.set_level(14, 0)

    async def main():
        await btn.wait_for_low()
        t1 = b.now
        await btn.wait_for_high()  # not high: waits for the rising edge
        return t1, b.now

    b.set_level(14, 1, at_us=4000)
    assert run(b, main())[0] == (0, 4000)


def test_rising_and_any_edge_waits_see_the_right_edges():
    b = board()
    btn = Input(14, pull="up")
    for t, v in ((1000, 0), (2000, 1), (3000, 0)):
        b.set_level(14, v, at_us=t)

    async def main():
        await btn.wait_for_rising_edge()
        a = (b.now, btn.level)
        await btn.wait_for_any_edge()
        return a, (b.now, btn.level)

    assert run(b, main())[0] == ((2000, 1), (3000, 0))


def test_a_timeout_cancels_a_pin_wait_and_the_next_wait_is_clean():
    b = board()
    btn = Input(14, pull="up")
    b.set_level(14, 0, at_us=80000)  # after the timeout
    b.set_level(14, 1, at_us=90000)
    b.set_level(14, 0, at_us=200000)

    async def main():
        try:
            await with_timeout(50, btn.wait_for_falling_edge())
        except TimeoutError:
            pass
        stale = (btn._st[WANT], btn._wait.waker)
        await sleep_ms(100)  # the 80 ms edge happens while nobody waits
        await btn.wait_for_falling_edge()
        return stale, b.now

    (stale, now), _ = run(b, main())
    assert stale == (0, None)  # no interrupt state left behind
    assert now == 200000       # the edge at 80 ms did not count


def test_select_between_two_pins_reports_which_fired():
    b = board()
    a, c = Input(14, pull="up"), Input(15, pull="up")
    b.set_level(15, 0, at_us=3000)

    async def main():
        i, _ = await select(a.wait_for_falling_edge(), c.wait_for_falling_edge())
        return i, a._st[WANT], c._st[WANT]

    assert run(b, main())[0] == (1, 0, 0)


def test_two_pollen_objects_on_one_pin_is_a_clear_error():
    board()
    Input(14, pull="up")
    e = raises(ValueError, Output, 14)
    assert "already used" in str(e)


def test_pins_that_do_not_exist_are_refused_by_the_board():
    board()
    e = raises(ValueError, Input, 40)
    assert "invalid pin" in str(e)
    raises(ValueError, Input, "GP99")


def test_the_pico_w_led_is_an_output_without_interrupts():
    board(variant="rpi_pico_w")
    led = Output("LED")
    led.toggle()
    assert led.value() == 1
    led.release()
    e = raises(ValueError, Input, "LED")
    assert "pulls are not supported" in str(e) or "expecting a regular GPIO Pin" in str(e)


def test_the_led_trace_records_every_change():
    b = board()
    led = Output(25)

    async def main():
        for _ in range(3):
            led.toggle()
            await sleep_ms(10)

    run(b, main())
    assert b.trace.levels("LED") == [(0, 0), (0, 1), (10000, 0), (20000, 1)]


def test_pin_waits_run_in_the_steady_state_without_allocating():
    b = board()
    btn = Input(14, pull="up")
    for i in range(1, 201):
        b.set_level(14, i % 2, at_us=i * 1000)
    result = {"edges": 0, "ok": None}

    async def main():
        await btn.wait_for_any_edge()  # warm up: the first edge at 1 ms
        b.heap_lock()
        try:
            n = 0
            for _ in range(150):
                await btn.wait_for_any_edge()
                n += 1
            result["edges"] = n
            result["ok"] = True
        except MemoryError:
            result["ok"] = False
        b.heap_unlock()

    run(b, main())
    assert result["ok"] and result["edges"] == 150
    assert b.irq_errors == []


def _soft_irq_wakes_the_task_at_the_edge(idle):
    # A soft (scheduled) handler runs only when bytecode runs.  The executor
    # loop is native and its first WFI is machine code: neither runs it.
    # port_rp2.wait's bytecode loop does, before each WFI, and the WFI then
    # returns at once because the handler set the look byte.  A model that
    # slept before running it would deadlock here (and the chip would hang:
    # host_tests/board/test_idle.py checks the same on the chip).
    from pollen.sync import Signal

    b = board(idle=idle)
    sig = Signal()
    pin = b.machine.Pin(14, b.machine.Pin.IN, b.machine.Pin.PULL_UP)
    pin.irq(lambda p: sig.set(p.value()), b.machine.Pin.IRQ_FALLING)  # hard=False

    async def main():
        await sig.wait()
        return b.now, sig.value

    b.set_level(14, 0, at_us=3000)
    return run(b, main())[0]


def test_a_soft_irq_handler_that_sets_a_signal_wakes_the_task_at_the_edge():
    assert _soft_irq_wakes_the_task_at_the_edge("wfi") == (3000, 0)


def test_a_soft_irq_handler_wakes_the_task_on_the_portable_ipoll_idle_too():
    # ipoll runs scheduled callbacks, then WFE; the edge's interrupt set the
    # CPU's event register, so the WFE returns at once (a model without that
    # register would sleep through the wake).
    assert _soft_irq_wakes_the_task_at_the_edge("ipoll") == (3000, 0)
