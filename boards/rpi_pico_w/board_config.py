"""Raspberry Pi Pico W (RP2040 + CYW43439): pin map and the app main.py starts.

Same wiring as the Pico: a push button from GP14 (pin 19) to GND (pin 18).
The LED is not a GPIO of the RP2040 but of the wireless chip: Pin("LED"),
output only, no interrupts.
"""

BOARD = "rpi_pico_w"
LED = "LED"          # on the CYW43 wireless chip
BUTTON = 14
BUTTON_PULL_UP = True
APP = "button"
