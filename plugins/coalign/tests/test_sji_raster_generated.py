"""Raster to slit-jaw alignment on a generated observation with a planted slit-jaw pointing error.

The generator makes the rasters and the slit-jaw images sample one solar
scene, each through its own recorded pointing; the slit-jaw files' recorded
pointing is then off by a known amount, which the alignment must find.
"""

from __future__ import annotations

import numpy as np
import pytest

import irisplug


@pytest.mark.parametrize("planted", [(0.0, 0.0), (1.2, -0.8)])
def test_planted_sji_pointing_error_is_recovered(tmp_path, planted):
    irisplug.fetch("iris-synthetic", tmp_path, n_steps=32, step_size=0.35, n_rasters=1, sji=("SJI_1400",),
                   windows=("Si IV 1403",), sji_pointing_error=planted, quiet=True)
    obs = irisplug.read(tmp_path)
    aligned = irisplug.coalign(obs["Si IV 1403"][0], obs["SJI_1400"], method="sji-raster", quiet=True)
    record = aligned.meta["irisplug_coalign"]
    # one SJI pixel is 0.1667 arcsec
    np.testing.assert_allclose(record["offset_arcsec"], planted, atol=0.25)
    assert record["peak"] > 0.9
