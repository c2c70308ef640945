"""Moment maps of a cube as an NDCollection (the no-fit fast path)."""

from __future__ import annotations

from typing import Any

import numpy as np

from irisplug_fit.cube import _arrays, _with_invalid, cube_wavelength, select_window, spatial_wcs, spectral_axis
from irisplug_fit.moments import spectral_moments

__all__ = ["moments_cube"]


def moments_cube(cube: Any, *, wl_range: tuple[float, float] | None = None, window: str | None = None,
                 background: Any = "edges") -> Any:
    """Intensity, centroid (and Doppler velocity against ``rest`` if given), width maps of a cube.

    Examples
    --------
    >>> m = moments_cube(obs[line][0])  # doctest: +SKIP
    >>> sorted(m.keys())  # doctest: +SKIP
    ['centroid', 'intensity', 'peak', 'width']
    """
    import astropy.units as u
    from ndcube import NDCollection, NDCube

    cube = select_window(cube, window)
    if hasattr(cube, "data") and isinstance(cube.data, list):
        return [moments_cube(c, wl_range=wl_range, background=background) for c in cube.data]
    ax = spectral_axis(cube)
    from irisplug_fit.wavelength_tables import fit_by_wavelength_table

    by_table = fit_by_wavelength_table(cube, ax, moments_cube, wl_range=wl_range, background=background)
    if by_table is not None:  # a wavelength table per spatial bin (IUVS): each bin on its own grid
        return by_table
    x = cube_wavelength(cube, ax)
    data, _, mask = _arrays(cube, ax)
    mask = _with_invalid(cube, data, mask)  # the reader's data-quality levels (irisplug.model.levels)
    m = spectral_moments(data, x, wl_range=wl_range, background=background, mask=mask)
    if any(hasattr(v, "dask") for v in m.values()):  # one compute: the four maps share every block's work
        import dask

        m = dict(zip(m, dask.compute(*m.values()), strict=True))
    wcs = spatial_wcs(cube, ax)
    unit = getattr(cube, "unit", None) or u.dimensionless_unscaled
    units = {"intensity": unit * u.AA, "centroid": u.AA, "width": u.AA, "peak": unit}
    return NDCollection([(k, NDCube(np.asarray(v), wcs=wcs, unit=units[k], meta={"method": "moments"}))
                         for k, v in m.items()], aligned_axes="all")
