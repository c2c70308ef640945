"""Fixtures: IRIS observations to write (the real L2 files in the irispy-lmsal wheel, read-only; generated ones)."""

from __future__ import annotations

import warnings
from pathlib import Path

import pytest


def _root() -> Path:
    irispy = pytest.importorskip("irispy", reason="irispy-lmsal provides the real IRIS L2 test files")
    return Path(irispy.__file__).parent / "data" / "test"


@pytest.fixture(scope="session")
def raster_dir() -> Path:
    """The 13-file 8-step raster directory (OBSID 3860258481)."""
    return _root() / "raster" / "iris_l2_20140329_140938_3860258481_raster"


@pytest.fixture(scope="session")
def raster_sji_files() -> list[Path]:
    """The SJI files of the 8-step raster."""
    return sorted((_root() / "raster").glob("iris_l2_20140329_140938_3860258481_SJI_*.fits"))


@pytest.fixture(scope="session")
def sns_dir() -> Path:
    """The sit-and-stare directory (OBSID 3620258102): raster + 4 SJI + overview.txt."""
    return _root() / "sns"


@pytest.fixture(scope="session")
def obs_raster(raster_dir, raster_sji_files):
    """The 8-step raster observation with its SJIs, read lazily."""
    import irisplug

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return irisplug.read([raster_dir, *raster_sji_files])


@pytest.fixture(scope="session")
def obs_sns(sns_dir):
    """The sit-and-stare observation, read lazily."""
    import irisplug

    return irisplug.read(sns_dir)


@pytest.fixture(scope="session")
def synthetic_dir(tmp_path_factory) -> Path:
    """A small generated IRIS L2 observation (3 raster files x 8 steps, 2 SJIs), int16 scaled."""
    import irisplug

    d = tmp_path_factory.mktemp("synthetic")
    if "iris-synthetic" not in irisplug.get_plugin_manager().contributions("fetcher"):
        pytest.skip("the iris-synthetic fetcher (irisplug-iris) generates the IRIS files")
    irisplug.fetch("iris-synthetic", d)
    return d


@pytest.fixture(scope="session")
def obs_synthetic(synthetic_dir):
    """The generated observation, read lazily."""
    import irisplug

    return irisplug.read(synthetic_dir)


@pytest.fixture(scope="session")
def real_sji_1400(obs_raster, obs_sns):
    """A real SJI 1400 cube: the 8-step raster's own (irispy-lmsal 0.5) or else the sit-and-stare's."""
    return (obs_raster if "SJI_1400" in obs_raster else obs_sns)["SJI_1400"]
