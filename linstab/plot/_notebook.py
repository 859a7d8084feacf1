"""Jupyter set-up: Bokeh figures that render offline, with BokehJS inlined into the notebook."""

from __future__ import annotations

from linstab._optional import require

__all__ = ["setup_notebook"]


def setup_notebook(*, hide_banner: bool = True) -> None:
    """Make ``bokeh.io.show`` render linstab's figures in this notebook, without a network.

    Bokeh's own ``output_notebook()`` loads BokehJS from a CDN, so figures stay blank offline or
    behind a firewall; this call inlines BokehJS (about 1 MB, once per notebook) instead. Call it
    once, in the first cell, then ``bokeh.io.show(fig)`` any linstab figure.

    Parameters
    ----------
    hide_banner
        Do not print Bokeh's "BokehJS loaded" banner.

    Examples
    --------
    >>> import linstab.plot as lp
    >>> lp.setup_notebook()  # doctest: +SKIP
    >>> from bokeh.io import show  # doctest: +SKIP
    >>> show(lp.stability_diagram(model="repressilator", ...))  # doctest: +SKIP
    """
    io = require("bokeh.io", extra="plot")
    resources = require("bokeh.resources", extra="plot")
    io.output_notebook(resources.INLINE, hide_banner=hide_banner)
