"""Delay differential equations in SBML: the ``delay`` csymbol is read and written.

SBML writes ``x(t - tau)`` as ``delay(x, tau)`` (SBML Level 3 Version 2 core, section 3.4.7), where
the first argument may be any expression: ``delay(g, tau)`` is ``g`` evaluated at ``t - tau``. With
states and constant parameters only in ``g``, that is ``g`` of the delayed states, the form the delay
analyses of :mod:`linstab.sym` read.
"""

from __future__ import annotations

import pytest
import sympy as sp

from linstab import ModelError, load_model
from linstab._parse import Delay
from linstab.analysis import crossing_values, delay_report
from linstab.model import builtin_models
from linstab.sbml import write_sbml
from tests.sbml._docs import MATHML, document

pytest.importorskip("libsbml")

DELAY = '<csymbol encoding="text" definitionURL="http://www.sbml.org/sbml/symbols/delay"> delay </csymbol>'
DELAY_BUILTINS = [n for n in builtin_models() if load_model(n).delays]


def _repressed(first_argument: str, tau: str = "<ci>tau</ci>", extra: str = "") -> str:
    """dS/dt = b/(1 + delay(...)^2) - k S, in a compartment of size 1; ``y`` = S^2 by an assignment rule."""
    return document(f"""  <listOfRules><assignmentRule variable="y"><math {MATHML}><apply><power/><ci>S</ci><cn>2</cn></apply></math>
  </assignmentRule></listOfRules>
  <listOfReactions><reaction id="make" reversible="false">
   <listOfProducts><speciesReference species="S" stoichiometry="1" constant="true"/></listOfProducts>
   <kineticLaw><math {MATHML}><apply><divide/><ci>b</ci><apply><plus/><cn>1</cn>
     <apply>{DELAY}{first_argument}{tau}</apply></apply></apply></math></kineticLaw></reaction>
  <reaction id="decay" reversible="false">
   <listOfReactants><speciesReference species="S" stoichiometry="1" constant="true"/></listOfReactants>
   <kineticLaw><math {MATHML}><apply><times/><ci>k</ci><ci>S</ci></apply></math></kineticLaw></reaction>
  </listOfReactions>""", parameters='<parameter id="k" value="0.5" constant="true"/><parameter id="b" value="4" '
                         'constant="true"/><parameter id="tau" value="1" constant="true"/><parameter id="y" '
                         f'constant="false"/>{extra}')


def _load(tmp_path, text):
    path = tmp_path / "delay.xml"
    path.write_text(text, encoding="utf-8")
    return load_model(path)


def test_there_are_delay_builtins():
    assert {"delayed_autorepressor", "hes1_delay"} <= set(DELAY_BUILTINS)


@pytest.mark.parametrize("name", DELAY_BUILTINS)
def test_delay_builtins_round_trip_with_the_same_crossing(name, tmp_path):
    model = load_model(name)
    path = write_sbml(model, tmp_path / f"{name}.xml")
    assert "symbols/delay" in path.read_text(encoding="utf-8")
    back = load_model(path)
    assert back.delays == model.delays
    x = sp.Matrix(model.variables)
    assert sp.simplify(sp.Matrix(back.rhs).xreplace(dict(zip(back.variables, model.variables))) - sp.Matrix(model.rhs)) \
        == sp.zeros(len(x), 1)
    a, b = delay_report(model), delay_report(back)
    assert b.roots[0] == pytest.approx(a.roots[0], rel=1e-9)
    assert b.numbers[0]["tau_c"] == pytest.approx(a.numbers[0]["tau_c"], rel=1e-12)


def test_a_delayed_expression_becomes_the_expression_of_delayed_states(tmp_path):
    """delay(y, tau) with y = S^2 is S(t - tau)^2."""
    model = _load(tmp_path, _repressed("<ci>y</ci>"))
    S, b, k, tau = sp.symbols("S b k tau")
    rhs = model.rhs[0].xreplace({v: sp.Symbol(v.name) for v in (*model.variables, *model.parameters)})
    rhs = sp.nsimplify(rhs.subs(sp.Symbol("c"), 1))  # the compartment's size; <cn>2</cn> reads as 2.0
    assert sp.simplify(rhs - (b / (1 + Delay(S, tau) ** 2) - k * S)) == 0
    assert model.delays == (("S", "tau"),)


def test_the_sbml_model_has_the_closed_form_crossing(tmp_path):
    """dx/dt = f(x(t - tau)) - k x: omega = sqrt(a^2 - k^2), tau_c = arccos(-k/a)/omega with a = -f'(x*)
    (Smith, An Introduction to Delay Differential Equations, 2011, ch. 4)."""
    model = _load(tmp_path, _repressed("<ci>y</ci>"))
    report = delay_report(model)
    (x,) = report.state
    a = 4 * 2 * x / (1 + x**2) ** 2
    omega = (a**2 - 0.5**2) ** 0.5
    v = crossing_values(model, report.crossings[0])
    assert v["omega"] == pytest.approx(omega, rel=1e-9)
    assert v["tau_c"] == pytest.approx(float(sp.acos(-0.5 / a)) / omega, rel=1e-9)
    assert x == pytest.approx(4 / (0.5 * (1 + x**2)), rel=1e-9)  # b/(1 + x^2) = k x


@pytest.mark.parametrize("first, tau, extra, words", [
    ("<ci>S</ci>", "<cn>1</cn>", "", "constant parameter"),
    (f"<apply>{DELAY}<ci>S</ci><ci>tau</ci></apply>", "<ci>tau</ci>", "", "nested"),
    ("<ci>S</ci>", "<ci>y</ci>", "", "not a constant parameter"),
    ("<ci>S</ci>", "<ci>neg</ci>", '<parameter id="neg" value="-1" constant="true"/>', "negative"),
], ids=["number", "nested", "rule-variable", "negative"])
def test_bad_delays_are_refused(tmp_path, first, tau, extra, words):
    with pytest.raises(ModelError) as info:
        _load(tmp_path, _repressed(first, tau, extra))
    assert words in str(info.value) and "\n" not in str(info.value)
