"""The core's reader contract for iris-l2, on real and generated files."""

from __future__ import annotations

import pytest

from irisplug.testing import ReaderContract


class TestIrisL2ReaderContract(ReaderContract):
    reader = "iris-l2"

    @pytest.fixture
    def own_samples(self, raster_dir, sns_dir, synthetic_dir):
        return [sorted(raster_dir.glob("*.fits"))[0], next(sns_dir.glob("*SJI_1400*.fits")), next(synthetic_dir.glob("*raster*r00001.fits"))]


def test_plugin_passes_check_plugin():
    import irisplug_iris.plugin as plugin
    from irisplug.testing import check_plugin

    record = check_plugin(plugin, "iris")
    assert record.status == "active"
