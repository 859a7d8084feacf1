"""Bad input to delay models: one clear error each; ODE analyses never ignore a delay silently."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from linstab import load_model
from linstab._errors import AnalysisError, ModelError, ParameterError
from linstab.analysis import find_curves
from linstab.num import characteristic_roots, kind_crossing_ok, kind_test_function, simulate
from linstab.sym import DELAY_HOPF, bifurcation_kind, undelayed

HERE = Path(__file__).parent


def _model(eq: str, **params):
    return load_model({"name": "m", "parameters": params or {"tau": 1.0}, "equations": {"x": eq}})


@pytest.mark.parametrize("eq, params, words", [
    ("-delay(x, x)", {"k": 1.0}, ["'x' is a state variable, not a parameter", "[parameters]"]),
    ("-delay(x, tau)", {"tau": -1.0}, ["negative", ">= 0"]),
    ("-delay(k, tau)", {"k": 1.0, "tau": 1.0}, ["'k', which is a parameter, not a state variable"]),
    ("-delay(x + 1, tau)", {"tau": 1.0}, ["first argument must be a state variable", "delay each variable"]),
    ("-delay(x, 2*tau)", {"tau": 1.0}, ["second argument must be a parameter"]),
    ("-delay(x, tau, tau)", {"tau": 1.0}, ["takes 2 argument(s)"]),
    ("-delay(x, s)", {"tau": 1.0}, ["undefined symbol 's'"]),
])
def test_bad_delays_are_refused_with_one_clear_error(eq, params, words):
    with pytest.raises(ModelError) as err:
        _model(eq, **params)
    message = str(err.value)
    assert "\n" not in message and all(w in message for w in words), message


def test_negative_delay_value_later_is_refused():
    m = _model("-delay(x, tau)")
    with pytest.raises(ParameterError, match="delay and must be >= 0"):
        m.with_values(tau=-0.5)
    with pytest.raises(ParameterError, match=">= 0"):
        characteristic_roots([[0.0]], [[[-1.0]]], [-1.0])


def test_ode_analyses_refuse_a_delay_model_and_the_zero_delay_system_works():
    m = _model("-delay(x, tau)")
    for call in (m.jacobian, lambda: simulate(m, (0, 1), [1.0])):
        with pytest.raises(ModelError, match="delayed argument delay\\(x, tau\\)"):
            call()
    with pytest.raises(AnalysisError, match="kind 'hopf' is a bifurcation of ODEs"):
        find_curves(_model("-k*delay(x, tau)", k=1.0, tau=1.0), "hopf", "tau", "k")
    assert undelayed(m).jacobian().tolist() == [[-1]]
    with pytest.raises(AnalysisError, match="no delay\\(x, tau\\) term"):
        find_curves("repressilator", "delay-hopf", "beta", "n")


def test_delay_kind_is_an_object_with_no_jacobian_condition():
    assert bifurcation_kind("delay-hopf") is DELAY_HOPF and bifurcation_kind("delay_hopf") is DELAY_HOPF
    with pytest.raises(AnalysisError, match="quasi-polynomial"):
        DELAY_HOPF.condition(np.eye(2))
    # the crossing check is a Hopf one on the characteristic roots
    assert kind_crossing_ok(DELAY_HOPF, np.array([[1j, -1j, -1 + 3j]]), np.array([1.0]))[0]
    assert not kind_crossing_ok(DELAY_HOPF, np.array([[1j, -1j, 0.5]]), np.array([1.0]))[0]
    with pytest.raises(AnalysisError, match="quasi-polynomial"):  # no test function on Jacobians
        kind_test_function(DELAY_HOPF, np.eye(2)[None])


def test_cli_refuses_ode_kind_on_delay_model_in_one_line():
    code = "import sys; from linstab.cli import main; sys.exit(main(sys.argv[1:]))"
    out = subprocess.run([sys.executable, "-c", code, "bifurcation", str(HERE / "autorepressor.toml"), "--kind", "hopf",
                          "--param", "tau", "--against", "beta"], capture_output=True, text=True, timeout=300)
    assert out.returncode != 0 and "Traceback" not in out.stderr
    assert len(out.stderr.strip().splitlines()) == 1 and "delay-hopf" in out.stderr


def test_cli_analyze_reports_the_delay_step():
    code = "import sys; from linstab.cli import main; sys.exit(main(sys.argv[1:]))"
    out = subprocess.run([sys.executable, "-c", code, "analyze", str(HERE / "autorepressor.toml"), "--set", "tau=3"],
                         capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    for words in ("quasi-polynomial", "exp(-lambda*tau)", "acos(-1/a)/sqrt(a**2 - 1)", "tau_c = 2.87874",
                  "unstable"):
        assert words in out.stdout, out.stdout
