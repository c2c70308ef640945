"""Cubes with a wavelength table per spatial bin (MAVEN IUVS) are fitted on each bin's own grid.

The fitters took the first spectrum's wavelengths for every spectrum of such a cube: a line at one wavelength
came out shifted by the bins' grid offsets (IUVS FUV, orbit 18001: up to 1.6 A at Lyman alpha, 400 km/s), silently.
"""

from __future__ import annotations

import astropy.units as u
import numpy as np
import pytest
from astropy.wcs import WCS
from ndcube import NDCube

import irisplug

LINE = 1215.67  # A, the true centre in every spectrum
SIGMA = 0.9


def _shifted_grid_cube(shift=0.35, n_exp=3, n_bin=6, n_w=60):
    """(exposure, bin, wavelength) with lambda = 1200 + 0.5 * i + shift * bin: each bin its own grid (PC coupling),
    a Gaussian at LINE in every spectrum (sampled on that spectrum's grid) on a constant background."""
    w = WCS(naxis=3)
    w.wcs.ctype = ["WAVE", "SOLX", "UTC"]
    w.wcs.cunit = ["Angstrom", "arcsec", "s"]
    w.wcs.crpix = [1, 1, 1]
    w.wcs.crval = [1200.0, 0.0, 0.0]
    w.wcs.cdelt = [0.5, 1.0, 1.0]
    w.wcs.pc = [[1.0, shift / 0.5, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]]
    w.wcs.mjdref = [60000.0, 0.0]
    grid = 1200.0 + 0.5 * np.arange(n_w)[None, :] + shift * np.arange(n_bin)[:, None]  # (bin, wavelength)
    amp = 10.0 + np.arange(n_exp)[:, None, None]
    data = amp * np.exp(-0.5 * ((grid[None] - LINE) / SIGMA) ** 2) + 0.5
    return NDCube(data, wcs=w, unit=u.R), grid


def test_the_cube_has_a_grid_per_bin():
    """The test cube is what it claims: ndcube gives each bin its own wavelengths (the generating grid)."""
    cube, grid = _shifted_grid_cube()
    wl = u.Quantity(cube.axis_world_coords_values("em.wl")[0]).to_value(u.AA)
    np.testing.assert_allclose(wl, grid, rtol=0, atol=1e-9)


@pytest.mark.parametrize("engine", ["numpy", "auto"])
def test_gaussian_fit_finds_the_line_in_every_bin(engine):
    cube, _ = _shifted_grid_cube()
    maps = irisplug.fit(cube, template="peak", engine=engine)
    centre = maps["peak.centre"].data
    assert centre.shape == (3, 6)
    np.testing.assert_allclose(centre, LINE, rtol=0, atol=1e-4)  # the first bin's grid gave LINE - 0.35 * bin


def test_moments_find_the_line_in_every_bin_and_equal_the_slices():
    cube, grid = _shifted_grid_cube()
    m = irisplug.fit(cube, method="moments")
    for j in range(grid.shape[0]):
        part = irisplug.fit(cube[:, j], method="moments")
        for key in m.keys():
            np.testing.assert_array_equal(m[key].data[:, j], part[key].data)
    # the centroid of a symmetric line on a flat background, well inside every grid: the line's centre
    np.testing.assert_allclose(m["centroid"].data, LINE, rtol=0, atol=2e-3)


def test_a_single_grid_cube_is_fitted_whole():
    from irisplug_fit.wavelength_tables import varying_wavelength_axes

    cube, _ = _shifted_grid_cube(shift=0.0)
    assert varying_wavelength_axes(cube, 2) == []
    np.testing.assert_allclose(irisplug.fit(cube, template="peak")["peak.centre"].data, LINE, atol=1e-4)


def test_one_grid_for_all_is_refused_not_guessed():
    from irisplug.errors import UnsupportedObjectError
    from irisplug_fit.cube import cube_wavelength

    cube, grid = _shifted_grid_cube()
    with pytest.raises(UnsupportedObjectError, match="differ between its spectra"):
        cube_wavelength(cube)
    np.testing.assert_allclose(cube_wavelength(cube, first_grid=True), grid[0], atol=1e-9)


def test_iuvs_bins_are_fitted_on_the_files_own_tables(shared_data):
    """Real L1B files: the moments of the whole radiance cube are those of each bin alone, and a bin's grid is the
    file's WAVELENGTH table for that bin (astropy)."""
    from astropy.io import fits

    from irisplug_fit.cube import cube_wavelength

    spreads = []
    for path in shared_data("iuvs", "mvn_iuv_l1b_*.fits*"):
        with fits.open(path) as h:
            table = np.asarray(h["Observation"].data["WAVELENGTH"][0], dtype=float) * 10.0  # nm -> A
        rad = irisplug.read(path)["radiance"]
        whole = irisplug.fit(rad, method="moments")
        assert whole["centroid"].data.shape == rad.data.shape[:2]
        # the maps in xarray on the cube's own axes (they were named exposure, slit: a raster's)
        assert irisplug.model.to_xarray(whole)["centroid"].dims == ("exposure", "spatial_bin")
        for j in (0, rad.data.shape[1] // 2, rad.data.shape[1] - 1):
            np.testing.assert_allclose(cube_wavelength(rad[:, j]), table[j], rtol=1e-9)
            alone = irisplug.fit(rad[:, j], method="moments")
            np.testing.assert_array_equal(whole["centroid"].data[:, j], alone["centroid"].data)
        spreads.append(np.ptp(table[:, 0]))
    assert max(spreads) > 0.5  # in one file at least the bins' grids really differ (FUV: by about an angstrom)


def test_iuvs_lyman_alpha_centres_equal_scipy_on_each_bins_grid(shared_data):
    """Real FUV L1B: the Gaussian centre of Lyman alpha in every integration and bin equals scipy's weighted
    ``curve_fit`` on the file's values, uncertainties (Random_phy_unc) and that bin's WAVELENGTH table; on the
    first bin's table (what the fitters used) scipy's centres are off by more than 0.1 A in some bins."""
    import warnings

    from astropy.io import fits
    from scipy.optimize import curve_fit

    from irisplug_fit.cube import resolve_template

    path = shared_data("iuvs", "mvn_iuv_l1b_*fuv*.fits*")[0]
    rad = irisplug.read(path)["radiance"]
    maps = irisplug.fit(rad, template="peak")
    centre = np.asarray(maps["peak.centre"].data)
    lo, hi = resolve_template("peak", rad).wl_range
    with fits.open(path) as h:
        values = np.asarray(h[0].data, dtype=float)
        sigma = np.asarray(h["Random_phy_unc"].data, dtype=float)
        table = np.asarray(h["Observation"].data["WAVELENGTH"][0], dtype=float) * 10.0

    def gauss(x, a, m, s, b):
        return a * np.exp(-0.5 * ((x - m) / s) ** 2) + b

    def scipy_centre(e, j, grid):
        sel = (grid >= lo) & (grid <= hi) & np.isfinite(values[e, j])
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            p, _ = curve_fit(gauss, grid[sel], values[e, j][sel], sigma=sigma[e, j][sel], maxfev=20000,
                             p0=[values[e, j][sel].max(), centre[e, j], 3.0, 0.0], xtol=1e-12, ftol=1e-12)
        return p[1]

    n_exp, n_bin = centre.shape
    own = np.array([[scipy_centre(e, j, table[j]) for j in range(n_bin)] for e in range(n_exp)])
    np.testing.assert_allclose(centre, own, rtol=0, atol=1e-3)
    first = np.array([[scipy_centre(e, j, table[0]) for j in range(n_bin)] for e in range(n_exp)])
    assert np.abs(first - own).max() > 0.1
