"""The book's interactive linstab.plot figures respond to their sliders in the built, offline page.

The generic slider test (``test_book_browser.py``) finds chapters by the words ``Slider`` or
``explorer`` in their source; this one pins the requirement to the chapters that draw with
:mod:`linstab.plot`: each must hold a Bokeh slider, and moving it must change what the figure
shows (a data source, or a label), with no console error.
"""

from __future__ import annotations

import re

import pytest

from ._book_paths import BOOK, chapters

pytestmark = [pytest.mark.browser, pytest.mark.slow]

PLOT_CHAPTERS = [c for c in chapters() if re.search(r"^import linstab\.plot\b", (BOOK / f"{c}.md").read_text(encoding="utf-8")
                                                        if (BOOK / f"{c}.md").is_file() else "", re.M)]

_STATE_JS = """
() => {
  const parts = [];
  for (const doc of Bokeh.documents)
    for (const m of doc.all_models) {
      if (m.data !== undefined && m.data !== null)
        for (const [k, v] of Object.entries(m.data)) parts.push(k + ':' + Array.from(v).slice(0, 80).join(','));
      if (typeof m.text === 'string') parts.push(m.text);
    }
  return parts.join('|');
}
"""

_SLIDERS_JS = """
() => {
  const out = [];
  for (const doc of Bokeh.documents)
    for (const m of doc.all_models)
      if (m.start !== undefined && m.end !== undefined && m.value !== undefined && typeof m.value === 'number')
        out.push(m.id);
  return out;
}
"""


def test_the_book_uses_linstab_plot():
    assert PLOT_CHAPTERS, "no chapter draws with linstab.plot"


@pytest.mark.parametrize("name", PLOT_CHAPTERS)
def test_linstab_plot_figures_respond_to_their_sliders(built_book, open_page, name):
    opened = open_page(built_book / f"{name}.html")
    sliders = opened.page.evaluate(_SLIDERS_JS)
    assert sliders, f"{name} draws with linstab.plot but its page holds no slider"
    changed = 0
    for sid in sliders:
        before = opened.page.evaluate(_STATE_JS)
        opened.page.evaluate(
            "(sid) => { for (const doc of Bokeh.documents) { const s = doc.get_model_by_id(sid);"
            " if (s) { s.value = s.start + 0.71 * (s.end - s.start); } } }",
            sid,
        )
        opened.page.wait_for_timeout(400)
        changed += opened.page.evaluate(_STATE_JS) != before
    assert changed == len(sliders), f"{name}: {len(sliders) - changed} of {len(sliders)} sliders changed nothing"
    assert opened.errors == [], f"{name}: console errors after moving the sliders: {opened.errors[:3]}"
