"""The suite's Hypothesis settings: CI runs are derandomised and replay nothing from disk."""

from __future__ import annotations

import os

import pytest
from hypothesis import settings


def test_default_profile_cannot_flake(request):
    chosen = request.config.getoption("hypothesis_profile", None) or os.environ.get("HYPOTHESIS_PROFILE", "ci")
    if chosen != "ci":
        pytest.skip(f"profile {chosen!r} chosen explicitly")
    assert settings.default.derandomize is True
    assert settings.default.database is None  # no stored failure is replayed on the next run
    assert settings.default.deadline is None  # timing on a loaded CI machine is not a failure
