"""The sji-raster position model (offset_positions) against exact WCS transforms, and what it leaves unchanged.

References: astropy's ``world_to_pixel_values`` of a real IRIS slit-jaw frame's
FITS WCS (read with astropy from the irispy-lmsal test file), sunpy Maps of
the frames, and the co-alignment run with exact transforms at every trial
offset (the sampling before the model existed).
"""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

import irisplug
from irisplug_coalign import images, sji_raster
from irisplug_coalign.offset_positions import OffsetPositions

#: offsets (arcsec) inside the default +-5 arcsec search box: nodes, edges, corners and points between
OFFSETS = [(0.0, 0.0), (5.0, -5.0), (-5.0, 0.0), (1.2, -0.8), (-4.9, 4.2), (3.3, -4.4), (0.01, 2.5), (-2.5, -2.5)]


@pytest.fixture(scope="module")
def sji_wcs(sji_file):
    """The celestial FITS WCS of frame 10 of a real SJI 1400 file and that frame's shape (astropy only)."""
    from astropy.io import fits
    from astropy.wcs import WCS

    with fits.open(sji_file) as hdul:
        header = hdul[0].header
        w = WCS(header).celestial
        return w, hdul[0].data.shape[1:]


def _points(w, shape, n=400, seed=0):
    """World points (arcsec) spread over the frame."""
    rng = np.random.default_rng(seed)
    x, y = rng.uniform(0, shape[1] - 1, n), rng.uniform(0, shape[0] - 1, n)
    lon, lat = w.wcs_pix2world(x, y, 0)
    return lon * 3600, lat * 3600


def test_model_matches_exact_transforms_on_a_real_sji_wcs(sji_wcs):
    w, shape = sji_wcs
    lon, lat = _points(w, shape)
    pos = OffsetPositions(w, lon, lat, half_width=5.0)
    worst = worst_affine = 0.0
    h = 1e-3  # a first-order model (centre + Jacobian) for comparison
    jx = (w.world_to_pixel_values((lon + h) / 3600, lat / 3600)[0] - w.world_to_pixel_values((lon - h) / 3600, lat / 3600)[0]) / (2 * h)
    jy = (w.world_to_pixel_values(lon / 3600, (lat + h) / 3600)[0] - w.world_to_pixel_values(lon / 3600, (lat - h) / 3600)[0]) / (2 * h)
    x0, _ = w.world_to_pixel_values(lon / 3600, lat / 3600)
    for d in OFFSETS:
        ex, ey = w.world_to_pixel_values((lon + d[0]) / 3600, (lat + d[1]) / 3600)
        x, y = pos(d)
        worst = max(worst, float(np.max(np.hypot(x - ex, y - ey))))
        worst_affine = max(worst_affine, float(np.max(np.abs(x0 + jx * d[0] + jy * d[1] - ex))))
    # third order in the offset: ~1e-8 px (the exact transforms themselves scatter by ~1e-9 px)
    assert worst < 3e-8
    # the reason for the quadratic model: a first-order one is off by ~1e-6 px over +-5 arcsec (off disk centre)
    assert worst_affine > 100 * worst


def test_offsets_outside_the_box_and_subsets_are_exact(sji_wcs):
    w, shape = sji_wcs
    lon, lat = _points(w, shape, n=50)
    pos = OffsetPositions(w, lon, lat, half_width=2.0)
    ex, ey = w.world_to_pixel_values((lon + 3.0) / 3600, (lat - 0.5) / 3600)
    x, y = pos((3.0, -0.5))
    assert np.array_equal(x, ex) and np.array_equal(y, ey)
    idx = np.array([3, 7, 40])
    sx, sy = pos((1.5, -0.5), idx)
    fx, fy = pos((1.5, -0.5))
    np.testing.assert_allclose(sx, fx[idx], rtol=0, atol=1e-12)
    np.testing.assert_allclose(sy, fy[idx], rtol=0, atol=1e-12)
    ex, ey = w.world_to_pixel_values((lon[idx] + 1.5) / 3600, (lat[idx] - 0.5) / 3600)
    np.testing.assert_allclose(sx, ex, rtol=0, atol=3e-8)
    np.testing.assert_allclose(sy, ey, rtol=0, atol=3e-8)
    nowhere = OffsetPositions(w, lon, lat, half_width=0.0)  # no box: every offset exact
    ex, ey = w.world_to_pixel_values((lon + 0.3) / 3600, (lat + 0.2) / 3600)
    assert np.array_equal(nowhere((0.3, 0.2))[0], ex)


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    out = tmp_path_factory.mktemp("gen")
    irisplug.fetch("iris-synthetic", out, n_steps=32, step_size=0.35, n_rasters=1, sji=("SJI_1400",),
                   windows=("Si IV 1403",), sji_pointing_error=(1.2, -0.8), quiet=True)
    return irisplug.read(out)


def _offset(obs):
    out = irisplug.coalign(obs["Si IV 1403"][0], obs["SJI_1400"], method="sji-raster", quiet=True)
    return np.array(out.meta["irisplug_coalign"]["offset_arcsec"]), out.meta["irisplug_coalign"]["peak"]


def test_model_leaves_the_optimum_where_exact_transforms_put_it(generated, monkeypatch):
    got, peak = _offset(generated)
    monkeypatch.setattr(OffsetPositions, "__call__", OffsetPositions.exact)  # every trial offset transformed exactly
    ref, ref_peak = _offset(generated)
    # Nelder-Mead stops at xatol = 1e-3 arcsec; the model changes the correlation by ~1e-12, so the
    # optimum agrees far below that
    np.testing.assert_allclose(got, ref, rtol=0, atol=1e-6)
    assert peak == pytest.approx(ref_peak, abs=1e-9)


def test_later_ranks_give_the_same_samples(generated, monkeypatch):
    """Pixels filled rank by rank (exact transforms) beyond the first rank: the same optimum as all ranks at once."""
    got, peak = _offset(generated)
    monkeypatch.setattr(sji_raster, "_FIRST_RANKS", 1)
    ref, ref_peak = _offset(generated)
    np.testing.assert_allclose(got, ref, rtol=0, atol=1e-6)
    assert peak == pytest.approx(ref_peak, abs=1e-9)
    monkeypatch.setattr(sji_raster, "_MAX_MODELLED", 1)  # the memory bound: one rank modelled
    ref, _ = _offset(generated)
    np.testing.assert_allclose(got, ref, rtol=0, atol=1e-6)


def test_frame_pixels_match_the_sunpy_map_of_the_frame(generated):
    sji = generated["SJI_1400"]
    for k in (0, sji.data.shape[0] - 1):
        data, wcs = images.frame_pixels(sji, k)
        m = images.frame_map(sji, k)
        np.testing.assert_array_equal(data, np.asarray(m.data, float))
        lon, lat = _points(m.wcs, data.shape, n=100, seed=k)
        ex, ey = m.wcs.world_to_pixel_values(lon / 3600, lat / 3600)
        x, y = OffsetPositions(wcs, lon, lat, 0.0).exact((0.0, 0.0))
        np.testing.assert_allclose(x, ex, rtol=0, atol=1e-8)
        np.testing.assert_allclose(y, ey, rtol=0, atol=1e-8)
        assert sji_raster._pixel_scale(wcs, data.shape) == pytest.approx(m.scale.axis1.to_value("arcsec/pix"), rel=1e-7)


def test_sji_raster_does_not_import_sunpy_map(tmp_path):
    """sunpy.map (~1.5 s to import, with scipy.signal and scipy.stats) is not needed to co-align a raster."""
    code = (
        "import sys, irisplug\n"
        f"irisplug.fetch('iris-synthetic', {str(tmp_path)!r}, n_steps=8, n_rasters=1, sji=('SJI_1400',), "
        "windows=('Si IV 1403',), quiet=True)\n"
        f"obs = irisplug.read({str(tmp_path)!r})\n"
        "irisplug.coalign(obs['Si IV 1403'][0], obs['SJI_1400'], method='sji-raster', quiet=True, min_confidence=0)\n"
        "print('sunpy.map' in sys.modules)\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert proc.stdout.strip().splitlines()[-1] == "False"
