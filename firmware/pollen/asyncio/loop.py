"""pollen.asyncio's loop object (asyncio's Loop: a class of static methods,
the one loop there is) and the report of a task exception nobody
retrieved.  Loaded on first use of Loop, get_event_loop or new_event_loop,
or at the first such report: a program that never names the loop pays no
RAM for it.  Task side only."""

import sys

from .. import asyncio as _a

_stop_task = None
_exc_context = {"message": "Task exception wasn't retrieved", "exception": None, "future": None}


async def _stopper():
    pass


def print_exception(exc, file):
    pe = getattr(sys, "print_exception", None)
    if pe is not None:
        pe(exc, file)
    else:  # CPython
        import traceback
        traceback.print_exception(type(exc), exc, exc.__traceback__, file=file)


class Loop:
    """asyncio's one loop (get_event_loop() returns this class)."""

    _exc_handler = None

    def create_task(coro):
        return _a.create_task(coro)

    def run_forever():
        global _stop_task
        _stop_task = _a.Task(_stopper())
        _a.run_until_complete(_stop_task)

    def run_until_complete(aw):
        return _a.run_until_complete(aw if isinstance(aw, _a.Task) else _a.create_task(aw))

    def stop():
        global _stop_task
        if _stop_task is not None:
            _a._task_queue.push(_stop_task)
            _stop_task = None

    def close():
        pass

    def set_exception_handler(handler):
        Loop._exc_handler = handler

    def get_exception_handler():
        return Loop._exc_handler

    def default_exception_handler(loop, context):
        print(context["message"], file=sys.stderr)
        print("future:", context["future"], "coro=", context["future"].coro, file=sys.stderr)
        print_exception(context["exception"], sys.stderr)

    def call_exception_handler(context):
        (Loop._exc_handler or Loop.default_exception_handler)(Loop, context)


def get_event_loop(runq_len=0, waitq_len=0):
    return Loop


def new_event_loop():
    """Forget every queued task (asyncio has one loop: this resets it)."""
    _a._reset()
    return Loop


def report(t, exc):
    """Task t's exception `exc` was never retrieved: to the loop's handler,
    as asyncio reports it."""
    _exc_context["exception"] = exc
    _exc_context["future"] = t
    Loop.call_exception_handler(_exc_context)
