"""Static HTML pages: BokehJS inlined, no server, no network."""

from __future__ import annotations

from pathlib import Path
from typing import Any

__all__ = ["save_html", "html"]


def html(obj: Any, *, title: str = "linstab") -> str:
    """A standalone HTML page for the Bokeh model ``obj`` with BokehJS inlined.

    Parameters
    ----------
    obj
        A Bokeh model (figure or layout) as the :mod:`linstab.plot` functions return.
    title
        The page title.

    Returns
    -------
    str

    Examples
    --------
    >>> from bokeh.models import Div
    >>> page = html(Div(text="hello"), title="demo")
    >>> "<title>demo</title>" in page and "cdn.bokeh.org" not in page
    True
    """
    from bokeh.embed import file_html
    from bokeh.resources import INLINE

    return file_html(obj, resources=INLINE, title=title)


def save_html(obj: Any, path: str | Path, *, title: str = "linstab") -> Path:
    """Write :func:`html` of ``obj`` to ``path`` (parent folders are created); returns the path.

    The page is built in memory first and written atomically (a temporary file beside ``path``,
    renamed onto it when complete): an error or a kill mid-write leaves the old page, never half
    of one.

    Parameters
    ----------
    obj
        A Bokeh model.
    path
        Where to write the page.
    title
        The page title.

    Returns
    -------
    pathlib.Path

    Examples
    --------
    >>> import tempfile, os
    >>> from bokeh.models import Div
    >>> out = save_html(Div(text="hello"), os.path.join(tempfile.mkdtemp(), "sub", "p.html"))
    >>> out.stat().st_size < 3_000_000
    True
    """
    import contextlib

    from linstab._atomic import write_text

    path = Path(path)
    page = html(obj, title=title)
    with contextlib.suppress(OSError):  # a folder that cannot be made is reported by write_text
        path.parent.mkdir(parents=True, exist_ok=True)
    return write_text(path, page, what="HTML page")
