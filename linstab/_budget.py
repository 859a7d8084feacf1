"""Running a computation (one check, one symbolic analysis) within a time and memory budget.

SymPy has no notion of a budget: ``cancel((x + 1)**9999 - ...)`` expands ten thousand terms,
``x**x**x**x**x`` evaluated at 30 digits allocates gigabytes. A checker that faces students'
answers (on a shared grading server, say) therefore runs the comparison in a forked child
process with an address-space limit (``RLIMIT_AS``) and a CPU-time limit (``ITIMER_PROF``); the
parent stops waiting, and kills the child, when a wall-clock guard of twice the budget is spent.
Forking shares the parent's loaded modules copy-on-write, so a check costs about 15 ms more than
in process (measured on a 2-core machine), plus whatever SymPy's cache would have saved.

Where ``fork`` or :mod:`resource` is missing (Windows), the check runs in process, unbounded.
"""

from __future__ import annotations

import math
import os
import pickle
import select
import signal
import time
import warnings
from collections.abc import Callable
from typing import Any

__all__ = ["TIME_LIMIT", "MEMORY_LIMIT", "Outcome", "run_limited", "can_limit"]

#: Default wall-clock budget of one check, in seconds.
TIME_LIMIT = 2.0
#: Default memory budget of one check, in MB (on top of what the process already uses).
MEMORY_LIMIT = 500

try:
    import resource
except ImportError:  # pragma: no cover - Windows
    resource = None  # type: ignore[assignment]


def can_limit() -> bool:
    """Whether this platform can run a check in a resource-limited child process."""
    return resource is not None and hasattr(os, "fork")


class Outcome:
    """What came back: ``kind`` is ``"ok"``, ``"error"``, ``"time"``, ``"memory"`` or ``"depth"``."""

    __slots__ = ("kind", "value")

    def __init__(self, kind: str, value: Any = None) -> None:
        self.kind = kind
        self.value = value


def _virtual_size() -> int:
    """This process's virtual memory size in bytes (0 if unknown)."""
    try:
        with open("/proc/self/statm") as fh:
            return int(fh.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return 0


def _child(func: Callable[[], Any], write_fd: int, time_limit: float, memory_limit: int) -> None:
    """Run ``func`` under the limits and write the pickled :class:`Outcome` to ``write_fd``."""
    try:
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        # CPU time, not wall-clock time, is the budget: a check must not fail because the machine
        # is busy. SIGPROF (default action: terminate) fires after `time_limit` CPU seconds;
        # RLIMIT_CPU (whole seconds) is the backstop. A child's CPU counters start at zero.
        signal.signal(signal.SIGPROF, signal.SIG_DFL)
        signal.setitimer(signal.ITIMER_PROF, time_limit)
        _, hard = resource.getrlimit(resource.RLIMIT_CPU)
        soft = math.ceil(time_limit) + 2
        resource.setrlimit(resource.RLIMIT_CPU, (soft if hard == resource.RLIM_INFINITY else min(soft, hard), hard))
        base = _virtual_size()
        if base:
            limit = base + memory_limit * 2**20
            _, hard = resource.getrlimit(resource.RLIMIT_AS)
            if hard != resource.RLIM_INFINITY:
                limit = min(limit, hard)
            resource.setrlimit(resource.RLIMIT_AS, (limit, hard))
        try:
            out = Outcome("ok", func())
        except MemoryError:
            out = Outcome("memory")
        except RecursionError:
            out = Outcome("depth")
        except Exception as exc:  # handed to the parent, which raises it
            out = Outcome("error", exc)
        try:
            data = pickle.dumps(out)
        except Exception as exc:  # an unpicklable result or exception
            data = pickle.dumps(Outcome("error", RuntimeError(f"{type(exc).__name__}: {exc}")))
        view = memoryview(data)
        while view:
            view = view[os.write(write_fd, view):]
    except MemoryError:
        pass
    finally:
        os._exit(0)


def run_limited(func: Callable[[], Any], *, time_limit: float, memory_limit: int,
                wall_factor: float = 2.0) -> Outcome:
    """Call ``func()`` in a forked child with at most ``time_limit`` CPU seconds and ``memory_limit`` MB.

    The parent waits at most ``wall_factor * time_limit + 1`` seconds of wall-clock time (a
    guard for a child that sleeps or is starved of CPU on a busy machine) and then kills it.

    Returns an :class:`Outcome`: ``"ok"`` with the result, ``"error"`` with the exception the call
    raised, ``"time"`` when the budget ran out (the child is killed), ``"memory"`` when the call
    ran out of memory or ``"depth"`` when it recursed too deeply.
    """
    read_fd, write_fd = os.pipe()
    with warnings.catch_warnings():  # Python 3.12 warns about fork() in a threaded process
        warnings.simplefilter("ignore", DeprecationWarning)
        pid = os.fork()
    if pid == 0:  # pragma: no cover - runs in the child, which never returns
        os.close(read_fd)
        _child(func, write_fd, time_limit, memory_limit)
    os.close(write_fd)
    chunks: list[bytes] = []
    deadline = time.monotonic() + wall_factor * time_limit + 1.0
    timed_out = False
    try:
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                timed_out = True
                break
            ready, _, _ = select.select([read_fd], [], [], left)
            if not ready:
                continue
            chunk = os.read(read_fd, 1 << 16)
            if not chunk:
                break
            chunks.append(chunk)
    finally:
        os.close(read_fd)
        if timed_out:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        try:
            _, status = os.waitpid(pid, 0)
        except ChildProcessError:  # SIGCHLD ignored: the child was reaped already
            status = 0
    if timed_out:
        return Outcome("time")
    if not chunks:
        # killed without a word: SIGXCPU is the CPU limit, anything else (SIGKILL, SIGSEGV from a
        # failed allocation) is taken as memory
        sig = os.WTERMSIG(status) if os.WIFSIGNALED(status) else None
        return Outcome("time" if sig in (signal.SIGXCPU, signal.SIGPROF) else "memory")
    try:
        return pickle.loads(b"".join(chunks))
    except Exception:  # a child killed halfway through writing
        return Outcome("memory")
