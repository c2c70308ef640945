"""SHOW statistics, master darks and flat against numpy and against the generator's known truth."""

from __future__ import annotations

import shutil

import h5py
import numpy as np
import pytest
from irisplug_show.reader import list_groups
from irisplug_show.stats import dark_current, exposure_us, flat_field, image_statistics
from irisplug_show.workflow import calibrate_show, classify_groups

import irisplug
from irisplug.errors import CalibrationError


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
    np.testing.assert_allclose(s.average, x.mean(axis=0), rtol=1e-12)
    np.testing.assert_allclose(s.stddev, x.std(axis=0), rtol=1e-9, atol=1e-9)
    np.testing.assert_allclose(s.error, x.std(axis=0) / np.sqrt(len(x) - 1), rtol=1e-9, atol=1e-9)
    np.testing.assert_array_equal(s.median, np.median(x, axis=(1, 2)))
    assert s.n_frames == len(x)


def test_saturated_pixels_excluded(show_file, tmp_path):
    path = tmp_path / "sat.nc"
    shutil.copyfile(show_file[0], path)
    group = classify_groups(list_groups(path))["science"][0]
    with h5py.File(path, "a") as f:
        f[group]["image"][2, 5, 7] = 16383
        clean = f[group]["image"][:, 5, 7].astype(float)
    s = image_statistics(irisplug.read(path, groups=[group]))
    assert s.average[5, 7] == pytest.approx(np.delete(clean, 2).mean())


def test_darks_recover_truth_within_noise(darks, show_file):
    _, truth = show_file
    assert sorted(darks) == [100_000, 300_000]
    for key, s in darks.items():
        z = (s.average - truth.dark(key / 1e6)) / s.error
        assert 0.6 < np.mean(z**2) < 1.6, np.mean(z**2)  # chi^2 per pixel ~ 1 (n=12 frames)
        assert abs(np.mean(z)) < 0.1
        # noise model: read noise 150 e- and shot noise of the dark current, at 39.6 e-/DN
        expected_sigma = np.sqrt((150 / 39.6) ** 2 + truth.dark_rate * key / 1e6 / 39.6 + 1 / 12)
        assert np.median(s.stddev / expected_sigma) == pytest.approx(1, abs=0.08)


def test_flat_recovers_truth(coll, kinds, darks, show_file):
    _, truth = show_file
    flat = flat_field(coll[kinds["flat_a"]], coll[kinds["flat_b"]], darks)
    expected = truth.flat / np.percentile(truth.flat, 98)  # arm A + arm B illumination is uniform
    good = truth.flat > 0.2 * np.percentile(truth.flat, 98)
    assert np.array_equal(np.isnan(flat), ~good)
    assert np.nanmedian(np.abs(flat / expected - 1)) < 0.005


def test_missing_dark_exposure_raises(coll, kinds, darks):
    only_short = {100_000: darks[100_000]}
    with pytest.raises(CalibrationError, match="300 ms"):
        image_statistics(coll[kinds["science"]], darks=only_short)


def test_local_workflow_recovers_scene(coll, show_file):
    _, truth = show_file
    result = calibrate_show(coll, engine="local")
    (name,) = result.corrected
    cube = result.corrected[name]
    t = exposure_us(cube)[0] / 1e6
    expected = truth.scene * t * np.percentile(truth.flat, 98)
    data = np.asarray(cube.data)
    good = ~np.isnan(result.flat)
    ratio = data[:, good].mean(axis=0) / expected[good]
    assert np.nanmedian(ratio) == pytest.approx(1, abs=0.003)
    assert np.asarray(cube.mask).sum() == np.isnan(result.flat).sum() * cube.data.shape[0]
