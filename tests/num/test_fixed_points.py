"""Numeric fixed points against an independent check on classic systems.

The reference is independent of linstab's parser and kernels: each system is written again
as a plain numpy function, its fixed points are found with ``scipy.optimize.root`` from a dense
grid of starts (or taken from analytic formulas), and the eigenvalues come from
``np.linalg.eigvals`` of a central-difference Jacobian.
"""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import root

from linstab import load_model
from linstab.num import find_fixed_points


def _reference_roots(f, lo, hi, *, per_axis=None, count=None, seed=0, domain_lo=None):
    lo, hi = np.asarray(lo, float), np.asarray(hi, float)
    n = lo.size
    if per_axis is not None:
        axes = [np.linspace(a, b, per_axis) for a, b in zip(lo, hi)]
        starts = np.array(list(itertools.product(*axes)))
    else:
        starts = lo + (hi - lo) * np.random.default_rng(seed).random((count, n))
    found = []
    for x0 in starts:
        with np.errstate(all="ignore"):
            sol = root(f, x0, method="hybr", tol=1e-14)
        x = sol.x
        if not np.all(np.isfinite(x)) or np.max(np.abs(f(x))) > 1e-9:
            continue
        if domain_lo is not None and np.any(x < np.asarray(domain_lo) - 1e-12):
            continue
        if not any(np.max(np.abs(x - y)) < 1e-6 * (1 + np.max(np.abs(y))) for y in found):
            found.append(x)
    return sorted(found, key=tuple)


def _fd_jacobian(f, x, h=1e-6):
    return np.column_stack([(f(x + h * e) - f(x - h * e)) / (2 * h) for e in np.eye(len(x))])


def _match(fps, ref, rtol=1e-9):
    assert len(fps) == len(ref), (fps, ref)
    for x in ref:
        hits = [fp for fp in fps if np.allclose(fp.state, x, rtol=rtol, atol=rtol)]
        assert len(hits) == 1, (x, fps)


def _eig_close(a, b, tol):
    b = list(b)
    for v in a:
        j = min(range(len(b)), key=lambda k: abs(b[k] - v))
        assert abs(b[j] - v) <= tol * (1 + abs(v)), (a, b)
        b.pop(j)


def _hill_rep(x, n):
    return 1.0 / (1.0 + np.abs(x) ** n)


# ---------------------------------------------------------------- 1-D
def test_autorepression_analytic():
    fps = find_fixed_points("autorepression")  # beta = 10, n = 2: x**3 + x - 10 = 0, x = 2
    assert len(fps) == 1
    assert fps[0].state[0] == pytest.approx(2.0, rel=1e-15)
    # f'(x) = -2 beta x/(1 + x^2)^2 - 1 = -40/25 - 1
    assert fps[0].eigenvalues[0].real == pytest.approx(-2.6, rel=1e-12)
    assert fps[0].classification == "stable" and fps[0].stable  # one variable: not a "node"


def test_autoactivation_three_fixed_points():
    alpha, beta = 0.05, 2.0
    # (alpha - x)(1 + x**4) + beta x**4 = 0, a quintic
    roots = np.roots([-1, alpha + beta, 0, 0, -1, alpha])
    ref = np.sort(roots[(np.abs(roots.imag) < 1e-12) & (roots.real >= 0)].real)
    fps = find_fixed_points("autoactivation")
    assert len(ref) == 3 and len(fps) == 3
    assert np.allclose([fp.state[0] for fp in fps], ref, rtol=1e-12)
    assert [fp.classification for fp in fps] == ["stable", "unstable", "stable"]


# ---------------------------------------------------------------- 2-D
def test_toggle_switch_three_fixed_points():
    beta, n = 4.0, 2.0

    def f(x):
        u, v = x
        return np.array([beta * _hill_rep(v, n) - u, beta * _hill_rep(u, n) - v])

    ref = _reference_roots(f, [0, 0], [5, 5], per_axis=25, domain_lo=[0, 0])
    fps = find_fixed_points("toggle_switch")
    _match(fps, ref)
    # analytic: u = 2 ± sqrt(3) off the diagonal
    assert {round(fp.state[0], 12) for fp in fps} >= {round(2 - np.sqrt(3), 12), round(2 + np.sqrt(3), 12)}
    kinds = sorted(fp.classification for fp in fps)
    assert kinds == ["saddle", "stable node", "stable node"]
    for fp in fps:
        _eig_close(fp.eigenvalues, np.linalg.eigvals(_fd_jacobian(f, fp.state)), 1e-7)


def test_toggle_switch_monostable():
    fps = find_fixed_points("toggle_switch", {"beta": 1.5})
    assert len(fps) == 1 and fps[0].classification == "stable node"


def test_lotka_volterra_center():
    lv = {"name": "lotka_volterra", "variables": {"x": "nonnegative", "y": "nonnegative"},
          "parameters": {"a": 1.0, "b": 0.5, "c": 0.75, "d": 0.25},
          "equations": {"x": "a*x - b*x*y", "y": "-c*y + d*x*y"}}
    fps = find_fixed_points(lv)
    assert [fp.classification for fp in fps] == ["saddle", "center"]
    assert np.allclose(fps[1].state, [0.75 / 0.25, 1.0 / 0.5], rtol=1e-14)
    _eig_close(fps[1].eigenvalues, [1j * np.sqrt(0.75), -1j * np.sqrt(0.75)], 1e-12)


def test_duffing_conservative_saddle_and_two_centers():
    duff = {"name": "duffing", "equations": {"x": "y", "y": "x - x**3"}}
    fps = find_fixed_points(duff)
    assert np.allclose([fp.state for fp in fps], [[-1, 0], [0, 0], [1, 0]], atol=1e-14)
    assert [fp.classification for fp in fps] == ["center", "saddle", "center"]


@pytest.mark.parametrize(("b", "kind"), [(3.0, "unstable spiral"), (1.5, "stable spiral"), (2.0, "center")])
def test_brusselator(b, kind):
    fps = find_fixed_points("brusselator", {"b": b})
    assert len(fps) == 1
    assert np.allclose(fps[0].state, [1.0, b], rtol=1e-14)
    # trace b - 1 - a**2, determinant a**2
    tr, det = b - 2.0, 1.0
    ref = np.roots([1, -tr, det])
    _eig_close(fps[0].eigenvalues, ref, 1e-12)
    assert fps[0].classification == kind


def test_selkov():
    a, b = 0.08, 0.6
    fps = find_fixed_points("selkov")
    assert len(fps) == 1
    assert np.allclose(fps[0].state, [b, b / (a + b**2)], rtol=1e-14)
    assert fps[0].classification == "unstable spiral"


# ---------------------------------------------------------------- 3-D
def test_lorenz_three_fixed_points():
    sigma, rho, b = 10.0, 28.0, 8.0 / 3.0
    r = np.sqrt(b * (rho - 1))
    ref = [np.array([-r, -r, rho - 1]), np.zeros(3), np.array([r, r, rho - 1])]
    fps = find_fixed_points("lorenz")
    _match(fps, ref, rtol=1e-12)
    for fp, x in zip(fps, ref):
        J = np.array([[-sigma, sigma, 0], [rho - x[2], -1, -x[0]], [x[1], x[0], -b]])
        _eig_close(fp.eigenvalues, np.linalg.eigvals(J), 1e-12)
    assert [fp.classification for fp in fps] == ["saddle-focus", "saddle", "saddle-focus"]


def test_lorenz_below_rho_one_has_only_the_origin():
    fps = find_fixed_points("lorenz", {"rho": 0.5})
    assert len(fps) == 1 and fps[0].classification == "stable node"


def test_repressilator_symmetric_point_and_issue_numbers():
    fps = find_fixed_points("repressilator")  # x**4 + x - 10 = 0
    roots = np.roots([1, 0, 0, 1, -10])
    x0 = roots[(np.abs(roots.imag) < 1e-12) & (roots.real > 0)].real[0]
    assert len(fps) == 1
    assert np.allclose(fps[0].state, x0, rtol=1e-15)
    a = 10 * 3 * x0**2 / (1 + x0**3) ** 2
    exact = [-1 + a / 2 * (1 + 1j * np.sqrt(3)), -1 + a / 2 * (1 - 1j * np.sqrt(3)), -1 - a]
    _eig_close(fps[0].eigenvalues, exact, 1e-12)
    assert np.allclose(fps[0].eigenvalues, [0.245379 + 2.157060j, 0.245379 - 2.157060j, -3.490758], atol=1e-6)
    assert fps[0].classification == "saddle-focus" and not fps[0].stable


def test_goodwin():
    fps = find_fixed_points("goodwin")  # z = 10/(1 + z**10), x = y = z
    ref = _reference_roots(lambda z: 10 / (1 + z**10) - z, [0], [10], per_axis=50, domain_lo=[0])
    assert len(fps) == 1 and np.allclose(fps[0].state, ref[0][0], rtol=1e-13)


# ---------------------------------------------------------------- larger
def test_repressilator_mrna_six_variables():
    alpha, bb, n = 50.0, 0.2, 2.0

    def f(x):
        m, p = x[:3], x[3:]
        prod = alpha * _hill_rep(np.roll(p, 1), n)
        return np.concatenate([prod - m, bb * (m - p)])

    ref = _reference_roots(f, np.zeros(6), np.full(6, 60.0), count=300, domain_lo=np.zeros(6))
    fps = find_fixed_points("repressilator_mrna")
    _match(fps, ref)
    J = _fd_jacobian(f, fps[0].state)
    _eig_close(fps[0].eigenvalues, np.linalg.eigvals(J), 1e-7)
    assert fps[0].classification == "saddle-focus"


def test_four_gene_ring_is_bistable():
    # an even ring of repressors: the symmetric point plus two alternating states
    eqs = {f"x{i}": f"beta/(1 + x{(i - 1) % 4}**n) - x{i}" for i in range(4)}
    ring = {"name": "ring4", "variables": {k: "nonnegative" for k in eqs},
            "parameters": {"beta": 10.0, "n": 3.0}, "equations": eqs}

    def f(x):
        return 10.0 * _hill_rep(np.roll(x, 1), 3.0) - x

    ref = _reference_roots(f, np.zeros(4), np.full(4, 11.0), per_axis=7, domain_lo=np.zeros(4))
    fps = find_fixed_points(ring)
    _match(fps, ref)
    assert sum(fp.stable for fp in fps) == 2


def test_result_fields_and_options():
    fp = find_fixed_points("toggle_switch", seed=3, n_starts=50)[0]
    assert fp.variables == ("u", "v") and fp.jacobian.shape == (2, 2)
    assert np.all(np.diff(fp.eigenvalues.real) <= 0)
    d = fp.as_dict()
    assert set(d["state"]) == {"u", "v"} and all(len(e) == 2 for e in d["eigenvalues"])
    with pytest.raises(ValueError, match="bounds"):
        find_fixed_points("toggle_switch", bounds=[[0, 1, 2]])
    with pytest.raises(ValueError, match="n_starts"):
        find_fixed_points("toggle_switch", n_starts=0)
    fps = find_fixed_points(load_model("toggle_switch"), bounds=(0.0, 5.0))
    assert len(fps) == 3


# ---------------------------------------------------------------- property: none missed
_roots = st.lists(st.integers(-40, 40), min_size=1, max_size=4, unique=True).map(lambda v: sorted(r / 8 for r in v))


@settings(max_examples=25, deadline=None, derandomize=True)
@given(_roots, _roots, st.floats(-0.5, 0.5))
def test_all_fixed_points_of_triangular_polynomial_systems(rx, ry, coupling):
    # x' = -Π(x - r), y' = -Π(y - s) + c (x - r0): fixed points are (r_i, s_j + shift) exactly known
    # when c = 0; with c ≠ 0 the y-roots move, and the reference solves the cubic for each x root.
    px = "*".join(f"(x - ({r}))" for r in rx)
    py = "*".join(f"(y - ({r}))" for r in ry)
    model = {"name": "tri", "equations": {"x": f"-{px}", "y": f"-{py} + ({coupling})*(x - ({rx[0]}))"}}
    ref = []
    for r in rx:
        poly = np.poly(ry)  # Π(y - s)
        poly[-1] -= coupling * (r - rx[0])
        ys = np.roots(poly) if len(poly) > 1 else np.array([])
        ys = ys[np.abs(ys.imag) < 1e-7].real
        ref += [np.array([r, y]) for y in ys]
    ref = [x for i, x in enumerate(ref) if all(np.max(np.abs(x - y)) > 1e-6 for y in ref[:i])]
    fps = find_fixed_points(model)
    assert len(fps) == len(ref), (fps, ref)
    for x in ref:
        assert any(np.allclose(fp.state, x, atol=1e-6) for fp in fps)


# ----------------------------------------------------------------------------- degenerate and large
def test_line_of_equilibria_is_reported_as_a_continuum():
    m = load_model({"equations": {"x": "y - x", "y": "x - y"}})
    fps = find_fixed_points(m)
    assert fps.continuum and not fps.complete and "not isolated" in fps.notes[0]
    assert 1 <= len(fps) <= 30
    for fp in fps:  # every sample lies on the line x = y, where J = [[-1, 1], [1, -1]] is singular
        assert abs(fp.state[0] - fp.state[1]) < 1e-8 and fp.singular


def test_degenerate_fixed_point_is_reported_once():
    # the only fixed point (0, 0, 1); x' = -x**3 makes it degenerate (Newton converges linearly)
    m = load_model({"equations": {"x": "-x**3", "y": "-y", "z": "1 - z"}})
    (fp,) = find_fixed_points(m)
    assert np.allclose(fp.state, [0, 0, 1], atol=1e-3) and fp.singular


def test_decoupled_cubic_finds_all_and_says_so():
    m = load_model({"parameters": {"a": 1.0}, "equations": {f"x{i}": f"a*x{i} - x{i}**3" for i in range(3)}})
    fps = find_fixed_points(m)
    assert len(fps) == 27 and fps.complete and fps.notes == ()  # every point of {-1, 0, 1}^3
    assert {tuple(np.round(fp.state, 9)) for fp in fps} == {(a, b, c) for a in (-1, 0, 1) for b in (-1, 0, 1)
                                                           for c in (-1, 0, 1)}


def test_large_models_are_refused_up_front():
    from linstab import AnalysisError
    from linstab.num._fixed_points import MAX_SEARCH_VARIABLES

    n = MAX_SEARCH_VARIABLES + 1
    m = load_model({"equations": {f"x{i}": f"x{(i + 1) % n} - x{i}" for i in range(n)}})
    with pytest.raises(AnalysisError, match="n_starts"):
        find_fixed_points(m)


def test_models_without_parameters_or_numbers():
    (fp,) = find_fixed_points(load_model({"equations": {"x": "y", "y": "x"}}))
    assert fp.state.tolist() == [0.0, 0.0] and fp.classification == "saddle"


def test_heaviside_model():
    # x' = H(x - 1) - x/3: fixed points 0 and, past the step, 3 (the Jacobian is -1/3 off the step)
    fps = find_fixed_points(load_model({"equations": {"x": "Heaviside(x - 1) - x/3"}}))
    states = sorted(float(fp.state[0]) for fp in fps)
    assert states[0] == 0 and abs(states[-1] - 3) < 1e-9
    assert all(fp.stable for fp in fps if abs(fp.state[0] - 1) > 1e-6)


def test_a_search_that_cannot_be_complete_says_so():
    # 3**6 = 729 fixed points: the default search finds several hundred and must not claim all
    m = load_model({"parameters": {"a": 1.0}, "equations": {f"x{i}": f"a*x{i} - x{i}**3" for i in range(6)}})
    fps = find_fixed_points(m)
    assert len(fps) <= 729
    if len(fps) < 729:  # no claim of completeness that is false
        assert not fps.complete and "there may be more" in fps.notes[0]
    for fp in fps:  # what is found is right: every coordinate in {-1, 0, 1}
        assert np.allclose(fp.state, np.round(fp.state), atol=1e-12) and set(np.round(fp.state)) <= {-1, 0, 1}
