"""ndcube / sunraster operations on irisplug's IRIS cubes, each against ndcube on a plain NDCube (issue 15).

The plain cube is ``NDCube(numpy data, wcs=the same WCS)``: what ndcube does
with the same world coordinates and no irisplug class in between.
"""

from __future__ import annotations

import warnings

import astropy.units as u
import numpy as np
import pytest
from ndcube import NDCube


@pytest.fixture(scope="module")
def raster_seq(raster_dir):
    import irisplug

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        obs = irisplug.read(raster_dir)
    return obs[next(k for k in obs if obs[k][0].meta.get("DETECTOR", "").startswith("FUV"))]


def _plain(cube):
    return NDCube(np.asarray(cube.data), wcs=cube.wcs)


def _same(a, b):
    assert a.shape == b.shape
    np.testing.assert_array_equal(np.asarray(a.data), np.asarray(b.data))


def test_crop_by_spectral_coord_alone(raster_seq):
    """Failed with "Number of world inputs (2) does not match expected (3)"."""
    cube = raster_seq[0]
    wave = cube.axis_world_coords("em.wl")[0]
    lo, hi = (wave[5], None, None), (wave[12], None, None)
    _same(cube.crop(lo, hi), _plain(cube).crop(lo, hi))
    assert cube.crop(lo, hi).shape[-1] == 8


def test_raster_sequence_crop(raster_seq):
    """Failed inside ndcube's NDCubeSequence.crop (a slice(None) start for the unconstrained axes)."""
    wave = raster_seq[0].axis_world_coords("em.wl")[0]
    lo, hi = (wave[3], None, None), (wave[9], None, None)
    out = raster_seq.crop(lo, hi)
    assert len(out.data) == len(raster_seq.data)
    for got, cube in zip(out.data, raster_seq.data, strict=True):
        _same(got, _plain(cube).crop(lo, hi))


def test_crop_by_values_with_no_time(real_sji_1400):
    """Celestial values without a time stand for every exposure (ndcube itself gave NaN pixel indices)."""
    sji = real_sji_1400
    low = sji.wcs.low_level_wcs
    n = sji.shape[0]
    lon0, lat0, _ = low.pixel_to_world_values(5, 5, 0)
    lon1, lat1, _ = low.pixel_to_world_values(20, 20, 0)
    t_first = low.pixel_to_world_values(0, 0, 0)[2]
    t_last = low.pixel_to_world_values(0, 0, n - 1)[2]
    deg, s = u.deg, u.s
    got = sji.crop_by_values((lon0 * deg, lat0 * deg, None), (lon1 * deg, lat1 * deg, None))
    want = _plain(sji).crop_by_values(*[(lo * deg, la * deg, t * s) for lo, la in ((lon0, lat0), (lon1, lat1))
                                         for t in (t_first, t_last)])
    _same(got, want)


def test_crop_by_values_time_only(real_sji_1400):
    """Only a time: the exposures between (ndcube raised IndexError)."""
    sji = real_sji_1400
    times = _plain(sji).axis_world_coords_values("time")[0].to_value(u.s)
    if len(times) < 4:
        pytest.skip("needs at least 4 frames")
    lo, hi = times[1], times[-2]
    got = sji.crop_by_values((None, None, lo * u.s), (None, None, hi * u.s))
    inside = np.flatnonzero((times >= lo) & (times <= hi))
    _same(got, NDCube(np.asarray(sji.data)[inside], wcs=sji.wcs))


def test_sunraster_exposure_time_correction(raster_seq):
    """sunraster's own method raised TypeError; the answer equals sunraster on its documented meta layout."""
    from ndcube import NDMeta
    from sunraster import SpectrogramCube

    cube = raster_seq[0]
    exptime = cube.exposure_times  # from the aux table (checked against astropy in test_read_real)
    ref = SpectrogramCube(np.asarray(cube.data, dtype=float), wcs=cube.wcs, unit=cube.unit,
                          meta=NDMeta({"exposure time": exptime}, axes={"exposure time": 0}))
    want = ref.apply_exposure_time_correction()
    for c in (cube, cube[2:6]):
        got = c.apply_exposure_time_correction()
        assert got.unit == u.DN / u.s
        n = c.shape[0]
        np.testing.assert_allclose(np.asarray(got.data), np.asarray(want.data)[2:6] if n == 4 else np.asarray(want.data))


@pytest.mark.parametrize("which", ["frame", "cube"])
def test_reproject_to_another_shape(real_sji_1400, which):
    """"new_shape not compatible with pre-existing metadata"; the data equal ndcube's on a plain cube."""
    sji = real_sji_1400
    src = sji.frame(0) if which == "frame" else sji[:3]
    target = src[..., 2:22, 3:23].wcs if which == "frame" else src[:, 2:22, 3:23].wcs
    shape = (20, 20) if which == "frame" else (3, 20, 20)
    got = src.reproject_to(target, shape_out=shape)
    want = NDCube(np.asarray(src.data, dtype=float), wcs=src.wcs).reproject_to(target, shape_out=shape)
    np.testing.assert_allclose(np.asarray(got.data), np.asarray(want.data), equal_nan=True)
    assert got.shape == shape


def _roundtrip_combined(cube):
    cw = cube.combined_wcs
    return cw.world_to_pixel(*cw.pixel_to_world(1, 2, 3))


@pytest.mark.xfail(reason="ndcube builds the extra coordinates as gwcs lookup tables; a constant or repeating "
                          "table (exposure time, repeat) has no inverse, and gwcs' numerical inverse then fails: "
                          "sunpy/ndcube#416 (Tabular inverse of multi-valued tables)", strict=True)
def test_combined_wcs_world_to_pixel(raster_seq):
    np.testing.assert_allclose(_roundtrip_combined(raster_seq[0])[:3], (1, 2, 3), atol=1e-6)


@pytest.mark.xfail(reason="the same on a plain NDCube with the same lookup tables: sunpy/ndcube#416", strict=True)
def test_combined_wcs_world_to_pixel_plain_ndcube(raster_seq):
    cube = raster_seq[0]
    plain = NDCube(np.asarray(cube.data), wcs=cube.wcs.low_level_wcs.exposure_wcs(0))
    for name in ("time", "exposure_time", "raster_position", "repeat"):
        v = cube.extra_coord(name)
        plain.extra_coords.add(name, 0, v if hasattr(v, "unit") or hasattr(v, "jd") else v * u.one)
    np.testing.assert_allclose(_roundtrip_combined(plain)[:3], (1, 2, 3), atol=1e-6)
