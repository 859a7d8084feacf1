"""The budget runner behind the checker and ``analyze``: limits, recovery, and fallbacks."""

from __future__ import annotations

import functools
import math
import os

import pytest

from linstab import _budget
from linstab._budget import can_limit, run_limited, run_warm

pytestmark = pytest.mark.skipif(not can_limit(), reason="needs fork and the resource module")


def _spin(seconds: float) -> str:  # burn CPU time
    end = os.times()[0] + seconds
    while os.times()[0] < end:
        pass
    return "done"


def _allocate(megabytes: int) -> int:
    return len(bytearray(megabytes * 2**20))


def _fail() -> None:
    raise KeyError("from the child")


@pytest.mark.parametrize("runner", [run_limited, run_warm])
def test_outcomes(runner):
    ok = runner(functools.partial(math.factorial, 20), time_limit=5, memory_limit=200)
    assert (ok.kind, ok.value) == ("ok", math.factorial(20))
    assert runner(functools.partial(_spin, 30), time_limit=0.3, memory_limit=200).kind == "time"
    assert runner(functools.partial(_allocate, 2000), time_limit=5, memory_limit=200).kind == "memory"
    err = runner(_fail, time_limit=5, memory_limit=200)
    assert err.kind == "error" and isinstance(err.value, KeyError)
    # after each failure the next call still works (a fresh worker where the old one died)
    again = runner(functools.partial(_allocate, 10), time_limit=5, memory_limit=200)
    assert (again.kind, again.value) == ("ok", 10 * 2**20)


def test_warm_worker_is_reused_and_unpicklable_calls_fall_back():
    run_warm(functools.partial(math.factorial, 3), time_limit=5, memory_limit=200)
    pid = _budget._worker.pid
    run_warm(functools.partial(math.factorial, 4), time_limit=5, memory_limit=200)
    assert _budget._worker.pid == pid
    out = run_warm(lambda: 42, time_limit=5, memory_limit=200)  # a lambda cannot be pickled
    assert (out.kind, out.value) == ("ok", 42)


def test_a_forked_process_gets_its_own_worker():
    run_warm(functools.partial(math.factorial, 3), time_limit=5, memory_limit=200)
    pid = os.fork()
    if pid == 0:  # the child must not talk to its parent's worker
        code = 1
        try:
            out = run_warm(functools.partial(math.factorial, 5), time_limit=5, memory_limit=200)
            code = 0 if (out.kind, out.value) == ("ok", 120) and _budget._worker.owner == os.getpid() else 2
        finally:
            os._exit(code)
    _, status = os.waitpid(pid, 0)
    assert os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0
