"""Bad SBML input: each a one-line :class:`~linstab.ModelError` naming the problem, nothing executed."""

from __future__ import annotations

import subprocess
import sys
import time

import pytest

from linstab import ModelError, load_model
from tests.sbml._docs import MATHML, decay, document

pytest.importorskip("libsbml")

KINETIC = "<apply><times/><ci>k</ci><ci>S</ci></apply>"


def _write(tmp_path, text, name="model.xml"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _error(path) -> str:
    with pytest.raises(ModelError) as info:
        load_model(path)
    message = str(info.value)
    assert "\n" not in message
    return message


def test_a_good_document_loads(tmp_path):
    """The documents below differ from this one only in the construct under test."""
    m = load_model(_write(tmp_path, decay(KINETIC)))
    assert m.variable_names == ("S",) and str(m.rhs[0]) == "-S*k/c"


def test_malformed_xml_names_the_line(tmp_path):
    text = decay(KINETIC).replace("</listOfReactions>", "</listOfReaction>")
    message = _error(_write(tmp_path, text))
    line = 1 + text[: text.index("</listOfReaction>")].count("\n")
    assert f"line {line}" in message and str(tmp_path / "model.xml") in message


def test_not_xml_at_all(tmp_path):
    assert "line 1" in _error(_write(tmp_path, "x = 'not SBML'\n"))


@pytest.mark.parametrize(("body", "construct", "ident"), [
    ("""<listOfEvents><event id="boom" useValuesFromTriggerTime="true"><trigger initialValue="true"
        persistent="true"><math {m}><apply><gt/><ci>S</ci><cn>2</cn></apply></math></trigger>
        <listOfEventAssignments><eventAssignment variable="S"><math {m}><cn>0</cn></math></eventAssignment>
        </listOfEventAssignments></event></listOfEvents>""", "event", "boom"),
    ("""<listOfRules><algebraicRule metaid="alg1"><math {m}><apply><minus/><ci>k</ci><cn>1</cn></apply>
        </math></algebraicRule></listOfRules>""", "algebraic rule", "alg1"),
])
def test_unsupported_constructs_are_named_with_their_id(tmp_path, body, construct, ident):
    message = _error(_write(tmp_path, document(body.format(m=MATHML))))
    assert construct in message and repr(ident) in message


def test_a_fast_reaction_is_refused(tmp_path):
    message = _error(_write(tmp_path, decay(KINETIC, level=(3, 1), reaction_attrs='fast="true"')))
    assert "fast reaction" in message and "'R'" in message


def test_a_delay_of_fixed_length_is_refused(tmp_path):
    math = ('<apply><times/><ci>k</ci><apply><csymbol encoding="text" '
            'definitionURL="http://www.sbml.org/sbml/symbols/delay">delay</csymbol><ci>S</ci><cn>1</cn>'
            "</apply></apply>")
    message = _error(_write(tmp_path, decay(math)))
    assert "delay" in message and "'R'" in message and "constant parameter" in message


def test_a_package_is_refused(tmp_path):
    head = ('<sbml xmlns="http://www.sbml.org/sbml/level3/version1/core" level="3" version="1" '
            'xmlns:fbc="http://www.sbml.org/sbml/level3/version1/fbc/version2" fbc:required="false">')
    text = decay(KINETIC).replace(decay(KINETIC).splitlines()[1], head)
    message = _error(_write(tmp_path, text))
    assert "package" in message and "fbc" in message


def test_an_unknown_function_is_refused(tmp_path):
    message = _error(_write(tmp_path, decay("<apply><ci>mystery</ci><ci>S</ci></apply>")))
    assert "kinetic law of reaction 'R'" in message and "'mystery'" in message


def test_an_unknown_csymbol_is_refused_with_its_line(tmp_path):
    text = decay('<apply><csymbol encoding="text" definitionURL="http://example.org/evil">evil</csymbol>'
                 "<ci>S</ci></apply>")
    message = _error(_write(tmp_path, text))
    assert f"line {1 + text[: text.index('<csymbol')].count(chr(10))}" in message and "libsbml error" in message


def test_an_unknown_name_is_refused(tmp_path):
    message = _error(_write(tmp_path, decay("<apply><times/><ci>nosuch</ci><ci>S</ci></apply>")))
    assert "'nosuch'" in message


def test_a_50_MB_file_is_refused_before_parsing(tmp_path):
    path = tmp_path / "huge.xml"
    text = decay(KINETIC)
    with open(path, "w", encoding="utf-8") as fh:  # a well-formed document padded by a comment
        fh.write(text.replace("<model", "<!--" + "x" * 50_000_000 + "--><model", 1))
    start = time.perf_counter()
    message = _error(path)
    assert time.perf_counter() - start < 1.0
    assert "50,000" in message and "limit" in message and "LINSTAB_SBML_MAX_BYTES" in message


def test_the_cli_prints_one_line(tmp_path):
    path = _write(tmp_path, decay("<apply><ci>mystery</ci><ci>S</ci></apply>"))
    out = subprocess.run([sys.executable, "-m", "linstab.cli", "analyze", str(path)], capture_output=True,
                         text=True, timeout=120)
    assert out.returncode == 1 and out.stdout == ""
    assert out.stderr.count("\n") == 1 and out.stderr.startswith("linstab analyze: error: ")
    assert "mystery" in out.stderr
