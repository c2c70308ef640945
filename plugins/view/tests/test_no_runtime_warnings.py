"""The viewers on real data with missing exposures and wavelengths: no numpy RuntimeWarning reaches the user.

``irisplug.view(obs)`` and ``irisplug quicklook`` on the irispy-lmsal raster printed "All-NaN slice encountered"
several times (a median profile over wavelengths missing in every spectrum, under ``np.errstate``, which does not
silence warnings numpy raises through Python's ``warnings``); a velocity map with no finite value gave a NaN colour
limit.
"""

from __future__ import annotations

import warnings

import numpy as np

import irisplug


def test_quicklook_and_movie_are_silent(iris_raster_obs, tmp_path):
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        irisplug.view(iris_raster_obs)
        irisplug.view(iris_raster_obs["Mg II k 2796"])
        irisplug.view(iris_raster_obs, viewer="movie", out=tmp_path / "m.gif")
    assert (tmp_path / "m.gif").stat().st_size > 0


def test_velocity_map_without_a_finite_value(iris_raster_obs):
    """All fits failed: the velocity panel still draws, with a finite symmetric colour range."""
    from irisplug_view.figures import parameter_maps

    maps = irisplug.fit(iris_raster_obs["Si IV 1403"][0], progress=False)
    maps["si_iv_1403.velocity"].data[...] = np.nan
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        fig = parameter_maps(maps, keys=["si_iv_1403.velocity"])
    norm = fig.axes[0].images[0].norm
    assert np.isfinite(norm.vmin) and np.isfinite(norm.vmax) and norm.vmin == -norm.vmax
