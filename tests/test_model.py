"""Model files: loading, validation and errors."""

from __future__ import annotations

import numpy as np
import pytest
import sympy as sp

from linstab import Model, ModelError, ParameterError, ParseError, builtin_models, load_model

REPRESSILATOR_TOML = """
name = "repressilator"
[variables]
x1 = { domain = "nonnegative" }
x2 = { domain = "nonnegative" }
x3 = { domain = "nonnegative" }
[parameters]
beta = { value = 10.0, domain = "positive" }
n = 3.0
[equations]
x1 = "beta/(1 + x3**n) - x1"
x2 = "beta/(1 + x1^n) - x2"
x3 = "beta/(1 + x2**n) - x3"
"""


def write(tmp_path, text, name="m.toml"):
    path = tmp_path / name
    path.write_text(text)
    return path


def test_load_file(tmp_path):
    m = load_model(write(tmp_path, REPRESSILATOR_TOML))
    assert m.variable_names == ("x1", "x2", "x3")
    assert m.parameter_values == {"beta": 10.0, "n": 3.0}
    assert m.domain == {"x1": "nonnegative", "x2": "nonnegative", "x3": "nonnegative", "beta": "positive", "n": "real"}
    assert m.symbol("x1").is_nonnegative and m.symbol("beta").is_positive
    assert m.symbol("n").is_positive is None  # real by default, sign unknown


def test_every_builtin_loads_and_has_values():
    names = builtin_models()
    assert {"repressilator", "toggle_switch", "autorepression", "autoactivation"} <= set(names)
    for name in names:
        m = load_model(name)
        assert m.source == f"builtin:{name}"
        assert len(m.rhs) == m.n_vars > 0
        m.numeric_values()  # every built-in has values for all parameters


def test_from_dict_with_sympy_expressions():
    x, k = sp.symbols("x k")  # no assumptions: rebinding gives the model's symbols
    m = Model.from_dict({"parameters": {"k": {"value": 2.0, "domain": "positive"}},
                         "variables": {"x": {"domain": "positive"}}, "equations": {"x": -k * x}})
    assert m.rhs[0].free_symbols == {m.symbol("x"), m.symbol("k")}
    assert m.symbol("k").is_positive


def test_jacobian_matches_finite_differences(repressilator):
    rng = np.random.default_rng(0)
    f, J = repressilator.kernel("rhs"), repressilator.kernel("jacobian")
    p = repressilator.parameter_vector()
    for _ in range(5):
        x0 = rng.uniform(0.1, 3.0, 3)
        h = 1e-6
        fd = np.column_stack([(f(x0 + h * e, p) - f(x0 - h * e, p)) / (2 * h) for e in np.eye(3)])
        np.testing.assert_allclose(J(x0, p), fd, rtol=1e-6, atol=1e-8)


def test_jacobian_is_textbook_form(repressilator):
    x3, beta, n = (repressilator.symbol(s) for s in ("x3", "beta", "n"))
    assert repressilator.jacobian()[0, 2] == -beta * n * x3 ** (n - 1) / (1 + x3**n) ** 2


def test_with_values_and_errors(repressilator):
    assert repressilator.with_values(beta=2).parameter_values["beta"] == 2.0
    with pytest.raises(ParameterError, match="did you mean 'beta'"):
        repressilator.with_values(bta=2)
    with pytest.raises(ParameterError, match="state variable, not a parameter"):
        repressilator.parameter("x1")
    with pytest.raises(ParameterError, match="must be a number"):
        repressilator.with_values(beta="ten")


@pytest.mark.parametrize(
    ("text", "pattern"),
    [
        ("name = 'x'\n[equations\nx = '1'", r"m\.toml: TOML syntax error"),
        ("name = 'x'\n[parameters]\nk = 1\n", r"no equations"),
        ("[equations]\nx = 'k*x'\n", r"\[equations\] x: .*undefined symbol 'k'"),
        ("[parameters]\nkk = 1\n[equations]\nx = 'k*x'\n", r"undefined symbol 'k'.*did you mean 'kk'"),
        ("[parameters]\nx = 1\n[equations]\nx = '-x'\n", r"'x' is used both as a state variable and as a parameter"),
        ("[parameters]\nk = 'ten'\n[equations]\nx = '-k*x'\n", r"\[parameters\] k: value must be a number"),
        ("[parameters]\nk = { value = 1, domain = 'complex' }\n[equations]\nx = '-k*x'\n", r"\[parameters\] k: unknown domain 'complex'"),
        ("[variables]\nx = { domain = 'integer' }\n[equations]\nx = '-x'\n", r"\[variables\] x: unknown domain 'integer'"),
        ("[variables]\ny = {}\n[equations]\nx = '-x'\n", r"\[variables\] y: declared but has no equation"),
        ("[parameters]\nk = { value = -1, domain = 'positive' }\n[equations]\nx = '-k*x'\n", r"outside its declared domain"),
        ("[parameters]\nlambda = 1\n[equations]\nx = '-x'\n", r"'lambda' is a reserved word"),
        ("[parameters]\nexp = 1\n[equations]\nx = '-x'\n", r"'exp' is the name of a built-in function"),
        ("[equations]\nx = \"__import__('os').system('true')\"\n", r"\[equations\] x: cannot parse"),
        ("colour = 1\n[equations]\nx = '-x'\n", r"unknown top-level key\(s\) colour"),
    ],
)
def test_bad_files_get_one_clear_error(tmp_path, text, pattern):
    path = write(tmp_path, text)
    with pytest.raises(ModelError, match=pattern) as info:
        load_model(path)
    assert str(path) in str(info.value)  # the message names the file


def test_malicious_file_runs_nothing(tmp_path):
    marker = tmp_path / "pwned"
    text = f"[equations]\nx = \"__import__('os').system('touch {marker}')\"\n"
    with pytest.raises(ParseError):
        load_model(write(tmp_path, text))
    assert not marker.exists()


def test_unknown_builtin_suggests():
    with pytest.raises(ModelError, match=r"did you mean 'repressilator'"):
        load_model("represilator")


def test_missing_value_is_reported():
    m = Model.from_dict({"parameters": {"k": {"domain": "positive"}}, "equations": {"x": "-k*x"}})
    with pytest.raises(ParameterError, match=r"no value for parameter\(s\) k"):
        m.numeric_values()


def test_to_dict_round_trip(repressilator):
    again = Model.from_dict(repressilator.to_dict())
    assert again.rhs == repressilator.rhs and again.values == repressilator.values


def test_with_values_respects_domain(repressilator):
    with pytest.raises(ParameterError, match=r"'beta' must be positive .*got -1.0"):
        repressilator.with_values(beta=-1)
