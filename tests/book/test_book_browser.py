"""The built pages in headless Chromium with the network blocked: no console errors, math
typeset by the local MathJax, Bokeh figures rendered, sliders that change the figures."""

from __future__ import annotations

import pytest

from ._book_paths import BOOK, chapters

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def _source(name: str) -> str:
    return (BOOK / f"{name}.md").read_text(encoding="utf-8")


FIGURE_CHAPTERS = [c for c in chapters() if c[:2].isdigit() and "show(" in _source(c)]
SLIDER_CHAPTERS = [c for c in FIGURE_CHAPTERS if "Slider" in _source(c) or "explorer" in _source(c)]


@pytest.mark.parametrize("name", chapters())
def test_page_renders_offline_without_console_errors(built_book, open_page, name):
    opened = open_page(built_book / f"{name}.html")
    assert opened.blocked == [], f"{name} tried to reach the network: {opened.blocked[:3]}"
    assert opened.errors == [], f"{name} logged console errors: {opened.errors[:3]}"
    if name.startswith(("0", "intro")):
        n_math = opened.page.evaluate("document.querySelectorAll('mjx-container').length")
        assert n_math > 0, f"{name}: no math typeset"
        # LaTeX outside code listings means MathJax did not typeset it
        raw = opened.page.evaluate(r"""() => {
            const body = document.body.cloneNode(true);
            body.querySelectorAll('pre, code, script, style, .highlight, mjx-container').forEach(e => e.remove());
            const text = body.innerText;
            return ['\\frac', '\\begin{', '$$'].filter(t => text.includes(t));
        }""")
        assert raw == [], f"{name}: LaTeX left untypeset: {raw}"


@pytest.mark.parametrize("name", FIGURE_CHAPTERS)
def test_bokeh_figures_are_rendered(built_book, open_page, name):
    opened = open_page(built_book / f"{name}.html")
    n_divs = opened.page.evaluate("document.querySelectorAll('.linstab-figure').length")
    assert n_divs > 0, f"{name} shows no Bokeh figure"
    n_docs = opened.page.evaluate("window.Bokeh ? Bokeh.documents.length : 0")
    assert n_docs == n_divs, f"{name}: {n_divs} figure containers but {n_docs} Bokeh documents"
    n_canvas = opened.page.evaluate(
        "Array.from(document.querySelectorAll('.linstab-figure')).filter("
        "d => d.querySelector('.bk-Figure, .bk-Column, .bk-Row, .bk-GridPlot') || "
        "(d.firstElementChild && d.firstElementChild.shadowRoot)).length")
    assert n_canvas == n_divs, f"{name}: only {n_canvas} of {n_divs} figures drew"


SLIDER_JS = """
() => {
  const out = [];
  for (const doc of Bokeh.documents) {
    for (const m of doc.all_models) {
      if (m.type === 'Slider' || (m.constructor && m.constructor.__name__ === 'Slider')) out.push(m.id);
    }
  }
  return out;
}
"""


def _snapshot(page):
    return page.evaluate("""
() => {
  const data = [];
  for (const doc of Bokeh.documents)
    for (const m of doc.all_models)
      if (m.data !== undefined && m.data !== null)
        for (const [k, v] of Object.entries(m.data)) data.push(k + ':' + Array.from(v).slice(0, 50).join(','));
  const labels = [];
  for (const doc of Bokeh.documents)
    for (const m of doc.all_models)
      if (typeof m.text === 'string') labels.push(m.text);
  return data.join('|') + '#' + labels.join('|');
}
""")


def test_some_chapter_has_an_interactive_figure():
    assert SLIDER_CHAPTERS, "no chapter has a figure with sliders"


@pytest.mark.parametrize("name", SLIDER_CHAPTERS)
def test_sliders_change_the_figures(built_book, open_page, name):
    opened = open_page(built_book / f"{name}.html")
    ids = opened.page.evaluate(SLIDER_JS)
    assert ids, f"{name}: no slider found in the page's Bokeh documents"
    for sid in ids:
        before = _snapshot(opened.page)
        opened.page.evaluate(f"""
() => {{
  for (const doc of Bokeh.documents) {{
    const s = doc.get_model_by_id('{sid}');
    if (s) {{ s.value = s.start + 0.83 * (s.end - s.start); }}
  }}
}}""")
        opened.page.wait_for_timeout(300)
        after = _snapshot(opened.page)
        assert after != before, f"{name}: moving slider {sid} changed nothing"
    assert opened.errors == [], opened.errors[:3]


@pytest.mark.parametrize("name", FIGURE_CHAPTERS)
def test_layout_a_reader_can_read(built_book, open_page, name):
    """At 1280 px: no output cell or figure wider than its column, no legend on data, no plotting
    area under 120 px high, no cut title (tests/_layout.py)."""
    from tests._layout import layout_defects

    opened = open_page(built_book / f"{name}.html")
    assert layout_defects(opened.page) == []
