"""Binning SHOW frames (``rebin`` along axis 0) bins their times, exposure times and temperatures with the data.

ndcube's rebin keeps each bin's first value of an extra coordinate: 4 frames of 0.1 s and 4 of 0.3 s binned
into one reported 0.1 s, and the exposure-normalised DN/s came out twice too high. References: the file's
variables read with h5py, binned with numpy.
"""

from __future__ import annotations

import warnings

import astropy.units as u
import h5py
import numpy as np
import pytest

import irisplug
from irisplug_show.generate import generate

GROUP = "2023_08_01_DARK_vect"


@pytest.fixture(scope="module")
def show_file(tmp_path_factory):
    path = tmp_path_factory.mktemp("show") / "show_rebin.nc"
    generate(path, shape=(8, 6), dark_exposures_ms=(100, 300), frames_per_exposure=4, science_frames=2)
    return path


@pytest.mark.parametrize("bins", [2, 8])
def test_binned_frames_carry_the_bins_values(show_file, bins):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        cube = irisplug.read(show_file, groups=[GROUP])
    with h5py.File(show_file, "r") as f:
        g = f[GROUP]
        exposure_us = np.asarray(g["exposure_time"][()], float)
        temps = np.asarray(g["temperatures"][()], float)
        image = np.asarray(g["image"][()], float)
    n = image.shape[0]
    assert n == 8 and set(exposure_us) == {100e3, 300e3}
    binned = cube.rebin((bins, 1, 1))
    ec = binned.extra_coords
    exp = binned.axis_world_coords("obs.exposure", wcs=ec)[0].to_value(u.s)
    np.testing.assert_allclose(exp, exposure_us.reshape(-1, bins).mean(axis=1) / 1e6, rtol=1e-12)
    t_all = cube.axis_world_coords("time", wcs=cube.extra_coords)[0]
    want_t = t_all[0] + (t_all - t_all[0]).to_value(u.s).reshape(-1, bins).mean(axis=1) * u.s
    assert np.abs((binned.axis_world_coords("time", wcs=ec)[0] - want_t).to_value(u.s)).max() < 1e-6
    name = next(k for k in ec.keys() if k.startswith("temperature_"))
    col = [k for k in cube.extra_coords.keys() if k.startswith("temperature_")].index(name)
    got_temp = binned.axis_world_coords(wcs=ec[name])[0].to_value(u.deg_C)
    np.testing.assert_allclose(got_temp, temps[:, col].reshape(-1, bins).mean(axis=1), rtol=1e-12)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        norm = irisplug.calibrate(binned, ["exposure-norm"])
    want = image.reshape(n // bins, bins, *image.shape[1:]).mean(axis=1) / (
        exposure_us.reshape(-1, bins).mean(axis=1) / 1e6)[:, None, None]
    got = np.asarray(norm.data, float)
    ok = np.isfinite(got)
    assert ok.mean() > 0.9
    np.testing.assert_allclose(got[ok], want[ok], rtol=1e-6)
