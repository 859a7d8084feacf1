"""Running a computation (one check, one symbolic analysis) within a time and memory budget.

SymPy has no notion of a budget: ``cancel((x + 1)**9999 - ...)`` expands ten thousand terms,
``x**x**x**x**x`` evaluated at 30 digits allocates gigabytes. A checker that faces students'
answers (on a shared grading server, say) therefore runs the comparison in a forked child
process with an address-space limit (``RLIMIT_AS``) and a CPU-time limit (``ITIMER_PROF``); the
parent stops waiting, and kills the child, when a wall-clock guard of twice the budget is spent.
Forking shares the parent's loaded modules copy-on-write. :func:`run_warm` keeps one forked
worker for call after call, so that SymPy's cache stays warm (a few milliseconds per check);
:func:`run_limited` forks a fresh child per call (about 15 ms, and a cold cache).

Where ``fork`` or :mod:`resource` is missing (Windows), the check runs in process, unbounded.
"""

from __future__ import annotations

import atexit
import contextlib
import math
import os
import pickle
import select
import signal
import threading
import time
import warnings
from collections.abc import Callable, Iterator
from typing import Any

from linstab._interrupt import may_raise_in

__all__ = ["TIME_LIMIT", "MEMORY_LIMIT", "Outcome", "run_limited", "run_warm", "can_limit", "soft_limit", "OverBudget"]

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


def _limit_memory(memory_limit: int) -> None:
    """Cap the address space at the present size plus ``memory_limit`` MB."""
    base = _virtual_size()
    if base:
        limit = base + memory_limit * 2**20
        _, hard = resource.getrlimit(resource.RLIMIT_AS)
        if hard != resource.RLIM_INFINITY:
            limit = min(limit, hard)
        resource.setrlimit(resource.RLIMIT_AS, (limit, hard))


def _call(func: Callable[[], Any], time_limit: float) -> bytes:
    """Run ``func`` with a CPU-time limit; the pickled :class:`Outcome`.

    CPU time, not wall-clock time, is the budget: a check must not fail because the machine is
    busy. SIGPROF (default action: terminate the process) fires after ``time_limit`` CPU seconds.
    """
    signal.signal(signal.SIGPROF, signal.SIG_DFL)
    signal.setitimer(signal.ITIMER_PROF, time_limit)
    try:
        out = Outcome("ok", func())
    except MemoryError:
        out = Outcome("memory")
    except RecursionError:
        out = Outcome("depth")
    except Exception as exc:  # handed to the parent, which raises it
        out = Outcome("error", exc)
    finally:
        signal.setitimer(signal.ITIMER_PROF, 0)
    try:
        return pickle.dumps(out)
    except Exception as exc:  # an unpicklable result or exception
        return pickle.dumps(Outcome("error", RuntimeError(f"{type(exc).__name__}: {exc}")))


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


def _child(func: Callable[[], Any], write_fd: int, time_limit: float, memory_limit: int) -> None:
    """Run ``func`` under the limits and write the pickled :class:`Outcome` to ``write_fd``."""
    try:
        signal.signal(signal.SIGINT, signal.SIG_DFL)
        # RLIMIT_CPU (whole seconds) backs up the timer; a child's CPU counters start at zero.
        _, hard = resource.getrlimit(resource.RLIMIT_CPU)
        soft = math.ceil(time_limit) + 2
        resource.setrlimit(resource.RLIMIT_CPU, (soft if hard == resource.RLIM_INFINITY else min(soft, hard), hard))
        _limit_memory(memory_limit)
        _write_all(write_fd, _call(func, time_limit))
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
        _close_inherited(keep={write_fd})
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


# --------------------------------------------------------------------------- a warm worker
class _Worker:
    """A forked process that runs calls one after another under the limits.

    Forking once per call would throw SymPy's cache away with every child; a worker keeps it
    warm, as an in-process check would. Each call gets its own CPU-time limit; the address space
    limit is set once, and a worker that ran out of memory (or recursed too deeply) is replaced.
    """

    def __init__(self, memory_limit: int) -> None:
        to_r, to_w = os.pipe()
        from_r, from_w = os.pipe()
        parent = os.getpid()
        with warnings.catch_warnings():  # Python 3.12 warns about fork() in a threaded process
            warnings.simplefilter("ignore", DeprecationWarning)
            pid = os.fork()
        if pid == 0:  # pragma: no cover - runs in the worker, which never returns
            _close_inherited(keep={to_r, from_w})
            _serve(to_r, from_w, memory_limit, parent)
        os.close(to_r)
        os.close(from_w)
        self.pid, self.send_fd, self.recv_fd = pid, to_w, from_r
        self.owner, self.memory_limit, self.calls = parent, memory_limit, 0

    def close(self) -> int:
        """Stop the worker; its wait status."""
        for fd in (self.send_fd, self.recv_fd):
            try:
                os.close(fd)
            except OSError:
                pass
        try:
            os.kill(self.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        try:
            return os.waitpid(self.pid, 0)[1]
        except ChildProcessError:
            return 0


def _close_inherited(keep: set[int]) -> None:
    """In a forked child: close every file descriptor copied from the parent but the standard
    streams and ``keep``.

    A fork copies all of them, pipes to other processes included. A long-lived child that holds
    the write end of, say, a browser driver's stdin keeps that driver from ever seeing end of
    file, and whoever waits for the driver to exit waits forever (seen: pytest's session teardown
    of a Playwright browser, after a check had started this worker).
    """
    try:
        fds = [int(name) for name in os.listdir("/proc/self/fd")]
    except OSError:  # no /proc (macOS): every descriptor up to the limit
        fds = list(range(3, min(resource.getrlimit(resource.RLIMIT_NOFILE)[0], 65536)))
    for fd in fds:
        if fd > 2 and fd not in keep:
            try:
                os.close(fd)
            except OSError:
                pass


def _read_exact(fd: int, size: int, deadline: float | None) -> bytes | None:
    """``size`` bytes from ``fd``; ``None`` at end of file; raises TimeoutError past ``deadline``."""
    chunks, got = [], 0
    while got < size:
        if deadline is not None:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([fd], [], [], left)[0]:
                raise TimeoutError
        chunk = os.read(fd, min(size - got, 1 << 16))
        if not chunk:
            return None
        chunks.append(chunk)
        got += len(chunk)
    return b"".join(chunks)


def _serve(read_fd: int, write_fd: int, memory_limit: int, parent: int) -> None:
    """The worker's loop: read a pickled ``(func, time_limit)``, run it, write the outcome."""
    try:
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C reaches the whole group; the parent handles it
        _limit_memory(memory_limit)
        while True:
            if not select.select([read_fd], [], [], 5.0)[0]:
                if os.getppid() != parent:  # the parent is gone
                    break
                continue
            header = _read_exact(read_fd, 8, None)
            if header is None:
                break
            payload = _read_exact(read_fd, int.from_bytes(header, "little"), None)
            if payload is None:
                break
            try:
                func, time_limit = pickle.loads(payload)
            except Exception as exc:  # e.g. a class defined in the parent after the worker started
                data = pickle.dumps(Outcome("unreadable", str(exc)))
            else:
                data = _call(func, time_limit)
            _write_all(write_fd, len(data).to_bytes(8, "little") + data)
    except BaseException:  # noqa: BLE001 - the parent sees the pipe close and starts a new worker
        pass
    finally:
        os._exit(0)


_lock = threading.Lock()
_worker: _Worker | None = None


def _stop_worker() -> int:
    global _worker
    status = 0
    if _worker is not None and _worker.owner == os.getpid():
        status = _worker.close()
    _worker = None
    return status


atexit.register(_stop_worker)


def run_warm(func: Callable[[], Any], *, time_limit: float, memory_limit: int, wall_factor: float = 2.0) -> Outcome:
    """:func:`run_limited`, but in a long-lived worker process that keeps SymPy's cache warm.

    ``func`` must be picklable (e.g. a ``functools.partial`` of a module-level function); where
    it is not, or the worker cannot read it, the call falls back to :func:`run_limited`. A call
    that runs out of memory in a worker that has served earlier calls is retried once in a
    fresh child, so that memory held by earlier checks cannot count against it.
    """
    global _worker
    try:
        payload = pickle.dumps((func, time_limit))
    except Exception:
        return run_limited(func, time_limit=time_limit, memory_limit=memory_limit, wall_factor=wall_factor)
    with _lock:
        if _worker is not None and (_worker.owner != os.getpid() or _worker.memory_limit != memory_limit):
            _stop_worker()  # inherited through a fork, or another memory budget
        if _worker is None:
            _worker = _Worker(memory_limit)
        worker = _worker
        deadline = time.monotonic() + wall_factor * time_limit + 1.0
        try:
            _write_all(worker.send_fd, len(payload).to_bytes(8, "little") + payload)
            header = _read_exact(worker.recv_fd, 8, deadline)
            data = None if header is None else _read_exact(worker.recv_fd, int.from_bytes(header, "little"), deadline)
        except TimeoutError:
            _stop_worker()
            return Outcome("time")
        except OSError:  # the worker is gone (broken pipe)
            data = None
        if data is None:
            status = _stop_worker()
            sig = os.WTERMSIG(status) if os.WIFSIGNALED(status) else None
            if sig in (signal.SIGXCPU, signal.SIGPROF):
                return Outcome("time")
            out = Outcome("memory")
        else:
            out = pickle.loads(data)
        served = worker.calls
        worker.calls += 1
        if out.kind in ("memory", "depth"):
            _stop_worker()
    if out.kind == "unreadable" or (out.kind == "memory" and served > 0):
        return run_limited(func, time_limit=time_limit, memory_limit=memory_limit, wall_factor=wall_factor)
    return out


# --------------------------------------------------------------------------- a soft limit inside
class OverBudget(BaseException):
    """Raised inside :func:`soft_limit` when its CPU time is spent.

    A ``BaseException``, so that library code catching ``Exception`` cannot swallow it.
    """


@contextlib.contextmanager
def soft_limit(seconds: float) -> Iterator[None]:
    """Give one step of a computation at most ``seconds`` of CPU time, then raise :class:`OverBudget`.

    For a step that has a cheaper fallback (an exact comparison that may give way to a numeric
    one): the step is interrupted and the computation goes on, within the overall budget of
    :func:`run_warm`. It uses the virtual (user CPU time) timer, independent of the profiling
    timer that enforces the overall budget. The step is interrupted in SymPy, mpmath or linstab
    code, never in a finaliser (see :mod:`linstab._interrupt`). Outside the main thread, or where
    the platform has no such timer, the step runs unlimited.

    Examples
    --------
    >>> with soft_limit(5.0):
    ...     sum(range(10))
    45
    """
    if not hasattr(signal, "ITIMER_VIRTUAL") or threading.current_thread() is not threading.main_thread():
        yield
        return

    def _expire(signum, frame):
        if not may_raise_in(frame):  # inside a finaliser the exception would be lost; the timer repeats
            return
        raise OverBudget(f"the step took more than {seconds:g} s of CPU time")

    previous = signal.signal(signal.SIGVTALRM, _expire)
    # the timer repeats every 20 ms after it first fires: library code with a bare `except:` may
    # swallow one OverBudget, but not all of them
    signal.setitimer(signal.ITIMER_VIRTUAL, seconds, 0.02)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_VIRTUAL, 0)
        signal.signal(signal.SIGVTALRM, previous)
