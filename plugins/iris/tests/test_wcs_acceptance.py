"""World coordinates against independent astropy.wcs.WCS objects, per exposure, on the real files.

For raster step i the reference is the window HDU's own header with that
exposure's aux pointing substituted (CRVAL3 = XCENIX[i], CRVAL2 = YCENIX[i],
PCi_j = PCi_jIX[i]) and evaluated at the reference pixel along the step
axis (where XCENIX is the slit position); for SJI frame k the SJI header
with CRVAL1/2 = XCENIX/YCENIX[k] and PC = PCi_jIX[k]. Times are
STARTOBS + TIME + exposure/2 with the detector's own exposure column.
"""

from __future__ import annotations

import warnings

import astropy.units as u
import numpy as np
import pytest
from astropy.io import fits
from astropy.time import Time
from astropy.wcs import WCS

from irisplug_iris.irispy_files import SNS_OBSID, find_files

ARCSEC = 1 / 3600

RASTER_PC = ("PC1_1", "PC1_2", "PC2_1", "PC2_2", "PC3_1", "PC3_2", "PC3_3", "PC2_3")


def _header_wcs(header, lon_key):
    """astropy's WCS of the HDU header, parsed once (pointing substituted per exposure below)."""
    h = header.copy()
    if h.get("CDELT3") == 0 and lon_key == "CRVAL3":
        # sit-and-stare: wcslib refuses a zero step; we evaluate at CRPIX3 where CDELT3 has no effect
        h["CDELT3"] = 1.0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return WCS(h)


def _ref_wcs(base, aux, aux_hdr, row, lon_key, lat_key, pcs):
    """``base`` with exposure ``row``'s XCENIX / YCENIX / PCi_jIX substituted."""
    w = base.deepcopy()
    crval = w.wcs.crval.copy()
    for key, col in ((lon_key, "XCENIX"), (lat_key, "YCENIX")):
        i = int(key[-1]) - 1
        crval[i] = (aux[row, aux_hdr[col]] * u.arcsec).to_value(w.wcs.cunit[i])  # astropy holds deg
    w.wcs.crval = crval
    pc = w.wcs.get_pc().copy()
    for key in pcs:
        i, j = int(key[2]) - 1, int(key[4]) - 1
        pc[i, j] = aux[row, aux_hdr[key + "IX"]]
    w.wcs.pc = pc
    w.wcs.set()
    return w


def _check_raster_file(path, obs, file_index, windows=None):
    with fits.open(path) as hdul:
        primary = hdul[0].header
        aux, aux_hdr = hdul[-2].data, hdul[-2].header
        start = Time(primary["STARTOBS"], scale="utc")
        n_checked = 0
        for w in windows or range(1, primary["NWIN"] + 1):
            label = primary[f"TDESC{w}"]
            cube = obs[label][file_index]
            header = hdul[w].header
            n_l, n_y, n_s = header["NAXIS1"], header["NAXIS2"], header["NAXIS3"]
            lam, yy = np.meshgrid(np.arange(n_l), np.arange(n_y), indexing="ij")
            exp_col = "EXPTIMEN" if primary[f"TDET{w}"].startswith("NUV") else "EXPTIMEF"
            base = _header_wcs(header, "CRVAL3")
            for i in range(n_s):
                ref = _ref_wcs(base, aux, aux_hdr, i, "CRVAL3", "CRVAL2", RASTER_PC)
                wl_ref, lat_ref, lon_ref = ref.pixel_to_world_values(lam, yy, np.full(lam.shape, header["CRPIX3"] - 1.0))
                wl, lat, lon, t = cube.wcs.low_level_wcs.pixel_to_world_values(lam, yy, np.full(lam.shape, float(i)))
                assert np.abs(lon - lon_ref).max() < 0.01 * ARCSEC, (label, i)
                assert np.abs(lat - lat_ref).max() < 0.01 * ARCSEC, (label, i)
                np.testing.assert_array_equal(wl, wl_ref)
                assert np.abs(t - (aux[i, aux_hdr["TIME"]] + aux[i, aux_hdr[exp_col]] / 2)).max() < 1e-3
                n_checked += 1
            if n_checked == n_s:  # the high-level Time object, once per file (slow: builds coordinates)
                t_ref = start + (aux[-1, aux_hdr["TIME"]] + aux[-1, aux_hdr[exp_col]] / 2) * u.s
                t_obj = cube.wcs.pixel_to_world(0, 0, n_s - 1)[-1]
                assert isinstance(t_obj, Time) and abs((t_obj - t_ref).to_value(u.s)) < 1e-3
    return n_checked


def test_every_raster_step_of_all_13_files(obs_raster, raster_files):
    files = raster_files
    assert len(files) == 13
    n = sum(_check_raster_file(p, obs_raster, k) for k, p in enumerate(files))
    assert n == 13 * 9 * 8


def test_sit_and_stare_every_step(obs_sns, sns_files):
    (path,) = find_files(obsid=SNS_OBSID, kind="raster")
    # every step of one FUV and one NUV window (all windows share the pointing)
    assert _check_raster_file(path, obs_sns, 0, windows=(2, 8)) == 2 * 187


def _check_sji(path, cube):
    with fits.open(path) as hdul:
        header = hdul[0].header
        aux, aux_hdr = hdul[1].data, hdul[1].header
        n = header["NAXIS3"]
        rows = np.arange(n) if aux.shape[0] == n else np.rint(np.arange(n) * (aux.shape[0] - 1) / (n - 1)).astype(int)
        Time(header["STARTOBS"], scale="utc")
        xx, yy = np.meshgrid(np.arange(header["NAXIS1"]), np.arange(header["NAXIS2"]), indexing="ij")
        checked = 0
        base = _header_wcs(header, "CRVAL1")
        for k, row in enumerate(rows):
            t_ref = aux[row, aux_hdr["TIME"]] + aux[row, aux_hdr["EXPTIMES"]] / 2
            t_obj = cube.wcs.low_level_wcs.pixel_to_world_values(0, 0, k)[-1]
            assert abs(t_obj - t_ref) < 1e-3
            assert cube.wcs.low_level_wcs._reference_time == header["STARTOBS"]
            if aux[row, aux_hdr["XCENIX"]] == 0:
                continue  # no pointing recorded: the reader interpolates it (checked below)
            ref = _ref_wcs(base, aux, aux_hdr, row, "CRVAL1", "CRVAL2", ("PC1_1", "PC1_2", "PC2_1", "PC2_2"))
            lon_ref, lat_ref, _ = ref.pixel_to_world_values(xx, yy, np.full(xx.shape, float(k)))
            lon, lat, _ = cube.wcs.low_level_wcs.pixel_to_world_values(xx, yy, np.full(xx.shape, float(k)))
            assert np.abs(lon - lon_ref).max() < 0.01 * ARCSEC
            assert np.abs(lat - lat_ref).max() < 0.01 * ARCSEC
            checked += 1
        return checked


def test_every_sji_frame(obs_raster, obs_sns, raster_sji_files, sns_files):
    total = 0
    for obs, files in ((obs_raster, raster_sji_files), (obs_sns, find_files(obsid=SNS_OBSID, kind="sji"))):
        labels = [lab for lab in obs if lab.startswith("SJI")]
        assert len(labels) == len(files)
        for path in files:
            label = fits.getheader(path)["TDESC1"] + ("_deconvolved" if "deconvolved" in path.name else "")
            total += _check_sji(path, obs[label])
    assert total > 150


def test_zero_pointing_rows_interpolated(obs_raster, needs_raster_sji):
    cube = obs_raster["SJI_1400"]
    lon = cube.wcs.low_level_wcs._crval_lon
    assert np.all(lon > 400)  # no zero pointing left


@pytest.mark.parametrize("label", ["Si IV 1403", "SJI_1400"])
def test_round_trip(obs_raster, obs_sns, label):
    rng = np.random.default_rng(1)
    observations = [obs for obs in (obs_raster, obs_sns) if label in obs]  # irispy-lmsal 0.9: no SJI with the raster
    assert observations
    for obs in observations:
        obj = obs[label]
        cube = obj if label.startswith("SJI") else obj[0]
        shape = cube.data.shape
        pix = [rng.uniform(0, s - 1, 200) for s in shape[::-1]]
        world = cube.wcs.low_level_wcs.pixel_to_world_values(*pix)
        back = cube.wcs.low_level_wcs.world_to_pixel_values(*world)
        for a, b in zip(pix, back, strict=True):
            assert np.abs(a - b).max() < 1e-6
        hl = cube.wcs.world_to_pixel(*cube.wcs.pixel_to_world(*pix))
        for a, b in zip(pix, hl, strict=True):
            assert np.abs(a - b).max() < 1e-6


def test_crop_with_skycoord_spectralcoord_time(obs_raster):
    from astropy.coordinates import SkyCoord, SpectralCoord

    cube = obs_raster["Si IV 1403"][3]
    world_lo = cube.wcs.pixel_to_world(5, 20, 2)
    world_hi = cube.wcs.pixel_to_world(15, 60, 5)
    spec = SpectralCoord([world_lo[0].to(u.AA).value, world_hi[0].to(u.AA).value] * u.AA)
    assert isinstance(world_lo[1], SkyCoord)
    cropped = cube.crop((spec[0], world_lo[1], world_lo[2]), (spec[1], world_hi[1], world_hi[2]))
    assert cropped.data.shape[0] == 4 and cropped.data.shape[2] == 11
    assert 38 <= cropped.data.shape[1] <= 44
    # the crop starts at step 2 and wavelength pixel 5: same world coordinates there
    first = cropped.wcs.low_level_wcs.pixel_to_world_values(0, 0, 0)
    y0 = float(cube.wcs.low_level_wcs.world_to_pixel_values(*first)[1])
    assert abs(y0 - round(y0)) < 1e-6
    np.testing.assert_allclose(np.array(first, dtype=float), np.array(cube.wcs.low_level_wcs.pixel_to_world_values(5, round(y0), 2), dtype=float), rtol=0, atol=1e-12)


def test_slicing_keeps_world_coordinates(obs_raster):
    cube = obs_raster["Mg II k 2796"][7]
    sub = cube[2:6, 10:50, 5:40]
    full = cube.wcs.low_level_wcs.pixel_to_world_values(7, 12, 3)
    part = sub.wcs.low_level_wcs.pixel_to_world_values(2, 2, 1)
    np.testing.assert_allclose(np.array(full, dtype=float), np.array(part, dtype=float), rtol=0, atol=1e-12)
    step = cube[4]
    assert step.wcs.pixel_n_dim == 2
    np.testing.assert_allclose(
        np.array(step.wcs.low_level_wcs.pixel_to_world_values(3, 8), dtype=float)[:3],
        np.array(cube.wcs.low_level_wcs.pixel_to_world_values(3, 8, 4), dtype=float)[:3],
    )


def test_crop_with_missing_coordinates(obs_raster, obs_sns):
    cube = obs_raster["Si IV 1403"][3]
    lo, hi = cube.wcs.pixel_to_world(5, 20, 2), cube.wcs.pixel_to_world(15, 60, 5)
    assert cube.crop((None, lo[1], None), (None, hi[1], None)).data.shape == (4, 41, 29)
    assert cube.crop((lo[0], lo[1], None), (hi[0], hi[1], None)).data.shape == (4, 41, 11)
    sns = obs_sns["Si IV 1403"][0]
    lo, hi = sns.wcs.pixel_to_world(5, 10, 2), sns.wcs.pixel_to_world(15, 30, 50)
    assert sns.crop((None, None, lo[2]), (None, None, hi[2])).data.shape == (49, 40, 29)
    # the bounding box over every exposure: the pointing drifts (rotation tracking), so a bit more than 21 rows
    assert 21 <= sns.crop((None, lo[1], None), (None, hi[1], None)).data.shape[1] <= 25
