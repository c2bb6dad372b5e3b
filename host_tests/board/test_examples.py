"""On the chip: the interrupt examples of firmware/examples/ as a Pico user
runs them -- the same files, imported from the board's filesystem (the tier
copies them beside the tests), no wiring:
  * ws2812_dma: frames drawn into one buffer, each moved into state machine
    0's TX FIFO by DMA and its completion awaited through pollen.Interrupt,
    one frame per Ticker period;
  * pio_pulse_counter with its self-test: state machine 1 drives GP15 with a
    square wave, state machine 0 raises one IRQ per falling edge, a task
    counts them with pollen.Interrupt and another reports once a second.
(The NMEA reader needs bytes on UART0 and a press: host_tests/board/test_uart.py,
which the emulator's control socket feeds; host_tests/test_irq_examples.py runs
it on the simulated board.)
"""

import gc
import time

import pio_pulse_counter
import ws2812_dma


def test_the_ws2812_strip_gets_every_frame_one_per_period():
    logs = []
    t0 = time.ticks_ms()
    n = ws2812_dma.main(frames=60, log=logs.append)
    dt = time.ticks_diff(time.ticks_ms(), t0)
    assert n == 60, n
    # each frame waits for its DMA completion, then for the next 20 ms period
    assert 59 * ws2812_dma.FRAME_MS <= dt < 61 * ws2812_dma.FRAME_MS + 100, dt
    assert logs == [], logs  # no missed period to report (a report comes every 250 frames)


def test_the_strip_draws_and_waits_without_allocating():
    frame = ws2812_dma.array("I", [0] * ws2812_dma.LEDS)
    ws2812_dma.draw(frame, 0)
    gc.collect()
    a = gc.mem_alloc()
    for k in range(1, 100):
        ws2812_dma.draw(frame, k)
    assert gc.mem_alloc() - a == 0, gc.mem_alloc() - a
    assert frame[0] == ws2812_dma.wheel(99, ws2812_dma.BRIGHTNESS) << 8, hex(frame[0])


def test_the_pulse_counter_counts_its_self_test_square_wave():
    logs = []
    total = pio_pulse_counter.main(seconds=3, log=logs.append)
    assert len(logs) == 3, logs
    per_second = [int(line.split(", ")[1].split()[0]) for line in logs]
    totals = [int(line.split()[0]) for line in logs]
    assert totals[-1] == sum(per_second) and totals[-1] <= total, (logs, total)
    # a steady square wave: every second counts about the same, and something
    assert per_second[1] > 10 and abs(per_second[2] - per_second[1]) <= per_second[1] // 10 + 1, logs
