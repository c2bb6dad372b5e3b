"""Signal's and Event's hot steps in viper: the twins of sync.py's methods.

  signal_next sync._SignalWait.__next__: await signal.wait()
  event_next  sync._EventWait.__next__: await event.wait()
  signal_set  sync.Signal.set (native: it takes a default; ISR-safe, as its twin)
  event_set   sync.Event.set (ISR-safe, as its twin)
  event_clear sync.Event.clear

Machine code for the board's CPU, compiled and frozen as leaves_viper is;
sync.py takes it through pollen.port.twin() where the interpreter runs
machine code.  Task side, but signal_set and event_set, which are ISR-safe
like their twins.  Allocates nothing: the StopIteration is future's shared
one, and no viper frame adds to its traceback.  Each state layout is
sync.py's: keep them in step.
"""
# mpy-cross: requires native

import sys

if sys.implementation.name != "micropython":  # (a CPython may have a module of that name)
    raise ImportError("viper needs MicroPython")

import micropython  # noqa: E402

from .future import _STOP, CURRENT

_NONE = None  # viper compares objects with `is` only against another object, and
              # stores a literal None into an attribute as the int 0


@micropython.viper
def signal_next(self):
    s = self._s
    st = ptr32(s._st)  # [0]: set() count (ISR writes), [1]: the count consumed, [2]: a waker held
    n = st[0]
    if n == st[1]:  # nothing yet: register first, then look again
        cx = CURRENT.cx
        w = cx._waker
        if cx.counting:
            w = cx.waker()  # debug mode counts the calls
        if st[2]:  # a waker is held: ours (polled again) or another task's
            held = s._waker
            if not (held is w) and not held.will_wake(w):
                s._busy()  # raises the "already has a waiting task" error
        s._waker = w
        st[2] = 1
        n = st[0]
        if n == st[1]:
            return  # (None, with no global lookup: _NONE costs one)
    v = s  # (an object, to type v: the loop reads _v)
    while True:  # a seqlock against a preempting set(): _v is written before the count
        v = s._v
        m = st[0]
        if m == n:
            break
        n = m
    s.value = v
    st[1] = n
    if st[2]:
        st[2] = 0
        s._waker = _NONE  # (a bare None would be stored as the int 0 by viper)
    raise _STOP


@micropython.viper
def event_next(self):
    e = self._e
    st = ptr32(e._st)  # [0]: set count (ISR writes), [1]: cleared at, [2]: waiters
    cx = CURRENT.cx
    w = cx._waker
    if cx.counting:
        w = cx.waker()  # debug mode counts the calls
    ws = e._wakers
    nw = st[2]
    i = 0
    while i < nw:  # the waiters are the first st[2] slots (Event's docstring)
        if ws[i] is w:
            break
        i += 1
    if i == nw and nw:
        i = int(e._find(w))  # an equal waker that is another object (a clone)
        if i < 0:
            i = nw
    if i < nw:  # polled again: done if a set() came since we registered (st[3 + i])
        if st[0] != st[3 + i]:
            last = nw - 1  # Event._drop: the last waiter moves into the hole, the count shrinks last
            if i != last:
                st[3 + i] = st[3 + last]
                ws[i] = ws[last]
            ws[last] = _NONE
            st[2] = last
            raise _STOP
        ws[i] = w
        return  # (None, with no global lookup)
    n = st[0]
    if n != st[1]:
        raise _STOP  # already set
    if nw == int(e._size):
        e._add(w, n)  # raises the "no free waiter slot" error
    st[3 + nw] = n  # register first (Event._add), then look again
    ws[nw] = w
    st[2] = nw + 1
    if st[0] != n:
        ws[nw] = _NONE  # Event._drop of the last waiter
        st[2] = nw
        raise _STOP


@micropython.native
def signal_set(self, value=None):
    # native, not viper: viper cannot take a default argument (set() is set(None))
    self._v = value
    st = self._st
    st[0] = (st[0] + 1) & 0x3FFFFFFF  # published after the value
    w = self._waker  # held only while its wait is pending: the fast wake is safe
    if w is not None:
        c = w.cell
        if c is None:
            w.vtable.wake_by_ref(w.data)
        else:  # the fast wake (future.Waker): ready[slot] = 1, look byte = 1
            c[w.index] = 1
            c[-1] = 1


@micropython.viper
def event_clear(self):
    st = ptr32(self._st)
    st[1] = st[0]


@micropython.viper
def event_set(self):
    st = ptr32(self._st)
    n = st[0]
    if n == st[1]:  # only a clear->set step counts: no wrap while set
        st[0] = (n + 1) & 0x3FFFFFFF
    ws = self._wakers
    i = st[2]
    none = _NONE  # (a global: looked up once, not per waiter)
    while i:
        i -= 1
        w = ws[i]
        if not (w is none):  # held only while its wait is pending: the fast wake is safe
            c = w.cell
            if c is none:
                w.wake_by_ref()
            else:  # the fast wake (future.Waker): ready[slot] = 1, look byte = 1
                ptr8(c)[int(w.index)] = 1
                c[-1] = 1  # (the look byte is the last: no len(), a global and a builtin lookup)
