"""Shared fixtures: canonical models and a numeric ``backend`` fixture (numpy and CPU torch)."""

from __future__ import annotations

import importlib.util

import pytest

from linstab import load_model

HAS_TORCH = importlib.util.find_spec("torch") is not None


@pytest.fixture(params=["numpy", pytest.param("torch", marks=pytest.mark.skipif(not HAS_TORCH, reason="torch not installed"))])
def backend(request) -> str:
    """Run a numeric test once with numpy and once with torch on the CPU."""
    return request.param


@pytest.fixture
def repressilator():
    return load_model("repressilator")


@pytest.fixture
def toggle():
    return load_model("toggle_switch")
