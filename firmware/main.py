# Boot into the app named in board_config.APP; hold the button at reset for
# safe mode (no app, the REPL stays free).  See firmware/apps/__init__.py.
import board_config
import apps

apps.start(board_config)
