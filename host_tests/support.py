"""Helpers shared by tests on both interpreters (no pytest needed)."""

import gc
import sys

MICROPYTHON = sys.implementation.name == "micropython"

if MICROPYTHON:
    import micropython

# pollen.gpio's Input state layout, for tests that look into inp._st: the
# indices are private const()s there, compiled into its code, so MicroPython
# has no name to import (test_port_contract_cpython checks these against it)
WANT, HIT, ACTIVE = 1, 2, 9


def raises(exc_type, fn, *args, **kw):
    """Call fn; return the exception it raised, fail if it raised nothing."""
    try:
        fn(*args, **kw)
    except exc_type as e:
        return e
    raise AssertionError("%s was not raised by %r" % (exc_type.__name__, fn))


def allocation_free(fn):
    """Run fn() and prove it allocates nothing on MicroPython.

    Two checks, because heap_lock alone is not enough: when the heap is
    locked MicroPython turns some allocations (an exception with arguments)
    into its emergency object instead of failing.  So fn runs twice: under
    heap_lock (any allocation that can fail does), then normally while
    gc.mem_alloc() is watched.  On CPython fn simply runs.  Returns fn's result.
    (fn takes no arguments: a call with *args itself allocates.)
    """
    if not MICROPYTHON:
        return fn()
    gc.collect()
    micropython.heap_lock()
    try:
        fn()
        locked_ok = True
    except MemoryError:
        locked_ok = False
    finally:
        micropython.heap_unlock()
    assert locked_ok, "%s allocated under heap_lock" % _name(fn)
    gc.collect()
    gc.disable()
    before = gc.mem_alloc()
    try:
        r = fn()
        grown = gc.mem_alloc() - before
    finally:
        gc.enable()
    assert grown == 0, "%s allocated %d bytes" % (_name(fn), grown)
    return r


class ScriptedPort:
    """A port without time for core tests: each time the executor (or
    block_on) goes to sleep, the next scripted 'interrupt' runs.  Sleeping
    with no interrupt left means nothing could ever wake it: a hang on a
    board, an AssertionError here."""

    TICKS_PERIOD = 1 << 30

    def __init__(self, *interrupts):
        self.interrupts = list(interrupts)
        self.idle = None  # or a function called on every sleep instead
        self.sleeps = 0

    def wait(self, flag):
        self.sleeps += 1
        if self.idle is not None:
            self.idle()
            return
        if not self.interrupts:
            raise AssertionError("went to sleep with nothing left to wake it")
        self.interrupts.pop(0)()

    def irq_off(self):
        return 0

    def irq_on(self, s):
        pass


def _name(fn):
    return getattr(fn, "__name__", "the function")


def allocated_in_a_running_executor(make_loop, isr):
    """Bytes a steady-state task loop allocates inside a running executor
    whose every sleep ends with isr(); on MicroPython the loop also runs once
    under heap_lock.  make_loop() makes the coroutine: making it allocates,
    so it is made before measuring."""
    from pollen import Executor  # (here: the other helpers need no pollen)

    port = ScriptedPort()
    port.idle = isr
    failures = []
    ex = Executor(2, port=port, on_error=lambda t, e: failures.append(e) or 0)
    result = {}

    async def measured():
        await make_loop()  # warm up
        if MICROPYTHON:
            import micropython
            c = make_loop()
            gc.collect()
            gc.disable()
            try:
                before = gc.mem_alloc()
                await c
                result["grown"] = gc.mem_alloc() - before
            finally:
                gc.enable()
            c = make_loop()
            micropython.heap_lock()
            try:
                await c
            finally:
                micropython.heap_unlock()
        else:
            await make_loop()
            result["grown"] = 0

    ex.run(measured())
    assert not failures, failures
    return result["grown"]


def interrupt_at_every_bytecode(module, setup, task_side, isr):
    """For each bytecode task_side() executes in `module` (a pollen module:
    only its code is traced): run setup() (untraced), then task_side() with
    isr() preempting it at that bytecode, and yield task_side()'s result.
    CPython only (opcode tracing); on MicroPython it yields nothing."""
    if MICROPYTHON or not hasattr(sys, "settrace"):
        return
    path = module.__file__
    k = 0
    while True:
        setup()
        state = [0, False]  # opcodes seen, fired

        def local(frame, event, arg):
            if event == "opcode":
                if state[0] == k and not state[1]:
                    state[1] = True
                    isr()  # not traced itself: we are inside the tracer
                state[0] += 1
            return local

        def tracer(frame, event, arg):
            if frame.f_code.co_filename == path:
                frame.f_trace_opcodes = True
                frame.f_trace_lines = False
                return local
            return None

        old = sys.gettrace()
        sys.settrace(tracer)
        try:
            r = task_side()
        finally:
            sys.settrace(old)
        if not state[1]:
            return  # ran to the end before the k-th bytecode: all covered
        yield r
        k += 1
