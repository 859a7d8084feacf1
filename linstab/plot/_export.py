"""Static figures for lecture notes: PNG and SVG of a linstab diagram, rendered by BokehJS.

The page of the figure is opened in headless Chromium (driven by Playwright, network blocked),
and BokehJS's own export draws the plots, without the sliders and readouts, into a canvas (PNG)
or an SVG context (SVG): the file shows exactly what the page shows at its initial parameters.
"""

from __future__ import annotations

import base64
import os
import shutil
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from linstab._atomic import atomic_open, check_output_path
from linstab._optional import require

__all__ = ["export_figure", "find_chromium"]

_FORMATS = ("png", "svg")

# Waits for the document to finish its first render, then asks the root's view for its export.
_EXPORT_JS = """
async ([id, kind]) => {
  const doc = Bokeh.documents[0];
  if (!doc.is_idle) await new Promise(done => doc.idle.connect(done));
  const view = Bokeh.index[id] ?? Object.values(Bokeh.index)[0];
  const out = view.export(kind);
  return kind === "svg" ? out.ctx.get_serialized_svg(true) : out.canvas.toDataURL("image/png");
}
"""


def find_chromium() -> str | None:
    """The Chromium to render with: ``$LINSTAB_CHROMIUM``, else ``chromium`` (or a Chrome) on the
    PATH, else None."""
    env = os.environ.get("LINSTAB_CHROMIUM")
    if env:
        return env
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
        found = shutil.which(name)
        if found:
            return found
    return None


def export_figure(obj: Any, path: str | os.PathLike, *, format: str | None = None, scale: float = 2.0,
                  timeout: float = 60.0) -> Path:
    """Write a PNG or SVG of a linstab figure (its plots; widgets and readouts are left out).

    Parameters
    ----------
    obj
        A Bokeh model as the :mod:`linstab.plot` functions return (a figure or a layout).
    path
        The file to write; replaced atomically, never left half-written.
    format
        ``"png"`` or ``"svg"``; by default from the suffix of ``path``.
    scale
        Pixels per CSS pixel of a PNG (2 gives a sharp figure on paper and on high-density
        screens); SVG is vector graphics and ignores it.
    timeout
        Seconds to wait for the browser.

    Returns
    -------
    pathlib.Path
        ``path``.

    Raises
    ------
    ValueError
        An unknown format or a bad scale.
    ImportError
        Playwright is not installed, or no Chromium is found (install Debian's ``chromium`` or
        set ``LINSTAB_CHROMIUM``).

    Examples
    --------
    >>> import linstab
    >>> from linstab.plot import stability_diagram
    >>> (hopf,) = linstab.bifurcation_curves("repressilator", "hopf", "beta", "n")
    >>> export_figure(stability_diagram([hopf]), "hopf.svg")  # doctest: +SKIP
    PosixPath('hopf.svg')
    """
    from linstab.plot._page import html

    path = Path(path)
    kind = (format or path.suffix.lstrip(".")).lower()
    if kind not in _FORMATS:
        raise ValueError(f"export_figure: the format must be 'png' or 'svg' (from format= or the file's suffix); "
                         f"got {kind or path.name!r}")
    if not (0 < scale <= 8):
        raise ValueError(f"export_figure: `scale` must lie in (0, 8]; got {scale}")
    playwright = require("playwright.sync_api", extra="export")
    chromium = find_chromium()
    if chromium is None:
        raise ImportError("export_figure needs a Chromium browser: install Debian's `chromium` package "
                          "(apt-get install chromium) or set LINSTAB_CHROMIUM to a Chromium or Chrome binary.")
    target = check_output_path(path, what=f"{kind.upper()} file")  # before the browser starts
    page_html = html(obj)
    # Playwright's sync API refuses to run where an asyncio loop is running (a Jupyter kernel, or
    # another sync Playwright in this process): render in a thread of its own.
    with ThreadPoolExecutor(1) as pool:
        data = pool.submit(_render, playwright, chromium, page_html, obj.id, kind, scale, timeout).result()
    with atomic_open(target, "wb", what=f"{kind.upper()} file") as fh:
        fh.write(base64.b64decode(data.split(",", 1)[1]) if kind == "png" else data.encode("utf-8"))
    return target


def _render(playwright: Any, chromium: str, page_html: str, root_id: str, kind: str, scale: float,
            timeout: float) -> str:
    """Open the page in headless Chromium (network blocked) and return BokehJS's export."""
    with tempfile.TemporaryDirectory(prefix="linstab-export-") as tmp:
        page_file = Path(tmp) / "figure.html"
        page_file.write_text(page_html, encoding="utf-8")
        with playwright.sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=chromium, args=["--no-sandbox", "--headless"])
            try:
                page = browser.new_page(device_scale_factor=scale)
                page.route("**/*", lambda r: r.continue_() if r.request.url.startswith(("file:", "data:", "blob:"))
                           else r.abort())
                page.set_default_timeout(timeout * 1000)
                page.goto(page_file.as_uri())
                page.wait_for_function("() => window.Bokeh !== undefined && Bokeh.documents.length > 0")
                return page.evaluate(_EXPORT_JS, [root_id, kind])
            finally:
                browser.close()
