"""``diagram --budget``: the closed-form attempts of a diagram's curves are bounded."""

from __future__ import annotations

import pytest

pytest.importorskip("bokeh", reason="the diagram page needs bokeh (install `linstab[plot]`)")


def test_diagram_budget_bounds_the_closed_form_attempts(tmp_path, capsys):
    """FitzHugh–Nagumo's branch is a cubic: the closed form runs out of its budget and continuation
    draws the curves; --budget sets that budget (the default 10 s took ~20 s of a 25 s diagram)."""
    from linstab import load_model
    from linstab.analysis import diagram_data
    from linstab.cli import main

    d = diagram_data(load_model("fitzhugh_nagumo"), "a", "b", grid=8, budget=0.5)
    assert {c.kind for c in d.curves} == {"hopf", "fold"} and {c.route for c in d.curves} == {"continuation"}
    first = d.curves[0].derivation[0][0]
    assert "time budget of 0.5 s" in first and "use numeric continuation" not in first
    assert main(["diagram", "fitzhugh_nagumo", "--param", "a", "--against", "b", "--grid", "8", "--budget", "0",
                 "--html", str(tmp_path / "d.html")]) == 1
    assert "--budget must be a positive number" in capsys.readouterr().err
