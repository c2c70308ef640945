"""The slit position of each slit-jaw frame, from the file's own auxiliary table."""

from __future__ import annotations

import numpy as np
from astropy.io import fits

import irisplug
from irisplug.model import extra_coord


def test_slit_position_per_frame_equals_the_aux_columns(tmp_path):
    files = irisplug.fetch("iris-synthetic", tmp_path)
    sji_path = next(p for p in files if "SJI_1400" in p.name)
    with fits.open(sji_path) as hdul:
        aux = hdul[1]
        expected_x = aux.data[:, aux.header["SLTPX1IX"]]
        expected_y = aux.data[:, aux.header["SLTPX2IX"]]
    cube = irisplug.read(sji_path)["SJI_1400"]
    np.testing.assert_array_equal(extra_coord(cube, "slit_x").to_value("pix"), expected_x)
    np.testing.assert_array_equal(extra_coord(cube, "slit_y").to_value("pix"), expected_y)
    # slices keep them, down to one frame
    assert extra_coord(cube[2], "slit_x").to_value("pix") == expected_x[2]
