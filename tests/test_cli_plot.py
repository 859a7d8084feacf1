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
