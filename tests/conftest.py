"""Shared fixtures: canonical models and a numeric ``backend`` fixture (numpy and CPU torch)."""

from __future__ import annotations

import importlib.util
import os
import shutil
from pathlib import Path

import pytest
from hypothesis import settings

from linstab import load_model

HAS_TORCH = importlib.util.find_spec("torch") is not None

# Debian's Chromium driven by Playwright for Python (no browser download). One browser serves the
# whole session: Playwright's sync API cannot be started twice in one process.
CHROMIUM = os.environ.get("LINSTAB_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
HAS_BROWSER = Path(CHROMIUM).exists() and importlib.util.find_spec("playwright") is not None
CHROMIUM_ARGS = ["--no-sandbox", "--headless", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]


# Hypothesis profiles. "ci" (the default, and what `make test` runs) is derandomised: every run
# draws the same examples, keeps no example database, so a run can neither flake nor replay a
# failure stored by an earlier run. "dev" draws fresh random examples each run (use it to hunt
# for new counterexamples: HYPOTHESIS_PROFILE=dev pytest ... --hypothesis-seed=N, or
# --hypothesis-profile=dev). Per-test @settings(max_examples=...) keep their own sizes.
settings.register_profile("ci", derandomize=True, database=None, deadline=None, print_blob=True)
settings.register_profile("dev", deadline=None, print_blob=True)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


@pytest.fixture(params=["numpy", pytest.param("torch", marks=pytest.mark.skipif(not HAS_TORCH, reason="torch not installed"))])
def backend(request) -> str:
    """Run a numeric test once with numpy and once with torch on the CPU."""
    return request.param


@pytest.fixture
def repressilator():
    return load_model("repressilator")


@pytest.fixture
def toggle():
    return load_model("toggle_switch")


@pytest.fixture(scope="session")
def browser():
    """A headless Chromium for the whole session (skips, saying why, where there is none)."""
    if not HAS_BROWSER:
        pytest.skip(f"browser tests need {CHROMIUM} and the playwright package")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def guarded_page(browser):
    """Factory of new pages that block every request outside ``file:``/``data:``/``blob:``.

    Returns ``(page, blocked, errors)``: the URLs it tried to fetch from the network and the
    console errors and uncaught exceptions it logged.
    """
    pages = []

    def _new(*, width: int = 1200, height: int = 900):
        page = browser.new_page(viewport={"width": width, "height": height})
        pages.append(page)
        blocked: list[str] = []
        errors: list[str] = []

        def route(r):
            url = r.request.url
            if url.startswith(("file:", "data:", "blob:")):
                r.continue_()
            else:
                blocked.append(url)
                r.abort()

        page.route("**/*", route)
        page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: errors.append(str(e)))
        return page, blocked, errors

    yield _new
    for p in pages:
        p.close()
