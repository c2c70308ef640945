"""``keep_null=False`` drops null SJI frames as IRIS writes them (issue 15).

A frame that was not taken has EXPTIMES = 0 in the auxiliary table and pixel
values scattered around the missing value (-212 to -190 DN), not exactly
-200, so a test on the missing value alone keeps it. The files here are a
real IRIS SJI file (irispy-lmsal's test data) and a generated one, each with
one frame turned into such a null frame; the expected frames come from the
file itself through astropy.
"""

from __future__ import annotations

import shutil
import warnings

import numpy as np
import pytest
from astropy.io import fits

import irisplug


def _make_null_frame(path, frame, seed=0):
    """Turn ``frame`` into a null frame as IRIS writes them: EXPTIMES = 0, values in -212..-190."""
    rng = np.random.default_rng(seed)
    with fits.open(path, mode="update", do_not_scale_image_data=True) as h:
        data = h[0].data  # stored values: physical = BZERO + BSCALE * stored
        zero, scale = float(h[0].header.get("BZERO", 0.0)), float(h[0].header.get("BSCALE", 1.0))
        values = -200.0 + rng.integers(-12, 11, size=data[frame].shape)
        stored = (values - zero) / scale
        if np.issubdtype(data.dtype, np.integer):  # scaled int16: -200 DN is the int16 minimum, nothing below
            info = np.iinfo(data.dtype)
            stored = np.clip(np.rint(stored), info.min, info.max)
        data[frame] = stored
        aux = h[1].data
        aux[frame, int(h[1].header["EXPTIMES"])] = 0.0


def _expected_frames(path):
    # astropy's view of the file: frames with a positive exposure time and not entirely the missing value
    with fits.open(path) as h:
        data = h[0].data.astype(float)
        exptimes = h[1].data[: data.shape[0], int(h[1].header["EXPTIMES"])]
    all_missing = (data == -200).reshape(data.shape[0], -1).all(axis=1)
    return np.flatnonzero((exptimes > 0) & ~all_missing), data


def _sji_of(obs):
    return next(obs[k] for k in obs.keys() if str(k).startswith("SJI"))


def _check(path, frame):
    expected, data = _expected_frames(path)
    assert frame not in expected and frame - 1 in expected
    assert -212 <= data[frame].min() and data[frame].max() <= -190 and not (data[frame] == -200).all()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        kept = _sji_of(irisplug.read(path, keep_null=False))
        full = _sji_of(irisplug.read(path, keep_null=True))
    assert full.data.shape[0] == data.shape[0]
    assert kept.data.shape[0] == expected.size
    np.testing.assert_array_equal(np.asarray(kept.data, float), data[expected])


def _rows_match_frames(path):
    with fits.open(path) as h:
        return h[1].header["NAXIS2"] == h[0].header["NAXIS3"] and h[0].header["NAXIS3"] > 4


def test_real_sji_file_null_frame_dropped(raster_sji_files, tmp_path):
    # a real file whose aux table has one row per frame (the down-sampled test files mostly do not)
    src = next((p for p in raster_sji_files if _rows_match_frames(p)), None)
    if src is None:
        pytest.skip("no real SJI test file with one aux row per frame")
    path = tmp_path / src.name
    shutil.copy(src, path)
    _make_null_frame(path, 3)
    _check(path, 3)


def test_real_null_frames_of_the_test_data_are_dropped(raster_sji_files):
    """The irispy-lmsal SJI files hold real null frames (no value above -150 DN): none is kept."""
    found = 0
    for path in raster_sji_files:
        with fits.open(path) as h:
            data = h[0].data.astype(float)
        flat = data.reshape(data.shape[0], -1)
        null = flat.max(axis=1) < -150  # no pixel above the missing level: nothing was exposed
        if not null.any():
            continue
        found += 1
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            kept = _sji_of(irisplug.read(path, keep_null=False))
        np.testing.assert_array_equal(np.asarray(kept.data, float), data[~null])
    if not found:
        pytest.skip("no real null frame in this irispy-lmsal release's SJI test files")


def test_generated_sji_file_null_frame_dropped(tmp_path):
    from irisplug_iris.generator import generate

    files = generate(tmp_path / "gen", n_rasters=1, n_steps=8, n_y=16, missing=False, quiet=True)
    path = next(p for p in files if "SJI" in p.name)
    _make_null_frame(path, 1)
    _check(path, 1)


def test_null_by_exposure_time_on_a_plain_ndcube():
    """The core rule on a plain NDCube: exposure time 0 or every pixel missing."""
    import astropy.units as u
    import ndcube
    from astropy.wcs import WCS

    from irisplug.model import attach_exposure_coords
    from irisplug.model.operations import null_exposures

    data = np.ones((4, 3, 3))
    mask = np.zeros(data.shape, bool)
    mask[2] = True
    meta = attach_exposure_coords({}, {"exposure_time": [8.0, 0.0, 8.0, 8.0] * u.s})
    cube = ndcube.NDCube(data, wcs=WCS(naxis=3), mask=mask, meta=meta)
    assert null_exposures(cube).tolist() == [False, True, True, False]


@pytest.fixture(scope="module")
def raster_sji_files():
    pytest.importorskip("irispy", reason="irispy-lmsal provides the real IRIS L2 test files")
    from irisplug_iris.irispy_files import require_files

    return require_files(kind="sji")  # found by content: the names differ between irispy-lmsal releases
