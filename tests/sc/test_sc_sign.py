"""The sign-function statistics (counts from tr sign(J), unstable eigenvalues by Rayleigh–Ritz on
the range of the spectral projector) against full float64 spectra: counts exactly, the leading
eigenvalue to 1e-8, for 0 to 150 unstable eigenvalues per cell and near-axis spectra."""

from __future__ import annotations

import numpy as np
import pytest

import linstab.sc as sch
from linstab.sc._backend import get_backend
from linstab.sc._krylov import rightmost_stats
from linstab.sc._sign import sign_newton, sign_part, sign_stats
from linstab.sc._spectra import spectrum_stats
from tests.sc.test_sc_krylov import _bulk, _dense_op, _prescribed


def _exact(op, st):
    """The exact route of compute_jacobian_stats: Krylov, full spectra where it did not settle."""
    be = op.backend
    res = rightmost_stats(op, st, be)
    lead, pos = res.leading.copy(), res.n_positive.astype(float)
    bad = np.nonzero(~res.converged)[0]
    if bad.size:
        sel = bad if be.name == "numpy" else be.xp.as_tensor(bad)
        s = spectrum_stats(be.eigvals(op.dense(op.take(st, sel))))
        lead[bad], pos[bad] = s["leading"], s["positive"]
    return {"leading": lead, "positive": pos, "negative": op.size - pos}, bad


def _assert_agree(stats, J):
    ref = spectrum_stats(np.linalg.eigvals(J))
    np.testing.assert_array_equal(stats["positive"], ref["positive"])
    np.testing.assert_array_equal(stats["negative"], ref["negative"])
    np.testing.assert_allclose(stats["leading"].real, ref["leading"].real, rtol=0, atol=1e-8)
    np.testing.assert_allclose(stats["leading"].imag, ref["leading"].imag, rtol=0, atol=1e-8)


def test_newton_iteration_gives_the_sign_function(sc_backend):
    """sign(J) = V diag(sign Re λ) V⁻¹ for a diagonalisable J (Higham 2008, (5.2))."""
    rng = np.random.default_rng(0)
    n = 40
    V = rng.standard_normal((n, n))
    lam = np.r_[rng.uniform(0.1, 3, 7), -rng.uniform(0.1, 3, n - 7)]
    J = V @ np.diag(lam) @ np.linalg.inv(V)
    be = get_backend("cpu", backend=sc_backend)
    S, ok, _ = sign_newton(be.asarray(J[None]), be)
    ref = V @ np.diag(np.sign(lam)) @ np.linalg.inv(V)
    assert ok.all()
    np.testing.assert_allclose(be.to_numpy(S)[0], ref, atol=1e-8 * np.abs(ref).max())


@pytest.mark.parametrize("k", [0, 5, 20, 60, 150])
def test_prescribed_unstable_counts(k, sc_backend):
    """Exactly k eigenvalues with Re > 0 (real ones and complex pairs) in a 400-gene Jacobian."""
    rng = np.random.default_rng(k)
    n = 400
    cells = 3 if sc_backend == "numpy" else 2
    spectra = []
    for _ in range(cells):
        lam = _bulk(n - k, rng, pairs=min(40, (n - k) // 3))
        pairs = k // 4
        z = rng.uniform(0.01, 2.0, pairs) + 1j * rng.uniform(0.05, 1.0, pairs)
        spectra.append(np.concatenate([lam, rng.uniform(0.01, 2.0, k - 2 * pairs), z, np.conj(z)]))
    J = _prescribed(spectra, seed=k)
    op, be = _dense_op(J, backend=sc_backend)
    st = op.state(np.zeros((cells, n)))
    res = sign_stats(op.dense(st), be)
    assert res.settled.all()  # well separated from the axis: the sign function settles them
    np.testing.assert_array_equal(res.n_positive, k)
    stats, _, n_sign = sign_part(op, st, be, _exact)
    assert n_sign == (cells if k else 0)
    _assert_agree(stats, J)


@pytest.mark.parametrize(("rank", "scale"), [(6, 0.0), (8, 1.0), (30, 1.0), (90, 1.0), (280, 1.0)])
def test_fitted_type_networks_through_the_api(rank, scale, sc_backend, dense):
    """synthetic_grn with about 0, 5, 17, 55 and 145 unstable eigenvalues per cell."""
    ad = sch.datasets.synthetic_grn(n_cells=6 if sc_backend == "numpy" else 4, n_genes=400, rank=rank,
                                    module_scale=scale, seed=3)
    J = dense(ad)
    sch.tl.compute_jacobian_stats(ad, spliced_key="Ms", method="sign", backend=sc_backend, progress=False)
    stats = {"positive": ad.obs["jacobian_positive_evals"].to_numpy(),
             "negative": ad.obs["jacobian_negative_evals"].to_numpy(),
             "leading": ad.obs["jacobian_eig1_real"].to_numpy() + 1j * ad.obs["jacobian_eig1_imag"].to_numpy()}
    _assert_agree(stats, J)
    ref = spectrum_stats(np.linalg.eigvals(J))
    info = ad.uns["jacobian_stats"]
    assert info["method"] == "sign"
    # every cell with an unstable eigenvalue is settled by the sign function; stable ones are not
    assert info["blocks_sign_function"] == int((ref["positive"] > 0).sum())
    np.testing.assert_allclose(ad.obs["jacobian_trace"], np.trace(J, axis1=1, axis2=2), atol=1e-10)


@pytest.mark.parametrize("case", ["close_real", "tiny_imag", "near_zero", "near_zero_normal", "stable",
                                  "complex_leading"])
def test_near_degenerate_and_near_axis_spectra(case):
    """The prescribed spectra of the Krylov tests: eigenvalues 1e-7 apart, 2e-6 (non-normal) and
    1e-9 (normal) from the axis, pairs with 1e-6 imaginary part."""
    rng = np.random.default_rng(3)
    n = 260
    spectra = []
    for _ in range(3):
        extra = {
            "close_real": [0.5, 0.5 - 1e-7, 0.2, 1.3, -0.05, -0.06, 0.9, 0.91],
            "tiny_imag": [0.4 + 1e-6j, 0.4 - 1e-6j, 0.1, 1.0, -0.02, 0.7, 0.3 + 0.2j, 0.3 - 0.2j],
            "near_zero": [2e-6, -2e-6, 5e-6, -7e-6, 0.5, 3e-6 + 0.3j, 3e-6 - 0.3j, -1e-5],
            "near_zero_normal": [1e-9, -1e-9, 2e-9, -3e-9, 0.5, 1e-9 + 0.3j, 1e-9 - 0.3j, -1e-8],
            "stable": [-0.05, -0.05 - 1e-4, -0.0501, -0.06 + 0.01j, -0.06 - 0.01j, -0.07, -0.08, -0.09],
            "complex_leading": [2.0 + 1.0j, 2.0 - 1.0j, 2.0 - 1e-6, 0.5, -0.01, 0.4 + 3j, 0.4 - 3j, 0.3],
        }[case]
        spectra.append(np.concatenate([_bulk(n - 8, rng), extra]))
    J = _prescribed(spectra, nonnormal=0.0 if case == "near_zero_normal" else 0.2)
    op, be = _dense_op(J)
    st = op.state(np.zeros((3, n)))
    stats, _, _ = sign_part(op, st, be, _exact)
    _assert_agree(stats, J)


def test_eigenvalue_on_the_axis_is_left_to_the_exact_route():
    """A zero eigenvalue (singular J) and a pair ±i·1 on the axis: sign(J) does not exist, so the
    cells are not settled, whatever the iteration does."""
    rng = np.random.default_rng(5)
    n = 80
    spectra = [np.concatenate([_bulk(n - 3, rng, pairs=10), [0.0, 1j, -1j]]),
               np.concatenate([_bulk(n - 2, rng, pairs=10), [1j, -1j]])]
    J = _prescribed(spectra, nonnormal=0.0)
    res = sign_stats(J, get_backend("cpu"))
    assert not res.settled.any()
    assert (res.n_positive == -1).all()


def test_method_sign_equals_krylov_and_dense(dense):
    ad = sch.datasets.synthetic_grn(n_cells=12, n_genes=300, rank=30, seed=4)
    out = {m: sch.tl.compute_jacobian_stats(ad, spliced_key="Ms", method=m, progress=False, copy=True).obs
           for m in ("sign", "krylov", "dense")}
    for m in ("sign", "krylov"):
        np.testing.assert_array_equal(out[m]["jacobian_positive_evals"], out["dense"]["jacobian_positive_evals"])
        np.testing.assert_allclose(out[m]["jacobian_eig1_real"], out["dense"]["jacobian_eig1_real"], atol=1e-8)
        np.testing.assert_allclose(out[m]["jacobian_eig1_imag"], out["dense"]["jacobian_eig1_imag"], atol=1e-8)


def test_bad_method_names_the_choices():
    ad = sch.datasets.synthetic_grn(n_cells=4, n_genes=6, seed=0)
    with pytest.raises(ValueError, match="'auto', 'krylov', 'sign' or 'dense'"):
        sch.tl.compute_jacobian_stats(ad, spliced_key="Ms", method="newton", progress=False)


@pytest.mark.parametrize(("rank", "scale"), [(6, 0.0), (8, 1.0), (30, 1.0), (90, 1.0), (280, 1.0)])
def test_krylov_route_with_pilot_cells(rank, scale, sc_backend, dense):
    """method='krylov' on 20 cells (past the 4 pilot cells that size the subspace and warm-start
    the others) with about 0, 5, 17, 55 and 145 unstable eigenvalues per cell."""
    ad = sch.datasets.synthetic_grn(n_cells=20, n_genes=400, rank=rank, module_scale=scale, n_clusters=1, seed=5)
    J = dense(ad)
    sch.tl.compute_jacobian_stats(ad, spliced_key="Ms", method="krylov", backend=sc_backend, progress=False)
    stats = {"positive": ad.obs["jacobian_positive_evals"].to_numpy(),
             "negative": ad.obs["jacobian_negative_evals"].to_numpy(),
             "leading": ad.obs["jacobian_eig1_real"].to_numpy() + 1j * ad.obs["jacobian_eig1_imag"].to_numpy()}
    _assert_agree(stats, J)


def test_module_scale_controls_the_unstable_modes_and_keeps_the_draws(dense):
    """module_scale=0 leaves the sparse part alone (no unstable eigenvalue here); the default
    draws are unchanged by the option (the same expression and sparse part)."""
    a = sch.datasets.synthetic_grn(n_cells=5, n_genes=60, seed=2)
    b = sch.datasets.synthetic_grn(n_cells=5, n_genes=60, seed=2, module_scale=0.0)
    c = sch.datasets.synthetic_grn(n_cells=5, n_genes=60, seed=2, module_scale=1.0)
    np.testing.assert_array_equal(a.layers["Ms"], b.layers["Ms"])
    np.testing.assert_array_equal(a.varp["W_A"], c.varp["W_A"])
    assert (spectrum_stats(np.linalg.eigvals(dense(b)))["positive"] == 0).all()
    with pytest.raises(ValueError, match="module_scale"):
        sch.datasets.synthetic_grn(n_cells=5, n_genes=6, module_scale=-1.0)
