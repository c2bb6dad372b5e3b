"""Raspberry Pi Pico (RP2040): pin map and the app main.py starts.

Wiring for the demos: a push button from GP14 (pin 19) to GND (pin 18),
using the internal pull-up; the on-board LED is GP25.
"""

BOARD = "rpi_pico"
LED = 25             # on-board LED
BUTTON = 14          # GP14, physical pin 19; the other leg to GND (pin 18)
BUTTON_PULL_UP = True
APP = "button"       # firmware/apps/<APP>.py; `make flash APP=timer` changes it
