"""Fixtures: many small generated IRIS observations with different pointings, exposure times and null frames."""

from __future__ import annotations

from pathlib import Path

import pytest

from irisplug_datasets.synthetic import make_observations

GRID = (2794.013, 2805.987, 160)  # grid points fall between pixel centres of the generated window


@pytest.fixture(scope="session")
def grid() -> tuple[float, float, int]:
    """The common grid of the tests."""
    return GRID


@pytest.fixture(scope="session")
def observations(tmp_path_factory) -> list[Path]:
    """22 generated observations."""
    return make_observations(tmp_path_factory.mktemp("dataset_obs"), 22)


@pytest.fixture(scope="session")
def reference_store(observations, tmp_path_factory) -> Path:
    """The in-process build of all observations (Mg II k, GRID), uninterrupted."""
    from irisplug_datasets import build_dataset

    out = tmp_path_factory.mktemp("stores") / "reference.zarr"
    build_dataset(observations, out, line="Mg II k", grid=GRID, chunk_rows=256, quiet=True)
    return out
