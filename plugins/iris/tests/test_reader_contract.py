"""The core's reader contract for iris-l2, on real and generated files."""

from __future__ import annotations

import pytest

from irisplug.testing import ReaderContract
from irisplug_iris.irispy_files import find_files


class TestIrisL2ReaderContract(ReaderContract):
    reader = "iris-l2"
    # the data-quality keys of the model contract (irisplug.model.levels) this reader sets
    required_levels = (("spectral-cube", ("missing_value", "valid_min", "instrumental_fwhm")),
                       ("image-cube", ("missing_value", "valid_min")))

    @pytest.fixture
    def own_samples(self, raster_files, sns_files, synthetic_dir):
        sns_sji_1400 = next(p for p in sns_files if p in find_files(kind="sji", band="1400"))
        return [raster_files[0], sns_sji_1400, next(synthetic_dir.glob("*raster*r00001.fits"))]


def test_plugin_passes_check_plugin():
    import irisplug_iris.plugin as plugin
    from irisplug.testing import check_plugin

    record = check_plugin(plugin, "iris")
    assert record.status == "active"


def test_levels_are_the_level2_values(sns_dir):
    """The levels the reader sets: L2 fill -200 DN, FWHM per detector (FUV short/long, NUV) from the file's TDET."""
    import warnings

    import astropy.units as u
    from astropy.io import fits

    import irisplug

    path = next(sns_dir.glob("*raster*.fits"))
    header = fits.getheader(path)
    expected = {"FUV1": 0.0286, "FUV2": 0.0318, "NUV": 0.0546}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        obs = irisplug.read(path)
    for w in range(1, int(header["NWIN"]) + 1):
        cube = obs[header[f"TDESC{w}"].strip()].data[0]
        det = header[f"TDET{w}"].strip()
        assert cube.meta["missing_value"] == -200 * u.DN
        assert cube.meta["instrumental_fwhm"] == expected["NUV" if det.startswith("NUV") else det] * u.AA
