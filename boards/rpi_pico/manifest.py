# Freeze pollen and its demo apps into a MicroPython firmware image:
#   make -C ports/rp2 BOARD=RPI_PICO FROZEN_MANIFEST=/path/to/pollen/boards/rpi_pico/manifest.py
# (RPI_PICO_W with boards/rpi_pico_w/manifest.py).  Frozen modules cost no RAM
# for their code; main.py and board_config.py stay on the filesystem.
# Frozen, pollen/loop.py is bytecode: the manifest has no per-file emitter
# option (tools/deploy.py makes it native code when it installs .mpy files).
include("$(PORT_DIR)/boards/manifest.py")
package("pollen", base_path="../../firmware")
package("apps", base_path="../../firmware")
