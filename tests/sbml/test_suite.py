"""The SBML Test Suite's semantic cases within linstab's scope (shared/sbml-test-suite/README.md).

Each case is imported with :func:`linstab.load_model`, simulated with :func:`linstab.simulate`
from the model's own initial state, and every listed variable is compared with the expected
trajectory within ``absolute + relative * |expected|`` at every output time.
"""

from __future__ import annotations

import pytest

from tests.sbml._suite import SUITE, case_names, load_case, run_case

pytest.importorskip("libsbml")

#: Cases that cannot pass, with the reason (listed in the README too). None at present.
XFAIL: dict[str, str] = {}

CASES = case_names() if SUITE.is_dir() else []


@pytest.mark.skipif(not CASES, reason=f"the SBML Test Suite is not at {SUITE}")
def test_suite_holds_400_cases():
    assert len(CASES) == 400


@pytest.mark.parametrize("name", [pytest.param(n, marks=pytest.mark.xfail(reason=XFAIL[n], strict=True))
                                  if n in XFAIL else n for n in CASES])
def test_case(name):
    problems = run_case(load_case(name))
    assert not problems, f"case {name}: " + "; ".join(problems)


@pytest.mark.parametrize("name", CASES)
def test_case_converted_to_level_2(name, tmp_path):
    """The same case after libsbml converts it to SBML Level 2 Version 4 (Level 2 reading: kinetic-law
    parameters, default stoichiometries)."""
    import libsbml

    case = load_case(name)
    doc = libsbml.readSBMLFromFile(str(case.model))
    if not doc.setLevelAndVersion(2, 4, False) or doc.getNumErrors(libsbml.LIBSBML_SEV_ERROR):
        pytest.skip(f"libsbml cannot convert case {name} to Level 2 Version 4 (Level 3 only constructs)")
    path = tmp_path / f"{name}-l2v4.xml"
    path.write_text(libsbml.writeSBMLToString(doc), encoding="utf-8")
    assert 'level="2"' in path.read_text(encoding="utf-8")[:400]
    problems = run_case(case, path)
    assert not problems, f"case {name} (Level 2): " + "; ".join(problems)
