"""Resampling onto grid points that fall on the data's own pixels returns those pixels (real IRIS raster).

A grid point on a pixel whose neighbour is masked came out NaN (``NaN * 0`` weight): on the Mg II k window
of the test raster, 840 valid pixels were lost when resampling onto the window's own wavelengths.
"""

from __future__ import annotations

import warnings

import astropy.units as u
import numpy as np
import pytest
from astropy.io import fits

from irisplug.errors import InconsistentInputError


def _window_data(raster_dir, label: str) -> np.ndarray:
    """The window's data of the first raster file, as astropy decodes it, with IRIS's -200 DN fill as NaN."""
    path = sorted(raster_dir.glob("*.fits"))[0]
    primary = fits.getheader(path)
    ext = next(w for w in range(1, int(primary["NWIN"]) + 1) if str(primary[f"TDESC{w}"]).strip() == label)
    data = fits.getdata(path, ext).astype(float)
    return np.where(data == -200, np.nan, data)


def test_resampling_onto_the_windows_own_wavelengths_is_the_identity(obs_raster, raster_dir, tmp_path):
    label = next(k for k in obs_raster.keys() if k.startswith("Mg II k"))
    cube = obs_raster[label][0]
    native = cube.axis_world_coords_values("em.wl")[0].to(u.AA)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        out = cube.resample_wavelength(native, out=tmp_path / "identity.f32", quiet=True)
    got = np.asarray(out.data, dtype=float)
    expected = _window_data(raster_dir, label)
    assert np.isnan(expected).any()  # the case: masked pixels next to valid ones
    np.testing.assert_array_equal(np.isnan(got), np.isnan(expected))
    np.testing.assert_allclose(got, expected, rtol=1e-6, equal_nan=True)


def test_grid_points_between_pixels_match_numpy_interp(obs_raster, raster_dir, tmp_path):
    """Off-pixel grid points, against ``np.interp`` of each spectrum (NaN wherever a neighbour is masked)."""
    label = next(k for k in obs_raster.keys() if k.startswith("Mg II k"))
    cube = obs_raster[label][0]
    native = cube.axis_world_coords_values("em.wl")[0].to_value(u.AA)
    step = native[1] - native[0]
    grid = native[0] + step * np.arange(0.0, native.size - 1, 0.5)  # on and between pixels
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        got = np.asarray(cube.resample_wavelength(grid * u.AA, out=tmp_path / "half.f32", quiet=True).data, float)
    data = _window_data(raster_dir, label)
    flat = data.reshape(-1, data.shape[-1])
    expected = np.array([np.interp(grid, native, s) for s in flat]).reshape(*data.shape[:2], grid.size)
    on_pixel = np.isclose((grid - native[0]) / step % 1, 0)
    valid_pixel = ~np.isnan(expected[..., on_pixel])
    np.testing.assert_allclose(got[..., on_pixel][valid_pixel], expected[..., on_pixel][valid_pixel], rtol=1e-6)
    between = ~on_pixel
    np.testing.assert_allclose(got[..., between], expected[..., between], rtol=1e-5, equal_nan=True)


@pytest.mark.parametrize("grid", [[2796.0] * u.AA, [2796.0, 2796.0, 2796.0] * u.AA, [1, 2, 3] * u.s,
                                  [2796.0, np.nan, 2797.0] * u.AA])
def test_unusable_grids_are_refused_specifically(obs_raster, grid):
    label = next(k for k in obs_raster.keys() if k.startswith("Mg II k"))
    with pytest.raises(InconsistentInputError, match="wavelength grid"):
        obs_raster[label][0].resample_wavelength(grid, quiet=True)
