"""Fixtures for the plot tests: a headless Chromium (Debian's, driven by Playwright) and a page opener.

Browser tests are marked ``@pytest.mark.browser``; they run whenever /usr/bin/chromium and the
``playwright`` package are present, and skip (saying why) otherwise. Screenshots go to
``build/screenshots/`` (or ``$LINSTAB_SCREENSHOTS``).
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

pytest.importorskip("bokeh", reason="the plot tests need bokeh (install `linstab[plot]`)")


@pytest.fixture(scope="session")
def screenshot_dir() -> Path:
    root = Path(os.environ.get("LINSTAB_SCREENSHOTS", Path(__file__).resolve().parents[2] / "build" / "screenshots"))
    root.mkdir(parents=True, exist_ok=True)
    return root


class Loaded:
    """An opened page with what it tried to fetch from the network and what it logged as errors."""

    def __init__(self, page, blocked, errors):
        self.page, self.blocked, self.errors = page, blocked, errors

    def model(self, name: str) -> str:
        """A JavaScript expression for the Bokeh model called ``name``."""
        return f"Bokeh.documents[0].get_model_by_name({name!r})"

    def eval(self, js: str):
        return self.page.evaluate(js)

    def set_value(self, name: str, value: float) -> None:
        """Move a slider and wait until its CustomJS callback has run (Bokeh runs them asynchronously)."""
        done = self.page.evaluate(f"""(async () => {{
            const m = {self.model(name)}, v = {value!r};
            if (m.value === v) return true;
            const calls = () => Object.values(window.LINSTAB || {{}}).reduce((a, L) => a + (L.calls || 0), 0);
            const c = calls(), t0 = performance.now();
            m.value = v;
            while (calls() === c && performance.now() - t0 < 10000) await new Promise(r => setTimeout(r, 0));
            return calls() > c; }})()""")
        assert done, f"moving {name} to {value} did not run its callback within 10 s"


@pytest.fixture
def open_page(guarded_page):
    """Open an HTML file with every request outside ``file:``/``data:`` blocked; wait for Bokeh."""

    def _open(path: Path, *, width: int = 1200, height: int = 900) -> Loaded:
        page, blocked, errors = guarded_page(width=width, height=height)
        page.goto(Path(path).resolve().as_uri())
        page.wait_for_function("window.Bokeh !== undefined && Bokeh.documents.length > 0 && "
                               "Bokeh.documents[0].roots().length > 0", timeout=20000)
        page.wait_for_timeout(300)  # let the first render settle
        return Loaded(page, blocked, errors)

    return _open


@pytest.fixture(scope="session")
def hopf_curve():
    """The repressilator's Hopf curve β = n/2 (n/2 − 1)^(−(n+1)/n) in the (n, β) plane (appendix 9b)."""
    from linstab.analysis import bifurcation_curves

    (curve,) = bifurcation_curves("repressilator", "hopf", "beta", "n", q_range=(2.01, 5.0), n_points=120)
    return curve
