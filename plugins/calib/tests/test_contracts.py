"""The core's calibrator contract (irisplug.testing.CalibratorContract) on this plugin's steps, with real data."""

from __future__ import annotations

import pathlib
import warnings

import pytest

from irisplug.testing import CalibratorContract


def _iris_sns_raster():
    irispy = pytest.importorskip("irispy", reason="irispy-lmsal provides the real IRIS L2 test files")
    import irisplug

    root = pathlib.Path(irispy.__file__).parent / "data" / "test" / "sns"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        obs = irisplug.read(sorted(root.glob("*raster*.fits")))
    label = next(k for k in obs if obs.windows[list(obs.windows["label"]).index(k)]["kind"] == "spectrograph")
    return obs[label].data[0]


class TestExposureNormContract(CalibratorContract):
    step = "exposure-norm"

    @pytest.fixture
    def sample_object(self):
        return _iris_sns_raster()


class TestAiaRegisterContract(CalibratorContract):
    step = "aia-register"

    @pytest.fixture
    def sample_object(self):
        sunpy_map = pytest.importorskip("sunpy.map")
        import sunpy.data.test

        return sunpy_map.Map(sunpy.data.test.get_test_filepath("aia_171_level1.fits"))
