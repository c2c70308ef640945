"""Put a 2-D image with a helioprojective WCS on WCSAxes with Solar X horizontal."""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["celestial_axes", "world_to_pixel_arcsec", "linear_celestial_wcs"]


def _unit_scale(wcs: Any, i: int) -> float:
    import astropy.units as u

    return (1 * u.Unit(wcs.world_axis_units[i])).to_value(u.arcsec)


def world_to_pixel_arcsec(wcs: Any, lon: np.ndarray, lat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Pixel coordinates (WCS order, 0-based) of helioprojective lon/lat in arcsec on a 2-D celestial WCS."""
    types = [str(t) for t in wcs.world_axis_physical_types]
    ilon = next(i for i, t in enumerate(types) if "lon" in t)
    ilat = next(i for i, t in enumerate(types) if "lat" in t)
    world = [None] * wcs.world_n_dim
    world[ilon] = np.asarray(lon) / _unit_scale(wcs, ilon)
    world[ilat] = np.asarray(lat) / _unit_scale(wcs, ilat)
    px = wcs.world_to_pixel_values(*world)
    return np.asarray(px[0]), np.asarray(px[1])


def linear_celestial_wcs(wcs: Any, n0: int, n1: int) -> Any:
    """A plain 2-D FITS WCS (HPLN-TAN, HPLT-TAN) fitted to a 2-pixel-axis celestial WCS over its image.

    Per-exposure WCSes (pointing and time for every exposure) carry extra
    world axes that WCSAxes grids and contours cannot invert. Over an IRIS
    field of view (< 3 arcmin) helioprojective lon/lat are linear in pixels
    to far better than 0.01 arcsec, so a least-squares affine fit of
    lon/lat (arcsec) on 5x5 sample pixels gives an exact-enough CD matrix.
    Returns ``wcs`` unchanged when the fit is degenerate (one pixel wide,
    sit-and-stare maps without a spatial step).

    Examples
    --------
    >>> from astropy.wcs import WCS
    >>> w = WCS(naxis=2); w.wcs.ctype = ["HPLN-TAN", "HPLT-TAN"]; w.wcs.cunit = ["arcsec"] * 2
    >>> w.wcs.cdelt = [0.5, 0.5]; w.wcs.crpix = [1, 1]; w.wcs.set()
    >>> round(float(linear_celestial_wcs(w, 10, 10).wcs.cd[0, 0] * 3600), 9)
    0.5
    """
    from astropy.wcs import WCS

    from irisplug_view.inputs import world_arcsec

    if n0 < 2 or n1 < 2:
        return wcs
    p0, p1 = np.meshgrid(np.linspace(0, n0 - 1, 5), np.linspace(0, n1 - 1, 5))
    p0, p1 = p0.ravel(), p1.ravel()
    lon, lat = world_arcsec(wcs, p0, p1)
    c0, c1 = (n0 - 1) / 2, (n1 - 1) / 2
    design = np.column_stack([p0 - c0, p1 - c1, np.ones_like(p0)])
    (a, b, lon_c), *_ = np.linalg.lstsq(design, lon, rcond=None)
    (c, d, lat_c), *_ = np.linalg.lstsq(design, lat, rcond=None)
    cd = np.array([[a, b], [c, d]])
    if not np.all(np.isfinite(cd)) or abs(np.linalg.det(cd)) < 1e-12:
        return wcs
    out = WCS(naxis=2)
    out.wcs.ctype = ["HPLN-TAN", "HPLT-TAN"]
    out.wcs.cunit = ["deg", "deg"]
    out.wcs.crpix = [c0 + 1, c1 + 1]
    out.wcs.crval = [lon_c / 3600.0, lat_c / 3600.0]
    out.wcs.cd = cd / 3600.0
    out.wcs.set()
    return out


def celestial_axes(fig: Any, spec: Any, wcs: Any, data: np.ndarray) -> tuple[Any, np.ndarray]:
    """A WCSAxes for ``data`` (array order of ``wcs``) with Solar X along x; returns (ax, image to imshow).

    The pixel axis along which longitude changes most goes horizontal (IRIS
    raster maps are stored (step, y), SJI frames (y, x)).
    """
    from irisplug_view.inputs import world_arcsec
    from irisplug_view.quicklook import _label_celestial

    ny, nx = data.shape  # array order: rows = pixel axis 1, cols = pixel axis 0
    wcs = linear_celestial_wcs(getattr(wcs, "low_level_wcs", wcs), nx, ny)
    lon0, _ = world_arcsec(wcs, 0.0, 0.0)
    lon_a, _ = world_arcsec(wcs, 1.0, 0.0)  # along pixel axis 0
    lon_b, _ = world_arcsec(wcs, 0.0, 1.0)  # along pixel axis 1
    args = spec if isinstance(spec, tuple) else (spec,)
    if abs(float(lon_b - lon0)) > abs(float(lon_a - lon0)):
        ax = fig.add_subplot(*args, projection=wcs, slices=("y", "x"))
        image = data.T
    else:
        ax = fig.add_subplot(*args, projection=wcs)
        image = data
    _label_celestial(ax)
    return ax, image
