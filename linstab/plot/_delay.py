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
    import numpy as np

    from linstab._errors import AnalysisError
    from linstab.analysis import delay_hopf_curves
    from linstab.model import load_model
    from linstab.num import delay_stability_map
    from linstab.plot._diagram import stability_diagram

    model = load_model(model)
    if values:
        model = model.with_values(values)
    if tau is None:
        taus = sorted({t for _, t in model.delays})
        if len(taus) != 1:
            raise AnalysisError(f"model {model.name!r} has {len(taus)} delays ({', '.join(taus) or 'none'}); name one "
                                "with tau=")
        tau = taus[0]
    vals = model.numeric_values()
    if q_range is None:
        q = vals[against]
        q_range = (q / 2, 2 * q) if q > 0 else (q - 1, q + 1)
    try:
        curves = delay_hopf_curves(model, against, tau=tau, q_range=tuple(q_range), n_points=max(grid, 20))
    except AnalysisError:  # no crossing in the range: the map alone shows it
        curves = []
    if tau_range is None:
        top = max((float(np.nanmax(c.points[:, 1])) for c in curves), default=2 * max(vals[tau], 1e-3))
        tau_range = (0.0, 1.5 * top)
    smap = delay_stability_map(model, (against, q_range[0], q_range[1], grid), (tau, tau_range[0], tau_range[1], grid))
    return stability_diagram(curves, smap, x_range=q_range, y_range=tau_range,
                             title=title or f"{model.name}: stability in ({against}, {tau})", width=width,
                             height=height)
