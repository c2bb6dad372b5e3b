"""The RP2040's idle sleep: WFI in Thumb machine code.  Port layer; only
port_machine.board_port() imports it, and only on an rp2 board.

wait(cell) returns once cell[0] != 0 -- the byte an interrupt handler sets
(an Executor's look byte, a Flag's cell).  Until then the core sleeps in
WFI and costs nothing (docs/BENCHMARKS.md: the idle duty on the chip).

Why it cannot miss a wake.  wfi_until() looks at the byte with interrupts
masked (CPSID i) and sleeps only if it is clear.  An interrupt that arrives
after the look is held pending -- it cannot set the byte behind our back --
and a pending interrupt ends WFI even while PRIMASK masks it (ARMv6-M ARM,
B1.5.19: "If PRIMASK is set to 1, an asynchronous exception that has a
higher group priority than any active exception results in a WFI
instruction exit").  CPSIE i then takes it at once, and we return.

Why the loop is bytecode.  MicroPython runs what is pending -- scheduled
callbacks (soft IRQs), the USB stack's task, Ctrl-C -- only when bytecode
jumps backwards; the executor loop is native code and would starve them
(host_tests/board/test_idle.py proves both halves on the chip).  So wait()
is a plain loop that goes round once per interrupt: every wake from WFI
passes through the VM's pending check before we sleep again.

The machine code is compiled on the board, at import (mpy-cross has no
inline assembler for a file without -march, and this file must compile
everywhere): about 40 bytes of code.
"""

import micropython

_g = {"micropython": micropython}
exec("""
@micropython.asm_thumb
def wfi_until(r0):
    cpsid(0)
    ldrb(r1, [r0, 0])
    cmp(r1, 0)
    bne(SET)
    wfi()
    label(SET)
    cpsie(0)
    mov(r0, r1)
""", _g)
wfi_until = _g["wfi_until"]  # (cell) -> cell[0] as it was; sleeps in WFI first if it was 0
del _g


def wait(cell):
    """Sleep until cell[0] != 0.  Task/executor context, never an ISR;
    allocates nothing."""
    while not cell[0]:  # bytecode: each pass runs pending callbacks, USB, Ctrl-C
        wfi_until(cell)
