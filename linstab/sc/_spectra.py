"""Helpers on stacks of spectra: ordering, the leading eigenvalue, counts."""

from __future__ import annotations

import numpy as np

__all__ = ["sort_spectra", "spectrum_stats"]


def sort_spectra(w: np.ndarray, v: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray | None]:
    """Sort each row of eigenvalues by decreasing real part, then decreasing imaginary part.

    Column 0 is then the leading eigenvalue, and of a complex-conjugate pair the member with
    positive imaginary part comes first. Eigenvectors (columns of ``v``) follow their values.

    Examples
    --------
    >>> sort_spectra(np.array([[-1, 2 - 1j, 2 + 1j]]))[0]
    array([[ 2.+1.j,  2.-1.j, -1.+0.j]])
    """
    w = np.asarray(w)
    if not np.iscomplexobj(w):
        w = w.astype(np.result_type(w.dtype, np.complex64))
    order = np.lexsort((-w.imag, -w.real), axis=-1)
    ws = np.take_along_axis(w, order, -1)
    vs = None if v is None else np.take_along_axis(np.asarray(v), order[..., None, :], -1)
    return ws, vs


def spectrum_stats(ev: np.ndarray) -> dict[str, np.ndarray]:
    """Per-row leading eigenvalue, counts of ``Re > 0`` and ``Re < 0``, and trace ``Σ Re λ``.

    Rows that are entirely NaN (cells not computed) give NaN.

    Examples
    --------
    >>> s = spectrum_stats(np.array([[-1 + 0j, 0.5 - 2j, 0.5 + 2j]]))
    >>> complex(s["leading"][0]), int(s["positive"][0]), int(s["negative"][0]), float(s["trace"][0])
    ((0.5+2j), 2, 1, 0.0)
    """
    ev = np.asarray(ev)
    re = ev.real.astype(np.float64)
    im = ev.imag.astype(np.float64)
    missing = np.isnan(re).all(axis=1)
    safe_re = np.where(np.isnan(re), -np.inf, re)
    top = safe_re.max(axis=1)
    cand = np.where(safe_re == top[:, None], im, -np.inf)
    j = cand.argmax(axis=1)
    rows = np.arange(ev.shape[0])
    lead = re[rows, j] + 1j * im[rows, j]
    lead[missing] = np.nan
    pos = (re > 0).sum(axis=1).astype(np.float64)
    neg = (re < 0).sum(axis=1).astype(np.float64)
    trace = np.nansum(re, axis=1)
    pos[missing] = neg[missing] = trace[missing] = np.nan
    return {"leading": lead, "positive": pos, "negative": neg, "trace": trace}
