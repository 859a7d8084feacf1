"""The forked workers of linstab._budget keep no file descriptor of the parent's: a worker that
held the write end of another process's stdin (a browser driver's, say) would keep that process
from seeing end of file, and whoever waits for it to exit would wait forever."""

from __future__ import annotations

import operator
import os
import select
from functools import partial

import pytest

from linstab import _budget

pytestmark = pytest.mark.skipif(not _budget.can_limit(), reason="needs fork and resource")


def _eof_within(read_fd: int, seconds: float) -> bool:
    ready, _, _ = select.select([read_fd], [], [], seconds)
    return bool(ready) and os.read(read_fd, 1) == b""


@pytest.mark.parametrize("runner", ["run_warm", "run_limited"])
def test_forked_children_do_not_hold_the_parents_pipes(runner):
    r, w = os.pipe()  # stands for the pipe to another process's stdin
    try:
        out = getattr(_budget, runner)(partial(operator.mul, 6, 7), time_limit=2.0, memory_limit=200)
        assert out.kind == "ok" and out.value == 42
        os.close(w)
        w = None
        assert _eof_within(r, 3.0), "a forked child still holds the write end"
    finally:
        os.close(r)
        if w is not None:
            os.close(w)
        _budget._stop_worker()
