"""Files are written whole or not at all: killed writers, racing writers, write errors."""

from __future__ import annotations

import errno
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import numpy as np
import pytest

import linstab._atomic as atomic
from linstab._atomic import atomic_path, check_output_path, write_text
from linstab.cli import main

ROOT = Path(__file__).resolve().parents[1]
ENV = {**os.environ, "PYTHONPATH": str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", "")}

# a writer that saves `value` as a 40 MB .npz through linstab's atomic writer, `count` times
WRITER = textwrap.dedent("""
    import sys, numpy as np
    from linstab._atomic import atomic_path
    target, value, count = sys.argv[1], float(sys.argv[2]), int(sys.argv[3])
    data = np.full(5_000_000, value)
    for _ in range(count):
        with atomic_path(target) as tmp:
            np.savez(tmp, data=data)
""")


def _load(path: Path) -> np.ndarray:
    with np.load(path) as z:
        return z["data"]


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except FileNotFoundError:  # renamed or removed meanwhile
        return 0


def _temps(folder: Path) -> list[Path]:
    return [p for p in folder.iterdir() if atomic.TEMP_MARK in p.name]


def test_kill_9_mid_write_leaves_the_old_file(tmp_path):
    target = tmp_path / "map.npz"
    np.savez(target, data=np.full(10, 1.0))
    proc = subprocess.Popen([sys.executable, "-c", WRITER, str(target), "2.0", "1000"], env=ENV)
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:  # wait until a temporary file is being filled
            if any(_size(p) > 0 for p in _temps(tmp_path)):
                break
            time.sleep(0.001)
        else:
            pytest.fail("the writer never started writing")
        os.kill(proc.pid, signal.SIGKILL)
    finally:
        proc.wait()
    assert proc.returncode == -signal.SIGKILL
    data = _load(target)  # the old file or a whole new one, never a truncated one
    assert (data.shape == (10,) and (data == 1.0).all()) or (data.shape == (5_000_000,) and (data == 2.0).all())
    for p in _temps(tmp_path):  # leftovers are hidden temporary files, never the target's name
        assert p.name.startswith(".map.npz.") and p != target


def test_two_writers_at_once_leave_one_whole_file(tmp_path):
    target = tmp_path / "map.npz"
    procs = [subprocess.Popen([sys.executable, "-c", WRITER, str(target), str(v), "6"], env=ENV)
             for v in (3.0, 4.0)]
    seen = set()
    while any(p.poll() is None for p in procs):  # read while they race: every read is whole
        if target.exists():
            data = _load(target)
            assert data.shape == (5_000_000,)
            values = np.unique(data)
            assert values.size == 1 and values[0] in (3.0, 4.0)
            seen.add(float(values[0]))
        time.sleep(0.01)
    assert [p.returncode for p in procs] == [0, 0]
    data = _load(target)
    assert data.shape == (5_000_000,) and np.unique(data).size == 1 and data[0] in (3.0, 4.0)
    assert _temps(tmp_path) == []


class _FullDisk:
    """A file object that accepts half of what it is given, then fails like a full disk."""

    def __init__(self, fh):
        self.fh = fh

    def write(self, text):
        self.fh.write(text[: len(text) // 2])
        raise OSError(errno.ENOSPC, "No space left on device")

    def __getattr__(self, name):
        return getattr(self.fh, name)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.fh.close()


@pytest.fixture
def full_disk(monkeypatch):
    def fake_open(*args, **kwargs):
        return _FullDisk(open(*args, **kwargs))

    monkeypatch.setattr(atomic, "open", fake_open, raising=False)


def test_write_error_leaves_no_half_page(tmp_path, full_disk):
    pytest.importorskip("bokeh")
    from bokeh.models import Div

    from linstab.plot import save_html

    page = tmp_path / "page.html"
    page.write_text("<html>old page</html>")
    with pytest.raises(OSError, match="No space left"):
        save_html(Div(text="new"), page)
    assert page.read_text() == "<html>old page</html>"
    assert _temps(tmp_path) == []


def test_cli_write_error_is_one_line_and_keeps_the_old_page(tmp_path, full_disk, capsys):
    pytest.importorskip("bokeh")
    page = tmp_path / "p.html"
    page.write_text("old")
    assert main(["portrait", "toggle_switch", "--html", str(page)]) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "No space left on device" in err and "Traceback" not in err
    assert page.read_text() == "old" and _temps(tmp_path) == []


def test_map_out_is_atomic(tmp_path, monkeypatch, capsys):
    out = tmp_path / "m.npz"
    np.savez(out, data=np.arange(3))
    from linstab.num import _maps

    def broken(file, **arrays):  # the writer fails half-way through the zip
        file.write(b"PK\x03\x04 half a zip")
        raise OSError(errno.EIO, "Input/output error")

    monkeypatch.setattr(_maps.np, "savez", broken)
    assert main(["map", "toggle_switch", "--x", "beta", "1", "3", "3", "--out", str(out)]) == 1
    assert "Input/output error" in capsys.readouterr().err
    assert _load(out).tolist() == [0, 1, 2] and _temps(tmp_path) == []


def test_write_text_replaces_whole(tmp_path):
    target = tmp_path / "a.txt"
    write_text(target, "one")
    write_text(target, "two")
    assert target.read_text() == "two" and _temps(tmp_path) == []


@pytest.mark.parametrize(("path", "error", "match"), [
    ("/proc/self/status", PermissionError, "/proc is a kernel interface"),
    ("/sys/kernel/x.html", PermissionError, "/sys is a kernel interface"),
    ("/dev/null", PermissionError, "/dev is a kernel interface"),
    (".", IsADirectoryError, "it is a directory"),
    ("no/such/folder/x.npz", FileNotFoundError, "does not exist"),
])
def test_output_paths_refused(path, error, match, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(error, match=match):
        check_output_path(path)


def test_failed_block_removes_the_temporary_file(tmp_path):
    target = tmp_path / "x.npz"
    with pytest.raises(RuntimeError), atomic_path(target) as tmp:
        np.savez(tmp, data=np.ones(3))
        raise RuntimeError("interrupted")
    assert not target.exists() and _temps(tmp_path) == []


# ----------------------------------------------------------------------------- Jacobian files
@pytest.fixture
def grn():
    pytest.importorskip("anndata")
    pytest.importorskip("h5py")
    import linstab.sc as sch

    return sch.datasets.synthetic_grn(n_cells=12, n_genes=5, seed=0)


def test_eigenvectors_file_does_not_replace_a_foreign_file(grn, tmp_path):
    import linstab.sc as sch

    mine = tmp_path / "my_data.h5ad"
    mine.write_bytes(b"precious data that linstab did not write")
    with pytest.raises(FileExistsError, match=r"not a linstab Jacobian file.*overwrite=True"):
        sch.tl.compute_jacobians(grn, compute_eigenvectors=True, eigenvectors_file=mine, progress=False)
    assert mine.read_bytes() == b"precious data that linstab did not write"
    assert "jacobian_eigenvalues" not in grn.obsm
    sch.tl.compute_jacobians(grn, compute_eigenvectors=True, eigenvectors_file=mine, overwrite=True, progress=False)
    assert sch.tl.read_jacobian_eigenvectors(mine, [0]).shape == (1, 5, 5)
    # a Jacobian file of linstab is replaced without asking
    sch.tl.compute_jacobians(grn, compute_eigenvectors=True, eigenvectors_file=mine, progress=False)
    foreign = tmp_path / "notes.txt"
    foreign.write_text("notes")
    with pytest.raises(FileExistsError, match="overwrite=True"):
        sch.tl.save_jacobians(grn, foreign)
    assert foreign.read_text() == "notes"
    sch.tl.save_jacobians(grn, foreign, overwrite=True)
    assert sch.tl.read_jacobian_eigenvectors(foreign, [1]).shape == (1, 5, 5)


def test_interrupted_eigenvector_run_keeps_the_old_file(grn, tmp_path, monkeypatch):
    import linstab.sc as sch
    from linstab.sc.tl._io import _JacobianFile

    path = tmp_path / "vec.h5"
    sch.tl.compute_jacobians(grn, compute_eigenvectors=True, eigenvectors_file=path, progress=False)
    before = sch.tl.read_jacobian_eigenvectors(path)

    def interrupted(self, cells, v):
        raise KeyboardInterrupt

    monkeypatch.setattr(_JacobianFile, "write_eigenvectors", interrupted)
    with pytest.raises(KeyboardInterrupt):
        sch.tl.compute_jacobians(grn, compute_eigenvectors=True, eigenvectors_file=path, progress=False)
    np.testing.assert_array_equal(sch.tl.read_jacobian_eigenvectors(path), before)
    assert _temps(tmp_path) == []


def test_readers_refuse_a_file_marked_incomplete(grn, tmp_path):
    import h5py

    import linstab.sc as sch

    path = tmp_path / "vec.h5"
    sch.tl.compute_jacobians(grn, compute_eigenvectors=True, eigenvectors_file=path, progress=False)
    with h5py.File(path, "r") as f:
        assert bool(f.attrs["complete"]) is True
    with h5py.File(path, "a") as f:  # what an interrupted in-place update leaves
        f.attrs["complete"] = False
    for call in (lambda: sch.tl.read_jacobian_eigenvectors(path, [0]),
                 lambda: sch.tl.load_jacobians(grn, path),
                 lambda: sch.tl.compute_jacobian_stats(grn, filename=path, progress=False)):
        with pytest.raises(ValueError, match="incomplete: the run that wrote it was interrupted"):
            call()
