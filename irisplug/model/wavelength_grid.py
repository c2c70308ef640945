"""Whether a cube's spectra share one wavelength grid, and what its array axes are called.

Most spectrographs give every spectrum of a window the same wavelengths; a
MAVEN IUVS cube has a table per spatial bin, and a PC matrix coupling
wavelength and slit position gives a grid per row. Every plugin that draws,
fits or resamples spectra on one wavelength axis asks here first
(:func:`varying_wavelength_axes`) instead of taking the first spectrum's grid.

Examples
--------
>>> import numpy as np, ndcube
>>> from astropy.wcs import WCS
>>> w = WCS(naxis=2); w.wcs.ctype = ["WAVE", "SOLX"]; w.wcs.cunit = ["Angstrom", "arcsec"]
>>> cube = ndcube.NDCube(np.zeros((3, 5)), wcs=w)
>>> wavelength_axes(cube), varying_wavelength_axes(cube, 1), axis_name("custom:pos.iuvs.spatial_bin")
((1,), [], 'spatial_bin')
"""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["wavelength_axes", "varying_wavelength_axes", "axis_name"]


def axis_name(physical_type: str) -> str:
    """The last part of a physical type (``custom:pos.iuvs.spatial_bin``: ``spatial_bin``; ``em.wl``: ``wl``).

    Examples
    --------
    >>> axis_name("custom:pos.helioprojective.lat"), axis_name("time")
    ('lat', 'time')
    """
    return str(physical_type).rsplit(".", 1)[-1].rsplit(":", 1)[-1]


def wavelength_axes(cube: Any) -> tuple[int, ...]:
    """The array axes ``cube``'s wavelength depends on, in order: the dimensions of ndcube's
    ``axis_world_coords_values("em.wl")``.

    Examples
    --------
    >>> wavelength_axes(object())
    ()
    """
    types = getattr(cube, "array_axis_physical_types", ())
    return tuple(a for a, t in enumerate(types) if any("em.wl" in str(x) for x in t))


def varying_wavelength_axes(cube: Any, axis: int) -> list[int]:
    """The array axes, besides the spectral ``axis``, along which ``cube``'s wavelengths change (empty: one grid).

    Raises
    ------
    irisplug.UnsupportedObjectError
        ndcube's wavelength array has another number of dimensions than the axes its physical types name.

    Examples
    --------
    >>> import numpy as np, ndcube
    >>> from astropy.wcs import WCS
    >>> w = WCS(naxis=2); w.wcs.ctype = ["WAVE", "SOLX"]; w.wcs.cunit = ["Angstrom", "arcsec"]
    >>> w.wcs.pc = [[1.0, 0.5], [0.0, 1.0]]  # the wavelength shifts along the position axis
    >>> varying_wavelength_axes(ndcube.NDCube(np.zeros((3, 5)), wcs=w), 1)
    [0]
    """
    import astropy.units as u

    along = wavelength_axes(cube)
    if len(along) <= 1:
        return []
    wl = np.asarray(u.Quantity(cube.axis_world_coords_values("em.wl")[0]).value)
    if wl.ndim != len(along):
        from irisplug.errors import UnsupportedObjectError

        raise UnsupportedObjectError(f"the wavelength of this {type(cube).__name__} has {wl.ndim} dimensions but its "
                                     f"physical types name {len(along)} axes: cannot tell its grid per spectrum")
    return [a for k, a in enumerate(along) if a != axis and np.ptp(wl, axis=k).max() > 0]
