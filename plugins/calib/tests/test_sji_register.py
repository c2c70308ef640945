"""Per-frame registration of a real IRIS slit-jaw cube, checked through astropy WCS and scipy."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import scipy.ndimage as ndi
from astropy.wcs import WCS

import irisplug
from irisplug_calib.sji import frame_headers, register_frames

irispy = pytest.importorskip("irispy")


def _wcs(hdr):
    keys = ("NAXIS1", "NAXIS2", "CTYPE1", "CTYPE2", "CUNIT1", "CUNIT2", "CRPIX1", "CRPIX2", "CRVAL1", "CRVAL2",
            "CDELT1", "CDELT2", "PC1_1", "PC1_2", "PC2_1", "PC2_2")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return WCS({"NAXIS": 2, **{k: hdr[k] for k in keys if k in hdr}})


def test_sji_frames_registered_north_up():
    from irisplug_iris.irispy_files import require_files

    # a real SJI 1400 cube of >= 6 frames >= 100 x 100 pixels, mostly filled (located by content:
    # irispy-lmsal 0.5 has one; 0.9's only large SJI 1400 file has 2 frames, 45 % missing)
    path = require_files(kind="sji", band="1400", min_frames=6, min_frame_size=100, max_missing=0.2)[0]
    obs = irisplug.read(path)
    sji = obs["SJI_1400"][:6]
    out = irisplug.calibrate(sji, ["sji-register"])
    h_in, h_out = frame_headers(sji), frame_headers(out)
    assert [r["step"] for r in irisplug.history(out)] == ["sji-register"]
    for i in (0, 5):
        assert h_out[i]["PC1_2"] == 0.0 and h_out[i]["PC1_1"] == 1.0
        assert h_out[i]["CRVAL1"] == h_in[i]["CRVAL1"]  # each frame keeps its own pointing
        w_in, w_out = _wcs(h_in[i]), _wcs(h_out[i])
        yy, xx = np.mgrid[10:90:7, 10:90:7]
        lon, lat = w_out.wcs_pix2world(xx.ravel(), yy.ravel(), 0)
        x_in, y_in = w_in.wcs_world2pix(lon, lat, 0)
        frame = np.asarray(sji.data[i], dtype=float)
        ok = np.isfinite(frame).all()
        ref = ndi.map_coordinates(np.nan_to_num(frame), [y_in, x_in], order=3, mode="constant", cval=np.nan)
        got = out.data[i][yy.ravel(), xx.ravel()]
        good = np.isfinite(ref) & np.isfinite(got)
        assert good.sum() > 50
        rng = np.nanmax(frame) - np.nanmin(frame)
        if ok:
            assert np.abs(got[good] - ref[good]).max() / rng < 1e-6
    assert np.asarray(sji.data).shape[0] == 6  # input untouched


def test_register_frames_rotation_about_reference_pixel():
    img = np.zeros((1, 21, 21))
    img[0, 10, 15] = 1.0  # 5 px right of the reference pixel (10, 10)
    c, s = np.cos(np.pi / 2), np.sin(np.pi / 2)
    out, ref = register_frames(img, np.array([[[c, -s], [s, c]]]), np.array([[10.0, 10.0]]), np.ones(1), missing=0.0)
    peak = np.unravel_index(np.argmax(out[0]), out[0].shape)
    assert ref == ((out.shape[2] - 1) / 2, (out.shape[1] - 1) / 2)
    # rotating the frame by +90 degrees puts the point 5 px above the centre
    assert peak == (round(ref[1] + 5), round(ref[0]))
