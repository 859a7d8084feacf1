"""``linstab diagram`` and ``linstab portrait``: pages written, sizes, clear errors."""

from __future__ import annotations

import pytest

from linstab.cli import main

pytest.importorskip("bokeh", reason="the diagram commands need bokeh (install `linstab[plot]`)")


def test_diagram_writes_page(tmp_path, capsys):
    out = tmp_path / "r.html"
    rc = main(["diagram", "repressilator", "--param", "beta", "--against", "n", "--range", "2", "5",
               "--grid", "16", "--html", str(out)])
    assert rc == 0
    text = out.read_text(encoding="utf-8")
    assert 1_000_000 < len(text.encode()) < 3_000_000
    assert "cdn.bokeh.org" not in text and "slider_beta" in text
    assert "Hopf" in text  # the closed-form curve is in the legend
    assert f"wrote {out}" in capsys.readouterr().out


def test_portrait_writes_page(tmp_path):
    out = tmp_path / "t.html"
    assert main(["portrait", "toggle_switch", "--set", "beta=3", "--html", str(out)]) == 0
    assert out.stat().st_size < 3_000_000


def test_portrait_refuses_other_dimensions(tmp_path, capsys):
    assert main(["portrait", "repressilator", "--html", str(tmp_path / "x.html")]) == 1
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "2 variables" in err and "has 3" in err
    assert not (tmp_path / "x.html").exists()


def test_diagram_rejects_same_parameter(tmp_path, capsys):
    assert main(["diagram", "repressilator", "--param", "beta", "--against", "beta", "--html",
                 str(tmp_path / "x.html")]) == 1
    assert "must differ" in capsys.readouterr().err


def test_portrait_axis_limits_and_log_sliders(tmp_path, capsys):
    """--x-range/--y-range set the phase-plane window and --log gives a slider along log10; bad
    values get one-line errors."""
    import json
    import re

    out = tmp_path / "p.html"
    assert main(["portrait", "toggle_switch", "--x-range", "0", "7", "--y-range", "0.5", "6", "--log", "beta",
                 "--html", str(out)]) == 0
    text = out.read_text(encoding="utf-8")
    assert '"title":"log\\u2081\\u2080 \\u03b2"' in text  # the beta slider moves along log10
    ranges = re.findall(r'"name":"Range1d","id":"[^"]+","attributes":(\{[^}]*\})', text)
    ranges = [json.loads(r) for r in ranges]
    # the phase plane's window (Bokeh leaves out a start of 0, its default)
    assert {"end": 7.0} in ranges and {"start": 0.5, "end": 6.0} in ranges, ranges
    assert main(["portrait", "toggle_switch", "--x-range", "3", "1", "--html", str(tmp_path / "q.html")]) == 1
    assert "--x-range needs two finite numbers" in capsys.readouterr().err
    assert main(["portrait", "toggle_switch", "--log", "gamma", "--html", str(tmp_path / "q.html")]) == 1
    assert "gamma" in capsys.readouterr().err
