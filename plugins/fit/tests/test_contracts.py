"""The core's fitter contract (irisplug.testing.FitterContract) on this plugin's fitters, with the IRIS test raster."""

from __future__ import annotations

import pytest

from irisplug.testing import FitterContract


@pytest.fixture
def one_raster(iris_obs):
    """One raster file of the Si IV window, cut to 40 slit positions around the middle (quick)."""
    cube = iris_obs["Si IV 1403"].data[0]
    mid = cube.data.shape[1] // 2
    return cube[:, mid - 20 : mid + 20]


class TestLmContract(FitterContract):
    fitter = "lm"

    @pytest.fixture
    def sample_object(self, one_raster):
        return one_raster

    @pytest.fixture
    def fit_kwargs(self):
        return {"template": "peak", "progress": False}


class TestMomentsContract(FitterContract):
    fitter = "moments"

    @pytest.fixture
    def sample_object(self, one_raster):
        return one_raster
