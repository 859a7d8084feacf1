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
