"""The derivation report on models beyond the appendix: every built-in model and edge cases."""

from __future__ import annotations

import json

import pytest
import sympy as sp

from linstab import builtin_models, load_model
from linstab.analysis import report


ODE_MODELS = [n for n in builtin_models() if not load_model(n).delays]


@pytest.mark.parametrize("name", [n for n in builtin_models() if n not in ODE_MODELS])
def test_a_delay_model_is_sent_to_the_delay_report(name):
    from linstab import ParseError

    with pytest.raises(ParseError, match="delay_report"):
        report(name)


@pytest.mark.parametrize("name", ODE_MODELS)
def test_every_builtin_model_reports(name):
    r = report(name)
    assert r.derivations, r.notes
    data = json.loads(r.to_json())
    assert data["model"] == name and len(data["fixed_points"]) >= 1
    assert "Step 5" in r.text and "$$" in r.markdown
    # each derivation's matrix, written back with its abbreviations, is the Jacobian at the point
    m = load_model(name)
    for d in r.derivations:
        A = d.matrix.xreplace(d.abbreviations)
        J = m.jacobian().xreplace(d.fixed_point.state)
        assert (A - J).applyfunc(lambda e: sp.simplify(e)) == sp.zeros(*A.shape)


def test_goodwin_secant_condition():
    d = report("goodwin", numeric=False).derivations[0]
    (b,) = d.abbreviations
    assert d.charpoly.compact == b + (d.charpoly.lam + 1) ** 3
    assert d.stable_if == (b < 8) and d.unstable_if == (b > 8)  # the secant condition for 3 stages


def test_toggle_switch_symmetric_point_condition():
    d = report("toggle_switch", numeric=False).derivations[0]
    (a,) = d.abbreviations
    assert d.stable_if == (a < 1) and d.unstable_if == (a > 1)


def test_edge_cases():
    r = report({"name": "const", "equations": {"x": "1"}})
    assert not r.derivations and not r.fixed_points and "no symbolic fixed point" in r.text
    r = report({"name": "unset", "parameters": {"k": {"domain": "positive"}}, "equations": {"x": "k - x**2"}})
    assert len(r.derivations) == 2 and "skipped" in r.text
    verdicts = [d.routh.is_stable() for d in r.derivations]
    assert sorted(verdicts) == [False, True]
    r = report({"name": "center", "equations": {"x": "y", "y": "-x"}})
    assert r.fixed_points[0].classification == "center" and "(fails)" in r.text


def test_a_point_with_a_zero_eigenvalue_and_none_positive_is_not_called_unstable():
    """The full telegraph model conserves g_off + g_on: eigenvalues 0, -1, -1.5 at every point of its
    line of equilibria. Linearisation cannot decide there (it is neutral along the line); a point
    with a positive eigenvalue is unstable whatever else."""
    r = report("telegraph")
    assert any(ln.strip().startswith("eigenvalues: 0,") for ln in r.text.splitlines())
    assert "non-hyperbolic; linearisation inconclusive" in r.text and "; unstable" not in r.text
    assert "| undecided |" in r.markdown
