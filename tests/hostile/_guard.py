"""A hang guard for the hostile-input tests: each case runs in a forked child process with a
generous wall-clock cap and a memory cap. This is a guard against hangs and memory blow-ups on a
slow, shared CI machine, not a timing assertion: the budgets themselves are tested elsewhere."""

from __future__ import annotations

import os
import pickle
import resource
import select
import signal
import time
import warnings
import traceback
from collections.abc import Callable
from typing import Any

#: Seconds after which a case counts as hung.
HANG = 90.0
#: Memory a case may use on top of the test process (bytes).
MEMORY = 3 * 2**30


def guarded(func: Callable[[], Any], errors: tuple[type[BaseException], ...]) -> tuple[str, str]:
    """Run ``func`` in a child: ``("ok", repr(result))``, ``("error", message)`` for an expected error
    type, ``("crash", traceback)`` for any other exception, ``("hung", "")`` or ``("died", status)``."""
    read_fd, write_fd = os.pipe()
    with warnings.catch_warnings():  # Python 3.12 warns about fork() in a threaded process
        warnings.simplefilter("ignore", DeprecationWarning)
        pid = os.fork()
    if pid == 0:  # the child
        code = 0
        try:
            os.close(read_fd)
            with open("/proc/self/statm") as fh:
                base = int(fh.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
            resource.setrlimit(resource.RLIMIT_AS, (base + MEMORY, resource.RLIM_INFINITY))
            try:
                out = ("ok", repr(func())[:2000])
            except errors as exc:
                out = ("error", str(exc))
            except BaseException:  # noqa: BLE001 - reported to the parent, which fails the test
                out = ("crash", traceback.format_exc())
            data = pickle.dumps(out)
            while data:
                data = data[os.write(write_fd, data):]
        except BaseException:  # noqa: BLE001
            code = 3
        finally:
            os._exit(code)
    os.close(write_fd)
    chunks = []
    deadline = time.monotonic() + HANG
    hung = False
    try:
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                hung = True
                break
            ready, _, _ = select.select([read_fd], [], [], left)
            if ready:
                chunk = os.read(read_fd, 1 << 16)
                if not chunk:
                    break
                chunks.append(chunk)
    finally:
        os.close(read_fd)
        if hung:
            os.kill(pid, signal.SIGKILL)
        _, status = os.waitpid(pid, 0)
    if hung:
        return "hung", ""
    if not chunks:
        return "died", f"status {status}"
    return pickle.loads(b"".join(chunks))
