"""Where the core finds its port: the object that owns time, sleep and pins.

The core never imports `machine`.  A port is injected with install(); when
none was, current() picks the real board (pollen.port_machine, if the
interpreter has `machine.Timer`) or the host port (pollen.port_host).

A port offers:
  ticks_us(), ticks_ms(), ticks_diff(a, b), ticks_add(t, delta), TICKS_PERIOD
  wait(cell)          sleep until cell[0] != 0 (a one-byte bytearray or memoryview
                      that interrupt handlers set: a Flag's cell, an Executor's
                      look byte); may return early (callers loop).  An
                      attribute read at each use: a port may swap it
  set_alarm(handler)  the one hardware alarm: handler() runs in a hard IRQ (a port
                      may pass it one argument, as machine.Timer does)
  arm_at(deadline_us) one-shot alarm at ticks_us() == deadline_us (a deadline past:
                      at once); re-arming replaces it
  disarm()
  irq_off() -> state, irq_on(state)   a critical section against interrupt handlers
  watchdog(timeout_ms) -> object with feed()  (machine.WDT)
  Pin                 the machine.Pin class pins are made of
and, for pollen.stream (task context, all three):
  watch(obj, mask, waker)  from now on the idle sleep also waits for `obj`
                      (anything select.poll accepts) to be ready for `mask`
                      (POLLIN 1 / POLLOUT 4); when it is, wakes `waker` from
                      inside wait() and stops watching obj (one-shot).
                      Watching obj again replaces its mask and waker
  unwatch(obj)        forget obj's watch (a cancelled wait's close())
  wait_streams(cell)  wait(cell) while streams are watched: the port swaps it
                      in as `wait` on watch() and back out when none is left,
                      so idling without streams costs nothing more
"""

_port = None


def install(p):
    """Make `p` the port every pollen object made from now on uses."""
    global _port
    _port = p
    return p


def current():
    if _port is None:
        from .port_machine import board_port  # only module that looks for machine
        p = board_port()
        if p is None:
            from .port_host import HostPort
            p = HostPort()
        install(p)
    return _port
