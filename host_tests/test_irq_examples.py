"""The NMEA reader example (firmware/examples/) on the simulated board,
beside its button task.  (The WS2812 and pulse-counter examples, which
need rp2.PIO and rp2.DMA, are in test_sim_rp2.py, on the board's rp2.)"""

import sys

from simsupport import board

from simboard import SimStop

sys.path.insert(0, (__file__.rsplit("/", 2)[0] if "/" in __file__ else "..") + "/../firmware/examples")
sys.path.insert(0, (__file__.rsplit("/", 1)[0] if "/" in __file__ else ".") + "/../firmware/examples")

import nmea_reader  # noqa: E402

RMC = b"$GPRMC,123519,A,4807.038,N,01131.000,E,022.4,084.4,230394,003.1,W*6A\r\n"
GGA = b"$GPGGA,123520,4807.038,N,01131.000,E,1,08,0.9,545.4,M,46.9,M,,*4D\r\n"


def test_checksums_are_checked():
    assert nmea_reader.checksum_ok(RMC.strip())
    assert nmea_reader.checksum_ok(GGA.strip())
    assert not nmea_reader.checksum_ok(RMC.strip().replace(b"4807", b"4808"))
    assert not nmea_reader.checksum_ok(b"$GPRMC,no star")


def test_the_reader_prints_sentences_and_the_button_the_fix():
    b = board(stop_after_ms=400)
    out = []

    def log(s):
        out.append((b.now // 1000, s))

    b.uart_feed(0, RMC, at_ms=50, baudrate=9600)
    b.uart_feed(0, b"$GPRMC,garbled*00\r\n", at_ms=150, baudrate=9600)
    b.uart_feed(0, GGA, at_ms=200, baudrate=9600)
    b.press(14, at_ms=300, hold_ms=20)
    try:
        nmea_reader.main(uart=b.machine.UART(0, 9600), log=log, port=b.port())
    except SimStop:
        pass
    lines = [s for _, s in out]
    assert lines[1] == RMC.strip().decode(), lines
    assert lines[2] == GGA.strip().decode(), lines
    assert lines[3] == "button: 123519 valid 4807.038N 01131.000E; 2 sentences, 1 bad checksums", lines
    t_rmc = out[1][0]
    assert 50 < t_rmc < 150, out  # RMC is 71 bytes: about 74 ms at 9600 baud
    assert out[3][0] == 300, out
    assert b.trace.levels("LED")[-1][1] in (0, 1)
