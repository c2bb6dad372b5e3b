"""What this interpreter and board give pollen: the port (the object that
owns time, sleep and pins) and the machine-code twins of the hot paths.

The core never imports `machine`.  A port is injected with install(); when
none was, current() picks the real board (pollen.port_machine, if the
interpreter has `machine.Timer`) or the host port (pollen.port_host).

The port contract: every attribute the core and the drivers look for on a
port, who reads it, which ports have it, and what it must do.  The ports:
  host  port_host.HostPort: CPython or the unix port, no board (naps)
  mach  port_machine.MachinePort: any MicroPython board, and the simulated
        board (boards/sim, SimBoard(idle="ipoll")); ipoll sleep, machine.Timer
  wfi   MachinePort with a board module's idle sleep: SimBoard(idle="wfi")
  rp2   MachinePort with port_rp2 on an RP2040 (WFI in machine code, hardware
        alarm 0, a viper pin handler), and the simulated board's model of it,
        SimBoard(idle="wfi", alarm="rp2"), which has all but edge_isr/edge_ms
host_tests/test_port_contract_cpython.py checks this table against the
ports and against what the code reads: keep it in step.

  name          host mach wfi rp2  read by     contract
  ticks_us       x    x    x   x   timer gpio  time.ticks_us(): 30-bit ticks
  ticks_ms       x    x    x   x   gpio        time.ticks_ms()
  ticks_diff     x    x    x   x   timer       time.ticks_diff(a, b)
  ticks_add      x    x    x   x   timer       time.ticks_add(t, delta)
  TICKS_PERIOD   x    x    x   x   asyncio     2**30: where ticks wrap
  wait           x    x    x   x   loop        wait(cell): sleep until cell[0] != 0 (a
                                               one-byte bytearray or memoryview that
                                               interrupt handlers set: an Executor's
                                               look byte, a Flag's cell); may return
                                               early (callers loop).  Read at each use:
                                               a port swaps it while streams are watched
  set_alarm      x    x    x   x   timer       set_alarm(handler): the one alarm's
                                               handler, handler(arg) in a hard IRQ (or,
                                               on rp2, in task context: see fire)
  arm_at         x    x    x   x   timer       arm_at(deadline_us): one-shot, a deadline
                                               past fires at once; re-arming replaces it.
                                               ISR-safe (the handler re-arms)
  disarm         x    x    x   x   timer       cancel the alarm
  irq_off        x    x    x   x   timer       irq_off() -> state, irq_on(state): a critical
  irq_on         x    x    x   x   timer       section against interrupt handlers
  watchdog       x    x    x   x   watchdog    watchdog(ms) -> object with feed() (WDT);
                                               the host port raises OSError
  Pin            x    x    x   x   gpio        the machine.Pin class pins are made of
  watch          x    x    x   x   stream      watch(obj, mask, waker): the idle sleep also
                                               waits for obj (anything select.poll takes)
                                               to be ready for mask (POLLIN 1, POLLOUT 4),
                                               then wakes waker, from inside wait (task
                                               context), and forgets obj (one-shot)
  unwatch        x    x    x   x   stream      unwatch(obj): forget obj's watch (close())
  wait_streams   x    x    x   x   (port)      the wait swapped in while streams are watched
  uart_irq       -    x    x   x   stream      uart_irq(uart, handler) -> irq().flags: make
                                               handler machine.UART uart's hard IRQ handler
                                               (RX FIFO level, IRQ_RXIDLE, IRQ_TXIDLE), so a
                                               Stream on it needs no watch (task context)
  sleep          -    x    x   x   loop        the port's own wait: `wait is sleep` while
                                               no stream is watched
  wfi            -    -    x   x   loop        wfi(cell, alarm) -> 1 if the alarm is due,
                                               else one WFI unless cell[0]; 0
  run_pending    -    -    x   x   loop        run what the firmware has pending (soft
                                               IRQs, USB, Ctrl-C): after a WFI that woke
                                               for someone else
  alarm          -    -    -   x   loop timer  a board alarm's state, array('i') [ARMED,
                                               DEADLINE, CLOCK]: its handler runs in task
                                               context (the loop, wait), not in an IRQ
  clock          -    -    -   x   loop        the address of the microsecond counter's
                                               low word (the viper loop reads it)
  due            -    -    -   x   loop        due(): the board alarm's deadline has passed
  fire           -    -    -   x   loop        fire(arg): run the board alarm's handler,
                                               once ARMED is cleared (task context)
  edge_isr       -    -    -   x   gpio        edge_isr(inp): a board's own pin handler for
                                               gpio.Input, gpio._on_edge's contract
  edge_ms        -    -    -   x   gpio        edge_ms(state): ticks_ms of the edge that
                                               handler stored as raw timer words
  in_hard_irq    -    -    -   -   asyncio     in_hard_irq() -> True inside a hard IRQ
                                               (no port has it yet: asyncio then treats
                                               every set() as a task's)

"x": the port has it (not None); "-": it has none, and the reader copes
(getattr with a default, or the feature is off).  fire is set by
set_alarm().  A board module (port_rp2, or the simulator's model of it)
gives MachinePort: wait, wfi_until, run_pending; with its alarm ALARM,
clock, arm_at, disarm, due, set_alarm; and edge_isr, edge_ms.

The twins: machine code where the interpreter runs it, the portable twin
everywhere else.

Each hot concern has two implementations with one contract and one set of
tests (as MicroPython's asyncio has `_asyncio` in C beside `task.py`):

  concern                      portable twin               machine code
  the executor loop            loop.schedule               loop_viper.schedule
  leaves: await, resume        the methods in future,      leaves_viper
                               gpio, combinators
  Signal and Event             the methods in sync         sync_viper
  Interrupt: resume, handler   the methods in irq          irq_viper
  WakerSlot: wake, clear       the methods in slot         slot_viper
  sleeps and the board alarm   timer._Sleep, TimerQueue    timer_viper
  idle, alarm, pin handler     port_machine (ipoll,        port_rp2 (asm_thumb WFI,
                               machine.Timer, _on_edge)    alarm 0, viper handler)

The machine-code modules are ordinary files of @micropython.viper and
@micropython.asm_thumb functions.  `make flash` compiles them for the board
with mpy-cross -march; `make firmware` freezes them into flash, where their
machine code costs no RAM and no compile time at start-up.

twin(name) is how a module takes its machine-code twin: the module, or None
where the portable twin runs.  The portable twin runs on CPython and on a
MicroPython without a native emitter (sys.implementation._mpy names no
architecture; its build leaves the viper modules out).  On an interpreter
that has one, a viper module that does not load is an ImportError with the
fix, never a silent fall back to code several times slower.  used() tells
which twins this program runs (a board test asserts it).
"""

import sys

# array, the built-in, found without a search.  On MicroPython `array` --
# like `machine`, `time`, `select` and `io` -- is an extensible built-in:
# `import array` first looks for an array.py along sys.path, and does so at
# every import statement, since a built-in is not kept in sys.modules (6 ms
# each on a Pico with pollen installed: docs/BENCHMARKS.md).  The u-prefixed
# name is the built-in itself, no search (py/objmodule.c,
# mp_module_get_builtin).  pollen's modules take array from here; the board
# ports import umachine, utime, uselect, uio.
try:
    from uarray import array
except ImportError:  # CPython
    from array import array

_port = None


def install(p):
    """Make `p` the port every pollen object made from now on uses."""
    global _port
    _port = p
    return p


def current():
    if _port is None:
        from .port_machine import board_port  # only module that looks for machine
        p = board_port()
        if p is None:
            from .port_host import HostPort
            p = HostPort()
        install(p)
    return _port


# Can this interpreter run machine code?  Its .mpy architecture, bits 10..13
NATIVE = sys.implementation.name == "micropython" and (getattr(sys.implementation, "_mpy", 0) >> 10) & 15 != 0

_used = {}  # name -> "viper" or "portable", as twin() chose


def twin(name):
    """pollen.<name> (a machine-code module: "loop_viper", "leaves_viper",
    "sync_viper", "timer_viper", "irq_viper", "slot_viper"), or None where
    this interpreter runs the portable twin.  Called once per concern, at
    the import of the module that uses it."""
    if not NATIVE:
        _used[name] = "portable"
        return None
    try:
        m = __import__("pollen." + name, None, None, ("x",))
    except ImportError as e:
        raise ImportError(
            "pollen.%s did not load (%s): this interpreter runs machine code, so "
            "pollen's fast paths belong here. Install pollen with `make flash` "
            "(it compiles them with mpy-cross -march for the board), or use a "
            "firmware with pollen frozen in (`make firmware`)" % (name, e))
    _used[name] = "viper"
    return m


def used():
    """{concern module: "viper" or "portable"} for the twins chosen so far."""
    return dict(_used)
