"""``linstab map`` on a delay model: the rightmost characteristic root on a (parameter, delay) grid."""

from __future__ import annotations

import numpy as np
import pytest

from linstab import load_model
from linstab.analysis import crossing_values
from linstab.cli import main
from linstab.sym import delay_crossings


def test_the_map_changes_stability_at_the_closed_form_delay(tmp_path, capsys):
    out = tmp_path / "map.npz"
    assert main(["map", "delayed_autorepressor", "--x", "beta", "2", "8", "4", "--y", "tau", "0", "6", "121",
                 "--out", str(out)]) == 0
    assert "spectral (delay)" in capsys.readouterr().out
    data = np.load(out)
    model = load_model("delayed_autorepressor")
    (crossing,) = delay_crossings(model)
    dtau = data["y"][1] - data["y"][0]
    for i, beta in enumerate(data["x"]):
        tau_c = crossing_values(model, crossing, {"beta": beta})["tau_c"]
        stable = data["max_real"][:, i] < 0
        assert stable[data["y"] < tau_c - dtau].all() and not stable[data["y"] > tau_c + dtau].any()
        assert data["oscillatory"][data["y"] > tau_c + dtau, i].all()  # a complex pair crosses


@pytest.mark.parametrize("extra", [[], ["--backend", "torch", "--y", "tau", "0", "1", "3"],
                                   ["--y", "tau", "0", "1", "3", "--chunks", "10"]])
def test_options_the_delay_map_lacks_are_refused(tmp_path, capsys, extra):
    code = main(["map", "delayed_autorepressor", "--x", "beta", "2", "8", "4", *extra, "--out",
                 str(tmp_path / "m.npz")])
    err = capsys.readouterr().err
    assert code == 1 and "has delays" in err and "--y tau" in err
    assert not (tmp_path / "m.npz").exists()


def test_roots_in_blocks_equal_roots_in_one_batch(monkeypatch):
    """characteristic_roots works through large grids in blocks of bounded memory; the blocks
    change nothing (stiff points included, which are refined on finer grids)."""
    import linstab.num._delay as delay_num
    from linstab.num import characteristic_roots

    rng = np.random.default_rng(3)
    P = 300
    A0 = rng.normal(size=(P, 2, 2))
    A = rng.normal(size=(P, 1, 2, 2)) * np.where(np.arange(P) % 10 == 0, 30.0, 1.0)[:, None, None, None]
    taus = rng.uniform(0.0, 3.0, size=(P, 1))
    whole = characteristic_roots(A0, A, taus, n_roots=3)
    monkeypatch.setattr(delay_num, "_BLOCK_BYTES", 32 * 50**2 * 7)  # 7 points per block at N = 24
    blocks = characteristic_roots(A0, A, taus, n_roots=3)
    np.testing.assert_array_equal(np.isnan(whole), np.isnan(blocks))
    np.testing.assert_allclose(blocks[~np.isnan(blocks)], whole[~np.isnan(whole)], rtol=0, atol=1e-12)
