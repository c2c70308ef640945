"""The core's reader contract for iris-l2, on real and generated files."""

from __future__ import annotations

import pytest

from irisplug.testing import ReaderContract
from irisplug_iris.irispy_files import find_files


class TestIrisL2ReaderContract(ReaderContract):
    reader = "iris-l2"

    @pytest.fixture
    def own_samples(self, raster_files, sns_files, synthetic_dir):
        sns_sji_1400 = next(p for p in sns_files if p in find_files(kind="sji", band="1400"))
        return [raster_files[0], sns_sji_1400, next(synthetic_dir.glob("*raster*r00001.fits"))]


def test_plugin_passes_check_plugin():
    import irisplug_iris.plugin as plugin
    from irisplug.testing import check_plugin

    record = check_plugin(plugin, "iris")
    assert record.status == "active"
