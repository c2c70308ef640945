"""The jitter's slit mask reaches slit-jaw cubes as ``irisplug.read`` gives them.

Reference: the SLTPX1IX column of each file's auxiliary table, read with astropy
(1-based window pixels; the mask takes 0-based columns).
"""

from __future__ import annotations

import numpy as np
import pytest
from astropy.io import fits

import irisplug


def test_slit_columns_of_a_read_sji_cube_are_the_files_sltpx1ix(tmp_path):
    pytest.importorskip("irisplug_iris", reason="the iris plugin reads and generates the observation")
    from irisplug_coalign.jitter import slit_columns

    files = irisplug.fetch("iris-synthetic", tmp_path)
    sji_path = next(p for p in files if "SJI_1400" in p.name)
    with fits.open(sji_path) as hdul:
        expected = hdul[1].data[:, hdul[1].header["SLTPX1IX"]] - 1.0
    assert np.ptp(expected) > 0  # a rastering slit-jaw: the slit moves between frames
    cube = irisplug.read(sji_path)["SJI_1400"]
    np.testing.assert_array_equal(slit_columns(cube), expected)
    np.testing.assert_array_equal(slit_columns(cube[1:3]), expected[1:3])
