"""Shared helpers of the calib plugin tests."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture(scope="session")
def iuvs_l1b_files(shared_data) -> list[Path]:
    """The real MAVEN IUVS L1B files of the shared data folder (skips without them)."""
    return shared_data("iuvs", "*l1b*.fits*")
