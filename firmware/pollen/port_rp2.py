"""The RP2040's fast paths: the idle sleep (WFI in Thumb machine code) and
the pin IRQ handler (viper).  Port layer; only port_machine.board_port()
imports it, and only on an rp2 board.  Each has a portable twin with the
same contract -- port_machine's ipoll sleep, gpio.Input._on_edge -- which
the simulator and every other board run; host_tests/board/ runs the same
contract tests on these.

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

The pin handler.  EdgeISR(inp).isr is gpio.Input._on_edge in viper: the
timer's raw low word (TIMERAWL, what time.ticks_us() reads) and the GPIO
input register (SIO GPIO_IN) are single loads, and the Input's state is an
array('i') it reaches with plain stores -- about 30 us less per edge than
the bytecode handler on a 125 MHz M0+ (docs/BENCHMARKS.md).  Same fields,
same order of stores as _on_edge: see gpio.py's state layout.

The machine code and the viper code are compiled on the board, at import
(mpy-cross has no inline assembler or viper for a file without -march, and
this file must compile everywhere).
"""

import micropython
from uctypes import addressof as _addressof

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

class EdgeISR:
    def __init__(self, inp):
        self.w = inp._wait
        self.st = inp._st

    @micropython.viper
    def isr(self, pin):
        st = ptr32(self.st)
        low = int(ptr32(0x40054028)[0])            # TIMERAWL: time.ticks_us(), 32 bits
        t = low & 0x3FFFFFFF
        st[0] = t                                  # LAST
        want = st[1]                               # WANT
        if want != 0 and st[2] == 0:               # HIT
            level = (int(ptr32(0xD0000004)[0]) >> st[6]) & 1  # SIO GPIO_IN, bit GPIO
            edge = 4
            if level:
                edge = 8
            if want & edge:
                st[3] = t                          # EDGE_US
                high = int(ptr32(0x40054024)[0])   # TIMERAWH: low's, unless the low
                if uint(ptr32(0x40054028)[0]) < uint(low):  # word wrapped since low was read;
                    high = int(ptr32(0x40054024)[0]) - 1    # then this read is past the wrap
                st[4] = -1                         # EDGE_MS: edge_ms() works it out from
                st[10] = high                      # RAW: the 64-bit time, as 30+16+16 bits
                st[11] = (low >> 16) & 0xFFFF
                st[12] = low & 0xFFFF
                st[5] = level                      # LEVEL
                st[2] = 1                          # HIT
                a = st[13]                         # CELL: the wake cell's address (edge_isr)
                if a:
                    p = ptr8(a)
                    p[st[7]] = 1                   # INDEX: ready[slot]
                    p[st[8]] = 1                   # LOOK: the look byte
                else:                              # a waker without a cell
                    self.w.waker.wake_by_ref()
""", _g)
wfi_until = _g["wfi_until"]  # (cell) -> cell[0] as it was; sleeps in WFI first if it was 0
_EdgeISR = _g["EdgeISR"]
del _g


def edge_isr(inp):
    """The hard IRQ handler for gpio.Input `inp`, bound once (ISR-safe: no
    allocation).  The task side then stores the address of each wait's wake
    cell in the state array (CELL), so the handler reaches it without two
    attribute lookups."""
    inp._wait.addr = _addressof
    return _EdgeISR(inp).isr


def edge_ms(st):
    """ticks_ms() of the edge EdgeISR recorded in gpio state `st`, from the
    64-bit microsecond time it stored (RAW): on rp2 ticks_ms() is that time
    // 1000, to 30 bits.  Reading the clock and dividing in the handler
    costs every edge about 5 us; here it is paid once, if edge_ms is read.
    Task side; small ints only (a 32-bit port has no larger ones), so it
    allocates nothing: long division by 1000 in 16-bit digits."""
    h = st[10]
    c = h >> 16
    q = c // 1000
    c = ((c - q * 1000) << 16) | (h & 0xFFFF)
    x = c // 1000
    q = ((q & 0x3FFF) << 16) | x
    c = ((c - x * 1000) << 16) | st[11]
    x = c // 1000
    q = ((q & 0x3FFF) << 16) | x
    c = ((c - x * 1000) << 16) | st[12]
    return ((q & 0x3FFF) << 16) | (c // 1000)


def wait(cell):
    """Sleep until cell[0] != 0.  Task/executor context, never an ISR;
    allocates nothing."""
    while not cell[0]:  # bytecode: each pass runs pending callbacks, USB, Ctrl-C
        wfi_until(cell)
