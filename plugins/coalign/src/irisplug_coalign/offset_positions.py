"""Pixel positions of fixed world points on an image as a function of a small world offset.

The ``sji-raster`` co-aligner evaluates its correlation at ~500 trial offsets
``(dlon, dlat)`` per raster; each needs the slit-jaw pixel ``(x, y)`` of
every raster pixel moved by the offset. The world-to-pixel transform (the
spherical rotation and the TAN projection of a FITS WCS) is smooth, and the
offsets are small (a few arcsec), so :class:`OffsetPositions` transforms the
points exactly at the nine offsets ``{-h, 0, h}^2`` once and keeps, per
point, the quadratic in ``(dlon, dlat)`` through them (central differences:
exact at the centre and the four axis nodes; 12 numbers a point). The
error is of third order in the offset: on the
generated IRIS observation of ``irisplug demo`` (pointing ~(490, 280)
arcsec) and on the real IRIS test data it is at most 1e-8 pixel over
``|d| <= 5`` arcsec, where a first-order (affine) model is off by ~4e-6
pixel (the ``test_offset_positions`` tests measure both against astropy's
``world_to_pixel_values``). Offsets outside the box are transformed
exactly.
"""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["OffsetPositions", "lon_lat_axes"]


def lon_lat_axes(wcs: Any) -> tuple[int, int]:
    """Indices of the longitude and latitude world axes of a 2-D celestial APE-14 WCS.

    Examples
    --------
    >>> from astropy.wcs import WCS
    >>> w = WCS(naxis=2); w.wcs.ctype = ["HPLT-TAN", "HPLN-TAN"]; w.wcs.set()
    >>> lon_lat_axes(w)
    (1, 0)
    """
    from irisplug.errors import UnsupportedObjectError

    low = getattr(wcs, "low_level_wcs", wcs)
    types = [str(t) for t in low.world_axis_physical_types]
    lon = [i for i, t in enumerate(types) if t.endswith(".lon") or t.endswith(".ra")]
    lat = [i for i, t in enumerate(types) if t.endswith(".lat") or t.endswith(".dec")]
    if low.world_n_dim != 2 or len(lon) != 1 or len(lat) != 1:
        raise UnsupportedObjectError(f"expected a 2-D celestial WCS (longitude, latitude), got world axes {types}")
    return lon[0], lat[0]


class OffsetPositions:
    """Pixel ``(x, y)`` on ``wcs`` of the world points ``(lon + dlon, lat + dlat)`` for small offsets.

    Parameters
    ----------
    wcs
        2-D celestial WCS of the image (APE-14 low- or high-level).
    lon, lat
        World coordinates of the points, arcsec (any equal shapes).
    half_width
        Offsets with ``|dlon|, |dlat| <= half_width`` (arcsec) are interpolated
        from exact transforms at ``{-half_width, 0, half_width}^2``; larger ones
        (and every offset when ``half_width <= 0``) are transformed exactly.

    Examples
    --------
    >>> import numpy as np
    >>> from astropy.wcs import WCS
    >>> w = WCS(naxis=2); w.wcs.ctype = ["HPLN-TAN", "HPLT-TAN"]; w.wcs.cunit = ["arcsec"] * 2
    >>> w.wcs.cdelt = [0.1664, 0.1664]; w.wcs.crpix = [50, 50]; w.wcs.crval = [490.0, 280.0]; w.wcs.set()
    >>> lon, lat = np.array([488.0, 495.5]), np.array([281.0, 276.25])
    >>> pos = OffsetPositions(w, lon, lat, half_width=5.0)
    >>> x, y = pos((1.3, -0.7))
    >>> ex, ey = w.world_to_pixel_values((lon + 1.3) / 3600, (lat - 0.7) / 3600)
    >>> bool(np.max(np.abs(x - ex)) < 3e-8 and np.max(np.abs(y - ey)) < 3e-8)
    True
    """

    def __init__(self, wcs: Any, lon: np.ndarray, lat: np.ndarray, half_width: float) -> None:
        import astropy.units as u

        self._low = getattr(wcs, "low_level_wcs", wcs)
        self._axes = lon_lat_axes(self._low)
        units = self._low.world_axis_units
        # arcsec -> the WCS's world unit of each axis (deg for a FITS celestial WCS)
        self._to_world = [float((1 * u.arcsec).to_value(units[i])) for i in self._axes]
        self._lon = np.ravel(np.asarray(lon, dtype=float))
        self._lat = np.ravel(np.asarray(lat, dtype=float))
        self.shape = np.shape(lon)
        self.half_width = float(half_width)
        self._coef: np.ndarray | None = None

    def exact(self, offset: Any, index: Any = None) -> tuple[np.ndarray, np.ndarray]:
        """Pixel ``(x, y)`` from the WCS itself (flat arrays; ``index`` selects points of the flattened set)."""
        lon = self._lon if index is None else self._lon[index]
        lat = self._lat if index is None else self._lat[index]
        world = [None, None]
        world[self._axes[0]] = (lon + offset[0]) * self._to_world[0]
        world[self._axes[1]] = (lat + offset[1]) * self._to_world[1]
        x, y = self._low.world_to_pixel_values(*world)
        return np.asarray(x, dtype=float), np.asarray(y, dtype=float)

    def _coefficients(self) -> np.ndarray:
        """``(5, 2 n)``: the quadratic's coefficients of ``dx, dy, dx^2, dy^2, dx dy`` for ``x`` then ``y``.

        From exact transforms at the offsets ``{-h, 0, h}^2``: central differences, so the quadratic
        passes through the exact positions at the centre and the four axis nodes, and its cross term
        is that of the four corners. Only these coefficients and the centre are kept (12 floats a point).
        """
        if self._coef is None:
            h = self.half_width
            f0 = np.concatenate(self.exact((0.0, 0.0)))
            coef = np.empty((5, f0.size))
            for axis in (0, 1):
                plus = np.concatenate(self.exact((h, 0.0) if axis == 0 else (0.0, h)))
                minus = np.concatenate(self.exact((-h, 0.0) if axis == 0 else (0.0, -h)))
                coef[axis] = (plus - minus) / (2 * h)
                coef[2 + axis] = (plus - 2 * f0 + minus) / (2 * h * h)
            corners = [np.concatenate(self.exact((sx * h, sy * h))) for sx in (1, -1) for sy in (1, -1)]
            coef[4] = (corners[0] - corners[1] - corners[2] + corners[3]) / (4 * h * h)
            self._centre = f0
            self._coef = coef
        return self._coef

    def __call__(self, offset: Any, index: Any = None) -> tuple[np.ndarray, np.ndarray]:
        """Pixel ``(x, y)`` (flat arrays) of the points moved by ``offset = (dlon, dlat)`` arcsec.

        ``index`` (integer array or mask) selects points of the flattened set.
        """
        h = self.half_width
        dx, dy = float(offset[0]), float(offset[1])
        if not (h > 0 and abs(dx) <= h and abs(dy) <= h):
            return self.exact((dx, dy), index)
        coef, centre = self._coefficients(), self._centre
        n = self._lon.size
        if index is not None:  # the selected points only
            coef = coef.reshape(5, 2, n)[:, :, index].reshape(5, -1)
            centre = centre.reshape(2, n)[:, index].ravel()
            n = centre.size // 2
        xy = centre + np.array([dx, dy, dx * dx, dy * dy, dx * dy]) @ coef  # (2 n,): x then y
        return xy[:n], xy[n:]
