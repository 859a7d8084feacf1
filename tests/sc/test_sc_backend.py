"""Backends, memory budgets and the out-of-memory retry of the chunk runner."""

from __future__ import annotations

import numpy as np
import pytest

from linstab.sc import _backend
from linstab.sc._backend import chunk_size, get_backend, host_eig, parse_memory, run_chunked


def test_parse_memory():
    assert parse_memory(None) == 1 << 30
    assert parse_memory("2GB") == 2_000_000_000 and parse_memory("2 GiB") == 2 << 30
    assert parse_memory("512k") == 512_000 and parse_memory(4096) == 4096
    for bad in ("lots", "-1GB", 0, True):
        with pytest.raises((ValueError, TypeError), match="memory_limit"):
            parse_memory(bad)


def test_chunk_size():
    assert chunk_size(100, 10, 1000) == 100 and chunk_size(100, 10, 95) == 9 and chunk_size(5, 1e9, 10) == 1
    # a multiple of the host's cores where that many fit; all items when they fit at once
    assert chunk_size(100, 10, 950, multiple=16) == 80 and chunk_size(100, 10, 95, multiple=16) == 9
    assert chunk_size(20, 10, 1000, multiple=16) == 20


def test_memory_budget_default_feeds_every_core():
    from linstab.sc._backend import memory_budget

    assert memory_budget("2GB", get_backend("cpu")) == 2_000_000_000
    assert memory_budget(None, get_backend("cpu")) >= 1 << 30
    assert memory_budget(None, get_backend("cpu")) <= 8 << 30


def test_get_backend_choices():
    assert get_backend("cpu").name == "numpy"
    with pytest.raises(ValueError, match="backend='numpy' runs on the CPU only"):
        get_backend("cuda", backend="numpy")
    with pytest.raises(ValueError, match="`backend` must be"):
        get_backend("cpu", backend="jax")
    with pytest.raises(ValueError, match="`spectra` must be one of"):
        get_backend("cpu", spectra="gpu")
    assert get_backend("cpu", spectra="device").spectra == "host"  # numpy has no other eigensolver


@pytest.mark.parametrize("vectors", [False, True])
def test_host_eig_splits_the_stack_over_cores(monkeypatch, vectors):
    """Eigenvalues (and eigenvectors) of a 4-D stack over several worker threads equal LAPACK on
    each matrix alone; the result does not depend on the number of workers."""
    rng = np.random.default_rng(0)
    a = rng.standard_normal((3, 5, 40, 40))
    outs = []
    for cores in (1, 2, 7):
        monkeypatch.setattr(_backend, "host_cores", lambda cores=cores: cores)
        outs.append(host_eig(a, vectors=vectors))
    for out in outs[1:]:
        for x, y in zip(outs[0], out) if vectors else [(outs[0], out)]:
            np.testing.assert_array_equal(x, y)
    w = outs[0][0] if vectors else outs[0]
    assert w.shape == (3, 5, 40)
    for i, j in ((0, 0), (2, 4), (1, 3)):
        ref = np.linalg.eigvals(a[i, j])
        np.testing.assert_allclose(np.sort_complex(w[i, j]), np.sort_complex(ref), rtol=1e-10, atol=1e-12)
    if vectors:
        v = outs[0][1]
        np.testing.assert_allclose(a @ v, v * w[..., None, :], atol=1e-10)


def test_auto_spectra_on_cuda_go_by_size(monkeypatch):
    """spectra='auto' (CUDA's default) hands small matrices to the host's cores and large ones to
    the backend's own solver; checked with a CPU torch backend standing in for the device."""
    pytest.importorskip("torch")
    from linstab.sc._backend import Backend

    calls = []
    monkeypatch.setattr(_backend, "host_eig", lambda a, vectors=False: calls.append(a.shape) or np.linalg.eigvals(a))
    be = Backend("torch", "cpu", "float64", spectra="auto")
    rng = np.random.default_rng(2)
    small, large = rng.standard_normal((2, 40, 40)), rng.standard_normal((1, 600, 600))
    for a in (small, large):
        w = be.eigvals(be.asarray(a))
        np.testing.assert_allclose(np.sort_complex(w[0]), np.sort_complex(np.linalg.eigvals(a[0])), atol=1e-9)
    assert calls == [(2, 40, 40)]  # only the small stack went to the host
    assert be.spectra_on(40) == "host" and be.spectra_on(600) == "device"


def test_host_eig_keeps_float32():
    a = np.random.default_rng(1).standard_normal((4, 40, 40)).astype(np.float32)
    assert host_eig(a).dtype == np.complex64


def test_run_chunked_halves_on_out_of_memory():
    be = get_backend("cpu")
    sizes = []

    def work(idx):
        sizes.append(idx.size)
        if idx.size > 3:
            raise MemoryError("no room")
        return idx * 2

    out = list(run_chunked(work, 10, 8, be, progress=False))
    np.testing.assert_array_equal(np.concatenate([o for _, o in out]), np.arange(10) * 2)
    assert sizes[:3] == [8, 4, 2]


def test_run_chunked_gives_up_on_a_single_cell():
    be = get_backend("cpu")

    def work(idx):
        raise MemoryError("no room")

    with pytest.raises(MemoryError, match="even for a single cell"):
        list(run_chunked(work, 3, 2, be, progress=False))


def test_run_chunked_reraises_other_errors():
    be = get_backend("cpu")

    def work(idx):
        raise ZeroDivisionError

    with pytest.raises(ZeroDivisionError):
        list(run_chunked(work, 3, 2, be, progress=False))


def test_torch_out_of_memory_is_recognised():
    pytest.importorskip("torch")
    be = get_backend("cpu", backend="torch")
    assert be.is_oom(RuntimeError("CUDA out of memory. Tried to allocate 2.00 GiB"))
    assert not be.is_oom(RuntimeError("shape mismatch"))
