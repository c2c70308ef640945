"""The planned-FFTW path of the cross-correlation equals numpy's FFT and the scipy path."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.ndimage as ndi


@pytest.fixture
def fresh_plans(monkeypatch, tmp_path):
    pytest.importorskip("pyfftw")
    from irisplug_coalign import _fft

    monkeypatch.setenv("IRISPLUG_CACHE_DIR", str(tmp_path))
    monkeypatch.delenv("IRISPLUG_FFT", raising=False)
    monkeypatch.setattr(_fft, "_PLANS", {})
    monkeypatch.setattr(_fft, "_STATE", {"wisdom_loaded": False})
    return _fft


def test_planned_surface_equals_numpy(fresh_plans):
    from irisplug_coalign.phase_correlation import CrossCorrelator, plan_fft

    rng = np.random.default_rng(3)
    shape = (96, 80)
    a = ndi.gaussian_filter(rng.normal(size=shape), 2).astype(np.float32)
    b = np.roll(a, (5, -7), axis=(0, 1))
    ref = np.fft.irfft2(np.conj(np.fft.rfft2(a.astype(float))) * np.fft.rfft2(b.astype(float)), s=shape)
    cc = CrossCorrelator(shape, normalization=None, window=0)
    unplanned = cc.surface(b, a, prepared=True)
    assert plan_fft(shape, effort="FFTW_ESTIMATE")
    assert ("r2c", shape, fresh_plans._threads(-1)) in fresh_plans.fftw_plans()
    assert (fresh_plans._wisdom_path()).is_file()  # kept for later processes, in IRISPLUG_CACHE_DIR
    out = np.full(shape, np.nan, np.float32)  # an unaligned target gets a copy
    planned = cc.surface(b, a, prepared=True, out=out)
    assert planned is out
    scale = np.abs(ref).max()
    assert np.abs(planned - ref).max() < 1e-5 * scale
    assert np.abs(unplanned - ref).max() < 1e-5 * scale
    iy, ix = np.unravel_index(int(np.argmax(planned)), shape)
    assert (iy, ix) == (5, shape[1] - 7)


def test_planned_estimate_equals_unplanned(fresh_plans):
    from irisplug_coalign.phase_correlation import CrossCorrelator, plan_fft

    rng = np.random.default_rng(4)
    shape = (128, 128)
    scene = ndi.gaussian_filter(rng.normal(size=(160, 160)), 2)
    ref, mov = scene[16:144, 16:144], ndi.shift(scene, (4.3, -2.6), order=3)[16:144, 16:144]
    before = CrossCorrelator(shape).estimate(ref, mov)
    plan_fft(shape, effort="FFTW_ESTIMATE", save=False)
    after = CrossCorrelator(shape).estimate(ref, mov)
    assert abs(after.dy - before.dy) < 1e-3 and abs(after.dx - before.dx) < 1e-3
    assert abs(after.dy - 4.3) < 0.05 and abs(after.dx + 2.6) < 0.05
