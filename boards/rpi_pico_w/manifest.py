# Freeze pollen and its demo apps into MicroPython for the Raspberry Pi Pico W:
#   make firmware BOARD=rpi_pico_w MICROPY_DIR=/path/to/micropython   (tools/build_firmware.py;
#                          the bundled v1.28.0 source has no cyw43/lwip, so it cannot build the W)
#                          -> build/firmware/RPI_PICO_W/firmware.uf2
# or, in a MicroPython checkout of your own (FROZEN_MANIFEST must be absolute):
#   make -C ports/rp2 BOARD=RPI_PICO_W FROZEN_MANIFEST=/abs/path/to/pollen/boards/rpi_pico_w/manifest.py
# Paths here are relative to this file: MicroPython's manifestfile.py runs a
# manifest from its own folder.  The rp2 port freezes with mpy-cross
# -march=armv6m, so the @micropython.viper and @micropython.asm_thumb functions
# are frozen as Thumb machine code, as `make flash` compiles them.  Frozen code
# costs no RAM.  main.py and board_config.py stay on the filesystem:
# `make flash FIRMWARE=build/firmware/RPI_PICO_W/firmware.uf2` puts them there.
include("$(PORT_DIR)/boards/manifest.py")  # the stock frozen modules: asyncio, onewire, ...
package("pollen", base_path="../../firmware")
package("apps", base_path="../../firmware")
