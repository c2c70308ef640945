"""Adapters: 2-D images with celestial WCS and time out of Maps, NDCubes and image cubes.

Every method works on a :class:`sunpy.map.GenericMap` view of one image:
a sunpy Map is used as is; an object with ``to_map()`` (the model's
``ImageCube``), a 2-D NDCube with a celestial FITS WCS, or one frame of a
``(time, y, x)`` image cube (``frame(i)``, or a slice of a FITS WCS cube) is
converted. What is an image or an image cube is the core's model contract
(:func:`irisplug.model.kind_of`); pixels the reader marks invalid (mask,
``missing_value`` and the other levels of :mod:`irisplug.model.levels`)
become NaN in the Map.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from irisplug.errors import UnsupportedObjectError
from irisplug.model import is_sunpy_map

__all__ = ["as_map", "frame_count", "frame_map", "frame_pixels", "frame_times", "is_image", "is_frame_cube", "accepts_images",
           "accepts_jitter"]


def _is_ndcube(obj: Any) -> bool:
    from ndcube import NDCube

    return isinstance(obj, NDCube)


def is_image(obj: Any) -> bool:
    """A 2-D image of the model contract: a sunpy Map or a 2-D NDCube with two spatial axes."""
    from irisplug.model import Kind, kind_of

    return kind_of(obj).kind is Kind.IMAGE


def is_frame_cube(obj: Any) -> bool:
    """An image cube of the model contract: a 3-D NDCube ``(time, y, x)`` (spectral cubes excluded)."""
    from irisplug.model import Kind, kind_of

    return kind_of(obj).kind is Kind.IMAGE_CUBE


def accepts_images(target: Any, reference: Any) -> Any:
    """The ``fft`` / ``ncc`` co-aligners' ``accepts``: an image or image cube against an image (a Verdict).

    Examples
    --------
    >>> v = accepts_images(42, 42)
    >>> bool(v), v.reason.startswith("target: int is not")
    (False, True)
    """
    from irisplug.model import Kind, Verdict, accepting

    t = accepting(Kind.IMAGE, Kind.IMAGE_CUBE, what="the target")(target)
    r = accepting(Kind.IMAGE, what="the reference")(reference)
    if t and r:
        return Verdict(True, "image against image")
    return Verdict(False, "; ".join(f"{who}: {v.reason}" for who, v in (("target", t), ("reference", r)) if not v))


def accepts_jitter(target: Any, reference: Any) -> Any:
    """The ``jitter`` co-aligner's ``accepts``: an image cube, and a frame index or None as reference (a Verdict)."""
    from irisplug.model import Kind, Verdict, accepting

    t = accepting(Kind.IMAGE_CUBE, what="the jitter co-aligner")(target)
    if not t:
        return Verdict(False, f"target: {t.reason}")
    if reference is not None and not isinstance(reference, int):
        return Verdict(False, f"reference: a {type(reference).__name__}; the jitter co-aligner takes a frame index or None")
    return t


def _valid_data(obj: Any, data: Any) -> np.ndarray:
    """``data`` as float with the pixels ``obj``'s reader marks invalid set to NaN."""
    from irisplug.model import invalid_mask

    out = np.array(data, dtype=float)
    out[np.asarray(invalid_mask(obj, out))] = np.nan
    return out


def _date_of(obj: Any, wcs: Any) -> str | None:
    meta = getattr(obj, "meta", None) or {}
    for key in ("DATE-OBS", "DATE_OBS", "date-obs", "date_obs"):
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
    if is_sunpy_map(obj):
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
    return sunpy.map.Map(_valid_data(obj, obj.data), header)


def frame_count(cube: Any) -> int:
    """Number of frames of a ``(frame, y, x)`` cube."""
    return int(cube.data.shape[0])


def frame_map(cube: Any, index: int) -> Any:
    """Frame ``index`` of a ``(time, y, x)`` cube as a sunpy Map with that frame's pointing (invalid pixels NaN)."""
    if hasattr(cube, "frame"):
        return as_map(cube.frame(index))
    import sunpy.map

    w = _celestial_fits_wcs(cube)
    header = dict(w.to_header())
    times = frame_times(cube)
    header["DATE-OBS"] = times[index].isot
    data = _valid_data(cube, cube.data[index])
    mask = getattr(cube, "mask", None)
    if mask is not None and np.ndim(mask) == 3:
        data[np.asarray(mask[index], dtype=bool)] = np.nan
    return sunpy.map.Map(data, header)


def frame_pixels(cube: Any, index: int) -> tuple[np.ndarray, Any]:
    """Frame ``index`` of a ``(time, y, x)`` cube as float data (invalid pixels NaN) and its 2-D celestial WCS.

    The pixels and coordinates of :func:`frame_map` without building a sunpy
    Map (whose first import costs ~1.5 s): for a cube with ``frame()`` (the
    model's slit-jaw cube) that frame's own WCS and data with the mask applied;
    else the cube's celestial FITS WCS and the data with the reader's invalid
    pixels and mask set to NaN.

    Examples
    --------
    >>> import numpy as np, ndcube
    >>> from astropy.wcs import WCS
    >>> w = WCS(naxis=3); w.wcs.ctype = ["HPLN-TAN", "HPLT-TAN", "TIME"]; w.wcs.cunit = ["arcsec", "arcsec", "s"]
    >>> w.wcs.cdelt = [0.6, 0.6, 10]; w.wcs.dateobs = "2014-03-29T14:10:00"
    >>> data, wcs = frame_pixels(ndcube.NDCube(np.ones((3, 10, 12)), wcs=w), 1)
    >>> data.shape, wcs.world_axis_physical_types
    ((10, 12), ['custom:pos.helioprojective.lon', 'custom:pos.helioprojective.lat'])
    """
    if hasattr(cube, "frame"):
        img = cube.frame(index)
        data = np.asarray(img.data, dtype=float)
        mask = getattr(img, "mask", None)
        if mask is not None and np.shape(mask) == data.shape:
            data = np.where(np.asarray(mask, dtype=bool), np.nan, data)
        return data, img.wcs.low_level_wcs
    w = _celestial_fits_wcs(cube)
    data = _valid_data(cube, cube.data[index])
    mask = getattr(cube, "mask", None)
    if mask is not None and np.ndim(mask) == 3:
        data[np.asarray(mask[index], dtype=bool)] = np.nan
    return data, w


def frame_times(cube: Any) -> Any:
    """Per-frame times (astropy Time) of a ``(frame, y, x)`` cube.

    From the ``"time"`` per-exposure coordinate when present (the model's cubes), else from
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
