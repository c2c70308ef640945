"""The core's calibrator contract (irisplug.testing.CalibratorContract) on this plugin's steps, with real data."""

from __future__ import annotations

import warnings

import pytest

from irisplug.testing import CalibratorContract


def _iris_sns_raster():
    pytest.importorskip("irispy", reason="irispy-lmsal provides the real IRIS L2 test files")
    import irisplug
    from irisplug_iris.irispy_files import SNS_OBSID, require_files

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        obs = irisplug.read(require_files(obsid=SNS_OBSID, kind="raster"))
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
