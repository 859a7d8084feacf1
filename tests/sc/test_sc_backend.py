"""Backends, memory budgets and the out-of-memory retry of the chunk runner."""

from __future__ import annotations

import numpy as np
import pytest

from linstab.sc._backend import chunk_size, get_backend, parse_memory, run_chunked


def test_parse_memory():
    assert parse_memory(None) == 1 << 30
    assert parse_memory("2GB") == 2_000_000_000 and parse_memory("2 GiB") == 2 << 30
    assert parse_memory("512k") == 512_000 and parse_memory(4096) == 4096
    for bad in ("lots", "-1GB", 0, True):
        with pytest.raises((ValueError, TypeError), match="memory_limit"):
            parse_memory(bad)


def test_chunk_size():
    assert chunk_size(100, 10, 1000) == 100 and chunk_size(100, 10, 95) == 9 and chunk_size(5, 1e9, 10) == 1


def test_get_backend_choices():
    assert get_backend("cpu").name == "numpy"
    with pytest.raises(ValueError, match="backend='numpy' runs on the CPU only"):
        get_backend("cuda", backend="numpy")
    with pytest.raises(ValueError, match="`backend` must be"):
        get_backend("cpu", backend="jax")


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
