"""Real test images: an IRIS SJI 1400 frame (irispy-lmsal test data) and the sunpy AIA 171 test map."""

from __future__ import annotations

import pathlib

import numpy as np
import pytest


@pytest.fixture(scope="session")
def sji_file() -> pathlib.Path:
    irispy = pytest.importorskip("irispy")
    return pathlib.Path(irispy.__file__).parent / "data" / "test" / "raster" / "iris_l2_20140329_140938_3860258481_SJI_1400_t000.fits"


@pytest.fixture(scope="session")
def sji_frame(sji_file) -> np.ndarray:
    """Frame 10 of the SJI 1400 test cube, missing pixels (-200) set to the median."""
    from astropy.io import fits

    img = fits.getdata(sji_file)[10].astype(float)
    return np.where(img == -200, np.median(img[img != -200]), img)


@pytest.fixture(scope="session")
def aia_map():
    sunpy_map = pytest.importorskip("sunpy.map")
    import sunpy.data.test

    return sunpy_map.Map(sunpy.data.test.get_test_filepath("aia_171_level1.fits"))
