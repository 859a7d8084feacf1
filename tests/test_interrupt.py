"""The time budgets never raise inside a garbage-collector callback or a finaliser.

Found by the clean-clone CI run of stop 12: the fixed-point solve's alarm fired while Hypothesis's
``gc.callbacks`` entry ran, and the exception was reported as unraisable instead of ending the
solve."""

from __future__ import annotations

import gc
import sys
import time

import pytest

from linstab._budget import OverBudget, soft_limit
from linstab._interrupt import may_raise_in
from linstab.sym._fixed_points import _Timeout, _time_limit


def _busy(seconds: float) -> None:
    end = time.process_time() + seconds
    while time.process_time() < end:
        pass


@pytest.fixture
def slow_gc_callback():
    """A gc callback that runs 0.3 s of CPU time, long enough for a timer to fire inside it."""
    frames = []

    def callback(phase, info):
        if phase == "stop":
            frames.append(may_raise_in(sys._getframe()))
            _busy(0.3)

    gc.callbacks.append(callback)
    try:
        yield frames
    finally:
        gc.callbacks.remove(callback)


def test_a_gc_callback_frame_is_recognised(slow_gc_callback):
    gc.collect()
    assert slow_gc_callback == [False]
    assert may_raise_in(sys._getframe())


def test_a_finaliser_frame_is_recognised():
    seen = []

    class Finalised:
        def __del__(self):
            seen.append(may_raise_in(sys._getframe()))

    Finalised()
    assert seen == [False]


@pytest.mark.parametrize("limit", [
    lambda: soft_limit(0.05),
    lambda: _time_limit(0.05),
], ids=["soft_limit", "fixed_points_time_limit"])
def test_the_timeout_reaches_the_computation_not_the_callback(slow_gc_callback, limit):
    unraisable = []
    hook, sys.unraisablehook = sys.unraisablehook, unraisable.append
    try:
        with pytest.raises(BaseException) as caught:
            with limit():
                gc.collect()      # the timer fires during the callback's 0.3 s
                _busy(5.0)        # and is delivered here instead
    finally:
        sys.unraisablehook = hook
    assert caught.type in (OverBudget, _Timeout)
    assert not unraisable
    assert slow_gc_callback == [False]
