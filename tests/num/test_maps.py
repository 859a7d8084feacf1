"""Stability maps: agreement with closed-form curves, between methods and between backends."""

from __future__ import annotations

import numpy as np
import pytest

from linstab import AnalysisError, ParameterError
from linstab.num import StabilityMap, stability_map
from linstab.num._maps import _poly_roots
from linstab.analysis import bifurcation_curves

REP_X = ("n", 1.5, 5.0, 30)
REP_Y = ("beta", 1.0, 1000.0, 25)


def test_repressilator_map_matches_the_hopf_line():
    m = stability_map("repressilator", REP_X, REP_Y, log_y=True)
    assert isinstance(m, StabilityMap) and m.method == "symmetric"
    assert m.max_real.shape == (25, 30) and m.x_name == "n" and m.y_name == "beta" and m.log_y
    (c,) = bifurcation_curves("repressilator", "hopf", "beta", "n", n_points=2)
    N, B = np.meshgrid(m.x, m.y)
    line = np.where(N > 2, c.evaluate(np.maximum(N, 2.0001)), np.inf)
    far = np.isinf(line) | (np.abs(B / line - 1) > 0.02)  # off the line itself
    assert np.array_equal((m.max_real > 0)[far], (B > line)[far])
    assert np.all(m.oscillatory[(B > line) & far])  # an oscillatory instability
    assert np.all(m.n_fixed == 1) and np.array_equal(m.n_stable == 1, m.max_real < 0)


def test_symmetric_reduction_equals_newton(backend):
    a = stability_map("repressilator", ("n", 1.5, 5.0, 12), ("beta", 1.0, 1000.0, 10), log_y=True,
                      method="symmetric", backend=backend)
    b = stability_map("repressilator", ("n", 1.5, 5.0, 12), ("beta", 1.0, 1000.0, 10), log_y=True,
                      method="newton", backend=backend)
    np.testing.assert_allclose(a.max_real, b.max_real, atol=1e-8)
    assert np.array_equal(a.n_fixed, b.n_fixed) and np.array_equal(a.n_stable, b.n_stable)
    assert np.array_equal(a.oscillatory, b.oscillatory)


def test_numpy_equals_torch():
    pytest.importorskip("torch")
    for method in ("symmetric", "newton"):
        a = stability_map("repressilator", ("n", 1.5, 5.0, 9), ("beta", 1.0, 500.0, 7), log_y=True, method=method)
        b = stability_map("repressilator", ("n", 1.5, 5.0, 9), ("beta", 1.0, 500.0, 7), log_y=True, method=method,
                          backend="torch")
        np.testing.assert_allclose(a.max_real, b.max_real, atol=1e-10)
        assert np.array_equal(a.oscillatory, b.oscillatory) and np.array_equal(a.n_stable, b.n_stable)


def test_toggle_bistability_beyond_the_pitchfork():
    m = stability_map("toggle_switch", ("n", 1.5, 4.0, 8), ("beta", 1.0, 8.0, 9), method="newton")
    assert m.method == "newton"  # asymmetric fixed points exist, so auto must not reduce
    assert stability_map("toggle_switch", ("n", 1.5, 4.0, 3), ("beta", 1.0, 8.0, 3)).method == "newton"
    (c,) = bifurcation_curves("toggle_switch", "fold", "beta", "n", q_range=(1.5, 4.0), n_points=2)
    N, B = np.meshgrid(m.x, m.y)
    line = c.evaluate(N)
    far = np.abs(B / line - 1) > 0.03
    assert np.array_equal((m.n_stable == 2)[far], (B > line)[far])
    assert np.array_equal((m.n_fixed == 3)[far], (B > line)[far])
    assert not m.oscillatory[m.max_real > 0].any()


def test_one_dimensional_map_and_1d_model():
    m = stability_map("autoactivation", ("beta", 1.0, 3.0, 41))
    assert m.max_real.shape == (1, 41) and m.y_name is None and m.method == "symmetric"
    assert set(np.unique(m.n_fixed)) == {1, 3} and (m.n_stable[m.n_fixed == 3] == 2).all()
    # Newton from seeds finds the same stable states (it may miss the saddle near a fold)
    nw = stability_map("autoactivation", ("beta", 1.0, 3.0, 41), method="newton")
    np.testing.assert_array_equal(nw.n_stable, m.n_stable)
    np.testing.assert_allclose(nw.max_real, m.max_real, atol=1e-8)
    # the saddle: the bracketing finds it except within a grid cell of the fold (beta ≈ 1.66)
    away = np.abs(m.x - 1.66) > 0.06
    assert np.array_equal((m.n_fixed == 3)[0, away], (m.x > 1.66)[away])
    brus = stability_map("brusselator", ("b", 1.0, 3.0, 6))
    np.testing.assert_array_equal(brus.max_real[0] > 0, brus.x > 2.0)  # b = 1 + a² with a = 1


def test_six_variables():
    m = stability_map("repressilator_mrna", ("alpha", 1.0, 100.0, 6), log_x=True)
    (c,) = bifurcation_curves("repressilator_mrna", "hopf", "alpha", "n", q_range=(2.0, 2.0), n_points=1)
    np.testing.assert_array_equal(m.max_real[0] > 0, m.x > c.points[0, 1])


def test_closed_form_cubic_roots():
    rng = np.random.default_rng(1)
    J = rng.normal(size=(200, 3, 3))
    c = np.poly(J[0])  # one matrix with numpy's reference
    got = np.sort_complex(_poly_roots([np.array(c[1]), np.array(c[2]), np.array(c[3])], np)[...])
    np.testing.assert_allclose(got, np.sort_complex(np.linalg.eigvals(J[0])), atol=1e-9)


def test_npz_roundtrip(tmp_path):
    m = stability_map("brusselator", ("a", 0.5, 2.0, 4), ("b", 1.0, 5.0, 3))
    m.to_npz(tmp_path / "m.npz")
    with np.load(tmp_path / "m.npz") as z:
        assert set(z.files) >= {"x", "y", "max_real", "n_fixed", "n_stable", "oscillatory", "x_name", "y_name"}
        np.testing.assert_array_equal(z["max_real"], m.max_real)
        assert str(z["x_name"]) == "a"


def test_memory_budget_chunks_give_the_same_answer():
    a = stability_map("repressilator", REP_X, REP_Y, log_y=True, memory_mb=0.05)
    b = stability_map("repressilator", REP_X, REP_Y, log_y=True)
    np.testing.assert_allclose(a.max_real, b.max_real, atol=1e-12)  # Newton stops per chunk
    assert np.array_equal(a.oscillatory, b.oscillatory) and np.array_equal(a.n_stable, b.n_stable)


def test_errors():
    with pytest.raises(ParameterError, match="unknown parameter 'gamma'"):
        stability_map("repressilator", ("gamma", 1, 2, 3))
    with pytest.raises(ParameterError, match="different parameters"):
        stability_map("repressilator", ("n", 1, 2, 3), ("n", 1, 2, 3))
    with pytest.raises(ValueError, match="log axis needs min > 0"):
        stability_map("repressilator", ("n", 0, 2, 3), log_x=True)
    with pytest.raises(TypeError, match=r"x must be \(name, min, max, n\)"):
        stability_map("repressilator", ("n", 1, 2))
    with pytest.raises(AnalysisError, match="no symmetric branch"):
        stability_map("brusselator", ("a", 1, 2, 3), method="symmetric")
    with pytest.raises(ValueError, match="method must be one of"):
        stability_map("brusselator", ("a", 1, 2, 3), method="eig")


def test_region_labels_for_any_count():
    # x' = μ x − x³ (pitchfork at μ = 0), y' = c y: with c < 0 one or two stable fixed points, with c > 0
    # none stable and no focus (saddles and a source: "unstable")
    model = {"name": "labels", "variables": {"x": {}, "y": {}},
             "parameters": {"mu": {"value": 1.0}, "c": {"value": -1.0}},
             "equations": {"x": "mu*x - x**3", "y": "c*y"}}
    m = stability_map(model, ("mu", -1.0, 1.0, 5), ("c", -1.0, 1.0, 2), method="newton")
    assert m.n_fixed.tolist() == [[1, 1, 1, 3, 3], [1, 1, 1, 3, 3]]  # one (degenerate) fixed point at μ = 0
    assert m.region[:, [0, 1, 3, 4]].tolist() == [["stable", "stable", "multistable", "multistable"],
                                                  ["unstable"] * 4]
    assert not m.oscillatory.any()


def test_progress(capsys):
    """progress=True reports grid points on stderr (two passes of a Newton map)."""
    stability_map("toggle_switch", ("beta", 1.0, 5.0, 8), ("n", 1.5, 3.0, 8), method="newton", progress=True)
    err = capsys.readouterr().err
    assert "stability map (newton)" in err and "128/128" in err  # two passes over 64 points
    stability_map("toggle_switch", ("beta", 1.0, 5.0, 8), method="newton")
    assert capsys.readouterr().err == ""  # silent by default


def test_cli_threads_for_torch_maps(tmp_path):
    """--threads sets torch's threads for the run (in a process of its own: torch's CPU wheel with
    MKL can hang in a later batched inverse once set_num_threads(n > 1) was called in a process)."""
    import subprocess
    import sys

    pytest.importorskip("torch")
    out = tmp_path / "m.npz"
    code = ("import sys, torch; from linstab.cli import main; "
            f"rc = main(['map', 'toggle_switch', '--x', 'beta', '1', '5', '6', '--backend', 'torch', "
            f"'--threads', '1', '--out', {str(out)!r}]); print(torch.get_num_threads()); sys.exit(rc)")
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert run.returncode == 0, run.stderr
    assert run.stdout.strip().splitlines()[-1] == "1"
    ref = stability_map("toggle_switch", ("beta", 1.0, 5.0, 6), method="auto")
    np.testing.assert_array_equal(np.load(out)["region"], ref.region)
