"""Fixtures: the real IRIS L2 test files inside the irispy-lmsal wheel (read-only, never copied)."""

from __future__ import annotations

import warnings
from pathlib import Path

import pytest

# Files are located by content (OBSID, kind, window) through irisplug_iris.irispy_files: their names,
# the slit-jaw files of the 2014 raster and some headers differ between irispy-lmsal releases.
from irisplug_iris.irispy_files import RASTER_OBSID, SNS_OBSID, find_files, require_files


@pytest.fixture(scope="session")
def raster_files() -> list[Path]:
    """The 13 raster files of the 8-step raster (OBSID 3860258481), in step order."""
    return require_files(obsid=RASTER_OBSID, kind="raster")


@pytest.fixture(scope="session")
def raster_dir(raster_files) -> Path:
    """The folder holding the 13 raster files (and nothing else)."""
    (folder,) = {p.parent for p in raster_files}
    return folder


@pytest.fixture(scope="session")
def raster_sji_files() -> list[Path]:
    """The SJI files of the 8-step raster's observation: three in irispy-lmsal 0.5, none in 0.9."""
    return find_files(obsid=RASTER_OBSID, kind="sji")


@pytest.fixture
def needs_raster_sji(raster_sji_files) -> None:
    """Skip a test that needs the 8-step raster's own slit-jaw files where this irispy-lmsal has none."""
    require_files(obsid=RASTER_OBSID, kind="sji")


@pytest.fixture(scope="session")
def sns_files() -> list[Path]:
    """The sit-and-stare observation (OBSID 3620258102): one raster file and its slit-jaw files."""
    return require_files(obsid=SNS_OBSID)


@pytest.fixture(scope="session")
def sns_dir(sns_files) -> Path:
    """The folder of the sit-and-stare observation: raster + 4 SJI + overview.txt."""
    (folder,) = {p.parent for p in sns_files}
    return folder


@pytest.fixture(scope="session")
def obs_raster(raster_dir, raster_sji_files):
    """The 8-step raster observation with its SJIs, read lazily."""
    import irisplug

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return irisplug.read([raster_dir, *raster_sji_files])


@pytest.fixture(scope="session")
def real_sji_1400(obs_raster, obs_sns):
    """A real SJI 1400 cube: the 8-step raster's own (irispy-lmsal 0.5) or else the sit-and-stare's."""
    return (obs_raster if "SJI_1400" in obs_raster else obs_sns)["SJI_1400"]


@pytest.fixture(scope="session")
def obs_sns(sns_dir):
    """The sit-and-stare observation, read lazily."""
    import irisplug

    return irisplug.read(sns_dir)


@pytest.fixture(scope="session")
def synthetic_dir(tmp_path_factory) -> Path:
    """A small generated IRIS L2 observation (3 raster files x 8 steps, 2 SJIs), int16 scaled."""
    from irisplug_iris.generator import generate

    d = tmp_path_factory.mktemp("synthetic")
    generate(d, quiet=True)
    return d


@pytest.fixture(scope="session")
def obs_synthetic(synthetic_dir):
    """The generated observation, read lazily."""
    import irisplug

    return irisplug.read(synthetic_dir)
