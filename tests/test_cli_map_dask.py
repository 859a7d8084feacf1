"""``linstab map ... --out FILE.zarr`` / ``--chunks``: tiles as Dask tasks, the same map as in memory."""

from __future__ import annotations

import numpy as np
import pytest

from linstab.cli import main

pytest.importorskip("dask.array")
zarr = pytest.importorskip("zarr")

AXES = ["--x", "n", "1.5", "5", "40", "--y", "beta", "1", "1000", "30", "--log-y"]


def test_zarr_store_equals_npz(tmp_path, capsys):
    assert main(["map", "repressilator", *AXES, "--out", str(tmp_path / "m.npz")]) == 0
    npz_msg = capsys.readouterr().out
    assert main(["map", "repressilator", *AXES, "--chunks", "150", "--out", str(tmp_path / "m.zarr")]) == 0
    msg = capsys.readouterr().out
    assert msg.startswith(f"wrote {tmp_path / 'm.zarr'}: 40 × 30 grid (symmetric")
    assert msg.split("s); ")[1] == npz_msg.split("s); ")[1]  # the same fractions
    g = zarr.open_group(str(tmp_path / "m.zarr"), mode="r")
    with np.load(tmp_path / "m.npz") as z:
        for k in ("n_fixed", "n_stable", "oscillatory"):
            np.testing.assert_array_equal(g[k][:], z[k])
        np.testing.assert_allclose(g["max_real"][:], z["max_real"], rtol=0, atol=1e-12)


def test_chunks_into_npz_and_bad_options(tmp_path, capsys):
    toggle = ["map", "toggle_switch", "--x", "beta", "1", "5", "9", "--set", "n=3"]
    assert main([*toggle, "--chunks", "4", "--out", str(tmp_path / "t.npz")]) == 0
    assert main([*toggle, "--out", str(tmp_path / "ref.npz")]) == 0
    with np.load(tmp_path / "t.npz") as z, np.load(tmp_path / "ref.npz") as ref:
        assert z["n_stable"].tolist() == ref["n_stable"].tolist() and ref["n_stable"].max() == 2  # bistable
    (tmp_path / "ref.npz").unlink()
    capsys.readouterr()
    assert main(["map", "repressilator", *AXES, "--chunks", "0", "--out", str(tmp_path / "m.zarr")]) == 1
    assert "--chunks must be at least 1" in capsys.readouterr().err
    assert main(["map", "repressilator", *AXES, "--scheduler", "tcp://127.0.0.1:1", "--out",
                 str(tmp_path / "m.npz")]) == 1
    assert "pass --chunks N" in capsys.readouterr().err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["t.npz"]


def test_zarr_axes_and_memory_check(tmp_path, capsys):
    assert main(["map", "repressilator", *AXES, "--out", str(tmp_path / "m.zarr")]) == 0
    g = zarr.open_group(str(tmp_path / "m.zarr"), mode="r")
    np.testing.assert_allclose(g["y"][:], np.geomspace(1, 1000, 30))
    np.testing.assert_allclose(g["x"][:], np.linspace(1.5, 5, 40))
    capsys.readouterr()
    # a store keeps the map on disk, but a 10^10-point axis would not fit in memory: refused up front
    assert main(["map", "repressilator", "--x", "n", "1.5", "5", "10000000000", "--out",
                 str(tmp_path / "big.zarr")]) == 1
    assert "use fewer points per axis" in capsys.readouterr().err
    assert sorted(p.name for p in tmp_path.iterdir()) == ["m.zarr"]
