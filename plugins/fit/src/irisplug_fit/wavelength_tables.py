"""Cubes whose wavelengths differ between spectra (a wavelength table per spatial bin): fitted table by table.

The fitters fit many spectra on one wavelength grid. A MAVEN IUVS cube has a
wavelength table per spatial bin (the bins sit on different detector rows);
fitting every bin on the first bin's grid moved the Lyman-alpha centres of
the FUV file of orbit 18001 by up to 1.6 A (400 km/s), without a word.
Such a cube is cut along the axis its wavelengths vary along, each slice
(one grid) is fitted, and the maps are stacked back in the cube's shape.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

__all__ = ["varying_wavelength_axes", "fit_by_wavelength_table", "stack_map_collections"]


def varying_wavelength_axes(cube: Any, axis: int) -> list[int]:
    """The array axes, besides the spectral ``axis``, along which ``cube``'s wavelengths change (empty: one grid):
    :func:`irisplug.model.varying_wavelength_axes`, answered from the cube's own WCS where its wavelength depends
    on the spectral pixel alone (no ndcube grid: 0.17 ms per IRIS raster).

    Examples
    --------
    >>> import numpy as np, ndcube
    >>> from astropy.wcs import WCS
    >>> w = WCS(naxis=2); w.wcs.ctype = ["WAVE", "SOLX"]; w.wcs.cunit = ["Angstrom", "arcsec"]
    >>> varying_wavelength_axes(ndcube.NDCube(np.zeros((3, 5)), wcs=w), 1)
    []
    """
    from irisplug.model import varying_wavelength_axes as model_varying_axes
    from irisplug_fit.cube import _own_wcs_wavelength

    if _own_wcs_wavelength(cube, axis) is not None:  # the wavelength depends on the spectral pixel alone
        return []
    return model_varying_axes(cube, axis)


def stack_map_collections(parts: list[Any], axis: int, wcs: Any) -> Any:
    """The maps of ``parts`` (NDCollections with the same keys, one per slice) stacked along ``axis`` under ``wcs``.

    Examples
    --------
    >>> import numpy as np, astropy.units as u
    >>> from ndcube import NDCollection, NDCube
    >>> from astropy.wcs import WCS
    >>> w = WCS(naxis=1)
    >>> part = lambda v: NDCollection([("a", NDCube(np.full(3, v), wcs=w, unit=u.AA))])
    >>> stacked = stack_map_collections([part(1.0), part(2.0)], 1, WCS(naxis=2))
    >>> stacked["a"].data.tolist(), stacked["a"].unit
    ([[1.0, 2.0], [1.0, 2.0], [1.0, 2.0]], Unit("Angstrom"))
    """
    from ndcube import NDCollection, NDCube

    items = []
    for key in parts[0].keys():
        cubes = [p[key] for p in parts]
        data = np.stack([np.asarray(c.data) for c in cubes], axis=axis)
        uncertainty = None
        if all(c.uncertainty is not None for c in cubes):
            first = cubes[0].uncertainty
            uncertainty = type(first)(np.stack([np.asarray(c.uncertainty.array) for c in cubes], axis=axis),
                                      unit=first.unit)
        mask = None
        if any(c.mask is not None for c in cubes):
            mask = np.stack([np.broadcast_to(np.asarray(False if c.mask is None else c.mask, dtype=bool),
                                             np.shape(c.data)) for c in cubes], axis=axis)
        items.append((key, NDCube(data, wcs=wcs, unit=cubes[0].unit, uncertainty=uncertainty, mask=mask,
                                  meta=dict(cubes[0].meta or {}))))
    return NDCollection(items, aligned_axes="all", meta=getattr(parts[0], "meta", None))


def fit_by_wavelength_table(cube: Any, axis: int, fit_one: Callable[..., Any], **kwargs: Any) -> Any:
    """``fit_one(slice, **kwargs)`` for each slice of ``cube`` with one wavelength grid, the maps stacked; None
    when the cube has one grid (the caller fits it whole).

    Raises
    ------
    irisplug.UnsupportedObjectError
        The wavelength varies along more than one other axis.

    Examples
    --------
    >>> maps = fit_by_wavelength_table(iuvs_radiance, 2, moments_cube)  # doctest: +SKIP
    """
    from irisplug.errors import UnsupportedObjectError
    from irisplug_fit.cube import spatial_wcs

    axes = varying_wavelength_axes(cube, axis)
    if not axes:
        return None
    if len(axes) > 1:
        raise UnsupportedObjectError(f"the wavelength of this {type(cube).__name__} varies along array axes {axes}: "
                                     "fit slices with one wavelength grid each")
    k = axes[0]
    parts = [fit_one(cube[(slice(None),) * k + (j,)], **kwargs) for j in range(cube.data.shape[k])]
    return stack_map_collections(parts, k if k < axis else k - 1, spatial_wcs(cube, axis))
