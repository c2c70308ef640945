"""Put a 2-D image with a helioprojective WCS on WCSAxes with Solar X horizontal."""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["celestial_axes", "world_to_pixel_arcsec"]


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


def celestial_axes(fig: Any, spec: Any, wcs: Any, data: np.ndarray) -> tuple[Any, np.ndarray]:
    """A WCSAxes for ``data`` (array order of ``wcs``) with Solar X along x; returns (ax, image to imshow).

    The pixel axis along which longitude changes most goes horizontal (IRIS
    raster maps are stored (step, y), SJI frames (y, x)).
    """
    from irisplug_view.inputs import world_arcsec
    from irisplug_view.quicklook import _label_celestial

    ny, nx = data.shape  # array order: rows = pixel axis 1, cols = pixel axis 0
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
