"""Fixtures: IRIS observations to write (the real L2 files in the irispy-lmsal wheel, read-only; generated ones)."""

from __future__ import annotations

import warnings
from pathlib import Path

import pytest


def _irispy_files():
    """irisplug_iris.irispy_files: irispy-lmsal's test files located by content (OBSID, kind), not by name: the
    names and the slit-jaw files of the 2014 raster differ between releases (0.5 and 0.9)."""
    return pytest.importorskip("irisplug_iris.irispy_files", reason="irisplug-iris locates the real IRIS L2 test files")


@pytest.fixture(scope="session")
def raster_dir() -> Path:
    """The folder of the 13-file 8-step raster (OBSID 3860258481), holding only its raster files."""
    f = _irispy_files()
    (folder,) = {p.parent for p in f.require_files(obsid=f.RASTER_OBSID, kind="raster")}
    return folder


@pytest.fixture(scope="session")
def raster_sji_files() -> list[Path]:
    """The SJI files of the 8-step raster's observation: three in irispy-lmsal 0.5, none in 0.9."""
    f = _irispy_files()
    return f.find_files(obsid=f.RASTER_OBSID, kind="sji")


@pytest.fixture(scope="session")
def sns_dir() -> Path:
    """The sit-and-stare folder (OBSID 3620258102): raster + 4 SJI + overview.txt."""
    f = _irispy_files()
    (folder,) = {p.parent for p in f.require_files(obsid=f.SNS_OBSID)}
    return folder


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
