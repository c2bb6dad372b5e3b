"""The port contract in pollen/port.py's docstring is the truth: every port
has what the table says it has, nothing the table says it lacks, and the
code reads no port attribute the table does not list."""

import ast
import os
import re
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
POLLEN = os.path.join(ROOT, "firmware", "pollen")
sys.path.insert(0, os.path.join(ROOT, "boards", "sim"))

COLUMNS = ("host", "mach", "wfi", "rp2")


def contract():
    """{name: {"host": bool, ...}} from port.py's table."""
    with open(os.path.join(POLLEN, "port.py")) as f:
        doc = ast.get_docstring(ast.parse(f.read()))
    rows = {}
    for line in doc.splitlines():
        m = re.match(r"^  (\w+)\s+([x-])\s+([x-])\s+([x-])\s+([x-])\s", line)
        if m:
            rows[m.group(1)] = {c: m.group(i + 2) == "x" for i, c in enumerate(COLUMNS)}
    return rows


def ports():
    from pollen.port_host import HostPort
    from simboard import SimBoard

    made = {"host": HostPort(), "mach": SimBoard(idle="ipoll").port(),
            "wfi": SimBoard(idle="wfi").port(), "rp2": SimBoard(idle="wfi", alarm="rp2").port()}
    for p in made.values():
        p.set_alarm(lambda arg=None: None)  # (fire exists once a handler is set)
    return made


def test_the_table_lists_the_whole_contract():
    rows = contract()
    assert len(rows) >= 25, sorted(rows)
    assert all(rows[n]["host"] for n in ("ticks_us", "wait", "arm_at", "watch", "Pin"))


def test_every_port_has_exactly_what_the_table_says():
    rows = contract()
    # the simulated board models the RP2040 through its board module's
    # contract, but runs the portable pin handler: no edge_isr/edge_ms there
    sim_lacks = {"edge_isr", "edge_ms"}
    wrong = []
    for col, p in ports().items():
        for name, has in rows.items():
            want = has[col] and not (col == "rp2" and name in sim_lacks)
            if (getattr(p, name, None) is not None) != want:
                wrong.append((col, name, "has it" if not want else "lacks it"))
    assert wrong == [], wrong


def test_port_rp2_is_a_whole_board_module():
    # what MachinePort takes from a board module: port_rp2 on the chip (read
    # here without importing it: it is Thumb machine code), the simulator's
    # model on the host
    need = {"wait", "wfi_until", "run_pending", "ALARM", "clock", "arm_at", "disarm", "due",
            "set_alarm", "edge_isr", "edge_ms", "claim_alarm"}
    with open(os.path.join(POLLEN, "port_rp2.py")) as f:
        tree = ast.parse(f.read())
    defined = {n.name for n in tree.body if isinstance(n, (ast.FunctionDef, ast.ClassDef))}
    defined |= {t.id for n in tree.body if isinstance(n, ast.Assign) for t in n.targets
                if isinstance(t, ast.Name)}
    assert need <= defined, sorted(need - defined)
    from simboard import SimBoard
    b = SimBoard(idle="wfi", alarm="rp2")
    b.port()
    model = b._port._board  # the _Rp2Idle MachinePort took
    assert {"wait", "wfi_until", "run_pending", "ALARM", "clock", "arm_at", "disarm", "due",
            "set_alarm", "fire"} <= set(vars(model))


def test_the_code_reads_no_port_attribute_outside_the_contract():
    rows = contract()
    read = set()
    for path in os.listdir(POLLEN):
        if not path.endswith(".py") or path.startswith("port"):
            continue
        with open(os.path.join(POLLEN, path)) as f:
            src = f.read()
        read |= set(re.findall(r"\bport\.(\w+)", src))
        read |= set(re.findall(r"getattr\((?:self\.)?_?port, \"(\w+)\"", src))
    read -= {"current", "install", "_port", "twin", "used", "NATIVE"}  # the module's own (port.twin())
    assert read, "found no port reads: the pattern is stale"
    assert read <= set(rows), sorted(read - set(rows))


def test_the_pin_state_layout_is_the_same_wherever_it_is_written():
    """gpio.py's Input state indices are private const()s, so its viper
    twin (leaves_viper) and the tests that look into inp._st write the
    numbers again: they must be gpio.py's."""
    import pollen.gpio as gpio
    import support

    with open(os.path.join(POLLEN, "leaves_viper.py")) as f:
        viper = dict((n, int(v)) for n, v in re.findall(r"^(_\w+) = const\((\d+)\)", f.read(), re.M))
    for name in ("WANT", "HIT", "ACTIVE"):
        assert getattr(support, name) == getattr(gpio, "_" + name)
        assert viper["_" + name] == getattr(gpio, "_" + name), name
    with open(os.path.join(ROOT, "host_tests", "board", "test_pins.py")) as f:
        m = re.search(r"^WANT, HIT = (\d+), (\d+)", f.read(), re.M)
    assert (int(m.group(1)), int(m.group(2))) == (gpio._WANT, gpio._HIT)
