"""Where a timer's signal handler may raise.

The time budgets (:func:`linstab._budget.soft_limit`, the symbolic solvers' limits) raise an
exception from a signal handler. Python runs the handler between bytecodes of whatever Python code
is executing, and that may be a finaliser the interpreter called on its own: a ``__del__`` method,
a callback of the garbage collector (``gc.callbacks``; Hypothesis registers one), or a weak
reference's callback (``weakref.finalize``; SymPy's ``lambdify`` registers one per function). An
exception raised there cannot propagate: it is reported as "unraisable" and lost. The handlers
therefore ask :func:`may_raise_in` first and skip a delivery that does not land in the
computation's own code; their timers repeat, so a later delivery interrupts it.
"""

from __future__ import annotations

import _weakrefset
import gc
import os
import weakref
from types import FrameType

__all__ = ["may_raise_in", "COMPUTATION_CODE"]

#: frames to inspect; finaliser frames sit at the top of the stack, over the code they interrupted
_DEPTH = 64
#: the modules whose functions run weak-reference callbacks (finalize, WeakValueDictionary, WeakSet)
_FINALISER_FILES = frozenset(os.path.abspath(m.__file__) for m in (weakref, _weakrefset))
#: the packages whose code the budgets interrupt: the symbolic work they limit runs there
COMPUTATION_CODE = ("sympy", "mpmath", "linstab")


def _in_packages(filename: str, packages: tuple[str, ...]) -> bool:
    parts = os.path.normpath(filename).split(os.sep)
    return any(p in parts for p in packages)


def may_raise_in(frame: FrameType | None, packages: tuple[str, ...] | None = COMPUTATION_CODE) -> bool:
    """Whether a signal handler may raise in ``frame`` (its frame argument): ``False`` when the
    frame or one of its callers is a finaliser, a garbage-collector callback or a weak-reference
    callback, where the exception would be lost, or when the frame's code is outside ``packages``
    (``None``: anywhere).

    Examples
    --------
    >>> import sys
    >>> may_raise_in(sys._getframe(), packages=None)
    True
    """
    if frame is None:
        return False
    if packages is not None and not _in_packages(frame.f_code.co_filename, packages):
        return False
    callbacks = {getattr(cb, "__code__", None) for cb in gc.callbacks}
    callbacks |= {getattr(getattr(cb, "__call__", None), "__code__", None) for cb in gc.callbacks}
    callbacks.discard(None)
    for _ in range(_DEPTH):
        if frame is None:
            return True
        code = frame.f_code
        if code.co_name == "__del__" or code in callbacks or os.path.abspath(code.co_filename) in _FINALISER_FILES:
            return False
        frame = frame.f_back
    return True
