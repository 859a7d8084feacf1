"""compute_jacobian_stats(source=...): which source 'auto' picks, that each source gives the
statistics of the full float64 spectra, and the errors when the chosen source is unavailable."""

from __future__ import annotations

import inspect

import numpy as np
import pytest

import linstab.sc as sch
from linstab import MissingKeyError
from linstab.sc._spectra import spectrum_stats


def _reference(adata, dense):
    return spectrum_stats(np.linalg.eigvals(dense(adata)))


def _agree(obs, ref):
    np.testing.assert_array_equal(obs["jacobian_positive_evals"], ref["positive"])
    np.testing.assert_array_equal(obs["jacobian_negative_evals"], ref["negative"])
    np.testing.assert_allclose(obs["jacobian_eig1_real"], ref["leading"].real, rtol=0, atol=1e-10)


def test_every_model_function_defaults_to_the_Ms_layer():
    for f in (sch.tl.compute_jacobians, sch.tl.compute_jacobian_stats, sch.tl.compute_rotational_part,
              sch.tl.compute_jacobian_elements):
        assert inspect.signature(f).parameters["spliced_key"].default == "Ms", f.__name__
    assert inspect.signature(sch.tl.compute_jacobian_stats).parameters["source"].default == "auto"


def test_auto_uses_the_model_without_stored_spectra(small, dense):
    sch.tl.compute_jacobian_stats(small, progress=False)
    assert small.uns["jacobian_stats"]["source"] == "model"
    assert small.uns["jacobian_stats"]["spliced_key"] == "Ms"
    assert "jacobian_eigenvalues" not in small.obsm
    _agree(small.obs, _reference(small, dense))


def test_auto_uses_stored_spectra(small, dense, monkeypatch):
    sch.tl.compute_jacobians(small, progress=False)
    # stored spectra are read, not recomputed: the model route would need the Krylov/dense code
    from linstab.sc.tl import _jacobian

    def fail(*a, **k):
        raise AssertionError("the model was evaluated although spectra are stored")

    monkeypatch.setattr(_jacobian, "_direct_stats", fail)
    sch.tl.compute_jacobian_stats(small, progress=False)
    info = small.uns["jacobian_stats"]
    assert info["source"] == "spectra" and info["spectra_from"] == "obsm['jacobian_eigenvalues']"
    _agree(small.obs, _reference(small, dense))


def test_explicit_model_source_ignores_stored_spectra(small, dense):
    sch.tl.compute_jacobians(small, progress=False)
    # spoil the stored spectra: the model source must not read them
    small.obsm["jacobian_eigenvalues"] = small.obsm["jacobian_eigenvalues"] + 100.0
    sch.tl.compute_jacobian_stats(small, source="model", progress=False)
    assert small.uns["jacobian_stats"]["source"] == "model"
    _agree(small.obs, _reference(small, dense))


def test_file_source(small, dense, tmp_path):
    sch.tl.compute_jacobians(small, progress=False)
    path = tmp_path / "j.h5"
    sch.tl.save_jacobians(small, path)
    bare = small.copy()
    del bare.obsm["jacobian_eigenvalues"]
    sch.tl.compute_jacobian_stats(bare, path, progress=False)  # auto: the file
    assert bare.uns["jacobian_stats"]["source"] == "spectra"
    assert str(path) in bare.uns["jacobian_stats"]["spectra_from"]
    _agree(bare.obs, _reference(bare, dense))


def test_spectra_source_without_spectra_names_the_fix(small, unchanged):
    with unchanged(small), pytest.raises(MissingKeyError, match=r"compute_jacobians` first.*source='model'"):
        sch.tl.compute_jacobian_stats(small, source="spectra", progress=False)


def test_model_source_with_a_file_is_an_error(small, unchanged, tmp_path):
    with unchanged(small), pytest.raises(ValueError, match=r"cannot be used with source='model'; pass source='spectra'"):
        sch.tl.compute_jacobian_stats(small, tmp_path / "j.h5", source="model", progress=False)


def test_model_source_with_a_missing_layer_names_it(small, unchanged):
    with unchanged(small), pytest.raises(MissingKeyError, match="Mx"):
        sch.tl.compute_jacobian_stats(small, source="model", spliced_key="Mx", progress=False)


def test_unknown_source(small, unchanged):
    with unchanged(small), pytest.raises(ValueError, match=r"`source` must be 'auto', 'spectra' or 'model'; got 'obsm'"):
        sch.tl.compute_jacobian_stats(small, source="obsm", progress=False)


def test_model_options_select_the_model_or_are_an_error_with_spectra(small, unchanged, dense, tmp_path):
    sch.tl.compute_jacobians(small, progress=False)
    small.obsm["jacobian_eigenvalues"] = small.obsm["jacobian_eigenvalues"] + 100.0  # not to be read
    sch.tl.compute_jacobian_stats(small, method="krylov", progress=False)  # auto: an option of the model
    assert small.uns["jacobian_stats"]["source"] == "model"
    _agree(small.obs, _reference(small, dense))
    with unchanged(small), pytest.raises(ValueError, match=r"`method` only apply .* pass source='model'"):
        sch.tl.compute_jacobian_stats(small, source="spectra", method="krylov", progress=False)
    with unchanged(small), pytest.raises(ValueError, match=r"`clusters` only apply"):
        sch.tl.compute_jacobian_stats(small, source="spectra", clusters=["A"], progress=False)
    with unchanged(small), pytest.raises(ValueError, match=r"`model` only apply"):
        sch.tl.compute_jacobian_stats(small, tmp_path / "j.h5", model="toggle_switch", progress=False)


def test_auto_refuses_spectra_of_another_layer(small, unchanged, dense):
    small.layers["Mu"] = np.asarray(small.layers["Ms"]) * 1.5
    sch.tl.compute_jacobians(small, spliced_key="Mu", progress=False)
    with unchanged(small), pytest.raises(ValueError, match=r"spliced_key='Mu', not spliced_key='Ms'"):
        sch.tl.compute_jacobian_stats(small, progress=False)
    # either explicit source works
    sch.tl.compute_jacobian_stats(small, source="model", progress=False)
    _agree(small.obs, _reference(small, dense))
    sch.tl.compute_jacobian_stats(small, spliced_key="Mu", progress=False)
    assert small.uns["jacobian_stats"]["source"] == "spectra"
