"""Co-aligned IRIS cubes carry new per-exposure pointing (a PerExposureWCS) and can be saved.

References, independent of the new code path:

* the world coordinates the old code gave: ``FrameOffsetWCS(input WCS,
  recorded per-frame shifts)``, i.e. ``old(p - s_f)``, evaluated here with
  the input cube's own (reader-built) WCS;
* after writing and reading back: the co-aligned cube in memory, and its data.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import irisplug
from irisplug.model import PerExposureWCS, unwrap_wcs
from irisplug_coalign.wcs_correction import FrameOffsetWCS

ARCSEC = 3600.0


@pytest.fixture(scope="module")
def obs():
    f = pytest.importorskip("irisplug_iris.irispy_files")
    # the 8-step raster's own SJI 1400 (irispy-lmsal 0.5; 0.9 has none) and its first raster file
    files = f.require_files(obsid=f.RASTER_OBSID, band="1400") + f.require_files(obsid=f.RASTER_OBSID, kind="raster")[:1]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return irisplug.read(files)


@pytest.fixture(scope="module")
def jittered(obs):
    cube = obs["SJI_1400"][:8]
    return cube, irisplug.coalign(cube, None, method="jitter", quiet=True)


@pytest.fixture(scope="module")
def referenced(obs):
    """Frames 10..29 against frame 18 moved by (1.25", -0.8"); linear drift gives every frame its own shift.

    (Frames 20 and 21 of this file are null frames, values -212..-190 DN: not a reference.)
    """
    import sunpy.map

    sji = obs["SJI_1400"]
    ref = sji.frame(18).to_map()
    meta = ref.meta.copy()
    meta["crval1"] += 1.25
    meta["crval2"] -= 0.8
    cube = sji[10:30]
    out = irisplug.coalign(cube, sunpy.map.Map(ref.data, meta), frames=[0, 8, 19], drift="linear", quiet=True)
    return cube, out


@pytest.fixture(scope="module")
def raster_matched(obs):
    raster = obs["Si IV 1403"][0]
    return raster, irisplug.coalign(raster, obs["SJI_1400"], method="sji-raster", quiet=True)


def _sji_points(cube, f):
    """Frame ``f``'s centre and four corners as (x, y, frame) pixel arrays."""
    ny, nx = cube.data.shape[1:]
    x = np.array([(nx - 1) / 2, 0, nx - 1, 0, nx - 1], float)
    y = np.array([(ny - 1) / 2, 0, 0, ny - 1, ny - 1], float)
    return x, y, np.full(5, float(f))


def _raster_points(cube, step):
    """Raster step ``step``: the slit centre and ends, at the first and last wavelength pixel (wave, y, step)."""
    _, ny, nw = cube.data.shape
    w = np.array([0, 0, 0, nw - 1, nw - 1, nw - 1], float)
    y = np.array([(ny - 1) / 2, 0, ny - 1, (ny - 1) / 2, 0, ny - 1], float)
    return w, y, np.full(6, float(step))


def _max_celestial_difference_arcsec(a, b, lon_lat):
    out = 0.0
    for k in lon_lat:
        d = (np.asarray(a[k]) - np.asarray(b[k]) + 180.0) % 360.0 - 180.0
        out = max(out, float(np.max(np.abs(d))) * ARCSEC)
    return out


def _assert_matches_frame_offsets(cube, out, per_frame, points, axes, lon_lat):
    base, _ = unwrap_wcs(out.wcs)
    assert isinstance(base, PerExposureWCS), type(base)
    xa, ya, fa = axes
    old = FrameOffsetWCS(cube.wcs, dy=per_frame[:, 0], dx=per_frame[:, 1], x_axis=xa, y_axis=ya, frame_axis=fa)
    worst = 0.0
    for f in range(cube.data.shape[0]):
        pix = points(cube, f)
        expected = old.pixel_to_world_values(*pix)
        got = out.wcs.low_level_wcs.pixel_to_world_values(*pix)
        worst = max(worst, _max_celestial_difference_arcsec(expected, got, lon_lat))
        # and the shift really moved something (not comparing two unchanged WCSs)
        unchanged = cube.wcs.low_level_wcs.pixel_to_world_values(*pix)
        if np.abs(per_frame[f]).max() > 0.01:  # (the reference frame of jitter has ~1e-12)
            assert _max_celestial_difference_arcsec(unchanged, got, lon_lat) > 1e-3
    assert worst < 1e-3, worst
    return worst


def test_jitter_pointing_equals_frame_offsets(jittered):
    cube, out = jittered
    per_frame = np.asarray(out.meta["irisplug_coalign"]["per_frame"])
    assert np.abs(per_frame).max() > 0.5  # the test data do jitter
    _assert_matches_frame_offsets(cube, out, per_frame, _sji_points, (0, 1, 2), (0, 1))
    assert out.data.shape == cube.data.shape  # slicing of the input kept


def test_reference_alignment_pointing_equals_frame_offsets(referenced):
    cube, out = referenced
    per_frame = np.asarray(out.meta["irisplug_coalign"]["per_frame"])
    assert len(np.unique(per_frame[:, 1])) == cube.data.shape[0]  # one shift per frame
    _assert_matches_frame_offsets(cube, out, per_frame, _sji_points, (0, 1, 2), (0, 1))


def test_sji_raster_pointing_equals_frame_offsets(raster_matched):
    raster, out = raster_matched
    dy, dx = out.meta["irisplug_coalign"]["shift_pixels"]
    # a step shift beyond half a step would make the old wrapper use the neighbouring
    # exposure's pointing (the new rule keeps each exposure's own); not the case here
    assert abs(dx) < 0.5
    per_frame = np.tile([dy, dx], (raster.data.shape[0], 1))
    # raster pixel axes (wave, slit y, step); world (wave, lat, lon, time)
    _assert_matches_frame_offsets(raster, out, per_frame, _raster_points, (2, 1, 2), (1, 2))


def test_exposures_outside_the_slice_keep_their_pointing(obs, referenced):
    sji = obs["SJI_1400"]
    _, out = referenced
    new_base, slices = unwrap_wcs(out.wcs)
    old_base, _ = unwrap_wcs(sji.wcs)
    assert (slices[2].start, slices[2].stop) == (10, 30)
    new, old = new_base.to_dict(), old_base.to_dict()
    kept = [i for i in range(old_base.n_exposures) if not 10 <= i < 30]
    np.testing.assert_array_equal(np.array(new["crval_lon"])[kept], np.array(old["crval_lon"])[kept])
    assert not np.allclose(np.array(new["crval_lon"])[10:30], np.array(old["crval_lon"])[10:30])
    assert new["times"] == old["times"] and new["pc"] == old["pc"] and new["header"] == old["header"]


def _grid(cube, n=5):
    """Pixel grid (WCS order) over the whole cube: ``n`` points per axis (every frame)."""
    shape = cube.data.shape[::-1]
    axes = [np.linspace(0, s - 1, min(n, s)) if i < len(shape) - 1 else np.arange(s, dtype=float) for i, s in enumerate(shape)]
    return [g.ravel() for g in np.meshgrid(*axes, indexing="ij")]


def _only_cube(obj):
    from irisplug.testing import iter_cubes

    cubes = list(iter_cubes(obj))
    assert len(cubes) == 1, cubes
    return cubes[0]


@pytest.mark.parametrize("ext", [".fits", ".asdf"])
@pytest.mark.parametrize("case", ["jittered", "referenced", "raster_matched"])
def test_coaligned_cube_round_trips(case, ext, request, tmp_path):
    _, out = request.getfixturevalue(case)
    path = tmp_path / f"aligned{ext}"
    irisplug.write(out, path)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        back = _only_cube(irisplug.read(path))
    assert type(back) is type(out)
    np.testing.assert_array_equal(np.asarray(back.data), np.asarray(out.data))
    pix = _grid(out)
    a = out.wcs.low_level_wcs.pixel_to_world_values(*pix)
    b = back.wcs.low_level_wcs.pixel_to_world_values(*pix)
    for k, (va, vb) in enumerate(zip(a, b, strict=True)):
        np.testing.assert_allclose(vb, va, rtol=0, atol=1e-9, err_msg=f"world axis {k}")
    assert back.meta["irisplug_coalign"]["shift_pixels"] == pytest.approx(out.meta["irisplug_coalign"]["shift_pixels"])


def _fits_wcs_cube(obs, n=6):
    """Frames of the real SJI cube under a plain FITS WCS (one pointing, a time axis)."""
    import ndcube
    from astropy.wcs import WCS

    sji = obs["SJI_1400"]
    ref = sji.frame(0).to_map()
    w = WCS(naxis=3)
    w.wcs.ctype = ["HPLN-TAN", "HPLT-TAN", "TIME"]
    w.wcs.cunit = ["arcsec", "arcsec", "s"]
    w.wcs.cdelt = [ref.scale.axis1.to_value("arcsec/pix"), ref.scale.axis2.to_value("arcsec/pix"), 10.0]
    w.wcs.crpix = [ref.reference_pixel.x.to_value("pix") + 1, ref.reference_pixel.y.to_value("pix") + 1, 1]
    w.wcs.crval = [ref.reference_coordinate.Tx.to_value("arcsec"), ref.reference_coordinate.Ty.to_value("arcsec"), 0.0]
    w.wcs.dateobs = ref.date.isot
    w.wcs.set()
    data = np.nan_to_num(np.asarray(sji.data[:n], float), nan=0.0)
    return ndcube.NDCube(data, wcs=w, meta={"DATE-OBS": ref.date.isot})


def test_plain_fits_wcs_cube_keeps_frame_offsets(obs):
    cube = _fits_wcs_cube(obs)
    out = irisplug.coalign(cube, None, method="jitter", quiet=True)
    low = out.wcs.low_level_wcs
    assert isinstance(low, FrameOffsetWCS)
    per_frame = np.asarray(out.meta["irisplug_coalign"]["per_frame"])
    np.testing.assert_allclose(low.shifts, per_frame)
    # the old rule: new(p) = old(p - s_f), with astropy's WCS as the reference
    x, y, f = _sji_points(cube, 3)
    got = low.pixel_to_world_values(x, y, f)
    want = cube.wcs.low_level_wcs.pixel_to_world_values(x - per_frame[3, 1], y - per_frame[3, 0], f)
    np.testing.assert_allclose(np.array(got), np.array(want), rtol=0, atol=1e-12)


def test_with_pointing_against_astropy(obs):
    """New pointing at the reference pixel of each exposure; the rest of the exposure's FITS WCS unchanged."""
    base, _ = unwrap_wcs(obs["SJI_1400"].wcs)
    d = base.to_dict()
    lon = np.array(d["crval_lon"]) + np.linspace(-3, 3, base.n_exposures)
    lat = np.array(d["crval_lat"]) + 0.5
    new = base.with_pointing(lon, lat)
    for i in (0, base.n_exposures // 2, base.n_exposures - 1):
        w_old, w_new = base.exposure_wcs(i), new.exposure_wcs(i)
        np.testing.assert_allclose(w_new.wcs.crval * ARCSEC, [lon[i], lat[i]], rtol=0, atol=1e-9)
        np.testing.assert_array_equal(w_new.wcs.get_pc(), w_old.wcs.get_pc())
        np.testing.assert_array_equal(w_new.wcs.crpix, w_old.wcs.crpix)
    assert d["crval_lon"] == base.to_dict()["crval_lon"]  # the original is not changed
    with pytest.raises(ValueError, match="one value per exposure"):
        base.with_pointing(lon[:-1], lat[:-1])


def test_second_jitter_pass_finds_no_residual(jittered):
    """The new pointing already explains the jitter: measured again, the residual is (nearly) zero."""
    _, out = jittered
    again = irisplug.coalign(out, None, method="jitter", quiet=True)
    assert np.abs(np.asarray(again.meta["irisplug_coalign"]["per_frame"])).max() < 1e-3  # pixels
    assert isinstance(unwrap_wcs(again.wcs)[0], PerExposureWCS)
