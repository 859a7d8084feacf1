"""The time budgets never raise inside a finaliser, and do interrupt the computation.

Found by clean-clone CI runs: the fixed-point solve's alarm fired while Hypothesis's
``gc.callbacks`` entry ran, and once while a ``weakref.finalize`` callback of SymPy's ``lambdify``
ran; each time the exception was reported as unraisable instead of ending the solve."""

from __future__ import annotations

import gc
import sys
import time
import weakref

import pytest
import sympy as sp

from linstab._budget import OverBudget, soft_limit
from linstab._interrupt import may_raise_in
from linstab.sym._fixed_points import _Timeout, _time_limit


def _busy(seconds: float) -> None:
    """CPU work outside the computation's packages (this test file)."""
    end = time.process_time() + seconds
    while time.process_time() < end:
        pass


def _sympy_work(seconds: float) -> None:
    """CPU work in SymPy, where the budgets interrupt."""
    x = sp.Symbol("x")
    end = time.process_time() + seconds
    while time.process_time() < end:
        sp.expand((x + 1) ** 12)
        sp.core.cache.clear_cache()


@pytest.fixture
def slow_gc_callback():
    """A gc callback that runs 0.3 s of CPU time, long enough for a timer to fire inside it."""
    frames = []

    def callback(phase, info):
        if phase == "stop":
            frames.append(may_raise_in(sys._getframe(), packages=None))
            _busy(0.3)

    gc.callbacks.append(callback)
    try:
        yield frames
    finally:
        gc.callbacks.remove(callback)


def test_a_gc_callback_frame_is_recognised(slow_gc_callback):
    gc.collect()
    assert slow_gc_callback == [False]
    assert may_raise_in(sys._getframe(), packages=None)


def test_a_finaliser_frame_is_recognised():
    seen = []

    class Finalised:
        def __del__(self):
            seen.append(may_raise_in(sys._getframe(), packages=None))

    Finalised()
    assert seen == [False]


def test_a_weakref_finalize_callback_is_recognised():
    seen = []

    class Target:
        pass

    target = Target()
    weakref.finalize(target, lambda: seen.append(may_raise_in(sys._getframe(), packages=None)))
    del target
    gc.collect()
    assert seen == [False]


def test_code_outside_the_computation_packages_is_not_interrupted():
    assert not may_raise_in(sys._getframe())  # this test file is no SymPy, mpmath or linstab code
    assert may_raise_in(sys._getframe(), packages=("tests",))


@pytest.mark.parametrize("limit", [
    lambda: soft_limit(0.05),
    lambda: _time_limit(0.05),
], ids=["soft_limit", "fixed_points_time_limit"])
def test_the_timeout_reaches_the_computation_not_the_callback(slow_gc_callback, limit):
    unraisable = []
    hook, sys.unraisablehook = sys.unraisablehook, unraisable.append
    try:
        with pytest.raises((OverBudget, _Timeout)):
            with limit():
                gc.collect()        # the timer fires during the callback's 0.3 s
                _sympy_work(10.0)   # and is delivered here instead
    finally:
        sys.unraisablehook = hook
    assert not unraisable
    assert slow_gc_callback and not any(slow_gc_callback)
