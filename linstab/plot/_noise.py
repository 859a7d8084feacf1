"""Noise diagrams: LNA variance and Fano factor against a parameter, and power spectra.

Static figures (no slider callbacks): the data come from :func:`linstab.analysis.noise_scan` and
:func:`linstab.analysis.linear_noise`, computed in Python; :func:`linstab.plot.save_html` writes
them as a self-contained page.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from linstab.plot._style import PALETTE, VARIABLE_COLORS, figure, hover, pretty

__all__ = ["noise_figure", "spectrum_figure"]


def _omega_grid(jacobians: np.ndarray, omega: Any) -> np.ndarray:
    if omega is not None:
        omega = np.asarray(omega, dtype=float)
        if omega.ndim != 1 or omega.size < 2 or not np.all(np.isfinite(omega)) or np.any(omega < 0):
            raise ValueError("omega must be a one-dimensional array of at least two finite frequencies ≥ 0")
        return omega
    with np.errstate(all="ignore"):
        finite = jacobians[np.all(np.isfinite(jacobians), axis=(-1, -2))]
        top = float(np.max(np.abs(np.linalg.eigvals(finite)))) if finite.size else 1.0
    return np.linspace(0.0, 3.0 * max(top, 1e-3), 400)


def _variable_index(variables: tuple[str, ...], variable: str | None) -> int:
    if variable is None:
        return len(variables) - 1
    if variable not in variables:
        raise ValueError(f"variable must be one of {', '.join(variables)}, got {variable!r}")
    return variables.index(variable)


def noise_figure(scan: Any, *, variable: str | None = None, omega: Any = None, width: int = 420) -> Any:
    """Fano factor, variance and power spectrum against one scanned parameter.

    Parameters
    ----------
    scan
        A :class:`~linstab.analysis.NoiseScan` over one parameter (a one-dimensional grid).
    variable
        The species whose spectrum is drawn (default: the last one, e.g. the protein).
    omega
        Angular frequencies of the spectrum (default: 400 up to three times the largest ``|λ|``).
    width
        Width of each of the three panels in pixels (the heat map's colour bar comes on top).

    Returns
    -------
    bokeh.models.LayoutDOM
        A row: Fano factor and variance of every species against the parameter (the CV in the
        tooltips); a heat map of
        ``log₁₀ S(ω)`` of ``variable`` over parameter and frequency, with the peak frequency and
        ``|Im λ|`` of the Jacobian's eigenvalues.

    Examples
    --------
    >>> from linstab.analysis import noise_scan
    >>> scan = noise_scan("brusselator_network", {"b": np.linspace(0.5, 1.95, 30)})
    >>> noise_figure(scan, variable="x").children[0].children[0].title.text
    'Noise of brusselator_network against b'
    """
    from bokeh.layouts import column, row
    from bokeh.models import ColorBar, ColumnDataSource, LinearColorMapper

    if len(scan.grid) != 1:
        raise ValueError(f"noise_figure draws a scan over one parameter, got {len(scan.grid)}: "
                         f"{', '.join(scan.grid)}")
    (param, values), = scan.grid.items()
    if values.ndim != 1:
        raise ValueError(f"noise_figure: the values of {param!r} must form a one-dimensional grid, got shape "
                         f"{values.shape}")
    vi = _variable_index(scan.variables, variable)
    w = _omega_grid(scan.jacobian, omega)
    p1 = figure(x_label=pretty(param), y_label="Fano factor  Var(n)/⟨n⟩", title=f"Noise of {scan.model} against {param}",
                log_y=True, width=width)
    p2 = figure(x_label=pretty(param), y_label="variance (model units)", x_range=p1.x_range, log_y=True, width=width)
    lines = []
    for i, name in enumerate(scan.variables):
        color = VARIABLE_COLORS[i % len(VARIABLE_COLORS)]
        src = ColumnDataSource({"x": values, "fano": scan.fano[:, i], "cv": scan.cv[:, i],
                                "var": scan.variance[:, i], "mean": scan.state[:, i]})
        lines.append(p1.line("x", "fano", source=src, color=color, line_width=2, legend_label=pretty(name)))
        lines.append(p2.line("x", "var", source=src, color=color, line_width=2, legend_label=pretty(name)))
    p1.line(values, np.ones_like(values), color=PALETTE["muted"], line_dash="dashed", legend_label="Poisson")
    hover(p1, lines, [(param, "@x{0.[000]}"), ("mean", "@mean{0.[000]}"), ("variance", "@var{0.[000]}"),
                      ("Fano", "@fano{0.[000]}"), ("CV", "@cv{0.[000]}")])
    for p in (p1, p2):
        p.legend.location = "top_left"
        p.legend.click_policy = "hide"
    spec = scan.spectrum(w)[..., vi]                       # (grid, m)
    with np.errstate(divide="ignore", invalid="ignore"):
        img = np.log10(np.where(spec > 0, spec, np.nan)).T  # rows: ω, columns: parameter
    finite = img[np.isfinite(img)]
    lo, hi = (float(finite.min()), float(finite.max())) if finite.size else (0.0, 1.0)
    mapper = LinearColorMapper(palette="Viridis256", low=lo, high=hi, nan_color="#DDDDDD")
    x0, x1 = float(values.min()), float(values.max())
    p3 = figure(x_label=pretty(param), y_label="angular frequency ω",
                title=f"log₁₀ S(ω) of {pretty(scan.variables[vi])} (grey: no stable state)",
                x_range=(x0, x1), y_range=(float(w[0]), float(w[-1])), width=width)
    order = np.argsort(values)
    p3.image(image=[img[:, order]], x=x0, y=float(w[0]), dw=max(x1 - x0, 1e-12), dh=float(w[-1] - w[0]),
             color_mapper=mapper)
    peak = np.where(scan.valid, w[np.nan_to_num(np.argmax(np.nan_to_num(spec, nan=-1.0), axis=-1))], np.nan)
    with np.errstate(all="ignore"):
        imag = np.full(values.shape, np.nan)
        ok = scan.valid
        if ok.any():
            imag[ok] = np.max(np.abs(np.linalg.eigvals(scan.jacobian[ok]).imag), axis=-1)
    p3.line(values[order], peak[order], color="white", line_width=2, legend_label="spectral peak")
    p3.line(values[order], imag[order], color=PALETTE["oscillatory"], line_dash="dashed", line_width=2,
            legend_label="|Im λ|")
    p3.legend.location = "top_left"
    p3.add_layout(ColorBar(color_mapper=mapper, width=10), "right")
    return row(column(p1, p2), p3)


def spectrum_figure(noise: Any, *, omega: Any = None) -> Any:
    """The power spectrum of every species at one stable fixed point, with its peaks.

    Parameters
    ----------
    noise
        A :class:`~linstab.analysis.LinearNoise`.
    omega
        Angular frequencies (default: 400 up to three times the largest ``|λ|``).

    Returns
    -------
    bokeh.plotting.figure

    Examples
    --------
    >>> from linstab.analysis import linear_noise
    >>> spectrum_figure(linear_noise("brusselator_network")).yaxis.axis_label
    'power spectral density S(ω)'
    """
    w = _omega_grid(noise.jacobian[None], omega)
    spec = noise.spectrum(w)
    p = figure(x_label="angular frequency ω", y_label="power spectral density S(ω)", log_y=True,
               title=f"Spectra of {noise.model}: ∫S dω/2π = variance")
    peaks = noise.peak_frequency()
    for i, name in enumerate(noise.variables):
        color = VARIABLE_COLORS[i % len(VARIABLE_COLORS)]
        p.line(w, spec[:, i], color=color, line_width=2, legend_label=pretty(name))
        if peaks[i] > 0:
            p.scatter([peaks[i]], noise.spectrum([peaks[i]])[:, i], color=color, size=8)
    for lam in np.unique(np.round(np.abs(noise.eigenvalues.imag), 12)):
        if lam > 0:
            p.line([lam, lam], [float(np.nanmin(spec)), float(np.nanmax(spec))], color=PALETTE["oscillatory"],
                   line_dash="dashed", legend_label="|Im λ|")
    p.legend.location = "top_right"
    return p
