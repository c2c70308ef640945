"""After coalign a world coordinate names the same (planted) solar feature; plugins and records."""

from __future__ import annotations

import astropy.units as u
import numpy as np
import pytest
import scipy.ndimage as ndi

import irisplug
from irisplug.descriptors import CoalignerDescriptor
from irisplug.testing import check_plugin


def _blob(shape, y, x, amp, sigma=1.5):
    yy, xx = np.indices(shape)
    return amp * np.exp(-((yy - y) ** 2 + (xx - x) ** 2) / (2 * sigma**2))


def _centroid(img, y, x, r=4):
    sub = img[int(y) - r : int(y) + r + 1, int(x) - r : int(x) + r + 1]
    yy, xx = np.indices(sub.shape)
    w = np.clip(sub - np.median(sub), 0, None)
    return int(y) - r + (w * yy).sum() / w.sum(), int(x) - r + (w * xx).sum() / w.sum()


@pytest.fixture(scope="module")
def planted(aia_map):
    """Reference: the AIA map with a blob at a known world point; target: mis-pointed by (dy, dx)."""
    import sunpy.map

    data = np.asarray(aia_map.data, float)
    by, bx = 40.3, 85.6
    ref = sunpy.map.Map(data + _blob(data.shape, by, bx, 5 * data.max()), aia_map.meta)
    world = ref.wcs.pixel_to_world(bx, by)
    shift = (6.4, -11.3)
    tgt = sunpy.map.Map(ndi.shift(ref.data, shift, order=3, mode="nearest"), aia_map.meta)
    return ref, tgt, world, shift


def test_planted_feature_same_world_after_coalign(planted):
    ref, tgt, world, shift = planted
    out = irisplug.coalign(tgt, ref)  # dispatch picks "fft"
    cy, cx = _centroid(np.asarray(tgt.data), 40.3 + shift[0], 85.6 + shift[1])  # feature found in the target data
    got = out.wcs.pixel_to_world(cx, cy)
    before = tgt.wcs.pixel_to_world(cx, cy)
    scale = ref.scale.axis1.to_value(u.arcsec / u.pix)
    assert before.separation(world).to_value(u.arcsec) > 5 * scale  # mis-pointed before
    assert got.separation(world).to_value(u.arcsec) < 0.1 * scale
    rec = out.meta["irisplug_coalign"]
    assert np.allclose(rec["shift_pixels"], shift, atol=0.05)
    assert irisplug.history(out)[-1]["step"] == "coalign"
    assert "irisplug_coalign" not in tgt.meta  # input untouched


def test_ncc_method_and_ndcube_target(planted):
    import ndcube

    ref, tgt, world, shift = planted
    cube = ndcube.NDCube(np.asarray(tgt.data), wcs=tgt.wcs, meta={"DATE-OBS": tgt.date.isot})
    out = irisplug.coalign(cube, ref, method="ncc")
    assert np.allclose(out.meta["irisplug_coalign"]["shift_pixels"], shift, atol=0.05)
    got = out.wcs.pixel_to_world(85.6 + shift[1], 40.3 + shift[0])
    assert got.separation(world).to_value(u.arcsec) < 0.1 * ref.scale.axis1.to_value(u.arcsec / u.pix)


def test_rotation_written_into_wcs(aia_map):
    import sunpy.map

    from irisplug_coalign.rotation import warp

    data = np.asarray(aia_map.data, float)
    tgt = sunpy.map.Map(warp(data, 0.8, 1.0, (2.0, -3.0), cval=0.0), aia_map.meta)
    out = irisplug.coalign(tgt, aia_map, rotation=True)
    assert abs(out.meta["irisplug_coalign"]["rotation_deg"] - 0.8) < 0.05
    # a reference pixel, moved by the known transform, names the same world point
    c = (np.array(data.shape) - 1) / 2
    from irisplug_coalign.rotation import rotation_matrix

    r = np.array([30.0, 90.0])
    q = rotation_matrix(0.8) @ (r - c) + c + np.array([2.0, -3.0])
    w_ref = aia_map.wcs.pixel_to_world(r[1], r[0])
    w_out = out.wcs.pixel_to_world(q[1], q[0])
    assert w_out.separation(w_ref).to_value(u.arcsec) < 0.05 * aia_map.scale.axis1.to_value(u.arcsec / u.pix)


def test_jitter_corrected_in_coordinates(sji_frame):
    import ndcube
    from astropy.wcs import WCS

    shifts = np.array([[0.0, 0.0], [0.7, -1.2], [-2.3, 0.4], [3.1, 2.6]])
    data = np.stack([ndi.shift(sji_frame, s, order=3, mode="nearest") for s in shifts])
    w = WCS(naxis=3)
    w.wcs.ctype = ["HPLN-TAN", "HPLT-TAN", "TIME"]
    w.wcs.cunit = ["arcsec", "arcsec", "s"]
    w.wcs.cdelt = [0.1663, 0.1663, 10.0]
    w.wcs.crpix = [55, 55, 1]
    w.wcs.crval = [490.0, 280.0, 0.0]
    w.wcs.dateobs = "2014-03-29T14:09:38"
    w.wcs.set()
    cube = ndcube.NDCube(data, wcs=w)
    out = irisplug.coalign(cube, 0, method="jitter")
    assert np.allclose(out.meta["irisplug_coalign"]["per_frame"], shifts, atol=0.05)
    # the same feature (reference-frame pixel (40, 60)) has the same world coordinate in every frame
    lon0, lat0, _ = out.wcs.low_level_wcs.pixel_to_world_values(60.0, 40.0, 0.0)
    for i, (dy, dx) in enumerate(shifts):
        lon, lat, _ = out.wcs.low_level_wcs.pixel_to_world_values(60.0 + dx, 40.0 + dy, float(i))
        assert abs(lon - lon0) * 3600 < 0.05 * 0.1663 and abs(lat - lat0) * 3600 < 0.05 * 0.1663
    # and the high-level API round-trips
    sky = out.wcs.pixel_to_world(60.0 + shifts[2, 1], 40.0 + shifts[2, 0], 2.0)
    px = out.wcs.world_to_pixel(*sky)
    assert np.allclose([float(px[0]), float(px[1])], [60.0 + shifts[2, 1], 40.0 + shifts[2, 0]], atol=1e-6)


def test_plugin_valid_and_third_party_method(planted, irisplug_manager):
    import irisplug_coalign.plugin as plugin

    assert check_plugin(plugin, "coalign").status == "active"
    ref, tgt, _, shift = planted

    class MyMethod:
        """A third party's coaligner: integer-pixel peak of the FFT surface, via the public helpers."""

        @irisplug.hookimpl
        def irisplug_coaligners(self):
            from irisplug_coalign.align import coalign
            from irisplug_coalign.phase_correlation import estimate_shift

            def integer(reference, moving, **kw):
                return estimate_shift(reference, moving, upsample=1, iterations=1)

            return [CoalignerDescriptor(name="integer-fft", coalign=lambda t, r, **kw: coalign(t, r, method=integer, **kw))]

    pm = irisplug.get_plugin_manager()  # the fresh manager of this test (fixture)
    assert pm is irisplug_manager
    pm.register(MyMethod(), name="my-coalign")
    assert {"fft", "ncc", "jitter", "sji-raster", "integer-fft"} <= set(pm.contributions("coaligner"))
    out = irisplug.coalign(tgt, ref, method="integer-fft")
    assert out.meta["irisplug_coalign"]["shift_pixels"] == [round(shift[0]), round(shift[1])]


def test_reference_at_another_time_is_rotated_to_target_time(aia_map):
    """Reference 10 h later than the target: the planted feature is matched where solar
    rotation puts it at the target time (sunpy's surface propagation as the independent model)."""
    import sunpy.map
    from astropy.time import TimeDelta
    from sunpy.coordinates import propagate_with_solar_surface

    data = np.asarray(aia_map.data, float)
    by, bx = 60.0, 55.0  # on the disk, near centre
    ref_meta = aia_map.meta.copy()
    later = (aia_map.date + TimeDelta(10 * 3600, format="sec")).isot
    for key in ("date-obs", "date_obs", "t_obs", "date-avg", "date-beg", "date-end"):
        if key in ref_meta:
            ref_meta[key] = later
    reference = sunpy.map.Map(data + _blob(data.shape, by, bx, 5 * data.max()), ref_meta)
    feature_ref = reference.wcs.pixel_to_world(bx, by)
    truth = sunpy.map.Map(data, aia_map.meta)  # the target's true grid and time
    with propagate_with_solar_surface():
        scene = reference.reproject_to(truth.wcs)
        feature_t = feature_ref.transform_to(truth.coordinate_frame)
    scene = np.nan_to_num(np.asarray(scene.data), nan=0.0)
    shift = (3.6, -5.2)
    target = sunpy.map.Map(ndi.shift(scene, shift, order=3, mode="nearest"), aia_map.meta)
    out = irisplug.coalign(target, reference)
    assert np.allclose(out.meta["irisplug_coalign"]["shift_pixels"], shift, atol=0.1)
    px, py = truth.wcs.world_to_pixel(feature_t)
    cy, cx = _centroid(np.asarray(target.data), float(py) + shift[0], float(px) + shift[1])
    scale = aia_map.scale.axis1.to_value(u.arcsec / u.pix)
    assert feature_t.separation(feature_ref).to_value(u.arcsec) > 3 * scale  # rotation matters here
    assert out.wcs.pixel_to_world(cx, cy).separation(feature_t).to_value(u.arcsec) < 0.15 * scale


def test_bad_inputs_raise_specific_errors(aia_map):
    import ndcube
    from astropy.wcs import WCS

    with pytest.raises(irisplug.UnsupportedObjectError):
        irisplug.coalign(np.zeros((4, 4)), aia_map, method="fft")
    w = WCS(naxis=2)
    w.wcs.ctype = ["HPLN-TAN", "HPLT-TAN"]
    with pytest.raises(irisplug.UnsupportedObjectError, match="DATE-OBS"):
        irisplug.coalign(ndcube.NDCube(np.zeros((8, 8)), wcs=w), aia_map, method="fft")


def test_jitter_masks_a_moving_slit(sji_frame):
    """A dark slit that moves between frames (a rastering SJI) would pull the correlation;
    with its columns given as the extra coordinate "slit_x" it is masked out."""
    import ndcube
    from astropy.wcs import WCS

    shifts = np.array([[0.0, 0.0], [0.6, -0.9], [-1.4, 1.1]])
    slit = np.array([40.0, 52.0, 64.0])  # 0-based columns of the dark slit
    frames = []
    for s, x in zip(shifts, slit, strict=True):
        f = ndi.shift(sji_frame, s, order=3, mode="nearest")
        f[:, int(x) - 1 : int(x) + 2] = 0.0
        frames.append(f)
    w = WCS(naxis=3)
    w.wcs.ctype = ["HPLN-TAN", "HPLT-TAN", "TIME"]
    w.wcs.cdelt = [1.0, 1.0, 10.0]
    w.wcs.set()
    cube = ndcube.NDCube(np.stack(frames), wcs=w)
    cube.extra_coords.add("slit_x", 0, (slit + 1.0) * u.pix)  # 1-based like SLTPX1IX
    from irisplug_coalign.jitter import measure_jitter

    got = measure_jitter(cube, reference_frame=0, quiet=True)
    assert np.allclose(got, shifts, atol=0.05), got
