"""SHOW-style dark and flat calibration on generated level-0 stacks with a known truth."""

from __future__ import annotations

import warnings

import astropy.units as u
import astropy.wcs
import ndcube
import numpy as np
import pytest

import irisplug
from irisplug.errors import CalibrationError, InconsistentInputError
from irisplug_calib._common import CalibrationWarning
from irisplug_calib.dark import master_darks
from irisplug_calib.flat import make_flat

GAIN_E_PER_DN = 39.6  # SHOW ER-2 2023 electrons per DN (show-lib specification)
READ_DN = 150.0 / GAIN_E_PER_DN  # 150 e- read noise
SHAPE = (40, 32)


class Truth:
    def __init__(self, seed=0):
        rng = np.random.default_rng(seed)
        y, x = np.mgrid[: SHAPE[0], : SHAPE[1]]
        self.rng = rng
        self.offset = 200.0 + 10 * np.sin(x / 5.0)  # DN
        self.rate = 400.0 + 50 * np.cos(y / 7.0)  # DN/s
        self.flat = 0.7 + 0.3 * np.exp(-((x - 16) ** 2 + (y - 20) ** 2) / 300.0) + 0.05 * rng.normal(size=SHAPE)
        self.flat[3, 4] = 0.05  # a dead pixel: must be masked by the 0.2 threshold
        self.scene = 2000.0 + 1500.0 * np.sin(x / 3.0) ** 2  # DN/s at flat 1

    def dark(self, t):
        return self.offset + self.rate * t

    def frames(self, signal, t, n):
        """n frames of ``signal`` (DN, above dark) + dark, Poisson in electrons plus read noise."""
        mean_e = np.clip(signal, 0, None) * GAIN_E_PER_DN
        sig = self.rng.poisson(mean_e, size=(n, *SHAPE)) / GAIN_E_PER_DN
        return np.round(sig + self.dark(t) + self.rng.normal(0, READ_DN, size=(n, *SHAPE)))


def _cube(data, times, **meta):
    return ndcube.NDCube(data, wcs=astropy.wcs.WCS(naxis=3), unit=u.DN, meta={"exposure_time": times * u.s, **meta})


@pytest.fixture(scope="module")
def show():
    tr = Truth()
    darks = np.concatenate([tr.frames(np.zeros(SHAPE), t, 25) for t in (0.1, 0.3)])
    dark_t = np.repeat([0.1, 0.3], 25)
    darks[3, 10, 10] = 16383  # one saturated pixel in one dark frame
    mod = 0.5 * np.cos(np.arange(SHAPE[1]) / 2.0)
    white = 3e4 * tr.flat * 0.3
    arm_a = tr.frames(white * (1 + mod), 0.3, 30)
    arm_b = tr.frames(white * (1 - mod), 0.3, 30)
    return tr, darks, dark_t, arm_a, arm_b


def _recovery(tr, ds, ff, t_sci, n=8):
    raw = tr.frames(tr.scene * tr.flat * t_sci, t_sci, n)
    signal = np.clip(raw - tr.dark(t_sci), 0, None)
    sigma_in = np.sqrt(READ_DN**2 + signal / GAIN_E_PER_DN)
    from astropy.nddata import StdDevUncertainty

    cube = ndcube.NDCube(raw, wcs=astropy.wcs.WCS(naxis=3), unit=u.DN, uncertainty=StdDevUncertainty(sigma_in),
                         meta={"exposure_time": np.full(n, t_sci) * u.s})
    out = irisplug.calibrate(cube, ["flat", "dark", "exposure-norm"], dark={"darks": ds}, flat={"flat": ff})
    good = ~np.asarray(out.mask)
    white_sum = 2 * 3e4 * 0.3  # arm A + arm B white-light DN per unit flat
    f_norm = tr.flat * white_sum / ff.normalisation  # the true flat in the flat's normalisation
    truth = np.broadcast_to(tr.scene / (white_sum / ff.normalisation), raw.shape)  # scene * p98, per second
    expected = np.sqrt(READ_DN**2 + tr.scene * tr.flat * t_sci / GAIN_E_PER_DN) / f_norm / t_sci
    z_true = ((out.data - truth) / expected)[good]
    z_pipe = ((out.data - truth) / out.uncertainty.array)[good]
    return out, cube, z_true, z_pipe


def test_show_recovery_within_noise(show):
    tr, darks, dark_t, arm_a, arm_b = show
    ds = master_darks(darks, exposure_times=dark_t)
    assert ds.exposure_times() == [0.1, 0.3]
    d = ds.find(0.3)
    assert d.count[10, 10] == 25 and ds.find(0.1).count[10, 10] == 24  # saturated pixel excluded
    assert np.abs(d.mean - tr.dark(0.3)).max() < 5 * READ_DN / np.sqrt(25)
    assert d.median.shape == (25,)
    ff = make_flat(arm_a, arm_b, darks=ds, exposure_times=0.3)
    assert ff.mask[3, 4] and ff.mask.sum() == 1
    out, cube, z_true, z_pipe = _recovery(tr, ds, ff, 0.3)
    # residuals against the truth, in units of the noise model and of the propagated uncertainty
    assert abs(z_true.mean()) < 0.05, z_true.mean()
    assert 0.9 < z_true.std() < 1.2, z_true.std()
    assert abs(z_pipe.mean()) < 0.05, z_pipe.mean()
    assert 0.85 < z_pipe.std() < 1.15, z_pipe.std()
    assert out.unit == u.DN / u.s
    assert [r["step"] for r in irisplug.history(out)] == ["dark", "flat", "exposure-norm"]
    assert irisplug.history(out)[0]["inputs"]["darks"][0]["method"] == "same exposure time"
    assert irisplug.history(cube) == []  # input untouched


def test_linear_fallback_warns_and_recovers(show):
    tr, darks, dark_t, arm_a, arm_b = show
    ds = master_darks(darks, exposure_times=dark_t)
    ff = make_flat(arm_a, arm_b, darks=ds, exposure_times=0.3)
    with pytest.warns(CalibrationWarning, match="linear fit"):
        out, _, _, z_pipe = _recovery(tr, ds, ff, 0.2)
    assert abs(z_pipe.mean()) < 0.08 and 0.8 < z_pipe.std() < 1.2
    assert irisplug.history(out)[0]["inputs"]["darks"][0]["method"] == "linear fit"


def test_gain_states_are_matched():
    rng = np.random.default_rng(1)
    frames = np.concatenate([np.full((3, 4, 4), 100.0), np.full((3, 4, 4), 300.0)]) + rng.normal(0, 0.1, (6, 4, 4))
    ds = master_darks(frames, exposure_times=0.5, gain=[True] * 3 + [False] * 3)
    sci = _cube(np.full((2, 4, 4), 1000.0), np.array([0.5, 0.5]), high_gain=np.array([False, True]))
    out = irisplug.calibrate(sci, ["dark"], darks=ds)
    assert np.allclose(out.data[0], 700.0, atol=1) and np.allclose(out.data[1], 900.0, atol=1)
    with pytest.raises(InconsistentInputError, match="gain"):
        ds.find(0.5)


def test_dask_input_stays_lazy():
    da = pytest.importorskip("dask.array")
    ds = master_darks(np.full((4, 6, 6), 10.0), exposure_times=1.0)
    data = np.arange(2 * 36, dtype=float).reshape(2, 6, 6)
    lazy = _cube(da.from_array(data, chunks=(1, 6, 6)), np.array([1.0, 1.0]))
    out = irisplug.calibrate(lazy, ["dark", "bad-pixel", "exposure-norm"], darks=ds, pixels=[(0, 0)])
    assert type(out.data).__module__.startswith("dask")
    assert np.allclose(np.asarray(out.data), data - 10.0)
    assert bool(np.asarray(out.mask)[:, 0, 0].all()) and int(np.asarray(out.mask).sum()) == 2


def test_bad_input_raises_specific_errors(show):
    _, darks, _, arm_a, arm_b = show
    sat = np.full((3, *SHAPE), 16383.0)
    with pytest.raises(CalibrationError, match=r"no usable dark frame for exposure time 0.1 s"):
        master_darks(sat, exposure_times=0.1, exclude_saturated="frames")
    ds = master_darks(darks[:25], exposure_times=0.1)
    with pytest.raises(CalibrationError, match=r"no dark for exposure time 0.3 s.*darks exist for \[0.1\]"):
        irisplug.calibrate(_cube(arm_a[:2], np.array([0.3, 0.3])), ["dark"], darks=ds, fallback="error")
    with pytest.raises(CalibrationError, match="at least two exposure times"), warnings.catch_warnings():
        warnings.simplefilter("ignore", CalibrationWarning)
        irisplug.calibrate(_cube(arm_a[:2], np.array([0.3, 0.3])), ["dark"], darks=ds)
    with pytest.raises(InconsistentInputError, match="does not match"):
        irisplug.calibrate(_cube(np.zeros((2, 5, 5)), np.array([0.1, 0.1])), ["dark"], darks=ds)
    with pytest.raises(InconsistentInputError, match="does not match"):
        make_flat(arm_a, arm_b[:, :10])
    with pytest.raises(CalibrationError, match="no valid pixel"):
        make_flat(np.zeros((2, *SHAPE)))
    with pytest.raises(CalibrationError, match="no valid pixel"):
        make_flat(np.full((2, *SHAPE), np.nan))
    with pytest.raises(CalibrationError, match="exposure times"):
        master_darks(darks)


def test_master_darks_from_dask_equal_numpy():
    da = pytest.importorskip("dask.array")
    x = np.random.default_rng(0).normal(100, 2, (6, 8, 8))
    x[0, 0, 0] = 16383
    lazy = master_darks(da.from_array(x, chunks=(2, 8, 8)), exposure_times=[1, 1, 1, 2, 2, 2]).find(1)
    eager = master_darks(x, exposure_times=[1, 1, 1, 2, 2, 2]).find(1)
    assert type(lazy.mean).__module__.startswith("dask")
    for a in ("mean", "std", "error", "median", "count"):
        np.testing.assert_allclose(np.asarray(getattr(lazy, a)), getattr(eager, a))
    assert eager.count[0, 0] == 2
    # the SHOW statistics by hand (independent numpy): n-form std, error = std / sqrt(n - 1)
    f = x[:3, 1, 1]
    assert eager.std[1, 1] == pytest.approx(np.std(f)) and eager.error[1, 1] == pytest.approx(np.std(f) / np.sqrt(2))


def test_bad_pixel_list_rectangle_image():
    from irisplug_calib.correct import bad_pixel_mask

    cube = _cube(np.ones((2, 6, 5)), np.array([1.0, 1.0]))
    img = np.zeros((6, 5), bool)
    img[5, 4] = True
    out = irisplug.calibrate(cube, ["bad-pixel"], pixels=[(1, 1)], rectangles=[(2, 3, 1, 2)], image=img,
                             one_based=True, fill=np.nan)
    expected = np.zeros((6, 5), bool)
    expected[0, 0] = expected[5, 4] = True
    expected[0:2, 1:3] = True
    assert np.array_equal(np.asarray(out.mask)[0], expected) and np.array_equal(np.asarray(out.mask)[1], expected)
    assert np.isnan(out.data[0, 0, 0]) and cube.mask is None
    with pytest.raises(InconsistentInputError, match="outside"):
        bad_pixel_mask((6, 5), pixels=[(9, 1)])
    with pytest.raises(InconsistentInputError, match="does not match"):
        bad_pixel_mask((6, 5), image=np.zeros((3, 3)))


def test_persisted_darks_read_the_stack_once():
    """DarkSet.persist computes lazy darks in one pass; later uses do not re-read the dark frames."""
    import dask.array as da

    reads = []

    def load(block, block_info=None):
        reads.append(block_info[0]["chunk-location"])
        return block

    rng = np.random.default_rng(3)
    frames = rng.normal(100.0, 2.0, (6, 8, 8))
    stack = da.from_array(frames, chunks=(3, 8, 8)).map_blocks(load, dtype=float)
    lazy = master_darks(stack, exposure_times=[1, 1, 1, 2, 2, 2])
    eager = master_darks(frames, exposure_times=[1, 1, 1, 2, 2, 2])
    kept = lazy.persist()
    n_after_persist = len(reads)
    assert n_after_persist > 0
    for _ in range(3):
        for t in (1.0, 2.0):
            np.testing.assert_allclose(np.asarray(kept.find(t).mean), eager.find(t).mean, rtol=1e-12)
            np.testing.assert_allclose(np.asarray(kept.find(t).std), eager.find(t).std, rtol=1e-12)
    assert len(reads) == n_after_persist  # nothing recomputed from the frames
    np.asarray(lazy.find(1.0).mean)
    assert len(reads) > n_after_persist  # the unpersisted set does read them again
    assert eager.persist() is eager
