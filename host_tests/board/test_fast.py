"""On the chip: pollen runs its machine-code twins, not the portable ones.

pollen.port.twin() picks, for each hot concern, the viper module where the
interpreter runs machine code.  On an RP2040 every one must be running --
as installed by `make flash` (.mpy files compiled with -march=armv6m) and
as frozen by `make firmware` -- and the board port must be port_rp2's (WFI
idle, hardware alarm 0, the viper pin handler).  A board silently running
the slow twins would still pass every other test, several times slower.
"""

import sys

from pollen import executor, gpio, irq, slot, sync, timer  # noqa: F401  (each takes its twin at import)
from pollen import port as portmod


def test_every_hot_path_runs_its_machine_code_twin():
    assert portmod.NATIVE, sys.implementation
    used = portmod.used()
    for name in ("loop_viper", "leaves_viper", "sync_viper", "timer_viper", "irq_viper", "slot_viper"):
        assert used.get(name) == "viper", (name, used)
    from pollen import loop_viper
    assert executor.schedule is loop_viper.schedule


def test_the_leaves_are_the_viper_functions():
    from pollen import irq_viper, leaves_viper, slot_viper, sync_viper, timer_viper
    assert gpio._EdgeWait.__next__ is leaves_viper.edge_next
    assert sync._SignalWait.__next__ is sync_viper.signal_next
    assert sync.Event.set is sync_viper.event_set
    assert timer._Sleep.__next__ is timer_viper.sleep_next
    assert irq._IrqWait.__next__ is irq_viper.irq_next
    assert irq.Interrupt._on_irq is irq_viper.irq_handler
    assert slot.WakerSlot.wake is slot_viper.wake


def test_the_board_port_is_the_rp2040_s_own():
    from pollen import port_rp2
    p = portmod.current()
    assert p.wfi is port_rp2.wfi_until  # the WFI idle in Thumb code
    assert p.alarm is port_rp2.ALARM  # hardware alarm 0 (claim_alarm took it)
    assert p.edge_isr is port_rp2.edge_isr  # the viper pin handler
