"""One progress bar per call, counting cells across every cluster, with a rate in cells/s."""

from __future__ import annotations

import linstab.sc as sch


def test_one_bar_per_call_over_all_clusters(small, capsys):
    assert small.obs["cell_type"].nunique() == 2
    sch.tl.compute_jacobian_stats(small, spliced_key="Ms", progress=True)
    err = capsys.readouterr().err
    frames = [f for f in err.replace("\r", "\n").split("\n") if f.strip()]
    assert frames, "no progress output"
    assert all(f.startswith("Jacobian statistics") for f in frames)
    assert f"{small.n_obs}/{small.n_obs}" in frames[-1] and "cell/s" in frames[-1]
    # a single bar: its counter never starts again from zero after cells were counted
    counts = [int(f.split("|")[-1].split("/")[0]) for f in frames if "|" in f]
    assert counts == sorted(counts)


def test_model_name_in_uns(small):
    """uns['jacobian']['model'] names the symbolic model, or 'hopfield' for the fitted GRN."""
    from linstab import load_model

    assert list(small.var_names[:2]) == ["G0", "G1"]
    m = load_model({"name": "two_genes", "variables": {"G0": {}, "G1": {}}, "parameters": {"g": 1.0},
                    "equations": {"G0": "-g*G0 + G1", "G1": "-g*G1"}})
    a = small[:, ["G0", "G1"]].copy()
    sch.tl.compute_jacobians(a, model=m, progress=False)
    assert a.uns["jacobian"]["model"] == "two_genes"
    sch.tl.compute_jacobians(small, progress=False)
    assert small.uns["jacobian"]["model"] == "hopfield"
