"""Binning IUVS integrations (``cube.rebin`` along axis 0) bins their times and exposure times with the data.

ndcube's rebin of a plain NDCube keeps the first integration's time and exposure time for each bin. References:
the file's ``Integration.ET`` (TDB seconds past J2000, read with astropy) averaged per bin with numpy, and the
``Engineering.INT_TIME`` exposure; the data binned with numpy.
"""

from __future__ import annotations

import warnings

import astropy.units as u
import numpy as np
import pytest
from astropy.io import fits
from astropy.time import Time

import irisplug


@pytest.mark.parametrize("operation", [np.mean, np.sum])
def test_binned_integrations_carry_the_bins_times_and_exposures(l1b_files, operation):
    path = l1b_files[0]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        cube = irisplug.read(path)["dark_subtracted"]
    n = cube.data.shape[0] // 2 * 2
    cube = cube[:n]
    with fits.open(path) as h:
        et = np.asarray(h["Integration"].data["ET"][:n], float)
        exp_s = h["Engineering"].data["INT_TIME"][0] / 1000
    binned = cube.rebin((2, 1, 1), operation=operation)
    want_t = Time("2000-01-01T12:00:00", scale="tdb") + et.reshape(-1, 2).mean(axis=1) * u.s
    got_t = binned.axis_world_coords("time", wcs=binned.extra_coords)[0]
    assert np.abs((got_t - want_t).to_value(u.s)).max() < 1e-3
    got_e = binned.axis_world_coords("obs.exposure", wcs=binned.extra_coords)[0].to_value(u.s)
    np.testing.assert_allclose(got_e, operation(np.full((n // 2, 2), exp_s), axis=1), rtol=1e-12)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        norm = irisplug.calibrate(binned, ["exposure-norm"])
    raw = np.asarray(cube.data, float)
    want = operation(raw.reshape(n // 2, 2, *raw.shape[1:]), axis=1) / operation(np.full(2, exp_s))
    got = np.asarray(norm.data, float)
    ok = np.isfinite(got) & np.isfinite(want)
    assert ok.mean() > 0.5
    np.testing.assert_allclose(got[ok], want[ok], rtol=1e-6)


def test_one_integration_exposure_normalised(l1b_files):
    # a single integration (cube[i], 2-D: ndcube moves its time and exposure time to global_coords) was refused as
    # carrying no exposure time; the radiance (kR/nm, already a rate) was divided by the exposure time too
    path = l1b_files[0]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        product = irisplug.read(path)
    with fits.open(path) as h:
        exp_s = h["Engineering"].data["INT_TIME"][0] / 1000
    cube = product["dark_subtracted"]
    one = cube[1]
    assert one.data.ndim == 2
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        norm = irisplug.calibrate(one, ["exposure-norm"])
    assert norm.unit == u.DN / u.s
    want = np.asarray(cube.data, float)[1] / exp_s
    got = np.asarray(norm.data, float)
    ok = np.isfinite(want)
    assert ok.mean() > 0.5
    np.testing.assert_allclose(got[ok], want[ok], rtol=1e-12)
    radiance = product["radiance"]
    with pytest.warns(Warning, match="already a rate"):
        same = irisplug.calibrate(radiance, ["exposure-norm"])
    assert same.unit == radiance.unit
    np.testing.assert_array_equal(np.asarray(same.data), np.asarray(radiance.data))
