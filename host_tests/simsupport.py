"""Helpers for timeline tests on the simulated board (both interpreters)."""

from simboard import SimBoard, SimStop

import pollen
from pollen import timer


def board(**kw):
    """A fresh simulated Pico with pollen's board port installed on it."""
    b = SimBoard(**kw)
    b.port()
    timer.init()
    return b


def run(b, main, capacity=8, **kw):
    """Run `main` on a fresh Executor on board `b`; return (result, executor)."""
    ex = pollen.Executor(capacity, **kw)
    return ex.run(main), ex


def run_until_stop(b, main, capacity=8, ex=None, **kw):
    """Run until the board's stop_at (on `ex`, or a fresh Executor); returns it."""
    if ex is None:
        ex = pollen.Executor(capacity, **kw)
    try:
        ex.run(main)
    except SimStop:
        pass
    return ex


def heap_locked(b, fn):
    """Run fn() with the heap locked (MicroPython), the simulator told so.
    Returns fn's result; fails the test if pollen allocated."""
    b.heap_lock()
    try:
        r = fn()
    except MemoryError:
        b.heap_unlock()
        raise AssertionError("allocated while the heap was locked")
    b.heap_unlock()
    return r
