"""Where a timer's signal handler may raise.

The time budgets (:func:`linstab._budget.soft_limit`, the symbolic solvers' limits) raise an
exception from a signal handler. Python runs the handler between bytecodes of whatever Python code
is executing, and that may be a finaliser: a ``__del__`` method, or a callback the garbage
collector runs (``gc.callbacks``; Hypothesis registers one). An exception raised there cannot
propagate: it is reported as "unraisable" and lost. The handlers therefore ask
:func:`may_raise_in` first, and skip a delivery that lands in a finaliser; their timers repeat, so
the next delivery interrupts the computation itself.
"""

from __future__ import annotations

import gc
from types import FrameType

__all__ = ["may_raise_in"]

#: frames to inspect; finaliser frames sit at the top of the stack, over the code they interrupted
_DEPTH = 64


def may_raise_in(frame: FrameType | None) -> bool:
    """``False`` when ``frame`` (a signal handler's frame argument) or one of its callers is a
    finaliser or a garbage-collector callback, where a raised exception would be lost.

    Examples
    --------
    >>> import sys
    >>> may_raise_in(sys._getframe())
    True
    """
    callbacks = {getattr(cb, "__code__", None) for cb in gc.callbacks}
    callbacks |= {getattr(getattr(cb, "__call__", None), "__code__", None) for cb in gc.callbacks}
    callbacks.discard(None)
    for _ in range(_DEPTH):
        if frame is None:
            return True
        code = frame.f_code
        if code.co_name == "__del__" or code in callbacks:
            return False
        frame = frame.f_back
    return True
