"""The delay Hopf curve as a parametric closed form ``(s, Q(s), τ_c(s))`` in ``s`` = the fixed point.

Reference (derived by hand, not by the code): for ``x' = β/(1 + x(t − τ)^n) − x`` the fixed point
``s = β/(1 + s^n)`` gives ``β(s) = s(1 + s^n)`` and ``a(s) = −f′(s) = n s^n/(1 + s^n)``, so that
``τ_c(s) = arccos(−1/a)/√(a² − 1)`` where ``a > 1`` (Smith 2011, sec. 4.5; Monk 2003). Each point is
also compared with the existing numeric route (:func:`linstab.analysis.crossing_values` at the
numeric fixed point) and with the rightmost characteristic roots.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from linstab import load_model
from linstab.analysis import crossing_values, delay_hopf_curves
from linstab.num import rightmost_roots
from linstab.sym import delay_crossings

HERE = Path(__file__).parent


def test_autorepressor_parametrization_is_the_textbook_one():
    m = load_model(HERE / "autorepressor.toml")
    (c,) = delay_hopf_curves(m, "beta", q_range=(3.0, 9.0), n_points=5)
    assert c.route == "closed form" and c.expression is None and c.parametrization is not None
    s, q_of_s, tau_of_s = c.parametrization
    n = m.symbols["n"]
    for sv, nv in ((1.3, 2.0), (1.7, 2.0), (1.2, 4.0)):
        a = nv * sv**nv / (1 + sv**nv)
        assert float(q_of_s.subs({s: sv, n: nv})) == pytest.approx(sv * (1 + sv**nv), rel=1e-12)
        assert float(tau_of_s.subs({s: sv, n: nv})) == pytest.approx(np.arccos(-1 / a) / np.sqrt(a * a - 1), rel=1e-12)


@pytest.mark.parametrize("path, against, q_range", [("autorepressor.toml", "beta", (3.0, 9.0)),
                                                     ("hes1.toml", "p0", (60.0, 180.0))])
def test_parametric_points_agree_with_the_numeric_route_and_the_roots(path, against, q_range):
    m = load_model(HERE / path)
    (c,) = delay_hopf_curves(m, against, q_range=q_range, n_points=5)
    assert c.parametrization is not None and len(c.points) == 5
    s, q_of_s, tau_of_s = c.parametrization
    assert q_of_s.has(s) and tau_of_s.has(s) and not tau_of_s.free_symbols & set(m.variables)
    crossing = delay_crossings(m)[0]
    for (q, tau_c), state in zip(c.points, c.states):
        assert q_range[0] - 1e-9 <= q <= q_range[1] + 1e-9
        v = crossing_values(m, crossing, {against: q})  # the fixed point found numerically
        assert tau_c == pytest.approx(v["tau_c"], rel=1e-8)
        lead = rightmost_roots(m, {against: q, "tau": [0.97 * tau_c, tau_c, 1.03 * tau_c]}, state=state,
                               n_roots=1)[:, 0]
        assert lead[0].real < 0 < lead[2].real  # the crossing is at tau_c
        assert abs(lead[1].real) < 1e-6 * v["omega"] and abs(lead[1].imag) == pytest.approx(v["omega"], rel=1e-6)


def test_no_explicit_solution_keeps_the_numeric_curve():
    # n enters the Hes1 fixed point through (P/p0)^n: SymPy does not solve it for n
    m = load_model(HERE / "hes1.toml")
    (c,) = delay_hopf_curves(m, "n", q_range=(4.0, 6.0), n_points=3)
    assert c.parametrization is None and c.expression is None and len(c.points) == 3


def _cli(*args):
    code = "import sys; from linstab.cli import main; sys.exit(main(sys.argv[1:]))"
    out = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    return out.stdout


def test_cli_prints_the_parametric_curve():
    text = _cli("bifurcation", str(HERE / "autorepressor.toml"), "--kind", "delay-hopf", "--param", "tau",
                "--against", "beta", "--range", "3", "9", "--points", "4")
    assert "beta = s*(s**n + 1), tau_c = " in text and "for s in (" in text
    assert "a stands for\n    beta*n*x**(n - 1)/(x**n + 1)**2\n" in text
    text = _cli("analyze", str(HERE / "autorepressor.toml"))
    line = next(ln for ln in text.splitlines() if "beta = s*(s**n + 1)" in ln)
    lo, hi = (float(x) for x in line.rsplit("(", 1)[1].rstrip(")").split(","))
    # the window is beta in [2, 8] (half to twice 4); beta(s) = s(1 + s^2) = 8 at s = 1.8338 (by hand);
    # beta = 2 at s = 1, where a = 1 and the crossing does not exist, so the first point kept is beyond
    assert 1.0 < lo < 1.25 and hi == pytest.approx(1.833751, abs=1e-5)


def test_json_record_carries_the_parametrization():
    (c,) = delay_hopf_curves(load_model(HERE / "autorepressor.toml"), "beta", q_range=(3.0, 9.0), n_points=5)
    rec = c.to_dict()["parametrization"]
    s, q_of_s, tau_of_s = c.parametrization  # the formulas themselves: test_..._is_the_textbook_one
    assert rec == {"parameter": str(s), "beta": str(q_of_s), "tau": str(tau_of_s)}
