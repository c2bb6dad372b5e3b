"""The RP2040's fast paths: the idle sleep (WFI in Thumb machine code), its
wake-up alarm (hardware alarm 0) and the pin IRQ handler (viper).  Port
layer; only port_machine.board_port() imports it, and only on an rp2 board.
Each has a portable twin with the same contract -- port_machine's ipoll
sleep and machine.Timer alarm, gpio.Input._on_edge -- which the simulator
and every other board run; host_tests/board/ runs the same contract tests
on these.

wait(cell) returns once cell[0] != 0 -- the byte an interrupt handler sets
(an Executor's look byte, a Flag's cell) -- running the alarm's handler
when its deadline comes.  Until then the core sleeps in WFI and costs
nothing (docs/BENCHMARKS.md: the idle duty on the chip).

Why it cannot miss a wake.  wfi_until() looks at the byte with interrupts
masked (CPSID i) and sleeps only if it is clear.  An interrupt that arrives
after the look is held pending -- it cannot set the byte behind our back --
and a pending interrupt ends WFI even while PRIMASK masks it (ARMv6-M ARM,
B1.5.19: "If PRIMASK is set to 1, an asynchronous exception that has a
higher group priority than any active exception results in a WFI
instruction exit").  CPSIE i then takes it at once, and we return.

Why some of it is bytecode.  MicroPython runs what is pending -- scheduled
callbacks (soft IRQs), the USB stack's task, Ctrl-C -- only when bytecode
jumps; the executor loop is native code and would starve them
(host_tests/board/test_idle.py proves both halves on the chip).  So after
every WFI that woke for someone else the executor calls run_pending() (one
bytecode jump) before it sleeps again, and wait() is a plain bytecode loop
that goes round once per interrupt.

The alarm.  The timer queue's one alarm is hardware alarm 0, which the
firmware does not use: claim_alarm() gives its interrupt the handler the
SDK set for alarm 2 (it clears the interrupt, and for an alarm the SDK did
not arm does nothing more), so an expiry only ends the WFI -- a few cycles
of C, no Python in an interrupt.  arm_at() is one register write; ALARM
holds [ARMED, DEADLINE, CLOCK] for wfi_until (which, like the look byte,
checks the deadline with interrupts masked, and does not sleep past it) and
for the executor loop (which reads the counter at `clock`), which runs the
queue's handler (fire, set by set_alarm) once the clock has passed
DEADLINE: so it also runs while busy tasks keep the CPU from sleeping.

The pin handler.  EdgeISR(inp).isr is gpio.Input._on_edge in viper: the
timer's raw low word (TIMERAWL, what time.ticks_us() reads) and the GPIO
input register (SIO GPIO_IN) are single loads, and the Input's state is an
array('i') it reaches with plain stores -- about 30 us less per edge than
the bytecode handler on a 125 MHz M0+ (docs/BENCHMARKS.md).  Same fields,
same order of stores as _on_edge: see gpio.py's state layout.

This file is machine code for a Thumb CPU: `make flash` compiles it with
mpy-cross -march=armv6m, and `make firmware` freezes it into flash, so the
board runs no compiler at start-up.  The simulated board models it through
the port contract (port.py).
"""
# mpy-cross: requires armv6m armv7m armv7em armv7emsp armv7emdp

from uarray import array  # u: the built-ins themselves, with no search of sys.path (port.py)

import micropython
from uctypes import addressof as _addressof

clock = 0x40054028  # TIMERAWL: time.ticks_us() is its low 30 bits
ALARM = array("i", [0, 0, clock])  # ARMED, DEADLINE (ticks_us), CLOCK (for wfi_until)
# _TIMER.  The viper below builds each peripheral address from a small int at
# run time (TIMER = 0x4005 << 16 | 0x4000, SIO = 0xD000 << 16): a literal above 2**30
# is a big-int object to viper, converted at every use -- about 1.2 us each
# on the chip, four of them per pin edge (docs/FIRMWARE_FACTS.md).


@micropython.asm_thumb
def wfi_until(r0, r1):
    # (cell, ALARM) -> 1 if the alarm is due; else WFI unless cell[0]; 0
    cpsid(0)
    mov(r2, 0)
    ldrb(r3, [r0, 0])      # the cell: set, return 0 (the caller looks at it)
    cmp(r3, 0)
    bne(OUT)
    ldr(r3, [r1, 0])       # ALARM[ARMED]
    cmp(r3, 0)
    beq(SLEEP)
    ldr(r3, [r1, 8])       # ALARM[CLOCK]: TIMERAWL's address
    ldr(r3, [r3, 0])
    ldr(r0, [r1, 4])       # ALARM[DEADLINE]
    sub(r3, r3, r0)
    lsl(r3, r3, 2)         # ticks_diff(now, deadline) in 30 bits, its sign in bit 31
    bmi(SLEEP)             # not due yet
    mov(r2, 1)             # due: return 1, no sleep
    b(OUT)
    label(SLEEP)
    wfi()
    label(OUT)
    cpsie(0)
    mov(r0, r2)

@micropython.viper
def arm_at(deadline: int):
    b = 0x4005
    timer = (b << 16) | 0x4000                 # TIMER's base (see _TIMER)
    now = int(ptr32(timer | 0x28)[0])          # TIMERAWL: ticks_us() is its low 30 bits
    d = ((deadline - now) << 2) >> 2           # ticks_diff(deadline, now)
    if d < 1:
        d = 1                                  # past: at once (wfi_until sees it due)
    a = ptr32(ALARM)
    a[1] = deadline                            # DEADLINE
    a[0] = 1                                   # ARMED
    ptr32(timer | 0x10)[0] = now + d           # ALARM0: writing arms it

@micropython.viper
def disarm():
    ptr32(ALARM)[0] = 0
    b = 0x4005
    ptr32((b << 16) | 0x4020)[0] = 1           # TIMER ARMED: a 1 disarms alarm 0

@micropython.viper
def due() -> int:
    a = ptr32(ALARM)
    if a[0] and ((int(ptr32(a[2])[0]) - a[1]) << 2) >= 0:  # CLOCK: TIMERAWL
        return 1
    return 0

class _EdgeISR:
    def __init__(self, inp):
        self.w = inp._wait
        self.st = inp._st

    @micropython.viper
    def isr(self, pin):
        st = ptr32(self.st)
        b = 0x4005
        timer = (b << 16) | 0x4000                 # TIMER's base (see _TIMER)
        low = int(ptr32(timer | 0x28)[0])          # TIMERAWL: time.ticks_us(), 32 bits
        t = low & 0x3FFFFFFF
        st[0] = t                                  # LAST
        want = st[1]                               # WANT
        if want != 0 and st[2] == 0:               # HIT
            b = 0xD000
            level = (int(ptr32((b << 16) | 4)[0]) >> st[6]) & 1  # SIO GPIO_IN, bit GPIO
            edge = 4
            if level:
                edge = 8
            if want & edge:
                st[3] = t                          # EDGE_US
                high = int(ptr32(timer | 0x24)[0])  # TIMERAWH: low's, unless the low
                if uint(ptr32(timer | 0x28)[0]) < uint(low):  # word wrapped since low was read;
                    high = int(ptr32(timer | 0x24)[0]) - 1    # then this read is past the wrap
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


def run_pending():
    """Run what the firmware has pending -- scheduled (soft IRQ) callbacks,
    the USB task, Ctrl-C: MicroPython runs them at a bytecode jump, and
    machine code (the executor loop, wfi_until) never jumps in bytecode.
    The executor calls it after each WFI that woke for someone else."""
    i = 1
    while i:  # one backward jump: the VM's pending check
        i = 0


def wait(cell):
    """Sleep until cell[0] != 0, running the alarm's handler (fire()) when
    its deadline comes.  Task/executor context, never an ISR; allocates
    nothing."""
    al = ALARM
    while not cell[0]:  # bytecode: each pass runs pending callbacks, USB, Ctrl-C
        if wfi_until(cell, al):  # the alarm is due
            fire()


_handler = None


def set_alarm(handler):
    """handler(0) runs when the alarm's deadline comes: from wait() or the
    executor loop (fire()), in task context -- never in an interrupt."""
    global _handler
    _handler = handler


def fire():
    """The alarm is due: disarm it and run its handler (task context)."""
    ALARM[0] = 0
    _handler(0)


def uart_rx_level(uart):
    """Put machine.UART `uart`'s RX FIFO interrupt level at 1/8 (4 bytes):
    UARTIFLS.RXIFLSEL = 0, what the driver's uart_set_irq_enables() sets and
    its irq(trigger=IRQ_RXIDLE) raises to 3/4 (24).  Task context, once per
    Stream (port_machine.uart_irq); the UART's own interrupt still drains the
    FIFO into its rxbuf, now every 4 bytes, and calls the Stream's handler."""
    from umachine import mem32
    ifls = 0x40038034 if repr(uart).startswith("UART(1") else 0x40034034  # UART1 / UART0 UARTIFLS
    mem32[ifls] = mem32[ifls] & ~0x38  # RXIFLSEL (bits 5:3) = 0: 1/8


def claim_alarm():
    """Take the RP2040's hardware alarm 0 as the idle wake-up: its interrupt
    gets the SDK's own alarm handler (the one alarm 2 has, which clears the
    interrupt and, for an alarm the SDK did not set, does nothing else) and
    is enabled.  So an alarm wakes the WFI and costs a few cycles of C; no
    Python runs in an interrupt.  Again after a soft reset (the vector is
    then ours already: the enables are set again).  False, leaving
    everything as it was, if alarm 0 has a handler of someone else's, or
    alarm 2 none to lend."""
    from umachine import mem32
    vt = mem32[0xE000ED08]              # VTOR: the RAM vector table
    v0 = vt + 4 * 16                    # TIMER_IRQ_0's entry
    unclaimed = mem32[vt + 4 * 47]      # the SDK's default (IRQ 31's: no such device)
    handler = mem32[vt + 4 * 18]        # what TIMER_IRQ_2 (the soft timer's alarm) has
    if handler == unclaimed or mem32[v0] not in (unclaimed, handler):
        return False
    mem32[0x40054020] = 1               # TIMER ARMED: disarm alarm 0
    mem32[0x40054034] = 1               # TIMER INTR: clear it
    mem32[v0] = handler
    mem32[0x40054038] |= 1              # TIMER INTE: alarm 0
    mem32[0xE000E280] = 1               # NVIC ICPR: nothing stale pending
    mem32[0xE000E100] = 1               # NVIC ISER: enable TIMER_IRQ_0
    return True
