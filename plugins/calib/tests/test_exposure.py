"""Exposure normalisation: cubes, maps, idempotence and units."""

from __future__ import annotations

import astropy.units as u
import astropy.wcs
import ndcube
import numpy as np
import pytest

import irisplug
from irisplug.errors import CalibrationError
from irisplug_calib._common import CalibrationWarning
from irisplug_calib.exposure import normalize_exposure


def _cube(data, unit=u.DN, **meta):
    return ndcube.NDCube(np.asarray(data, float), wcs=astropy.wcs.WCS(naxis=np.ndim(data)), unit=unit, meta=meta)


def test_per_frame_exposure_times_and_idempotence():
    cube = _cube(np.ones((3, 2, 2)) * np.array([2.0, 4.0, 8.0])[:, None, None], exposure_time=[2, 4, 0.5] * u.s)
    out = irisplug.calibrate(cube, ["exposure-norm"])
    assert out.unit == u.DN / u.s
    assert np.allclose(out.data[:, 0, 0], [1.0, 1.0, 16.0])
    with pytest.warns(CalibrationWarning, match="already"):
        again = normalize_exposure(out)
    assert np.array_equal(again.data, out.data) and again.unit == out.unit
    assert cube.unit == u.DN and cube.data[0, 0, 0] == 2.0


def test_per_second_input_unchanged_and_milliseconds():
    cube = _cube(np.ones((2, 2)), unit=u.DN / u.s, exposure_time=3 * u.s)
    with pytest.warns(CalibrationWarning, match="per second"):
        out = normalize_exposure(cube)
    assert np.array_equal(out.data, cube.data) and out is not cube
    ms = _cube(np.full((2, 2), 6.0), exposure_time=3000.0)
    assert normalize_exposure(ms, exposure_unit="ms").data[0, 0] == pytest.approx(2.0)


def test_zero_exposure_is_masked_and_missing_exposure_raises():
    cube = _cube(np.ones((2, 2, 2)), exposure_time=[0, 2] * u.s)
    with pytest.warns(CalibrationWarning, match="non-positive"):
        out = normalize_exposure(cube)
    assert np.all(np.isnan(out.data[0])) and np.all(np.asarray(out.mask)[0]) and not np.asarray(out.mask)[1].any()
    with pytest.raises(CalibrationError, match="no exposure time"):
        normalize_exposure(_cube(np.ones((2, 2))))


def test_sunpy_map():
    import sunpy.data.test
    import sunpy.map

    m = sunpy.map.Map(sunpy.data.test.get_test_filepath("aia_171_level1.fits"))
    out = normalize_exposure(m)
    assert out.unit == m.unit / u.s
    np.testing.assert_allclose(out.data, m.data / m.exposure_time.to_value(u.s))
    assert out.meta["expnorm"] == m.exposure_time.to_value(u.s)
    with pytest.warns(CalibrationWarning):
        normalize_exposure(out)
