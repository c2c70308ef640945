"""AIA registration against aiapy.calibrate.register and the B-spline against scipy.ndimage."""

from __future__ import annotations

import warnings

import astropy.units as u
import numpy as np
import pytest
import scipy.ndimage as ndi

from irisplug.errors import UnsupportedObjectError
from irisplug_calib.bspline import affine_transform_xy, spline_prefilter
from irisplug_calib.register import NotFullDiskError, register_map

sunpy_map = pytest.importorskip("sunpy.map")
sunpy_test = pytest.importorskip("sunpy.data.test")


@pytest.fixture(scope="module")
def aia():
    return sunpy_map.Map(sunpy_test.get_test_filepath("aia_171_level1.fits"))


def _compare(ours, peer):
    assert ours.data.shape == peer.data.shape
    rng = np.nanmax(peer.data) - np.nanmin(peer.data)
    diff = np.nanmax(np.abs(ours.data - peer.data)) / rng
    assert diff < 1e-6, diff
    for key in set(peer.meta) | set(ours.meta):
        if key == "irisplug_history":
            continue
        a, b = peer.meta.get(key), ours.meta.get(key)
        if isinstance(a, float) and isinstance(b, float):
            assert a == pytest.approx(b, rel=1e-12, abs=1e-12), key
        else:
            assert a == b, key
    return diff


@pytest.mark.parametrize("size", [None, 4096])
def test_register_matches_aiapy(aia, size):
    calibrate = pytest.importorskip("aiapy.calibrate")
    smap = aia if size is None else aia.resample((size, size) * u.pixel)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        peer = calibrate.register(smap)
    ours = register_map(smap)
    _compare(ours, peer)
    if size == 4096:
        assert ours.data.shape == (4094, 4094)
        assert ours.meta["crpix1"] == ours.data.shape[1] / 2 + 0.5
        np.testing.assert_allclose(ours.rotation_matrix, np.eye(2), rtol=1e-5, atol=1e-8)
    assert ours.meta["lvl_num"] == 1.5
    assert aia.meta.get("lvl_num") != 1.5  # input untouched


def test_register_through_calibrate_records_history(aia):
    import irisplug

    out = irisplug.calibrate(aia, ["aia-register"], target_scale=1.2)
    assert out.scale[0].to_value(u.arcsec / u.pix) == pytest.approx(1.2)
    assert [r["step"] for r in irisplug.history(out)] == ["aia-register"]


def test_register_bad_input(aia):
    sub = aia.submap([10, 10] * u.pix, top_right=[60, 60] * u.pix)
    with pytest.raises(NotFullDiskError, match="full solar disk"):
        register_map(sub)
    generic = sunpy_map.Map(aia.data, {**aia.meta, "instrume": "FAKE", "telescop": "FAKE", "detector": "FAKE"})
    with pytest.raises(UnsupportedObjectError, match="AIA, HMI"):
        register_map(generic)
    with pytest.raises(UnsupportedObjectError):
        register_map(np.zeros((4, 4)))


@pytest.mark.parametrize(("shape", "angle", "scale"), [((7, 9), 0.3, 0.9), ((64, 50), -1.2, 1.3), ((33, 40), 0.0, 1.0)])
def test_bspline_matches_scipy(shape, angle, scale):
    rng = np.random.default_rng(3)
    img = rng.normal(size=shape)
    assert np.abs(spline_prefilter(img) - ndi.spline_filter(img, 3, mode="mirror")).max() < 1e-12
    m = np.array([[np.cos(angle), -np.sin(angle)], [np.sin(angle), np.cos(angle)]]) / scale
    shift = (2.3, -1.7)
    ref = ndi.affine_transform(img.T, m, offset=shift, order=3, mode="constant", cval=-5.0).T
    ours = affine_transform_xy(img, m, shift, cval=-5.0)
    assert np.abs(ours - ref).max() < 1e-12
    assert np.array_equal(ours == -5.0, ref == -5.0)


def test_register_propagates_mask(aia):
    mask = np.zeros(aia.data.shape, bool)
    mask[60:64, 70:72] = True
    masked = sunpy_map.Map(aia.data, aia.meta, mask=mask)
    out = register_map(masked)
    assert out.mask is not None and out.mask.shape == out.data.shape
    # the masked block (near the centre) is still masked after the small rescale/rotation, nothing far away is
    assert out.mask[55:70, 60:80].any() and not out.mask[:30].any()


def test_register_hmi_with_nans_matches_aiapy():
    calibrate = pytest.importorskip("aiapy.calibrate")
    hmi = sunpy_map.Map(sunpy_test.get_test_filepath("resampled_hmi.fits"))  # CROTA2 ~ 180 deg, NaN off-disk
    assert np.isnan(hmi.data).any()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        peer = calibrate.register(hmi)
    ours = register_map(hmi)
    _compare(ours, peer)
    assert np.array_equal(np.isnan(ours.data), np.isnan(peer.data))


@pytest.mark.parametrize("missing", [-1e4, 0.0, 3000.0, 1e5, np.nan])
def test_register_missing_values_match_aiapy(aia, missing):
    """Clip bounds for every order of ``missing`` against the data range (sunpy's rule, applied while resampling)."""
    calibrate = pytest.importorskip("aiapy.calibrate")
    # a larger rotation than the test map's own, so that many output pixels are `missing`
    rotated = sunpy_map.Map(aia.data, {**aia.meta, "crota2": 25.0})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        peer = calibrate.register(rotated, missing=missing)
    ours = register_map(rotated, missing=missing)
    _compare(ours, peer)
    assert np.array_equal(np.isnan(ours.data), np.isnan(peer.data))


@pytest.mark.parametrize("threads", [1, 2, 3])
def test_bspline_bands_match_scipy(monkeypatch, threads):
    """The prefilter in row bands (each restarting its column recursion 53 rows up) equals scipy's."""
    from irisplug_calib import _bspline_kernels

    monkeypatch.setattr(_bspline_kernels, "threads", lambda: threads)
    img = np.random.default_rng(5).normal(size=(517, 263)) * 50 + 10
    assert np.abs(spline_prefilter(img) - ndi.spline_filter(img, 3, mode="mirror")).max() < 1e-10
    m = np.array([[np.cos(0.2), -np.sin(0.2)], [np.sin(0.2), np.cos(0.2)]]) / 1.1
    ref = ndi.affine_transform(img.T, m, offset=(30.0, -20.0), order=3, mode="constant", cval=-3.0).T
    assert np.abs(affine_transform_xy(img, m, (30.0, -20.0), cval=-3.0) - ref).max() < 1e-10


def test_bspline_positions_on_the_boundary_match_scipy():
    """Positions exactly on the last row/column where the 4x4 support is inside (rounding at the edge)."""
    img = np.random.default_rng(6).normal(size=(4096, 64))
    m = np.array([[0.999, 0.01], [-0.01, 0.999]])
    shift = (1.0, 1.0)  # output pixel (2997, 30) lands on y = 1.0 exactly (up to the last bit)
    ours = affine_transform_xy(img, m, shift, output_shape=(64, 62))
    ref = ndi.affine_transform(img.T, m, offset=shift, output_shape=(62, 64), order=3, mode="constant").T
    assert np.abs(ours - ref).max() < 1e-10


def test_prefilter_reports_nans():
    from irisplug_calib.bspline import prefilter_with_stats

    img = np.random.default_rng(7).normal(size=(300, 40))
    assert prefilter_with_stats(img)[3] == 0
    for where in [(299, 39), (0, 0), (151, 20)]:  # last tile (partial), first row, second band
        dirty = img.copy()
        dirty[where] = np.nan
        _, lo, hi, flagged, _ = prefilter_with_stats(dirty)
        assert flagged > 0
        assert (lo, hi) == (np.nanmin(dirty), np.nanmax(dirty))
