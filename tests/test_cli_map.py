"""``linstab map``: the .npz file holds arrays named after the quantities, and the axes."""

from __future__ import annotations

import numpy as np
import pytest

from linstab.cli import main


def test_repressilator_map(tmp_path, capsys):
    out = tmp_path / "rep.npz"
    argv = ["map", "repressilator", "--x", "n", "1.5", "5", "40", "--y", "beta", "1", "1000", "30", "--log-y",
            "--out", str(out)]
    assert main(argv) == 0
    msg = capsys.readouterr().out
    assert msg.startswith(f"wrote {out}: 40 × 30 grid (symmetric")
    with np.load(out) as z:
        assert z["max_real"].shape == (30, 40) and z["x"].shape == (40,) and z["y"].shape == (30,)
        assert str(z["x_name"]) == "n" and str(z["y_name"]) == "beta" and bool(z["log_y"]) and not bool(z["log_x"])
        np.testing.assert_allclose(z["y"], np.geomspace(1, 1000, 30))
        assert z["oscillatory"].dtype == bool and z["n_stable"].max() == 1
        # the leading pair is complex everywhere (-1 + a e^{±iπ/3}); it crosses only at high n and beta
        assert z["oscillatory"].all()
        assert z["max_real"][-1, -1] > 0 and z["max_real"][0, 0] < 0


def test_one_dimensional_with_set(tmp_path, capsys):
    out = tmp_path / "toggle.npz"
    assert main(["map", "toggle_switch", "--x", "beta", "1", "5", "9", "--set", "n=3", "--out", str(out)]) == 0
    assert "bistable at" in capsys.readouterr().out
    with np.load(out) as z:
        assert z["n_stable"].shape == (1, 9) and z["n_stable"].max() == 2


@pytest.mark.parametrize(("argv", "message"), [
    (["--x", "gamma", "1", "2", "3"], "unknown parameter 'gamma'"),
    (["--x", "n", "1", "2", "three"], "--x expects NAME MIN MAX N"),
    (["--x", "n", "0", "2", "3", "--log-x"], "log axis needs min > 0"),
])
def test_errors_are_one_line(tmp_path, capsys, argv, message):
    assert main(["map", "repressilator", *argv, "--out", str(tmp_path / "m.npz")]) == 1
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1


def test_out_must_be_npz_or_csv(tmp_path, capsys):
    assert main(["map", "repressilator", "--x", "n", "1", "2", "3", "--out", str(tmp_path / "m.txt")]) == 1
    assert "--out must name a .npz or .csv file" in capsys.readouterr().err


def test_csv_has_a_row_per_grid_point(tmp_path, capsys):
    """The CSV holds what the .npz holds, one row per point, readable by the csv module."""
    import csv

    csv_path, npz_path = tmp_path / "m.csv", tmp_path / "m.npz"
    argv = ["map", "repressilator", "--x", "n", "2", "5", "4", "--y", "beta", "1", "1000", "3", "--log-y"]
    assert main([*argv, "--out", str(csv_path)]) == 0 and main([*argv, "--out", str(npz_path)]) == 0
    with open(csv_path, newline="") as fh:
        rows = list(csv.DictReader(fh))
    ref = np.load(npz_path)
    assert len(rows) == 12 and list(rows[0]) == ["n", "beta", "max_real", "n_fixed", "n_stable", "oscillatory", "region"]
    np.testing.assert_array_equal([float(r["max_real"]) for r in rows], ref["max_real"].ravel())
    assert [r["region"] for r in rows] == ref["region"].ravel().tolist()
    assert {float(r["n"]) for r in rows} == set(ref["x"].tolist())
    assert [float(r["beta"]) for r in rows][::4] == ref["y"].tolist()
