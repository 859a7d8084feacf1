"""The book builds offline with every chapter executed, and its pages need no network."""

from __future__ import annotations

import re

import pytest

from ._book_paths import chapters

pytestmark = pytest.mark.slow

EXTERNAL = re.compile(r"""<(?:script|link|img|iframe)\b[^>]*\b(?:src|href)=["'](?:https?:)?//""", re.I)


def test_every_chapter_is_built(built_book):
    for name in chapters():
        page = built_book / f"{name}.html"
        assert page.is_file(), f"{page} missing"


def test_pages_load_nothing_from_the_network(built_book):
    for name in chapters():
        text = (built_book / f"{name}.html").read_text(encoding="utf-8")
        found = EXTERNAL.findall(text)
        assert not found, f"{name}.html loads external resources: {found[:3]}"
        if name[:2].isdigit():  # pages with math
            assert "_static/mathjax/tex-chtml.js" in text, f"{name}.html does not load the local MathJax"
    assert (built_book / "_static" / "mathjax" / "tex-chtml.js").is_file()
    assert (built_book / "_static" / "mathjax" / "output" / "chtml" / "fonts" / "woff-v2").is_dir()
    assert list((built_book / "_static" / "bokeh").glob("bokeh-[0-9]*.min.js"))


def test_no_execution_errors_in_the_pages(built_book):
    for name in chapters():
        text = (built_book / f"{name}.html").read_text(encoding="utf-8")
        assert "Traceback (most recent call last)" not in text, name
        assert "Error" not in re.findall(r'class="ansi-red-fg">(\w+)', text), name


def test_pages_stay_small(built_book):
    for name in chapters():
        size = (built_book / f"{name}.html").stat().st_size
        assert size < 3_000_000, f"{name}.html is {size / 1e6:.1f} MB"
