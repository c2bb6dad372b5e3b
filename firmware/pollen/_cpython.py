"""What pollen's firmware code needs from MicroPython that CPython lacks.

Only the `micropython` module's compile-time decorators: MicroPython's
compiler consumes `@micropython.native` itself (the name is never looked up
there), so this module is imported on CPython only, where the decorated
function simply runs as the plain Python it is written in.
"""


class micropython:  # noqa: N801 -- stands in for the module of that name
    @staticmethod
    def native(f):
        return f
