"""Adapters: 2-D images with celestial WCS and time out of Maps, NDCubes and IRIS cubes.

Every method works on a :class:`sunpy.map.GenericMap` view of one image:
a sunpy Map is used as is; an IRIS ``ImageCube`` (``to_map()``), a 2-D
NDCube with a celestial FITS WCS, or one frame of a ``(frame, y, x)`` cube
(``frame(i)``, or a slice of a FITS WCS cube) is converted.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from irisplug.errors import UnsupportedObjectError

__all__ = ["as_map", "frame_count", "frame_map", "frame_times", "is_image", "is_frame_cube"]


def _is_map(obj: Any) -> bool:
    try:
        from sunpy.map import GenericMap
    except ImportError:  # pragma: no cover
        return False
    return isinstance(obj, GenericMap)


def _is_ndcube(obj: Any) -> bool:
    from ndcube import NDCube

    return isinstance(obj, NDCube)


def is_image(obj: Any) -> bool:
    """A sunpy Map or a 2-D NDCube."""
    return _is_map(obj) or (_is_ndcube(obj) and len(obj.data.shape) == 2)


def is_frame_cube(obj: Any) -> bool:
    """A 3-D NDCube read as ``(frame, y, x)`` (an SJI cube; spectral cubes excluded)."""
    if not (_is_ndcube(obj) and len(obj.data.shape) == 3):
        return False
    try:
        types = list(obj.wcs.world_axis_physical_types)
    except Exception:  # noqa: BLE001
        types = []
    return not any("em.wl" in t for t in types)


def _date_of(obj: Any, wcs: Any) -> str | None:
    meta = getattr(obj, "meta", None) or {}
    for key in ("DATE-OBS", "DATE_OBS", "date-obs", "date_obs", "STARTOBS"):
        if meta.get(key):
            return str(meta[key])
    dateobs = getattr(getattr(wcs, "wcs", None), "dateobs", "")
    return dateobs or None


def _celestial_fits_wcs(obj: Any) -> Any:
    from astropy.wcs import WCS

    low = obj.wcs.low_level_wcs if hasattr(obj.wcs, "low_level_wcs") else obj.wcs
    if isinstance(low, WCS):
        return low.celestial if low.naxis > 2 else low
    raise UnsupportedObjectError(
        f"{type(obj).__name__} has a {type(low).__name__} WCS; co-alignment needs a sunpy Map, "
        "an NDCube with a celestial FITS WCS, or an object with to_map()"
    )


def as_map(obj: Any) -> Any:
    """A sunpy Map of a 2-D image (Map, ``to_map()`` object, or NDCube with FITS WCS).

    Examples
    --------
    >>> import numpy as np, ndcube
    >>> from astropy.wcs import WCS
    >>> w = WCS(naxis=2); w.wcs.ctype = ["HPLN-TAN", "HPLT-TAN"]; w.wcs.cunit = ["arcsec"] * 2
    >>> w.wcs.cdelt = [0.6, 0.6]; w.wcs.crpix = [5, 5]; w.wcs.dateobs = "2014-03-29T14:10:00"
    >>> m = as_map(ndcube.NDCube(np.ones((10, 10)), wcs=w))
    >>> m.date.isot, round(float(m.scale.axis1.to_value("arcsec / pix")), 6)
    ('2014-03-29T14:10:00.000', 0.6)
    """
    if _is_map(obj):
        return obj
    if hasattr(obj, "to_map"):
        return obj.to_map()
    if not _is_ndcube(obj) or len(obj.data.shape) != 2:
        raise UnsupportedObjectError(f"expected a sunpy Map or a 2-D NDCube, got {type(obj).__name__}")
    import sunpy.map
    from astropy.coordinates import SkyCoord  # noqa: F401  (sunpy frames registered)

    w = _celestial_fits_wcs(obj)
    header = dict(w.to_header())
    date = _date_of(obj, w)
    if date is None:
        raise UnsupportedObjectError(f"{type(obj).__name__}: no observation time (DATE-OBS) in meta or WCS; co-alignment needs one")
    header["DATE-OBS"] = date
    meta = getattr(obj, "meta", None) or {}
    for key in ("DSUN_OBS", "HGLN_OBS", "HGLT_OBS", "TELESCOP", "INSTRUME", "WAVELNTH"):
        if key in meta:
            header[key] = meta[key]
    data = np.asarray(obj.data, dtype=float)
    return sunpy.map.Map(data, header)


def frame_count(cube: Any) -> int:
    """Number of frames of a ``(frame, y, x)`` cube."""
    return int(cube.data.shape[0])


def frame_map(cube: Any, index: int) -> Any:
    """Frame ``index`` of a ``(frame, y, x)`` cube as a sunpy Map with that frame's pointing."""
    if hasattr(cube, "frame"):
        return as_map(cube.frame(index))
    import sunpy.map

    w = _celestial_fits_wcs(cube)
    header = dict(w.to_header())
    times = frame_times(cube)
    header["DATE-OBS"] = times[index].isot
    return sunpy.map.Map(np.asarray(cube.data[index], dtype=float), header)


def frame_times(cube: Any) -> Any:
    """Per-frame times (astropy Time) of a ``(frame, y, x)`` cube.

    From the ``"time"`` extra coordinate when present (IRIS cubes), else from
    the WCS time axis.
    """
    from astropy.time import Time

    try:
        from irisplug.model import extra_coord

        t = extra_coord(cube, "time")
        if t is not None:
            return Time(t)
    except Exception:  # noqa: BLE001 - model absent or no such coordinate
        pass
    n = frame_count(cube)
    world = cube.wcs.pixel_to_world(np.zeros(n), np.zeros(n), np.arange(n))
    for w in world if isinstance(world, (list, tuple)) else [world]:
        if isinstance(w, Time):
            return w
    raise UnsupportedObjectError(f"{type(cube).__name__}: no per-frame time (extra coord 'time' or a time axis)")
