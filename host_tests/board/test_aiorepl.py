"""On the chip: micropython-lib's aiorepl, unmodified, answers over the
board's USB serial while a ticker task keeps time -- under MicroPython's
asyncio first, then under pollen.asyncio, so a failure says which side
differs.  (The unix twin is host_tests/test_aiorepl_cpython.py.)

aiorepl.py comes from the MicroPython source tarball (host_tests/
aiorepl_source.py); the board tier compiles it and puts it in /tests.

The keys come from the host, typed into the board's stdin while the tier's
`mpremote run` is attached.  A test prints one `@dialog <json>` line, a list
of steps the tier performs in order against what the board prints:
    ["expect", text]   wait (bounded) for text in the output (CR removed)
    ["type", text]     write text to the board's serial port
    ["pause", seconds] a person at the keyboard pausing between lines
A step that fails counts as a failure of the module; the REPL here is bounded
on the board too (wait_for_ms), so a lost key cannot hang the run.  By hand:

    mpremote connect PORT soft-reset run host_tests/board/test_aiorepl.py

then type into the port (aiorepl takes LF as Enter; Ctrl-D ends it).

What each side must show:
  * `1+1` answers `2`, and an `await` line runs on the loop (aiorepl's
    async path: it creates a task and reads Ctrl-C beside it);
  * the ticker (every 20 ms) kept its period while the REPL waited for the
    next key: pollen's read of sys.stdin must not hold the loop;
  * Ctrl-D ends aiorepl (it calls new_event_loop(), dropping the ticker) and
    asyncio.run returns.
"""

import json
import sys
import time

TICK_MS = 20
PAUSE_S = 1.0        # the host's pause between two lines
BOUND_MS = 120_000   # the REPL ends by then whatever the host did

DIALOG = [
    ["expect", "Starting asyncio REPL...\n--> "],
    ["type", "1+1\n"],
    ["expect", "1+1\n2\n--> "],
    ["type", "a = (ticks, ms())\n"],
    ["expect", "a = (ticks, ms())\n--> "],
    ["pause", PAUSE_S],
    ["type", "b = (ticks, ms())\n"],
    ["expect", "b = (ticks, ms())\n--> "],
    ["type", "await asyncio.sleep_ms(50) or 'slept'\n"],
    ["expect", "'slept'\n--> "],
    ["type", "\x04"],
]


def _run(use_pollen):
    """Run aiorepl beside a ticker under the chosen asyncio while the host
    types DIALOG; returns the REPL's globals and how it ended."""
    saved = sys.modules.get("asyncio")
    sys.modules.pop("aiorepl", None)
    if use_pollen:
        import pollen.asyncio as aio
        sys.modules["asyncio"] = aio  # aiorepl's own `import asyncio`, and its await path's
    else:
        import asyncio as aio
    try:
        import aiorepl
        g = {"ticks": 0, "ms": time.ticks_ms, "asyncio": aio}
        state = {"ended": None}

        async def ticker():
            while True:
                await aio.sleep_ms(TICK_MS)
                g["ticks"] += 1

        async def main():
            t = aio.create_task(ticker())
            try:
                await aio.wait_for_ms(aiorepl.task(g), BOUND_MS)
                state["ended"] = "returned"
            except aio.TimeoutError:
                state["ended"] = "timed out after %d ms" % BOUND_MS
                t.cancel()

        print("@dialog " + json.dumps(DIALOG))
        aio.run(main())
        aio.new_event_loop()
        return g, state["ended"]
    finally:
        sys.modules.pop("aiorepl", None)
        if saved is None:
            sys.modules.pop("asyncio", None)
        else:
            sys.modules["asyncio"] = saved


def _check(g, ended):
    assert ended == "returned", "aiorepl did not end on Ctrl-D: %s; its globals: %r" % (ended, g)
    assert "a" in g and "b" in g, "the typed assignments never ran: %r" % g
    (t0, ms0), (t1, ms1) = g["a"], g["b"]
    dt = time.ticks_diff(ms1, ms0)
    n = t1 - t0
    print("    %d ticks of %d ms in the %d ms between two typed lines (%.1f ms each)"
          % (n, TICK_MS, dt, dt / max(n, 1)))
    # the host paused PAUSE_S between the lines: the board's clock saw a
    # window long enough that 0 or 1 tick would stand out (a Pico's clock sees
    # the whole pause; the emulated Pico's lags the host's while its firmware
    # is busy rather than asleep: under pollen.asyncio with a read of sys.stdin
    # pending, 270-550 ms of a 0.5 s pause were seen, against 530-540 under asyncio)
    assert dt >= 200, "only %d ms between the two lines" % dt
    # the ticker kept (nearly) its rate while the REPL waited for keys; a read
    # that held the loop until the next key would leave it at 0 or 1 tick
    assert n * TICK_MS >= dt * 0.8, "%d ticks in %d ms (one per %d ms expected)" % (n, dt, TICK_MS)


def test_aiorepl_answers_over_usb_under_micropythons_asyncio():
    _check(*_run(False))


def test_aiorepl_answers_over_usb_under_pollen_asyncio():
    _check(*_run(True))
