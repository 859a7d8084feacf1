"""The stability diagram of a delay model in a (parameter, delay) plane."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

__all__ = ["delay_diagram"]


def delay_diagram(model: Any, against: str, *, tau: str | None = None, q_range: Sequence[float] | None = None,
                  tau_range: Sequence[float] | None = None, values: Mapping[str, float] | None = None,
                  grid: int = 40, title: str | None = None, width: int = 460, height: int = 400) -> Any:
    """Stability diagram of a delay model: regions from the rightmost characteristic roots, the
    delay Hopf curve ``τ_c(Q)`` on top (drawn by :func:`linstab.plot.stability_diagram`).

    Parameters
    ----------
    model
        A model with ``delay(x, tau)`` terms.
    against
        The parameter ``Q`` on the horizontal axis.
    tau
        The delay on the vertical axis (default: the model's only delay).
    q_range
        Range of ``Q`` (default: half to twice its value).
    tau_range
        Range of the delay (default: 0 to 1.5 times the largest ``τ_c`` on the curve, or 2τ).
    values
        Values of the other parameters.
    grid
        Map cells per axis.
    title
        Figure title.
    width, height
        Figure size in pixels.

    Returns
    -------
    bokeh.plotting.figure

    Examples
    --------
    >>> from linstab import load_model
    >>> m = load_model({"name": "hayes", "parameters": {"a": {"value": 1.0, "domain": "positive"}, "tau": 1.0},
    ...                 "equations": {"x": "-a*delay(x, tau)"}})
    >>> p = delay_diagram(m, "a", q_range=(0.5, 2.0), grid=6)
    >>> p.xaxis.axis_label, p.yaxis.axis_label
    ('a', 'τ')
    """
    from linstab.analysis import delay_diagram_data
    from linstab.plot._diagram import stability_diagram

    d = delay_diagram_data(model, against, tau=tau, q_range=q_range, tau_range=tau_range, values=values, grid=grid)
    return stability_diagram(d.curves, d.smap, x_range=d.q_range, y_range=d.tau_range,
                             title=title or f"{d.name}: stability in ({d.against}, {d.tau})", width=width, height=height)
