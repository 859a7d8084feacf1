"""Atomic file writing: a file is either the old one or the complete new one, never half of it.

Every writer in linstab writes to a temporary file in the target's own directory and renames it
onto the target with :func:`os.replace` only once the content is complete and flushed to disk.
``rename(2)`` within one file system is atomic (POSIX): a reader, a second writer or a crash sees
the old file or the new one. A writer killed mid-write (``kill -9``, power loss) leaves the target
untouched and at most a hidden ``.NAME.*.tmp`` file beside it; two writers racing for the same
target each rename a complete file of their own, so the last one wins whole.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

__all__ = ["atomic_path", "atomic_open", "write_text", "check_output_path", "new_temp", "commit", "discard",
           "TEMP_MARK"]

#: Part of every temporary file's name (``.NAME.<random>.tmp<suffix>``).
TEMP_MARK = ".tmp"


def check_output_path(path: str | os.PathLike, *, what: str = "output file") -> Path:
    """``path`` as a :class:`Path` after checking that a regular file can be written there.

    Refuses a directory, a device or other special file, a target under ``/proc`` or ``/sys``
    (kernel interfaces, not files), a missing parent folder and an unwritable one, each with an
    :class:`OSError` whose message names the path and the problem.

    Examples
    --------
    >>> check_output_path("/proc/self/status")
    Traceback (most recent call last):
    ...
    PermissionError: cannot write the output file '/proc/self/status': /proc is a kernel interface, not a place for files
    """
    p = Path(path)
    resolved = p.resolve()
    for special in ("/proc", "/sys", "/dev"):
        if resolved == Path(special) or Path(special) in resolved.parents:
            raise PermissionError(f"cannot write the {what} {str(p)!r}: {special} is a kernel interface, "
                                  "not a place for files")
    if p.is_dir():
        raise IsADirectoryError(f"cannot write the {what} {str(p)!r}: it is a directory; give a file name")
    if p.exists() and not stat.S_ISREG(p.stat().st_mode):
        raise PermissionError(f"cannot write the {what} {str(p)!r}: it exists and is not a regular file")
    parent = resolved.parent
    if not parent.is_dir():
        raise FileNotFoundError(f"cannot write the {what} {str(p)!r}: folder {str(parent)!r} does not exist")
    if not os.access(parent, os.W_OK | os.X_OK):
        raise PermissionError(f"cannot write the {what} {str(p)!r}: folder {str(parent)!r} is not writable")
    return p


def new_temp(path: Path) -> Path:
    """A fresh temporary name beside ``path``, for a writer that will :func:`commit` it.

    The suffix is kept for writers that look at it (numpy appends ``.npz`` to a name without it).
    """
    return path.with_name(f".{path.name}.{secrets.token_hex(6)}{TEMP_MARK}{path.suffix}")


def commit(tmp: Path, path: Path) -> None:
    """Flush ``tmp`` to disk and rename it onto ``path`` (atomic on one file system)."""
    if not tmp.is_file():
        raise FileNotFoundError(f"the writer of {str(path)!r} created no file")
    fd = os.open(tmp, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
    os.replace(tmp, path)
    with contextlib.suppress(OSError):  # not every file system lets a folder be opened and synced
        fd = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def discard(tmp: Path) -> None:
    """Remove a temporary file of a failed write (if it is there)."""
    with contextlib.suppress(OSError):
        tmp.unlink()


@contextlib.contextmanager
def atomic_path(path: str | os.PathLike, *, what: str = "output file") -> Iterator[Path]:
    """Yield a temporary path beside ``path``; rename it onto ``path`` when the block succeeds.

    For writers that take a path (``h5py.File``, ``numpy.savez``). If the block raises -- or the
    process is killed -- ``path`` keeps its old content (or stays absent); on an exception the
    temporary file is removed.

    Examples
    --------
    >>> import tempfile, os
    >>> from pathlib import Path
    >>> target = Path(tempfile.mkdtemp()) / "a.txt"
    >>> with atomic_path(target) as tmp:
    ...     _ = tmp.write_text("complete")
    >>> target.read_text(), os.listdir(target.parent)
    ('complete', ['a.txt'])
    """
    target = check_output_path(path, what=what)
    tmp = new_temp(target)
    try:
        yield tmp
        commit(tmp, target)
    except BaseException:
        discard(tmp)
        raise


@contextlib.contextmanager
def atomic_open(path: str | os.PathLike, mode: str = "w", *, what: str = "output file",
                **kwargs: Any) -> Iterator[IO[Any]]:
    """``open(path, mode)`` that writes to a temporary file renamed onto ``path`` at the end.

    Examples
    --------
    >>> import tempfile
    >>> from pathlib import Path
    >>> target = Path(tempfile.mkdtemp()) / "b.txt"
    >>> with atomic_open(target, encoding="utf-8") as fh:
    ...     _ = fh.write("whole")
    >>> target.read_text()
    'whole'
    """
    if mode not in ("w", "wb"):
        raise ValueError(f"atomic_open writes whole files: mode must be 'w' or 'wb', got {mode!r}")
    with atomic_path(path, what=what) as tmp, open(tmp, mode, **kwargs) as fh:
        yield fh
        fh.flush()


def write_text(path: str | os.PathLike, text: str, *, what: str = "output file") -> Path:
    """Write ``text`` (UTF-8) to ``path`` atomically; returns the path."""
    with atomic_open(path, "w", encoding="utf-8", what=what) as fh:
        fh.write(text)
    return Path(path)
