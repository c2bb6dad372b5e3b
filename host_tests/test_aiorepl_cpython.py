"""micropython-lib's aiorepl, unmodified, under pollen.asyncio on the unix
MicroPython, driven through a pseudo-terminal as a person at a terminal
drives it: type `1+1`, read `2`, while a ticker task keeps time.  The same
script runs under MicroPython's own asyncio first, so a failure says which
side differs.  (aiorepl reads its keys with StreamReader(sys.stdin).read(1)
and adds them to a str: pollen's read must neither block the loop nor
return bytes.)"""

import os
import pty
import select
import subprocess
import sys
import time

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, os.path.join(ROOT, "tools"))

from aiorepl_source import aiorepl_dir  # noqa: E402
from ptyboard import find_micropython  # noqa: E402

MP = find_micropython()

SCRIPT = """
import sys
sys.path.insert(0, %(aiorepl)r)
if %(pollen)r:
    sys.path.insert(0, %(firmware)r)
    import pollen.asyncio
    sys.modules["asyncio"] = pollen.asyncio
import asyncio
import aiorepl

ticks = 0

async def ticker():
    global ticks
    while True:
        await asyncio.sleep_ms(10)
        ticks += 1

async def main():
    asyncio.create_task(ticker())
    await aiorepl.task()

asyncio.run(main())
"""


class Terminal:
    """The interpreter on a pty: what it printed, and keys typed into it."""

    def __init__(self, argv):
        self.master, slave = pty.openpty()
        self.p = subprocess.Popen(argv, stdin=slave, stdout=slave, stderr=slave, close_fds=True)
        os.close(slave)
        self.out = b""

    def read_until(self, text, timeout=10.0):
        """Output up to and including `text` (after what was read before);
        AssertionError with all the output if it does not come."""
        end = time.monotonic() + timeout
        want = text.encode()
        while want not in self.out:
            left = end - time.monotonic()
            if left <= 0 or self.p.poll() is not None:
                raise AssertionError("no %r from the REPL; it printed:\n%s"
                                     % (text, self.out.decode("utf-8", "replace")))
            if select.select([self.master], [], [], min(left, 0.2))[0]:
                try:
                    self.out += os.read(self.master, 4096)
                except OSError:
                    pass
        i = self.out.index(want) + len(want)
        got, self.out = self.out[:i], self.out[i:]
        return got.decode("utf-8", "replace")

    def type(self, text):
        os.write(self.master, text.encode())

    def close(self):
        self.p.kill()
        self.p.wait()
        os.close(self.master)


def answer_after(term, line):
    """Type `line` and Enter; the text the REPL printed before its next prompt."""
    term.type(line + "\r")
    out = term.read_until("--> ")
    return out[:-len("--> ")].replace("\r", "").split("\n")


@pytest.mark.parametrize("which", ["asyncio", "pollen"])
def test_aiorepl_answers_1_plus_1_while_a_ticker_task_keeps_time(which, tmp_path):
    script = tmp_path / "repl.py"
    script.write_text(SCRIPT % {"aiorepl": aiorepl_dir(), "pollen": which == "pollen",
                                "firmware": os.path.join(ROOT, "firmware")})
    term = Terminal([MP, str(script)])
    try:
        term.read_until("Starting asyncio REPL...")
        term.read_until("--> ")
        out = answer_after(term, "1+1")
        assert "2" in out, out
        t0 = time.monotonic()
        first = int(answer_after(term, "ticks")[-2])
        time.sleep(0.3)  # the person at the keyboard pauses: the ticker goes on meanwhile
        second = int(answer_after(term, "ticks")[-2])
        elapsed = time.monotonic() - t0
        assert second - first >= 10, (first, second, elapsed)  # 10 ms ticks over >= 300 ms
        out = answer_after(term, "await asyncio.sleep_ms(20) or 'slept'")  # aiorepl's async path
        assert "'slept'" in out, out
    finally:
        term.close()
