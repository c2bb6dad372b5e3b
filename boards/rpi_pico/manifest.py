# Freeze pollen and its demo apps into MicroPython for the Raspberry Pi Pico:
#   make firmware          (tools/build_firmware.py: MicroPython v1.28.0 with this manifest)
#                          -> build/firmware/RPI_PICO/firmware.uf2
# or, in a MicroPython checkout of your own (FROZEN_MANIFEST must be absolute):
#   make -C ports/rp2 BOARD=RPI_PICO FROZEN_MANIFEST=/abs/path/to/pollen/boards/rpi_pico/manifest.py
# Paths here are relative to this file: MicroPython's manifestfile.py runs a
# manifest from its own folder.  The rp2 port freezes with mpy-cross
# -march=armv6m, so the @micropython.viper and @micropython.asm_thumb functions
# are frozen as Thumb machine code, as `make flash` compiles them.  Frozen code
# costs no RAM.  main.py and board_config.py stay on the filesystem:
# `make flash FIRMWARE=build/firmware/RPI_PICO/firmware.uf2` puts them there.
include("$(PORT_DIR)/boards/manifest.py")  # the stock frozen modules: asyncio, onewire, ...
package("pollen", base_path="../../firmware")
package("apps", base_path="../../firmware")
