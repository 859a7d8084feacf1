"""``linstab diagram MODEL --param tau --against Q``: the delay diagram page with the root explorer."""

from __future__ import annotations

from pathlib import Path

import pytest

pytest.importorskip("bokeh", reason="the diagram page needs bokeh (install `linstab[plot]`)")

from linstab.cli import main  # noqa: E402

HERE = Path(__file__).resolve().parent


def test_delay_diagram_page_has_the_root_explorer(tmp_path, capsys):
    out = tmp_path / "d.html"
    assert main(["diagram", str(HERE / "autorepressor.toml"), "--param", "tau", "--against", "beta",
                 "--range", "2", "8", "--param-range", "0", "3", "--grid", "6", "--html", str(out)]) == 0
    assert "with the characteristic-root explorer" in capsys.readouterr().out
    page = out.read_text()
    for name in ("slider_beta", "slider_n", "slider_tau", "delay_root_plot", "delay_readout", "window.LINSTAB_DELAY"):
        assert name in page
    assert "cdn.bokeh.org" not in page


@pytest.mark.parametrize("param, against, words", [
    ("beta", "n", "--param 'beta' is not a delay of the model (its delays: tau)"),
    ("beta", "tau", "swap the axes"),
])
def test_a_delay_diagram_needs_the_delay_on_the_vertical_axis(tmp_path, capsys, param, against, words):
    out = tmp_path / "d.html"
    assert main(["diagram", "delayed_autorepressor", "--param", param, "--against", against,
                 "--html", str(out)]) == 1
    err = capsys.readouterr().err
    assert words in err and err.count("\n") == 1
    assert not out.exists()
