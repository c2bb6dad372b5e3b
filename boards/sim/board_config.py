"""The simulated board: a Pico, wired as the demos expect (see boards/rpi_pico)."""

BOARD = "sim"
LED = 25
BUTTON = 14
BUTTON_PULL_UP = True
APP = "button"
