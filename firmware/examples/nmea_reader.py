"""A GPS-style NMEA line reader on UART0, beside a button task.

Wiring (README.md, "Wiring the demos"): a GPS module's TX to GP1 (UART0 RX,
pin 2), its GND to a GND pin, 9600 baud; the push button on GP14 as for the
button demo.  Each sentence with a good checksum is printed as it arrives;
$GPRMC / $GNRMC ones update the fix.  A press of the button prints the last
fix and how many sentences came and failed their checksum; the on-board LED
toggles on every good sentence.

The two tasks share nothing but the numbers they print: the reader sleeps in
the stream's wait (pollen.stream.Stream), the button task in its pin wait,
and the CPU sleeps while both do.

    mpremote run firmware/examples/nmea_reader.py     # on a Pico
    # on the emulated Pico: feed it through the control socket, e.g.
    #   python3 ../shared/rp2040/rp2emu.py ctl pico.ctl 'uart_send 0 "$GPRMC,...*6A\\r\\n"'

It runs on the simulated board too (host_tests/test_irq_examples.py feeds it
sentences with uart_feed and presses with press()).
"""

import pollen
from pollen.gpio import Input, Output
from pollen.stream import Stream

UART_ID = 0
BAUD = 9600
BUTTON = 14
LED = 25


def checksum_ok(line):
    """`$...*hh` with hh the XOR of the bytes between $ and *."""
    star = line.find(b"*")
    if not line.startswith(b"$") or star < 0 or star + 3 > len(line):
        return False
    x = 0
    for c in line[1:star]:
        x ^= c
    try:
        return x == int(line[star + 1:star + 3], 16)
    except ValueError:
        return False


class Fix:
    """The last RMC sentence's time, status, position."""

    def __init__(self):
        self.utc = None
        self.valid = False
        self.lat = None
        self.lon = None

    def update(self, fields):
        # $GPRMC,hhmmss.ss,A,llll.ll,N,yyyyy.yy,E,...
        if len(fields) < 7:
            return
        self.utc = fields[1].decode()
        self.valid = fields[2] == b"A"
        self.lat = (fields[3] + fields[4]).decode()
        self.lon = (fields[5] + fields[6]).decode()

    def __str__(self):
        if self.utc is None:
            return "no fix yet"
        return "%s %s %s %s" % (self.utc, "valid" if self.valid else "void", self.lat, self.lon)


async def reader(stream, fix, stats, led, log):
    while True:
        line = (await stream.readline()).strip()
        if not line:
            continue
        if not checksum_ok(line):
            stats[1] += 1
            continue
        stats[0] += 1
        led.toggle()
        fields = line.split(b",")
        if fields[0][3:] == b"RMC":
            fix.update(fields)
        log(line.decode())


async def button_task(button, fix, stats, log):
    while True:
        await button.wait_for_falling_edge()
        log("button: %s; %d sentences, %d bad checksums" % (fix, stats[0], stats[1]))


def main(uart=None, log=print, executor=None, port=None):
    """Run both tasks until the board stops.  `uart`: a machine.UART (made
    here at BAUD if None); `port`: pollen's port (the simulated board's in a
    test)."""
    if uart is None:
        from machine import UART
        uart = UART(UART_ID, BAUD)
    ex = executor or pollen.Executor(4)
    stream = Stream(uart, port=port)
    button = Input(BUTTON, pull="up", port=port)
    led = Output(LED, port=port)
    fix = Fix()
    stats = [0, 0]  # good sentences, bad checksums

    async def both():
        ex.spawn(button_task(button, fix, stats, log))
        await reader(stream, fix, stats, led, log)

    log("nmea reader on UART%d at %d baud; press GP%d for the fix" % (UART_ID, BAUD, BUTTON))
    try:
        ex.run(both())
    finally:
        stream.release()
        button.release()
        led.release()


if __name__ == "__main__":
    main()
