"""Edge inputs of darks, flats and exposure normalisation: NaN, infinite and negative exposure times; darks
with no usable pixel. Expected values come from numpy on the raw frames."""

from __future__ import annotations

import warnings

import astropy.units as u
import astropy.wcs
import ndcube
import numpy as np
import pytest

import irisplug
from irisplug.errors import CalibrationError
from irisplug_calib._common import CalibrationWarning
from irisplug_calib.correct import subtract_dark
from irisplug_calib.dark import master_darks
from irisplug_calib.exposure import normalize_exposure
from irisplug_calib.flat import make_flat

BAD_TIMES = [(np.nan, "nan"), (np.inf, "inf"), (-np.inf, "-inf"), (-1.0, "-1.0")]


def _frames(n=3, shape=(4, 5), seed=0):
    return np.random.default_rng(seed).normal(100.0, 2.0, (n, *shape)).round()


def _cube(data, times, **meta):
    return ndcube.NDCube(data, wcs=astropy.wcs.WCS(naxis=np.ndim(data)), unit=u.DN,
                         meta={"exposure_time": times, **meta})


# --- exposure times of dark frames --------------------------------------------------------------


@pytest.mark.parametrize(("t", "text"), BAD_TIMES)
def test_master_darks_refuses_non_finite_or_negative_exposure_time(t, text):
    with pytest.raises(CalibrationError, match=rf"got {text} s \(every frame\)"):
        master_darks(_frames(), exposure_times=t)
    with pytest.raises(CalibrationError, match=rf"got frame 1: {text} s\."):
        master_darks(_frames(), exposure_times=[0.25, t, 0.25])


def test_master_darks_names_the_bad_frame_and_the_file():
    with pytest.raises(CalibrationError, match=r"frame 2: nan s") as err:
        master_darks(_frames(4), exposure_times=[0.1, 0.1, np.nan, 0.1])
    assert "frame 0" not in str(err.value) and "frame 3" not in str(err.value)
    cube = _cube(_frames(), np.array([0.5, -0.5, 0.5]) * u.s, filename="darks_0001.fits")
    with pytest.raises(CalibrationError, match=r"frame 1: -0.5 s") as err:
        master_darks(cube)
    assert str(err.value).startswith("darks_0001.fits: ") and err.value.path == "darks_0001.fits"
    with pytest.raises(CalibrationError, match=r"got -1e-06 s"):  # negative, in microseconds
        master_darks(_frames(1), exposure_times=-1, exposure_unit="us")


def test_zero_exposure_time_darks_are_bias_frames():
    f = _frames()
    d = master_darks(f, exposure_times=0.0).find(0.0)
    np.testing.assert_allclose(d.mean, f.mean(axis=0))
    assert d.exposure_time == 0.0


def test_find_refuses_non_finite_exposure_time():
    ds = master_darks(_frames(), exposure_times=1.0)
    with pytest.raises(CalibrationError, match="nan s"):
        ds.find(np.nan)
    with pytest.raises(CalibrationError, match="inf s"):
        ds.find(np.inf)


# --- exposure times of the frames to calibrate and of flat frames -------------------------------


@pytest.mark.parametrize(("t", "text"), BAD_TIMES)
def test_dark_subtraction_refuses_bad_exposure_time_of_the_data(t, text):
    ds = master_darks(np.concatenate([_frames(), _frames(seed=1) + 50]), exposure_times=[1, 1, 1, 2, 2, 2])
    cube = _cube(_frames(2, seed=2) + 500, np.array([1.0, t]) * u.s)
    with warnings.catch_warnings():
        warnings.simplefilter("error", CalibrationWarning)  # no linear-fit fallback for a bad time
        with pytest.raises(CalibrationError, match=rf"frame 1: {text} s"):
            subtract_dark(cube, darks=ds)
        with pytest.raises(CalibrationError, match=rf"frame 1: {text} s"):
            irisplug.calibrate(cube, ["dark"], darks=ds)


@pytest.mark.parametrize(("t", "text"), BAD_TIMES)
def test_make_flat_refuses_bad_exposure_time(t, text):
    ds = master_darks(_frames(), exposure_times=1.0)
    with pytest.raises(CalibrationError, match=rf"{text} s"):
        make_flat(_frames(2, seed=3) + 1000, darks=ds, exposure_times=t)


# --- exposure normalisation: non-finite like non-positive (NaN, masked, warning) -------------------


def test_normalize_exposure_masks_non_finite_exposure_times():
    data = np.arange(4 * 2 * 3, dtype=float).reshape(4, 2, 3) + 1
    times = np.array([np.inf, 2.0, np.nan, 0.0])
    with pytest.warns(CalibrationWarning, match=r"non-finite.*frame 0: inf s, frame 2: nan s, frame 3: 0.0 s"):
        out = normalize_exposure(_cube(data, times * u.s))
    mask = np.asarray(out.mask)
    for i in (0, 2, 3):
        assert np.isnan(out.data[i]).all() and mask[i].all()
    np.testing.assert_array_equal(out.data[1], data[1] / 2.0)
    assert not mask[1].any()


@pytest.mark.parametrize("t", [np.inf, np.nan, -np.inf])
def test_normalize_exposure_scalar_non_finite_exposure_time(t):
    with pytest.warns(CalibrationWarning, match="non-finite"):
        out = normalize_exposure(_cube(np.full((2, 3), 8.0), t * u.s))
    assert np.isnan(out.data).all() and np.asarray(out.mask).all()


@pytest.mark.parametrize("t", [np.inf, np.nan, 0.0])
def test_normalize_exposure_map_with_unusable_exposure_time(t):
    import sunpy.map
    from astropy.coordinates import SkyCoord
    from sunpy.coordinates import frames

    ref = SkyCoord(0 * u.arcsec, 0 * u.arcsec, obstime="2020-01-01", observer="earth", frame=frames.Helioprojective)
    header = sunpy.map.make_fitswcs_header(np.zeros((3, 4)), ref, exposure=1 * u.s)
    header["exptime"] = t
    m = sunpy.map.Map(np.full((3, 4), 6.0), header)
    with pytest.warns(CalibrationWarning, match="non-positive or non-finite"):
        out = normalize_exposure(m)
    assert np.isnan(out.data).all() and np.asarray(out.mask).all()


# --- darks without any usable pixel --------------------------------------------------------------


def test_all_saturated_darks_raise_with_the_default_pixel_exclusion():
    sat = np.full((3, 4, 4), 16383, np.uint16)
    with pytest.raises(CalibrationError, match=r"no usable dark frame for exposure time 1.0 s"):
        master_darks(sat, exposure_times=1.0)
    good = _frames(3, (4, 4))
    with pytest.raises(CalibrationError, match=r"no usable dark frame for exposure time 0.5 s"):
        master_darks(np.concatenate([good, sat]), exposure_times=[1, 1, 1, 0.5, 0.5, 0.5])
    with pytest.raises(CalibrationError, match=r"no usable dark frame for exposure time 2.0 s.*not finite"):
        master_darks(np.full((2, 4, 4), np.nan), exposure_times=2.0, exclude_saturated=None)
    # with saturation=None nothing is excluded: saturated values are plain numbers
    d = master_darks(sat, exposure_times=1.0, saturation=None).find(1.0)
    np.testing.assert_array_equal(d.mean, np.full((4, 4), 16383.0))


def test_single_pixel_without_usable_frame_is_nan_with_count_zero_and_masked():
    f = _frames(4, (3, 5)).astype(float)
    f[:, 1, 2] = 16383.0  # saturated in every frame
    f[0, 0, 0] = 16383.0  # saturated in one frame only
    d = master_darks(f, exposure_times=1.0).find(1.0)
    assert d.count[1, 2] == 0 and np.isnan(d.mean[1, 2]) and np.isnan(d.error[1, 2])
    assert d.count[0, 0] == 3 and d.mean[0, 0] == pytest.approx(f[1:, 0, 0].mean())
    ok = np.ones((3, 5), bool)
    ok[1, 2] = False
    ref = f.copy()
    ref[ref >= 16383] = np.nan
    np.testing.assert_allclose(d.mean[ok], np.nanmean(ref[:, ok], axis=0))
    np.testing.assert_allclose(d.std[ok], np.nanstd(ref[:, ok], axis=0))
    np.testing.assert_array_equal(d.count, np.isfinite(ref).sum(axis=0))
    out = subtract_dark(_cube(np.full((1, 3, 5), 1000.0), np.array([1.0]) * u.s), darks=master_darks(f, exposure_times=1.0))
    mask = np.asarray(out.mask)[0]
    assert mask[1, 2] and mask.sum() == 1


def test_all_saturated_lazy_darks_raise_when_computed():
    da = pytest.importorskip("dask.array")
    sat = np.full((4, 6, 6), 16383.0)
    good = _frames(2, (6, 6))
    lazy = master_darks(da.from_array(np.concatenate([good, sat]), chunks=(2, 3, 3)),
                        exposure_times=[1, 1, 2, 2, 2, 2])
    np.testing.assert_allclose(np.asarray(lazy.find(1.0).mean), good.mean(axis=0))
    with pytest.raises(CalibrationError, match=r"no usable dark frame for exposure time 2.0 s"):
        np.asarray(lazy.find(2.0).mean)
    with pytest.raises(CalibrationError, match=r"no usable dark frame for exposure time 2.0 s"):
        lazy.persist()
