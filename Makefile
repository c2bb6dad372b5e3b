# pollen -- see README.md.  `make test` is the one test command.
PYTHON ?= python3.11
VENV   ?= .venv
PY      = $(VENV)/bin/python
MICROPYTHON ?= $(shell [ -x $(VENV)/bin/micropython ] && echo $(VENV)/bin/micropython || command -v micropython)
BOARD  ?= rpi_pico
APP    ?= button
PORT   ?=
FIRMWARE ?=
SCENARIO ?=
EMU ?=
MICROPY_DIR ?=

.PHONY: test test-board firmware test-docs docs-deps demo venv bench sim flash run repl clean

$(VENV)/.installed: requirements.txt
	@command -v $(PYTHON) >/dev/null || { echo "ERROR: $(PYTHON) not found; run make PYTHON=python3"; exit 2; }
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -r requirements.txt
	@touch $@

venv: $(VENV)/.installed

# matplotlib, only for the docs images (tools/vcd_png.py, draw_wiring.py, plot_bench.py)
$(VENV)/.docs-installed: requirements-docs.txt $(VENV)/.installed
	$(PY) -m pip install -q -r requirements-docs.txt
	@touch $@

docs-deps: $(VENV)/.docs-installed

test: venv
	@$(PY) tools/test_all.py $(if $(MICROPYTHON),--micropython $(MICROPYTHON))

# The tests that draw the docs' PNGs (host_tests/docs/; make test leaves them out).
test-docs: docs-deps
	@$(PY) -m pytest -q -p no:cacheprovider host_tests/docs

# The on-target tier: PORT=/dev/ttyACM0 (a Pico running MicroPython) or EMU=1
# (the emulated Pico in ../shared/rp2040; RP2EMU_DIR= points elsewhere).
# FIRMWARE=build/firmware/RPI_PICO/firmware.uf2 with EMU=1: the emulator runs that
# image and the tier tests the pollen frozen in it (nothing installed but main.py
# and board_config.py).
test-board: venv
	@$(PY) tools/test_board.py $(if $(PORT),--port $(PORT)) $(if $(EMU),--emulator) $(if $(FIRMWARE),--firmware $(FIRMWARE))

# MicroPython with pollen frozen in -> build/firmware/RPI_PICO/firmware.uf2.  From
# ../shared/mpsrc's v1.28.0 source (extracted once into ~/.cache/pollen-fw), or
# MICROPY_DIR=/path/to/micropython (a checkout with its submodules).
firmware: venv
	@$(PY) tools/build_firmware.py --board $(BOARD) $(if $(MICROPY_DIR),--micropy-dir $(MICROPY_DIR))

demo: venv
	$(MICROPYTHON) tools/sim.py button --scenario demo --vcd build/button.vcd

# examples.ws2812_dma and examples.pio_pulse_counter assemble with MicroPython's own rp2.py,
# extracted from ../shared/mpsrc's tarball into build/sim/ (boards/sim/simrp2.py) first
sim: venv
	@case "$(APP)" in examples.*) $(PY) boards/sim/simrp2.py >/dev/null;; esac
	$(MICROPYTHON) tools/sim.py $(APP) $(if $(SCENARIO),--scenario $(SCENARIO))

# On the chip (EMU=1 or PORT=): the speed figures beside asyncio, for pollen as .mpy and
# (EMU=1, once `make firmware` built it, or FIRMWARE=...) frozen, then RAM and start-up of both.
bench: venv
	$(PY) tools/bench.py --micropython $(MICROPYTHON) $(if $(PORT),--port $(PORT)) $(if $(EMU),--emulator) $(if $(FIRMWARE),--firmware $(FIRMWARE))

flash: venv
	$(PY) tools/deploy.py flash --board $(BOARD) --app $(APP) $(if $(PORT),--port $(PORT)) $(if $(FIRMWARE),--firmware $(FIRMWARE)) $(if $(MARCH),--march $(MARCH))

run: venv
	$(PY) tools/deploy.py run --board $(BOARD) --app $(APP) $(if $(PORT),--port $(PORT)) $(if $(MARCH),--march $(MARCH))

repl: venv
	$(PY) tools/deploy.py repl $(if $(PORT),--port $(PORT))

clean:
	rm -rf build .pytest_cache
