"""Sphinx extension for the linstab book: offline assets and one silenced warning.

- Copies MathJax 3 (installed from npm by ``make book`` into ``book/_vendor/mathjax``) and
  BokehJS (from the installed ``bokeh`` package) into ``_static/`` of the output, so that pages
  load no script from the network. ``mathjax_path`` in ``_config.yml`` points at the copy.
  (They are not placed in ``book/_static``: Jupyter Book adds every ``.js`` file found there
  to every page.)
- Drops myst-nb's warning "skipping unknown output mime type" for Bokeh's two notebook-comm mime
  types only; every other warning still fails the build under ``-W``.
"""

from __future__ import annotations

import logging
import shutil
from pathlib import Path

_BOKEH_MIME = ("application/vnd.bokehjs_load.v0+json", "application/vnd.bokehjs_exec.v0+json")
# bokeh-mathjax (1.8 MB) is left out: the figures use Unicode labels, as linstab.plot does.
_BOKEH_BUNDLES = ("bokeh", "bokeh-gl", "bokeh-widgets", "bokeh-tables")
_HERE = Path(__file__).resolve().parent
MATHJAX_SOURCE = _HERE.parent / "_vendor" / "mathjax"


class BokehMimeFilter(logging.Filter):
    """Drop myst-nb's "skipping unknown output mime type" for Bokeh's notebook-comm mime types.

    Bokeh sends these next to ``application/javascript`` and ``text/html``, which myst-nb does
    render; they only matter to a live Jupyter kernel.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno != logging.WARNING:
            return True
        msg = record.getMessage()
        prefix = "skipping unknown output mime type: "
        if not msg.startswith(prefix):
            return True
        return msg[len(prefix):].split(" ")[0] not in _BOKEH_MIME


def _copy_assets(app) -> None:
    if app.builder.format != "html":
        return
    static = Path(app.outdir) / "_static"
    if not (MATHJAX_SOURCE / "tex-chtml.js").is_file():
        msg = (
            f"MathJax not found at {MATHJAX_SOURCE}; run `make book`, which installs it from npm "
            "(the book serves MathJax itself so that pages work offline)."
        )
        raise RuntimeError(msg)
    shutil.copytree(MATHJAX_SOURCE, static / "mathjax", dirs_exist_ok=True)
    import bokeh
    from bokeh.resources import Resources

    src = Path(bokeh.__file__).parent / "server" / "static" / "js"
    dest = static / "bokeh"
    dest.mkdir(parents=True, exist_ok=True)
    version = bokeh.__version__
    for name in _BOKEH_BUNDLES:
        shutil.copyfile(src / f"{name}.min.js", dest / f"{name}-{version}.min.js")
    del Resources  # imported only to fail early with a clear error if bokeh is broken


def _add_bokeh_scripts(app) -> None:
    import bokeh

    for name in _BOKEH_BUNDLES:
        app.add_js_file(f"bokeh/{name}-{bokeh.__version__}.min.js", priority=200)


def _drop_thebe(app, pagename, templatename, context, doctree) -> None:
    """Remove sphinx-thebe's scripts (added twice by Jupyter Book, and useless offline).

    Jupyter Book always loads sphinx-thebe; its configuration script is added twice, which
    makes the browser report "Identifier 'THEBE_JS_URL' has already been declared".
    """
    for key in ("script_files", "css_files"):
        files = context.get(key)
        if not files:
            continue
        keep = []
        for f in files:
            name = str(getattr(f, "filename", f) or "")
            body = str(getattr(f, "attributes", {}).get("body", ""))
            if "thebe" in name or "THEBE_JS_URL" in body:
                continue
            keep.append(f)
        files[:] = keep


def setup(app):
    flt = BokehMimeFilter()
    for handler in logging.getLogger("sphinx").handlers:
        handler.filters.insert(0, flt)
    app.connect("builder-inited", _copy_assets)
    app.connect("builder-inited", _add_bokeh_scripts)
    app.connect("html-page-context", _drop_thebe)
    return {"version": "1", "parallel_read_safe": True, "parallel_write_safe": True}
