"""Tick arithmetic of a 32-bit board, in pure Python: the clock wraps at
2**30 (as time.ticks_ms/ticks_us do on rp2).  The host port and the simulated
board use these, so wrap-around happens on the host exactly as on a Pico.
"""

PERIOD = 1 << 30
_MASK = PERIOD - 1
_HALF = PERIOD >> 1


def ticks_diff(a, b):
    """Signed difference a - b, in [-2**29, 2**29)."""
    return ((a - b + _HALF) & _MASK) - _HALF


def ticks_add(t, delta):
    """t + delta on the wrapping clock.  |delta| must be below 2**29, like
    MicroPython's, which raises the same OverflowError."""
    if not -_HALF <= delta < _HALF:
        raise OverflowError("ticks interval overflow")
    return (t + delta) & _MASK
