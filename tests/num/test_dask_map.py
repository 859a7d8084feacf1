"""stability_map on a Dask-chunked grid equals the in-memory map; with a store, out of core."""

from __future__ import annotations


import numpy as np
import pytest

from linstab.num import stability_map

da = pytest.importorskip("dask.array")
distributed = pytest.importorskip("distributed")
zarr = pytest.importorskip("zarr")

from tests._dask_cluster import local_client  # noqa: E402

FIELDS = ("max_real", "n_fixed", "n_stable", "oscillatory")
GRID = dict(x=("n", 1.5, 5, 23), y=("beta", 1, 1000, 9), log_y=True)


@pytest.fixture(scope="module")
def client():
    """Two worker processes, one thread each, importing this checkout of linstab."""
    with local_client() as c:
        yield c


def _same(a, b):
    assert (a.method, a.x_name, a.y_name, a.fixed) == (b.method, b.x_name, b.y_name, b.fixed)
    np.testing.assert_array_equal(a.x, b.x)
    for k in ("n_fixed", "n_stable", "oscillatory"):
        np.testing.assert_array_equal(np.asarray(getattr(b, k)), getattr(a, k))
        assert np.asarray(getattr(b, k)).dtype == getattr(a, k).dtype
    np.testing.assert_allclose(np.asarray(b.max_real), a.max_real, rtol=0, atol=1e-12)


@pytest.mark.parametrize("chunks", [40, (4, 7), 10**6])
def test_tiles_equal_the_in_memory_map(chunks):
    ref = stability_map("repressilator", **GRID)
    _same(ref, stability_map("repressilator", **GRID, chunks=chunks))


def test_newton_within_tiles():
    ref = stability_map("toggle_switch", ("beta", 1.0, 5.0, 12), ("n", 1.5, 3.0, 5), method="newton")
    _same(ref, stability_map("toggle_switch", ("beta", 1.0, 5.0, 12), ("n", 1.5, 3.0, 5), method="newton",
                             chunks=(2, 6)))
    one_d = stability_map("toggle_switch", ("beta", 1.0, 5.0, 9), method="newton", chunks=4)
    _same(stability_map("toggle_switch", ("beta", 1.0, 5.0, 9), method="newton"), one_d)


def test_on_a_cluster_into_a_store(client, tmp_path):
    ref = stability_map("repressilator", **GRID)
    store = tmp_path / "map.zarr"
    with client.as_current():
        m = stability_map("repressilator", **GRID, chunks=(3, 10), store=store)
    assert all(isinstance(getattr(m, k), da.Array) for k in FIELDS)  # lazily from the store
    _same(ref, m)
    np.testing.assert_array_equal(np.asarray(m.region), ref.region)
    assert zarr.open_group(str(store), mode="r").attrs["method"] == "symmetric"
    assert [p.name for p in tmp_path.iterdir()] == ["map.zarr"]
    # a second run replaces the store it wrote
    with client.as_current():
        stability_map("repressilator", **GRID, chunks=(3, 10), store=store)


def test_tiles_and_bad_options(tmp_path):
    from linstab.num._dask_map import tiles

    assert tiles((3, 5), 7) == ((1, 1, 1), (5,))
    assert sum(tiles((7, 13), 4)[1]) == 13
    with pytest.raises(ValueError, match="positive"):
        stability_map("repressilator", **GRID, chunks=0)
    with pytest.raises(TypeError, match="rows, columns"):
        stability_map("repressilator", **GRID, chunks="big")
    with pytest.raises(ValueError, match="pass `chunks=`"):
        stability_map("repressilator", **GRID, store=tmp_path / "m.zarr")
    (tmp_path / "other").mkdir()
    with pytest.raises(FileExistsError, match="overwrite=True"):
        stability_map("repressilator", **GRID, chunks=50, store=tmp_path / "other")
    assert [p.name for p in tmp_path.iterdir()] == ["other"]


def test_without_the_extra(monkeypatch):
    """Without dask installed the in-memory map works and chunks= names the extra to install."""
    import sys

    for name in [m for m in sys.modules if m == "dask" or m.startswith("dask.")]:
        monkeypatch.setitem(sys.modules, name, None)
    monkeypatch.setitem(sys.modules, "dask", None)
    assert stability_map("toggle_switch", ("beta", 1.0, 5.0, 3), method="newton").n_fixed.shape == (1, 3)
    with pytest.raises(ImportError, match=r"linstab\[dask\]"):
        stability_map("toggle_switch", ("beta", 1.0, 5.0, 3), chunks=2)
