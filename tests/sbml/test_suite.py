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
