"""Shared helpers of the calib plugin tests."""

from __future__ import annotations

import os
from pathlib import Path

import pytest


def iuvs_data_dir() -> Path:
    """``IRISPLUG_IUVS_DATA`` or ``<repo>/../shared/data/iuvs``."""
    env = os.environ.get("IRISPLUG_IUVS_DATA")
    if env:
        return Path(env)
    repo = Path(__file__).resolve().parents[3]
    return repo.parent / "shared" / "data" / "iuvs"


@pytest.fixture(scope="session")
def iuvs_l1b_files() -> list[Path]:
    files = sorted(iuvs_data_dir().glob("*l1b*.fits*"))
    if not files:
        pytest.skip(f"no IUVS L1B files in {iuvs_data_dir()} (set IRISPLUG_IUVS_DATA)")
    return files
