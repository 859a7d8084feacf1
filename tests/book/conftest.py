"""Fixtures for the book tests: one build of the whole book per session, and a headless browser.

The build runs ``jupyter-book build`` exactly as ``make book`` does (every chapter executed,
Sphinx warnings as errors) into a temporary directory. It needs MathJax in ``book/_vendor``
(``make book``/``make test`` fetch it); without it the build test fails, saying so.
"""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from ._book_paths import BOOK, ROOT


@pytest.fixture(scope="session")
def built_book(tmp_path_factory) -> Path:
    """Build the book once; return its ``html`` directory."""
    if importlib.util.find_spec("jupyter_book") is None:
        pytest.skip("the book tests need jupyter-book (install `linstab[book]`)")
    if not (BOOK / "_vendor" / "mathjax" / "tex-chtml.js").is_file():
        pytest.fail("MathJax is missing from book/_vendor/mathjax; run `make mathjax` (make book/test do it)")
    out = tmp_path_factory.mktemp("book")
    jb = Path(sys.executable).with_name("jupyter-book")
    env = {**os.environ, "LINSTAB_BOOK_BUILD": "1", "PYTHONWARNINGS": "ignore"}
    start = time.perf_counter()
    proc = subprocess.run(
        [str(jb), "build", str(BOOK), "--path-output", str(out), "--warningiserror", "--keep-going"],
        capture_output=True, text=True, env=env, timeout=600, cwd=ROOT,
    )
    elapsed = time.perf_counter() - start
    log = proc.stdout[-6000:] + proc.stderr[-6000:]
    assert proc.returncode == 0, f"the book did not build (exit {proc.returncode}):\n{log}"
    html = out / "_build" / "html"
    (out / "build_seconds.txt").write_text(f"{elapsed:.1f}\n")
    print(f"book built in {elapsed:.1f} s")
    return html


class OpenedPage:
    """A built page opened with every request outside file:/data: blocked."""

    def __init__(self, page, blocked: list[str], errors: list[str]):
        self.page, self.blocked, self.errors = page, blocked, errors


@pytest.fixture
def open_page(guarded_page):
    def _open(path: Path, *, settle_ms: int = 1500) -> OpenedPage:
        page, blocked, errors = guarded_page(width=1280, height=900)  # as a reader on a laptop
        page.goto(path.as_uri())
        page.wait_for_load_state("load")
        # MathJax typesets asynchronously
        page.wait_for_function("() => !window.MathJax || !MathJax.startup || MathJax.startup.promise",
                               timeout=10_000)
        page.evaluate("() => window.MathJax && MathJax.startup ? MathJax.startup.promise : null")
        page.wait_for_timeout(settle_ms)
        return OpenedPage(page, blocked, errors)

    return _open
