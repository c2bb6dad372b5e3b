"""pollen's exceptions.  Messages say what to do about it."""


class SpawnError(Exception):
    """spawn() into a full or stopped Executor."""


class CancelledError(BaseException):
    """Raised by a task handle whose task was cancelled.  A BaseException, as
    in asyncio, so that `except Exception` in a task does not swallow it."""


class TimeoutError(Exception):  # noqa: A001 -- pollen.TimeoutError, as the API names it
    """with_timeout() ran out of time; the inner awaitable was cancelled."""


class ContractError(Exception):
    """A future broke the poll contract (debug mode)."""
