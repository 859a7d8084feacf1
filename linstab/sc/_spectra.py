"""Helpers on stacks of spectra: ordering, the leading eigenvalue, counts, block structure."""

from __future__ import annotations

import numpy as np

__all__ = ["diagonal_blocks", "sort_spectra", "spectrum_stats"]


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


def diagonal_blocks(W: np.ndarray) -> dict[int, np.ndarray]:
    """The diagonal blocks of the block triangular form of every ``J = W diag(d) − diag(γ)``.

    Gene ``j`` regulates gene ``i`` where ``W[i, j] != 0``. The strongly connected components of
    this regulatory graph, taken in a topological order of the graph between them, permute any
    matrix whose off-diagonal zero pattern contains that of ``W`` into block triangular form
    (Tarjan 1972; Duff & Reid 1978). The eigenvalues of a block triangular matrix are those of
    its diagonal blocks (Golub & Van Loan 2013, §7.1), so the spectrum of every cell's Jacobian is
    the union of the spectra of ``J[S, S]`` over the components ``S``, whatever ``d = φ′(x)``.
    A network in which only transcription factors regulate (gene → TF columns zero) thus splits
    into one block of the TFs that regulate each other and single genes, whose eigenvalue is the
    diagonal entry ``W_ii d_i − γ_i``.

    Parameters
    ----------
    W
        Interactions, target × regulator (n × n).

    Returns
    -------
    dict
        ``{size: genes}``, ``genes`` an int array (blocks of that size × size), each row in
        increasing gene order, sizes in increasing order; every gene appears exactly once.

    References
    ----------
    Tarjan, R. E., Depth-first search and linear graph algorithms, *SIAM J. Comput.* 1 (1972),
    146–160. Duff, I. S. & Reid, J. K., An implementation of Tarjan's algorithm for the block
    triangularization of a matrix, *ACM Trans. Math. Softw.* 4 (1978), 137–147. Golub, G. H. &
    Van Loan, C. F., *Matrix Computations*, 4th ed., Johns Hopkins, 2013, §7.1.

    Examples
    --------
    >>> W = np.array([[0, 0, 2, 0], [1, 0, 0, 0], [0, 1, 0, 0], [5, 0, 0, 1.0]])  # 0→1→2→0, 0→3
    >>> {s: g.tolist() for s, g in diagonal_blocks(W).items()}
    {1: [[3]], 3: [[0, 1, 2]]}
    """
    from scipy.sparse import csr_matrix
    from scipy.sparse.csgraph import connected_components

    W = np.asarray(W)
    pattern = csr_matrix(W != 0)
    n_comp, labels = connected_components(pattern, directed=True, connection="strong")
    sizes = np.bincount(labels, minlength=n_comp)
    members = np.argsort(labels, kind="stable")  # genes grouped by component, increasing within
    starts = np.concatenate([[0], np.cumsum(sizes)])
    out: dict[int, list[np.ndarray]] = {}
    for c in np.argsort(members[starts[:-1]], kind="stable"):  # components by their first gene
        out.setdefault(int(sizes[c]), []).append(members[starts[c]:starts[c + 1]])
    return {s: np.stack(out[s]).astype(np.intp) for s in sorted(out)}
