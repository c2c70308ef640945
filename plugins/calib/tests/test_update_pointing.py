"""``aia-update-pointing`` against aiapy's own ``update_pointing`` given the same table (issue 15), and step order."""

from __future__ import annotations

import copy
import warnings

import astropy.units as u
import numpy as np
import pytest
from astropy.table import QTable
from astropy.time import Time

import irisplug

aiapy_calibrate = pytest.importorskip("aiapy.calibrate")

from importlib.metadata import version as _version  # noqa: E402

#: aiapy 0.11 changed update_pointing's reference pixel from ``CRPIX = X0 + 1`` to ``CRPIX += X0 - X0_MP``
#: (right for any CRVAL and for cut-outs); this step follows the newer rule. Both agree on JSOC level-1
#: headers (CRVAL = 0, CRPIX = X0_MP + 1), so the comparison with aiapy < 0.11 uses those only.
AIAPY_RELATIVE_CRPIX = tuple(int(p) for p in _version("aiapy").split(".")[:2]) >= (0, 11)
sunpy_map = pytest.importorskip("sunpy.map")


@pytest.fixture(scope="module")
def aia_small():
    """sunpy's AIA 171 test map: 128x128 (32x binned), reference pixel at the image centre, CRVAL != 0."""
    import sunpy.data.test

    return sunpy_map.Map(sunpy.data.test.get_test_filepath("aia_171_level1.fits"))


def _full_resolution(small):
    n = 4096 // small.data.shape[0]
    meta = copy.deepcopy(small.meta)
    meta["naxis1"] = meta["naxis2"] = 4096
    meta["cdelt1"], meta["cdelt2"] = meta["cdelt1"] / n, meta["cdelt2"] / n
    meta["crpix1"] = (meta["crpix1"] - 0.5) * n + 0.5
    meta["crpix2"] = (meta["crpix2"] - 0.5) * n + 0.5
    return sunpy_map.Map(np.zeros((4096, 4096), np.float32), meta)


def _jsoc_like(m):
    """The same map with the JSOC level-1 convention: reference pixel at the disk centre X0_MP, CRVAL = 0."""
    n = 4096 // m.data.shape[0]
    meta = copy.deepcopy(m.meta)
    meta["crval1"] = meta["crval2"] = 0.0
    meta["crpix1"] = (meta["x0_mp"] + 0.5) / n - 0.5 + 1
    meta["crpix2"] = (meta["y0_mp"] + 0.5) / n - 0.5 + 1
    return sunpy_map.Map(m.data, meta)


@pytest.fixture(scope="module")
def aia_full(aia_small):
    """The AIA 171 test map's header at the full 4096x4096 resolution (its CRVAL != 0 kept)."""
    return _full_resolution(aia_small)


@pytest.fixture(scope="module", params=["jsoc", "crval"])
def convention(request):
    """Header convention: JSOC level 1 (CRVAL = 0), or sunpy's test file (CRVAL != 0; aiapy >= 0.11 only)."""
    if request.param == "crval" and not AIAPY_RELATIVE_CRPIX:
        pytest.skip(f"aiapy {_version('aiapy')} sets CRPIX = X0 + 1 whatever CRVAL is (changed in aiapy 0.11)")
    return request.param


def _maps(convention, aia_small):
    small = _jsoc_like(aia_small) if convention == "jsoc" else aia_small
    return small, _full_resolution(small)


def _table(when, *, x0=2051.3, y0=2039.8, scale=0.60082, instrot=-0.137):
    t0 = Time(when) - 1 * u.h
    return QTable({
        "T_START": Time([t0 - 3 * u.h, t0, t0 + 3 * u.h]),
        "T_STOP": Time([t0, t0 + 3 * u.h, t0 + 6 * u.h]),
        "A_171_X0": [2040.0, x0, 2060.0] * u.pix,
        "A_171_Y0": [2040.0, y0, 2060.0] * u.pix,
        "A_171_IMSCALE": [0.6, scale, 0.61] * u.arcsec / u.pix,
        "A_171_INSTROT": [0.0, instrot, 0.2] * u.deg,
    })


def test_full_resolution_equals_aiapy(convention, aia_small):
    _, full = _maps(convention, aia_small)
    table = _table(full.reference_date.isot)
    ours = irisplug.calibrate(full, ["aia-update-pointing"], pointing_table=table)
    theirs = aiapy_calibrate.update_pointing(full, pointing_table=table)
    for key in ("crpix1", "crpix2", "cdelt1", "cdelt2", "crota2", "x0_mp", "y0_mp"):
        assert ours.meta[key] == pytest.approx(theirs.meta[key], rel=1e-12, abs=1e-12), key
    np.testing.assert_allclose(ours.rotation_matrix, theirs.rotation_matrix, atol=1e-12)
    pix = np.array([[0, 0], [4095, 4095], [2051.3, 2039.8], [100, 3000]], float)
    a = ours.pixel_to_world(pix[:, 0] * u.pix, pix[:, 1] * u.pix)
    b = theirs.pixel_to_world(pix[:, 0] * u.pix, pix[:, 1] * u.pix)
    assert np.max(a.separation(b).to_value(u.arcsec)) < 1e-6
    assert irisplug.history(ours)[-1]["step"] == "aia-update-pointing"


def test_binned_map_names_the_same_sky_as_aiapy_full_resolution(convention, aia_small):
    """The 128x128 (32x binned) test map: each binned pixel centre is the mean of its 32x32 full pixels."""
    small, full = _maps(convention, aia_small)
    table = _table(full.reference_date.isot)
    theirs = aiapy_calibrate.update_pointing(full, pointing_table=table)
    ours = irisplug.calibrate(small, ["aia-update-pointing"], pointing_table=table)
    n = 32
    for bx, by in ((0, 0), (63.5, 63.5), (127, 5), (40, 90)):
        fx, fy = (bx + 0.5) * n - 0.5, (by + 0.5) * n - 0.5  # the full-resolution position of the binned pixel
        a = ours.pixel_to_world(bx * u.pix, by * u.pix)
        b = theirs.pixel_to_world(fx * u.pix, fy * u.pix)
        assert a.separation(b).to_value(u.arcsec) < 1e-6
    assert ours.meta["x0_mp"] == pytest.approx(2051.3)  # full-resolution CCD pixels, as in binned AIA files


@pytest.mark.parametrize("which", ["full", "binned"])
def test_disk_centre_lands_on_the_tables_pixel(aia_small, which):
    """Independent of aiapy: the table's X0, Y0 is where disk centre (0", 0") falls on the CCD.

    sunpy's test map has CRVAL != 0 (its reference pixel is not the disk centre); the rule
    ``CRPIX = X0 + 1`` of aiapy 0.10 put disk centre 7.6 pixels away from X0 on it.
    """
    from astropy.coordinates import SkyCoord

    m = aia_small if which == "binned" else _full_resolution(aia_small)
    n = 4096 // m.data.shape[0]
    x0, y0 = 2051.3, 2039.8
    out = irisplug.calibrate(m, ["aia-update-pointing"], pointing_table=_table(m.reference_date.isot, x0=x0, y0=y0))
    px, py = out.wcs.world_to_pixel(SkyCoord(0 * u.arcsec, 0 * u.arcsec, frame=out.coordinate_frame))
    # CDELT and CROTA2 change about the reference pixel, 7.6 full pixels from disk centre: < 0.05 px
    assert float(px) == pytest.approx((x0 + 0.5) / n - 0.5, abs=0.05 / n)
    assert float(py) == pytest.approx((y0 + 0.5) / n - 0.5, abs=0.05 / n)


def test_cut_out_gets_the_pointing_of_its_full_disk_map(aia_full):
    """A submap (as aiapy >= 0.11 allows) names the same sky as the updated full map at the same CCD pixels."""
    table = _table(aia_full.reference_date.isot)
    full = irisplug.calibrate(aia_full, ["aia-update-pointing"], pointing_table=table)
    sub = aia_full.submap([1000, 1500] * u.pix, top_right=[1400, 1800] * u.pix)
    ours = irisplug.calibrate(sub, ["aia-update-pointing"], pointing_table=table)
    for x, y in ((0, 0), (200, 150), (399, 299)):
        a = ours.pixel_to_world(x * u.pix, y * u.pix)
        b = full.pixel_to_world((x + 1000) * u.pix, (y + 1500) * u.pix)
        assert a.separation(b).to_value(u.arcsec) < 1e-6
    if AIAPY_RELATIVE_CRPIX:
        theirs = aiapy_calibrate.update_pointing(sub, pointing_table=table)
        for key in ("crpix1", "crpix2", "cdelt1", "crota2"):
            assert ours.meta[key] == pytest.approx(theirs.meta[key], rel=1e-12, abs=1e-12), key


def test_refuses_registered_and_resampled_maps_and_warns_without_x0_mp(aia_full, aia_small):
    table = _table(aia_full.reference_date.isot)
    registered = aia_full._new_instance(aia_full.data, {**aia_full.meta, "lvl_num": 1.5}, plot_settings=aia_full.plot_settings)
    with pytest.raises(irisplug.errors.UnsupportedObjectError, match="before aia-register"):
        irisplug.calibrate(registered, ["aia-update-pointing"], pointing_table=table)
    resampled = aia_small.resample([96, 96] * u.pix)  # 42.67x binned: not a whole binning
    with pytest.raises(irisplug.errors.UnsupportedObjectError, match="not a whole binning"):
        irisplug.calibrate(resampled, ["aia-update-pointing"], pointing_table=table)
    meta = {k: v for k, v in aia_full.meta.items() if k not in ("x0_mp", "y0_mp")}
    bare = sunpy_map.Map(aia_full.data, meta)
    with pytest.warns(UserWarning, match="X0_MP"):
        ours = irisplug.calibrate(bare, ["aia-update-pointing"], pointing_table=table)
    assert ours.meta["crpix1"] == aia_full.meta["crpix1"] and ours.meta["cdelt1"] == pytest.approx(0.60082)


def test_table_from_a_file_and_errors(aia_small, tmp_path):
    from irisplug_calib.pointing import PointingTableError

    table = _table(aia_small.reference_date.isot)
    path = tmp_path / "mpt.ecsv"
    table.write(path)
    a = irisplug.calibrate(aia_small, ["aia-update-pointing"], pointing_table=str(path))
    b = irisplug.calibrate(aia_small, ["aia-update-pointing"], pointing_table=table)
    assert a.meta["crpix1"] == b.meta["crpix1"] and a.meta["crota2"] == b.meta["crota2"]
    with pytest.raises(PointingTableError, match="no pointing table row covers"):
        irisplug.calibrate(aia_small, ["aia-update-pointing"], pointing_table=_table("2012-01-01T00:00"))
    with pytest.raises(PointingTableError, match="A_171_X0"):
        irisplug.calibrate(aia_small, ["aia-update-pointing"], pointing_table=table[["T_START", "T_STOP"]])


def test_missing_table_value_keeps_the_keyword_like_aiapy(aia_full):
    table = _table(aia_full.reference_date.isot, instrot=np.nan)
    with pytest.warns(UserWarning, match="crota2"):
        ours = irisplug.calibrate(aia_full, ["aia-update-pointing"], pointing_table=table)
    with pytest.warns(UserWarning):
        theirs = aiapy_calibrate.update_pointing(aia_full, pointing_table=table)
    assert ours.meta["crota2"] == theirs.meta["crota2"] == aia_full.meta["crota2"]


@pytest.mark.parametrize(
    ("requested", "applied"),
    [
        (["exposure-norm", "aia-register"], ["aia-register", "exposure-norm"]),
        (["aia-register", "aia-update-pointing"], ["aia-update-pointing", "aia-register"]),
        (["exposure-norm", "aia-register", "aia-update-pointing"], ["aia-update-pointing", "aia-register", "exposure-norm"]),
        (["flat", "dark"], ["dark", "flat"]),
        (["exposure-norm", "flat"], ["flat", "exposure-norm"]),
        (["iris-radiometric", "exposure-norm"], ["exposure-norm", "iris-radiometric"]),
    ],
)
def test_declared_order_follows_aiapy_and_warns_when_it_changes_the_users(requested, applied):
    """aiapy's documented order: update_pointing, register, (degradation), then divide by the exposure time."""
    with pytest.warns(irisplug.errors.IrisplugWarning, match="reordered"):
        plan = irisplug.plan_calibration(requested)
    assert [d.name for d in plan] == applied
    with warnings.catch_warnings():
        warnings.simplefilter("error", irisplug.errors.IrisplugWarning)
        assert [d.name for d in irisplug.plan_calibration(applied)] == applied


def test_exposure_norm_after_register_gives_aiapys_result(aia_small):
    """The reordered run equals aiapy's register followed by division by the exposure time."""
    with pytest.warns(irisplug.errors.IrisplugWarning, match="reordered"):
        ours = irisplug.calibrate(aia_small, ["exposure-norm", "aia-register"])
    ref = aiapy_calibrate.register(aia_small)
    ref = ref / ref.exposure_time
    ok = np.isfinite(ref.data) & np.isfinite(ours.data)
    scale = float(np.nanmax(np.abs(ref.data)))
    assert np.max(np.abs(ours.data[ok] - ref.data[ok])) < 1e-4 * scale
    assert [r["step"] for r in irisplug.history(ours)][-2:] == ["aia-register", "exposure-norm"]
