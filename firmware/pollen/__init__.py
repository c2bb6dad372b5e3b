"""pollen: Rust's Future / Waker / Context, for MicroPython boards.

Layers, each depending only on those above it in this list:
  core     future, waker, flag, wakers, oneshot, blocking, executor, combinators
  port     port (registry), port_machine (board), port_host (no board)
  drivers  timer (sleeps, Ticker, with_timeout), gpio, sync, button
"""

from .errors import CancelledError, ContractError, SpawnError, TimeoutError
from .future import PENDING, Context, Future
from .waker import RawWaker, RawWakerVTable, Waker
from .flag import Flag, flag_waker
from .wakers import CountingWaker, parking_waker
from .oneshot import oneshot
from .blocking import block_on
from .executor import Executor, Task, LOG, STOP, RESTART
from .combinators import join, select, yield_now
from .sync import Channel, Event, Signal

__version__ = "0.1.0"
