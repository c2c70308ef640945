"""Resampling onto a wavelength grid outside the window (issue 15): refused, or warned with the fraction."""

from __future__ import annotations

import astropy.units as u
import numpy as np
import pytest

from irisplug.errors import InconsistentInputError, IrisplugWarning


def _window_span(cube):
    # the window's wavelengths from astropy's WCS evaluation (ndcube), independent of the resampler
    wl = cube.axis_world_coords("em.wl")[0].to_value(u.AA)
    return float(wl.min()), float(wl.max())


def test_grid_entirely_outside_the_window_is_refused(obs_synthetic, tmp_path):
    cube = obs_synthetic["Mg II k 2796"][0]
    _lo, hi = _window_span(cube)
    grid = np.linspace(hi + 5, hi + 15, 50) * u.AA
    with pytest.raises(InconsistentInputError, match="entirely outside"):
        cube.resample_wavelength(grid, out=tmp_path / "x.f32", quiet=True)
    assert not (tmp_path / "x.f32").exists() or (tmp_path / "x.f32").stat().st_size == 0


def test_partial_overlap_warns_with_the_fraction(obs_synthetic, tmp_path):
    cube = obs_synthetic["Mg II k 2796"][0]
    _lo, hi = _window_span(cube)
    grid = np.linspace(hi - 2.0, hi + 2.0, 41) * u.AA  # spacing 0.1 A
    outside = int(np.sum(grid.value > hi))
    expected = f"{100 * outside / grid.size:.1f}%"
    with pytest.warns(IrisplugWarning, match=f"{outside} of 41 grid points \\({expected.replace('.', '[.]')}\\)"):
        res = cube.resample_wavelength(grid, out=tmp_path / "p.f32", quiet=True)
    data = np.asarray(res.data)
    assert np.isnan(data[..., grid.value > hi]).all()
    assert np.isfinite(data[..., grid.value <= hi - 0.5]).any()


def test_grid_inside_the_window_is_silent(obs_synthetic, tmp_path):
    import warnings

    cube = obs_synthetic["Mg II k 2796"][0]
    lo, hi = _window_span(cube)
    with warnings.catch_warnings():
        warnings.simplefilter("error", IrisplugWarning)
        cube.resample_wavelength(np.linspace(lo + 0.5, hi - 0.5, 20) * u.AA, out=tmp_path / "i.f32", quiet=True)
