"""The core's viewer contract (irisplug.testing.ViewerContract) on this plugin's viewers."""

from __future__ import annotations

import pytest

from irisplug.testing import ViewerContract


class TestRasterQuicklookContract(ViewerContract):
    viewer = "raster-quicklook"

    @pytest.fixture
    def sample_object(self, obs):
        return obs


class TestSjiViewerContract(ViewerContract):
    viewer = "sji-viewer"

    @pytest.fixture
    def sample_object(self, sji):
        return sji


class TestParameterMapsContract(ViewerContract):
    viewer = "parameter-maps"

    @pytest.fixture
    def sample_object(self, iris_obs):
        import irisplug

        return irisplug.fit(iris_obs["Si IV 1403"].data[0], method="moments")


class TestSpectralCubeContract(ViewerContract):
    viewer = "spectral-cube"

    @pytest.fixture
    def sample_object(self, shared_data):
        import irisplug

        return irisplug.read(shared_data("iuvs", "mvn_iuv_l1b_*.fits*")[0])
