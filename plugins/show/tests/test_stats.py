"""SHOW statistics and the end-to-end calibration (calib plugin's steps), against numpy and the generator's truth."""

from __future__ import annotations

import shutil

import h5py
import numpy as np
import pytest

import irisplug
from irisplug.errors import InconsistentInputError
from irisplug_show.reader import list_groups
from irisplug_show.stats import dark_current, image_statistics
from irisplug_show.workflow import calibrate_show, classify_groups

_have = irisplug.get_plugin_manager().contributions("calibrator")
pytestmark = pytest.mark.skipif(not {"dark", "flat"} <= set(_have),
                                reason="the calib plugin's 'dark' and 'flat' steps are not installed")


@pytest.fixture(scope="module")
def coll(show_file):
    return irisplug.read(show_file[0])


@pytest.fixture(scope="module")
def kinds(coll):
    return {k: v[0] for k, v in classify_groups(coll).items()}


@pytest.fixture(scope="module")
def darks(coll, kinds):
    return dark_current(coll[kinds["dark"]])


def test_statistics_match_numpy(coll, kinds):
    cube = coll[kinds["science"]]
    x = np.asarray(cube.data, dtype=float)
    s = image_statistics(cube)
    np.testing.assert_allclose(np.asarray(s.mean), x.mean(axis=0), rtol=1e-12)
    np.testing.assert_allclose(np.asarray(s.std), x.std(axis=0), rtol=1e-9, atol=1e-9)
    np.testing.assert_allclose(np.asarray(s.error), x.std(axis=0) / np.sqrt(len(x) - 1), rtol=1e-9, atol=1e-9)
    np.testing.assert_array_equal(np.asarray(s.median), np.median(x, axis=(1, 2)))
    with pytest.raises(InconsistentInputError, match="exposure times"):
        image_statistics(coll[kinds["dark"]])


def test_saturated_pixels_excluded(show_file, tmp_path):
    path = tmp_path / "sat.nc"
    shutil.copyfile(show_file[0], path)
    group = classify_groups(list_groups(path))["science"][0]
    with h5py.File(path, "a") as f:
        f[group]["image"][2, 5, 7] = 16383
        clean = f[group]["image"][:, 5, 7].astype(float)
    cube = irisplug.read(path, groups=[group])
    assert bool(np.asarray(cube.mask)[2, 5, 7])  # the reader masks saturation
    s = image_statistics(cube)
    assert float(np.asarray(s.mean)[5, 7]) == pytest.approx(np.delete(clean, 2).mean())


def test_darks_recover_truth_within_noise(darks, show_file):
    _, truth = show_file
    assert darks.exposure_times() == [0.1, 0.3]
    for t in darks.exposure_times():
        d = darks.find(t)
        mean, err, std = (np.asarray(v) for v in (d.mean, d.error, d.std))
        z = (mean - truth.dark(t)) / err
        assert 0.6 < np.mean(z**2) < 1.6, np.mean(z**2)  # chi^2 per pixel ~ 1 (12 frames)
        assert abs(np.mean(z)) < 0.1
        # noise model of the generator: read noise 150 e- and dark shot noise, 39.6 e-/DN, rounding
        expected_sigma = np.sqrt((150 / 39.6) ** 2 + truth.dark_rate * t / 39.6 + 1 / 12)
        assert np.median(std / expected_sigma) == pytest.approx(1, abs=0.08)


def test_end_to_end_with_calib_steps(coll, show_file):
    _, truth = show_file
    result = calibrate_show(coll)
    # flat: arm A + arm B illumination is uniform, so the flat is the true one, normalised
    expected_flat = truth.flat / np.percentile(truth.flat, 98)
    good = truth.flat > 0.2 * np.percentile(truth.flat, 98)
    flat = np.asarray(result.flat.flat)
    assert np.array_equal(np.isnan(flat), ~good)  # the planted dead pixels, and only them
    assert np.nanmedian(np.abs(flat / expected_flat - 1)) < 0.005
    # corrected science = scene * t * p98(flat), within the noise
    (name,) = result.corrected
    cube = result.corrected[name]
    assert [h["step"] for h in irisplug.history(cube)] == ["dark", "flat"]
    t = 0.3
    expected = truth.scene * t * np.percentile(truth.flat, 98)
    data = np.asarray(cube.data)
    ratio = data[:, good].mean(axis=0) / expected[good]
    assert np.median(ratio) == pytest.approx(1, abs=0.003)
    # per-pixel residual consistent with shot + read noise of the science frames and the darks
    raw_sigma = np.sqrt(((truth.scene * truth.flat + truth.dark_rate) * t * 39.6 + 150**2) / 39.6**2)
    sigma_mean = raw_sigma[good] / np.sqrt(data.shape[0]) / flat[good]
    z = (data[:, good].mean(axis=0) - expected[good]) / sigma_mean
    assert np.std(z) < 1.5 and abs(np.median(z)) < 0.3
    assert np.asarray(cube.mask)[:, ~good].all()
