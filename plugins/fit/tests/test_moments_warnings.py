"""Moments of cubes with missing spectra: NaN where nothing is valid, and no warning, lazy or not.

``irisplug.fit(cube, method="moments")`` on the real irispy-lmsal raster (exposures with every point missing)
printed numpy's "invalid value encountered in divide" and "All-NaN slice encountered": the lazy path set its
``errstate``/``catch_warnings`` while building the dask graph, which had ended when the graph was computed (and
``catch_warnings`` is not thread-safe under dask's threads anyway).
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import irisplug
from irisplug_fit.moments import spectral_moments

X = np.linspace(1402.0, 1403.5, 151)


def _spectra(n: int = 600, seed: int = 3) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Gaussians of known centre and width on a constant, a third of the spectra wholly masked."""
    rng = np.random.default_rng(seed)
    cen = 1402.8 + rng.normal(0, 0.05, n)
    sig = rng.uniform(0.03, 0.06, n)
    y = 2 + 100 * np.exp(-0.5 * ((X - cen[:, None]) / sig[:, None]) ** 2)
    mask = np.zeros(y.shape, bool)
    mask[::3] = True
    return y, mask, np.stack([cen, sig], axis=-1)


@pytest.mark.parametrize("lazy", [False, True])
def test_no_warning_nan_where_nothing_is_valid_truth_elsewhere(lazy):
    import dask.array as da

    y, mask, truth = _spectra()
    data = da.from_array(y, chunks=(50, -1)) if lazy else y
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        m = spectral_moments(data, X, wl_range=(1402.3, 1403.3), background="edges", mask=mask)
        m = {k: np.asarray(v.compute(scheduler="threads") if lazy else v) for k, v in m.items()}
    dead = mask.all(axis=-1)
    for key in ("intensity", "centroid", "width", "peak"):  # a sum over nothing is undefined, not 0
        assert np.isnan(m[key][dead]).all(), key
    # the truth of the live Gaussians (wholly inside the range: moments recover centre and sigma)
    np.testing.assert_allclose(m["centroid"][~dead], truth[~dead, 0], atol=2e-4)
    np.testing.assert_allclose(m["width"][~dead], truth[~dead, 1], rtol=2e-2)


def test_lazy_equals_eager():
    import dask.array as da

    y, mask, _ = _spectra(seed=5)
    eager = spectral_moments(y, X, mask=mask)
    lazy = spectral_moments(da.from_array(y, chunks=(64, 40)), X, mask=da.from_array(mask, chunks=(64, 40)))
    for key, value in eager.items():
        np.testing.assert_allclose(np.asarray(lazy[key]), value, rtol=1e-12, atol=1e-12, equal_nan=True)


def test_real_raster_with_missing_exposures_is_silent(iris_obs):
    cube = iris_obs["Si IV 1403"][0]
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        maps = irisplug.fit(cube, method="moments")
    assert np.isfinite(np.asarray(maps["centroid"].data)).any()
