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
