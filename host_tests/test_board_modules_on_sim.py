"""The on-target modules (host_tests/board/) on the simulated board: one test
body for the chip and the simulator.

Each board module imports machine, time and micropython; here those names
are the simulated board's for the length of the module, so the very code that
runs on the Pico in `make test-board` runs on the virtual clock too.  Where
the two disagree, the chip is right and the simulator is what gets fixed.
"""

import sys

from simsupport import board

HERE = __file__.rsplit("/", 1)[0] if "/" in __file__ else "."
BOARD = HERE + "/board"
SWAPPED = ("machine", "time", "micropython")


class _Micropython:
    """micropython.heap_lock/unlock as the simulator wants them (its own
    Python code steps out of the lock)."""

    def __init__(self, b):
        self.heap_lock = b.heap_lock
        self.heap_unlock = b.heap_unlock


def run_module(name, **kw):
    """Run every test_* of host_tests/board/<name>.py on a fresh simulated
    board, but those the module lists in CHIP_ONLY (they check the chip's own
    fast paths, which the simulator replaces with the portable ones); returns
    the names run.  A failing test raises.  `kw` go to the SimBoard."""
    b = board(**kw)
    saved = {k: sys.modules.get(k) for k in SWAPPED}
    sys.modules["machine"] = b.machine
    sys.modules["time"] = b.time
    sys.modules["micropython"] = _Micropython(b)
    sys.path.insert(0, BOARD)
    ran = []
    try:
        mod = __import__(name)
        chip_only = getattr(mod, "CHIP_ONLY", ())
        for t in sorted(n for n in dir(mod) if n.startswith("test_")):
            if t in chip_only:
                continue
            getattr(mod, t)()
            ran.append(t)
    finally:
        sys.path.remove(BOARD)
        sys.modules.pop(name, None)
        for k, v in saved.items():
            if v is None:
                sys.modules.pop(k, None)
            else:
                sys.modules[k] = v
    return ran


def test_pin_waits_behave_on_the_simulator_as_on_the_chip():
    assert len(run_module("test_pins")) == 5


def test_button_gestures_behave_on_the_simulator_as_on_the_chip():
    assert len(run_module("test_gestures")) == 4


def test_the_alarm_and_ticker_behave_on_the_simulator_as_on_the_chip():
    assert len(run_module("test_time")) == 4


def test_they_behave_so_with_the_rp2_board_alarm_modelled_too():
    # port_rp2's alarm: its expiry only ends the WFI, the handler runs in
    # task context (the port's wait, the executor loop) -- as on the chip
    assert len(run_module("test_time", alarm="rp2")) == 4


def test_the_idle_sleep_behaves_on_the_simulator_as_on_the_chip():
    assert len(run_module("test_idle")) == 5  # the sim models port_rp2's WFI idle
