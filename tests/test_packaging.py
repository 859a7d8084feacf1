"""The wheel carries what an installed linstab needs at run time: the built-in models and the
case-study data of the single-cell chapter."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.slow
def test_wheel_ships_models_and_case_study_data(tmp_path):
    pytest.importorskip("setuptools")
    build = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "--no-index", "-q",
         "-w", str(tmp_path), str(ROOT)],
        capture_output=True, text=True, timeout=300, cwd=tmp_path)
    assert build.returncode == 0, build.stderr[-2000:]
    (wheel,) = tmp_path.glob("linstab-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    for f in ("linstab/data/krumsiek11.h5ad", "linstab/data/krumsiek11_model.h5sch",
              "linstab/data/models/repressilator.toml"):
        assert f in names, f"{f} missing from {wheel.name}"
    # and the copies in the wheel are the committed files, byte for byte
    z = zipfile.ZipFile(wheel)
    assert z.read("linstab/data/krumsiek11.h5ad") == (ROOT / "linstab/data/krumsiek11.h5ad").read_bytes()
