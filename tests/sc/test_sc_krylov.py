"""The partial-spectrum statistics (batched thick-restart Arnoldi) against full float64 spectra:
counts exactly, the leading eigenvalue to 1e-8, on realistic and near-degenerate spectra."""

from __future__ import annotations

import numpy as np
import pytest

from linstab.sc._backend import get_backend
from linstab.sc._krylov import rightmost_stats
from linstab.sc._operators import HopfieldOperator, ModelOperator
from linstab.sc._spectra import spectrum_stats


class _Stack:
    """A kernel stand-in that returns prescribed dense Jacobians (one per cell)."""

    def __init__(self, J):
        self.J = J

    def __call__(self, x, p, dtype=None, device=None):
        return self.J


def _dense_op(J, backend="numpy"):
    be = get_backend("cpu", backend=backend)
    Jb = be.asarray(J)
    return ModelOperator(_Stack(Jb), np.zeros(0), J.shape[1], be), be


def _krylov_or_dense(op, st, be, **kw):
    """The route of compute_jacobian_stats: Krylov, then full spectra where it did not converge."""
    res = rightmost_stats(op, st, be, **kw)
    lead, pos = res.leading.copy(), res.n_positive.astype(float)
    bad = np.nonzero(~res.converged)[0]
    if bad.size:
        s = spectrum_stats(be.eigvals(op.dense(op.take(st, bad))))
        lead[bad], pos[bad] = s["leading"], s["positive"]
    return lead, pos, res


def _assert_agree(lead, pos, J):
    ref = spectrum_stats(np.linalg.eigvals(J))
    np.testing.assert_array_equal(pos, ref["positive"])
    np.testing.assert_allclose(lead.real, ref["leading"].real, rtol=0, atol=1e-8)
    np.testing.assert_allclose(lead.imag, ref["leading"].imag, rtol=0, atol=1e-8)


def _prescribed(spectra, seed=0, nonnormal=0.2):
    """Real matrices with the given spectra (complex values come with their conjugates)."""
    rng = np.random.default_rng(seed)
    out = []
    for lam in spectra:
        lam = np.asarray(lam)
        n = lam.size
        blocks = np.zeros((n, n))
        i = 0
        vals = sorted(lam.tolist(), key=lambda z: (z.real, abs(z.imag)))
        used = np.zeros(n, dtype=bool)
        for j, z in enumerate(vals):
            if used[j]:
                continue
            if abs(np.imag(z)) > 0:
                partner = next(q for q in range(j + 1, n) if not used[q] and np.isclose(vals[q], np.conj(z)))
                used[partner] = True
                a, b = np.real(z), abs(np.imag(z))
                blocks[i:i + 2, i:i + 2] = [[a, b], [-b, a]]
                i += 2
            else:
                blocks[i, i] = np.real(z)
                i += 1
            used[j] = True
        T = blocks + nonnormal * np.triu(rng.standard_normal((n, n)), 2) / np.sqrt(n)
        Q, _ = np.linalg.qr(rng.standard_normal((n, n)))
        out.append(Q @ T @ Q.T)
    return np.array(out)


def _bulk(n, rng, lo=-3.0, hi=-0.1, pairs=40):
    real = rng.uniform(lo, hi, n - 2 * pairs)
    z = rng.uniform(lo, hi, pairs) + 1j * rng.uniform(0.05, 1.0, pairs)
    return np.concatenate([real, z, np.conj(z)])


def test_realistic_grn_matches_full_spectra(sc_backend):
    from linstab.sc.datasets import synthetic_grn

    ad = synthetic_grn(n_cells=24 if sc_backend == "torch" else 48, n_genes=300, seed=7)
    be = get_backend("cpu", backend=sc_backend)
    for c in ("A", "B"):
        cells = (ad.obs["cell_type"] == c).to_numpy()
        op = HopfieldOperator(ad.varp[f"W_{c}"], ad.var["gamma"].to_numpy(), ad.var["sigmoid_threshold"].to_numpy(),
                              ad.var["sigmoid_exponent"].to_numpy(), be)
        st = op.state(ad.layers["Ms"][cells])
        lead, pos, res = _krylov_or_dense(op, st, be)
        assert res.converged.mean() > 0.9  # the partial route does the work here
        _assert_agree(lead, pos, be.to_numpy(op.dense(st)))


def test_bulk_touching_zero_matches_full_spectra():
    """Degradation rates down to 0.005: a dense cloud of eigenvalues around Re = 0."""
    rng = np.random.default_rng(1)
    n = 300
    gamma = np.clip(rng.lognormal(np.log(0.05), 0.8, n), 0.005, 1.3)
    W = (rng.random((n, n)) < 0.02) * rng.standard_normal((n, n)) * 0.05
    U = rng.standard_normal((n, 8)) / np.sqrt(n)
    W += (U * rng.uniform(-1.5, 3.0, 8)) @ (U + 0.5 * rng.standard_normal((n, 8)) / np.sqrt(n)).T * 2
    k = rng.lognormal(0.0, 0.5, n)
    nexp = rng.uniform(1.0, 4.0, n)
    X = k * rng.lognormal(0, 0.8, (24, n))
    be = get_backend("cpu")
    op = HopfieldOperator(W, gamma, k, nexp, be)
    st = op.state(X)
    lead, pos, _ = _krylov_or_dense(op, st, be)
    J = op.dense(st)
    ev = np.linalg.eigvals(J)
    assert (np.abs(ev.real) < 5e-3).sum(axis=1).min() >= 2  # the hard case is really there
    _assert_agree(lead, pos, J)


@pytest.mark.parametrize("case", ["close_real", "tiny_imag", "near_zero", "near_zero_normal", "stable",
                                  "many_unstable", "complex_leading"])
def test_near_degenerate_spectra(case):
    """Prescribed spectra: a bulk in [-3, -0.1] plus eight chosen eigenvalues.

    Eigenvalues closer together than their condition number allows are not resolved by any
    float64 method (dense ones included), so the near-zero cases are spaced at 2e-6 in a
    non-normal matrix and at 1e-9 in a normal one.
    """
    rng = np.random.default_rng(3)
    n = 260
    spectra = []
    for _ in range(3):
        bulk = _bulk(n - 8, rng)
        extra = {
            "close_real": [0.5, 0.5 - 1e-7, 0.2, 1.3, -0.05, -0.06, 0.9, 0.91],
            "tiny_imag": [0.4 + 1e-6j, 0.4 - 1e-6j, 0.1, 1.0, -0.02, 0.7, 0.3 + 0.2j, 0.3 - 0.2j],
            "near_zero": [2e-6, -2e-6, 5e-6, -7e-6, 0.5, 3e-6 + 0.3j, 3e-6 - 0.3j, -1e-5],
            "near_zero_normal": [1e-9, -1e-9, 2e-9, -3e-9, 0.5, 1e-9 + 0.3j, 1e-9 - 0.3j, -1e-8],
            "stable": [-0.05, -0.05 - 1e-4, -0.0501, -0.06 + 0.01j, -0.06 - 0.01j, -0.07, -0.08, -0.09],
            "many_unstable": list(rng.uniform(0.01, 2.0, 8)),
            "complex_leading": [2.0 + 1.0j, 2.0 - 1.0j, 2.0 - 1e-6, 0.5, -0.01, 0.4 + 3j, 0.4 - 3j, 0.3],
        }[case]
        lam = np.concatenate([bulk, extra])
        if case == "many_unstable":  # 60 eigenvalues with Re > 0: needs a widened subspace
            lam[:52] = rng.uniform(0.01, 2.0, 52)
        spectra.append(lam)
    J = _prescribed(spectra, nonnormal=0.0 if case == "near_zero_normal" else 0.2)
    op, be = _dense_op(J)
    lead, pos, res = _krylov_or_dense(op, op.state(np.zeros((3, n))), be)
    _assert_agree(lead, pos, J)


def test_invariant_subspace_breakdown():
    """W = 0: J = -diag(gamma) has a one-dimensional Krylov space from any start vector."""
    n = 60
    gamma = np.r_[np.full(30, 0.5), np.full(30, 0.2)]
    be = get_backend("cpu")
    op = HopfieldOperator(np.zeros((n, n)), gamma, np.ones(n), np.full(n, 2.0), be)
    st = op.state(np.ones((4, n)))
    lead, pos, res = _krylov_or_dense(op, st, be, subspace=20)
    np.testing.assert_allclose(lead, -0.2)
    np.testing.assert_array_equal(pos, 0)


def test_deterministic_and_independent_of_chunking():
    from linstab.sc.datasets import synthetic_grn

    ad = synthetic_grn(n_cells=40, n_genes=300, n_clusters=1, seed=2)
    be = get_backend("cpu")
    op = HopfieldOperator(ad.varp["W_A"], ad.var["gamma"].to_numpy(), ad.var["sigmoid_threshold"].to_numpy(),
                          ad.var["sigmoid_exponent"].to_numpy(), be)
    X = ad.layers["Ms"]
    a = rightmost_stats(op, op.state(X), be)
    b = rightmost_stats(op, op.state(X), be)
    np.testing.assert_array_equal(a.leading, b.leading)
    c = [rightmost_stats(op, op.state(X[s:s + 7]), be) for s in range(0, 40, 7)]
    np.testing.assert_array_equal(np.concatenate([r.n_positive for r in c]), a.n_positive)
    np.testing.assert_allclose(np.concatenate([r.leading for r in c]), a.leading, atol=1e-11)


def test_float32_route():
    from linstab.sc.datasets import synthetic_grn

    ad = synthetic_grn(n_cells=30, n_genes=300, n_clusters=1, seed=9)
    args = (ad.varp["W_A"], ad.var["gamma"].to_numpy(), ad.var["sigmoid_threshold"].to_numpy(),
            ad.var["sigmoid_exponent"].to_numpy())
    be32 = get_backend("cpu", dtype="float32")
    op = HopfieldOperator(*args, be32)
    st = op.state(ad.layers["Ms"])
    lead, pos, _ = _krylov_or_dense(op, st, be32)
    ref_op = HopfieldOperator(*args, get_backend("cpu"))
    ref = spectrum_stats(np.linalg.eigvals(ref_op.dense(ref_op.state(ad.layers["Ms"]))))
    np.testing.assert_array_equal(pos, ref["positive"])
    np.testing.assert_allclose(lead.real, ref["leading"].real, atol=1e-4)


def test_locked_projection_from_the_krylov_relation():
    """The deflation's ``T = Y J Yᵀ`` comes from the Krylov relation, not from products with J:
    it equals the product computed explicitly, for every locked cell."""
    from linstab.sc._krylov import _arnoldi_pass

    rng = np.random.default_rng(6)
    n = 120
    spectra = [np.concatenate([_bulk(n - 6, rng, pairs=20), [0.4, 0.2, 0.05 + 0.3j, 0.05 - 0.3j, -0.02, -0.05]])
               for _ in range(3)]
    J = _prescribed(spectra, seed=2)
    op, be = _dense_op(J)
    st = op.state(np.zeros((3, n)))
    out = _arnoldi_pass(op, st, be, np.arange(3), m=40, n=n, seed=0, mode="main", max_restarts=60,
                        max_matvecs=2000, buffer=2, eta=0.5, tol=1e-12)
    assert out["done"].all() and set(out["locks"]) == {0, 1, 2}
    for c, Y in out["locks"].items():
        np.testing.assert_allclose(Y @ Y.T, np.eye(Y.shape[0]), atol=1e-12)
        np.testing.assert_allclose(out["projected"][c], Y @ J[c] @ Y.T, rtol=0, atol=1e-10 * np.abs(J[c]).max())


@pytest.mark.parametrize("block", [2, 3])
def test_block_arnoldi_matches_full_spectra(block):
    """Block Arnoldi (``block`` vectors per cell and step, block Gram–Schmidt and QR) gives the
    counts and leading eigenvalues of the full spectra, and survives an invariant subspace."""
    from linstab.sc.datasets import synthetic_grn

    ad = synthetic_grn(n_cells=6, n_genes=200, n_clusters=1, rank=20, seed=4)
    be = get_backend("cpu")
    op = HopfieldOperator(ad.varp["W_A"], ad.var["gamma"].to_numpy(), ad.var["sigmoid_threshold"].to_numpy(),
                          ad.var["sigmoid_exponent"].to_numpy(), be)
    st = op.state(ad.layers["Ms"])
    lead, pos, res = _krylov_or_dense(op, st, be, block=block)
    _assert_agree(lead, pos, op.dense(st))
    assert res.converged.all()
    assert pos.min() >= 3  # unstable modes are there to count
    # W = 0: J = -diag(gamma), a Krylov space of dimension 2 from any start block
    n = 60
    gamma = np.r_[np.full(30, 0.5), np.full(30, 0.2)]
    op0 = HopfieldOperator(np.zeros((n, n)), gamma, np.ones(n), np.full(n, 2.0), be)
    lead, pos, _ = _krylov_or_dense(op0, op0.state(np.ones((3, n))), be, subspace=18, block=block)
    np.testing.assert_allclose(lead, -0.2)
    np.testing.assert_array_equal(pos, 0)
