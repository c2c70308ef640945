"""Moments of a spectrum without a valid point: every moment NaN, intensity included, eager or lazy.

``spectral_moments`` summed the intensity with ``np.nansum``, so a spectrum with every point NaN or masked got
intensity 0.0 (a dark Sun) next to a NaN centroid, width and peak; through ``irisplug.fit(cube,
method="moments")`` the all-missing spectra at the ends of an IRIS slit read 0.0 with no flag. The references
below come from the raw data (numpy on the arrays, astropy on the FITS file), not from the code under test.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import irisplug
from irisplug_fit.moments import spectral_moments

KEYS = ("intensity", "centroid", "width", "peak")
X = np.linspace(1402.0, 1403.5, 151)
AMP, CEN, SIG, BG = 100.0, 1402.8, 0.04, 2.0


def _line() -> np.ndarray:
    return BG + AMP * np.exp(-0.5 * ((X - CEN) / SIG) ** 2)


def _computed(m: dict, lazy: bool) -> dict[str, np.ndarray]:
    return {k: np.asarray(v.compute(scheduler="threads") if lazy else v) for k, v in m.items()}


@pytest.mark.parametrize("lazy", [False, True])
@pytest.mark.parametrize("background", ["edges", BG, None])
def test_all_nan_and_all_masked_spectra_give_nan_for_every_moment(lazy, background):
    import dask.array as da

    y = np.stack([_line(), np.full(X.size, np.nan), _line(), _line()])
    mask = np.zeros(y.shape, bool)
    mask[2] = True  # wholly masked (valid values underneath)
    mask[3, ::2] = True  # half masked: still a spectrum
    data = da.from_array(y, chunks=(1, -1)) if lazy else y
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        m = _computed(spectral_moments(data, X, background=background, mask=mask), lazy)
    for key in KEYS:
        assert np.isnan(m[key][1:3]).all(), (key, m[key])
        assert np.isfinite(m[key][[0, 3]]).all(), (key, m[key])
    # the live spectrum: its samples above the background times the (uniform) pixel width
    sub = 0.0 if background is None else BG
    np.testing.assert_allclose(m["intensity"][0], np.sum(_line() - sub) * (X[1] - X[0]), rtol=1e-9)
    np.testing.assert_allclose(m["intensity"][0], AMP * SIG * np.sqrt(2 * np.pi) + (sub == 0) * BG * X.size
                               * (X[1] - X[0]), rtol=1e-6)  # the Gaussian's area
    if background is not None:  # (without one, the constant pulls the centroid to the middle of the range)
        np.testing.assert_allclose(m["centroid"][0], CEN, atol=1e-6)


@pytest.mark.parametrize("lazy", [False, True])
def test_one_dimensional_spectrum_without_a_valid_point(lazy):
    import dask.array as da

    y = np.full(X.size, np.nan)
    m = _computed(spectral_moments(da.from_array(y) if lazy else y, X), lazy)
    assert all(np.isnan(m[k]) for k in KEYS), m


def test_edges_background_undefined_gives_nan_not_zero():
    """Every edge point masked: the background, so every point of I - bg, is undefined: NaN, not a 0.0 sum."""
    y = _line()[None].copy()
    y[0, :3] = y[0, -3:] = np.nan
    m = spectral_moments(y, X, background="edges")
    assert all(np.isnan(m[k][0]) for k in KEYS), m


@pytest.mark.parametrize("lazy", [True, False])
def test_fit_moments_all_missing_slit_ends_are_nan(tmp_path, lazy):
    """``irisplug.fit(cube, method="moments")``: NaN maps where astropy sees only the -200 fill, the numpy
    moments of the raw pixels elsewhere."""
    from astropy.io import fits

    from irisplug_iris.generator import generate

    (path,) = generate(tmp_path, quiet=True, n_rasters=1, n_steps=3, n_y=16, windows=("Si IV 1403",), sji=(),
                       missing=False)
    with fits.open(path) as hdul:
        raw = np.asarray(hdul[1].data, dtype=float)  # astropy's scaling (BSCALE/BZERO)
        h = hdul[1].header
    with fits.open(path, do_not_scale_image_data=True) as hdul:
        saturated = np.asarray(hdul[1].data) == np.iinfo(np.int16).max  # the int16 saturation code
    wl = h["CRVAL1"] + (np.arange(h["NAXIS1"]) + 1 - h["CRPIX1"]) * h["CDELT1"]
    missing = raw == -200
    dead = missing.all(axis=-1)
    assert dead.any() and not dead.all()  # the slit ends hold only the fill value

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        cube = irisplug.read(path, lazy=lazy)["Si IV 1403"][0]
        maps = irisplug.fit(cube, method="moments")
    got = {k: np.asarray(maps[k].data) for k in KEYS}
    for key in KEYS:
        assert got[key].shape == dead.shape, key
        assert np.isnan(got[key][dead]).all(), (key, got[key][dead])
    assert np.isfinite(got["intensity"][~dead]).all()

    # spectra without a missing or saturated point: sum of (I - mean of the three outermost points per side) * dlambda
    full = ~(missing | saturated).any(axis=-1)
    assert full.any()
    y = raw[full]
    bg = np.concatenate([y[:, :3], y[:, -3:]], axis=-1).mean(axis=-1)
    ref = ((y - bg[:, None]) * np.abs(np.gradient(wl))).sum(axis=-1)
    np.testing.assert_allclose(got["intensity"][full], ref, rtol=1e-9, atol=1e-9)
