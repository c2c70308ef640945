"""Real test images: an IRIS SJI 1400 frame (irispy-lmsal test data) and the sunpy AIA 171 test map."""

from __future__ import annotations

import pathlib

import numpy as np
import pytest


@pytest.fixture(scope="session")
def sji_file() -> pathlib.Path:
    """A real SJI 1400 cube of >= 11 frames of >= 100 x 100 pixels, < 20 % missing (located by content).

    irispy-lmsal 0.5 has one (the 2014-03-29 observation's); 0.9 has none: its only large SJI 1400
    file holds two frames, 45 % missing, so the shift-recovery tests on a real frame skip there.
    """
    f = pytest.importorskip("irisplug_iris.irispy_files")
    return f.require_files(kind="sji", band="1400", min_frames=11, min_frame_size=100, max_missing=0.2)[0]


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
