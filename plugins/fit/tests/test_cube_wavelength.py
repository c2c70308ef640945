"""``cube_wavelength`` reads the cube's own WCS directly: the same numbers as ndcube's ``axis_world_coords_values``.

The reference is ndcube itself on the same cube (``axis_world_coords_values("em.wl")``, converted to
Angstrom), compared bit for bit, on the real IRIS files of irispy-lmsal, on a generated IRIS raster, and on plain
NDCubes with astropy FITS WCSs (sliced, with the spectral axis in each position, in nm). Each case also checks
which path answered, so a fast path that silently stopped applying fails here too.
"""

from __future__ import annotations

import astropy.units as u
import numpy as np
import pytest
from astropy.wcs import WCS
from ndcube import NDCube

from irisplug_fit.cube import _own_wcs_wavelength, cube_wavelength, spectral_axis


def _ndcube_reference(cube: NDCube) -> np.ndarray:
    return u.Quantity(cube.axis_world_coords_values("em.wl")[0]).to_value(u.AA)


def _check(cube: NDCube, *, direct: bool = True) -> None:
    ax = spectral_axis(cube)
    assert (_own_wcs_wavelength(cube, ax) is not None) is direct
    got = cube_wavelength(cube)
    ref = _ndcube_reference(cube)
    if ref.ndim > 1:  # depends on other axes: cube_wavelength documents the first spectrum's
        ref = ref[tuple(slice(None) if i == ref.ndim - 1 else 0 for i in range(ref.ndim))]
    assert got.dtype == np.float64 and got.shape == (cube.data.shape[ax],)
    np.testing.assert_array_equal(got, ref)


def test_real_iris_windows(iris_obs):
    checked = 0
    for label in iris_obs.spectral_windows if hasattr(iris_obs, "spectral_windows") else iris_obs.keys():
        window = iris_obs[label]
        cubes = list(getattr(window, "data", [window]))
        if not cubes or not hasattr(cubes[0], "wcs"):
            continue
        _check(cubes[0])
        _check(cubes[0][1:3, 5:40])  # sliced: the WCS the slice gives
        checked += 1
    assert checked >= 2


def test_generated_iris_raster(tmp_path):
    generate = pytest.importorskip("irisplug_iris.generator").generate
    import irisplug

    generate(tmp_path / "obs", n_rasters=1, n_steps=3, n_y=16, windows=("Si IV 1403", "Mg II k 2796"), sji=(),
             spectral_summing=1, quiet=True)
    obs = irisplug.read(tmp_path / "obs")
    for label in ("Si IV 1403", "Mg II k 2796"):
        _check(next(iter(obs[label].data)))


def _fits_wcs(spectral_pixel_axis: int, unit: str = "Angstrom") -> WCS:
    w = WCS(naxis=3)
    ctype, cunit, cdelt, crval, crpix = ["HPLN-TAN", "HPLT-TAN"], ["arcsec", "arcsec"], [0.33, 0.17], [10.0, -20.0], \
        [3.0, 8.0]
    spec = ("WAVE", unit, 0.0254 if unit == "Angstrom" else 0.00254, 1402.77 if unit == "Angstrom" else 140.277, 50.5)
    for values, s in zip((ctype, cunit, cdelt, crval, crpix), spec, strict=True):
        values.insert(spectral_pixel_axis, s)
    w.wcs.ctype, w.wcs.cunit, w.wcs.cdelt, w.wcs.crval, w.wcs.crpix = ctype, cunit, cdelt, crval, crpix
    return w


@pytest.mark.parametrize("unit", ["Angstrom", "nm"])
def test_plain_ndcube_spectral_axis_last(unit):
    cube = NDCube(np.zeros((4, 7, 101)), wcs=_fits_wcs(0, unit))
    _check(cube)
    _check(cube[1:3, 2:6, 10:90])
    _check(cube[2])  # 2-D spectra


def test_spectral_axis_first_and_in_the_middle():
    _check(NDCube(np.zeros((101, 7, 4)), wcs=_fits_wcs(2)))
    _check(NDCube(np.zeros((7, 101, 4)), wcs=_fits_wcs(1)))


def test_one_spectrum():
    w = WCS(naxis=1)
    w.wcs.ctype, w.wcs.cunit, w.wcs.cdelt, w.wcs.crval, w.wcs.crpix = ["WAVE"], ["Angstrom"], [0.05], [2796.35], [1]
    _check(NDCube(np.zeros(64), wcs=w))


def test_wavelength_coupled_to_another_axis_is_left_to_ndcube():
    """A PC matrix mixing wavelength and slit position: a grid per slit position. One grid for all is refused
    (it shifted the other spectra's lines: irisplug_fit.wavelength_tables fits each grid); asked for the first
    spectrum's (a starting guess), ndcube's first row."""
    from irisplug.errors import UnsupportedObjectError

    w = _fits_wcs(0)
    w.wcs.pc = [[1.0, 0.3, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]]
    cube = NDCube(np.zeros((4, 7, 101)), wcs=w)
    assert _own_wcs_wavelength(cube, spectral_axis(cube)) is None
    with pytest.raises(UnsupportedObjectError, match="differ between its spectra"):
        cube_wavelength(cube)
    ref = _ndcube_reference(cube)
    np.testing.assert_array_equal(cube_wavelength(cube, first_grid=True), ref[tuple(0 for _ in ref.shape[:-1])])
