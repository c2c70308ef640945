"""Data-quality metadata the READER sets, so generic plugins need no instrument constants.

Keys of a cube's ``meta`` (names after the netCDF CF conventions where one exists):

``missing_value``
    The value the instrument's files use for "no data" (besides NaN).
``valid_min``
    Values below it are not data (e.g. fill smeared by resampling).
``saturation_level``
    Values at or above it are saturated.
``instrumental_fwhm``
    The instrument's spectral line width (FWHM) of this window, a Quantity
    with a length unit.
``rest_wavelength``
    The rest (vacuum) wavelength of the line a spectral window was designed
    for, a Quantity with a length unit (viewers start on it).
``passband``
    The ``(min, max)`` wavelengths of an imager's filter passband, a length
    Quantity of two values (e.g. to integrate a raster into a synthetic image).
``colormap``
    A display hint, not a data-quality level: the name of a registered
    matplotlib colour map (sunpy's instrument maps are registered by
    ``import sunpy.visualization.colormaps``) that viewers use for this
    window unless the user passes one.
``window``
    The label of the window the cube belongs to, as the reader names it: the
    key of the window in the reader's :class:`~irisplug.model.Observation`
    (line templates are declared by it, viewers title by it).

A level given as a Quantity applies only while the data are in a unit it
converts to: a level in DN says nothing about the same cube in DN/s after
exposure normalisation (the reader's ``mask`` still flags those pixels). A
plain number applies in any unit. Without these keys, generic plugins treat
only NaN/inf and masked pixels as missing and fit no instrumental width; they
start a viewer on the brightest wavelength and ask for an explicit passband.

Examples
--------
>>> import numpy as np, ndcube, astropy.units as u
>>> from astropy.wcs import WCS
>>> meta = with_levels({}, missing_value=-999 * u.DN, instrumental_fwhm=0.03 * u.AA)
>>> cube = ndcube.NDCube(np.array([1.0, -999.0, np.nan]), wcs=WCS(naxis=1), unit=u.DN, meta=meta)
>>> invalid_mask(cube).tolist()
[False, True, True]
>>> instrumental_fwhm(cube)
<Quantity 0.03 Angstrom>
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

__all__ = [
    "MISSING_VALUE",
    "VALID_MIN",
    "SATURATION_LEVEL",
    "INSTRUMENTAL_FWHM",
    "LEVEL_KEYS",
    "with_levels",
    "data_level",
    "invalid_mask",
    "instrumental_fwhm",
    "REST_WAVELENGTH",
    "PASSBAND",
    "rest_wavelength",
    "passband",
    "COLORMAP",
    "colormap",
    "WINDOW",
    "window_label",
]

MISSING_VALUE = "missing_value"
VALID_MIN = "valid_min"
SATURATION_LEVEL = "saturation_level"
INSTRUMENTAL_FWHM = "instrumental_fwhm"
REST_WAVELENGTH = "rest_wavelength"
PASSBAND = "passband"
COLORMAP = "colormap"
WINDOW = "window"
#: every data-quality key a reader may set
LEVEL_KEYS = (MISSING_VALUE, VALID_MIN, SATURATION_LEVEL, INSTRUMENTAL_FWHM, REST_WAVELENGTH, PASSBAND)


def with_levels(meta: Mapping[str, Any] | None, *, missing_value: Any = None, valid_min: Any = None,
                saturation_level: Any = None, instrumental_fwhm: Any = None, rest_wavelength: Any = None,
                passband: Any = None, colormap: str | None = None, window: str | None = None) -> Any:
    """``meta`` (a dict or NDMeta, updated in place when it is one) with the given data-quality keys set.

    Examples
    --------
    >>> import astropy.units as u
    >>> with_levels({"A": 1}, saturation_level=16383 * u.DN)
    {'A': 1, 'saturation_level': <Quantity 16383. DN>}
    """
    import astropy.units as u

    out = {} if meta is None else meta
    if instrumental_fwhm is not None and not u.Quantity(instrumental_fwhm).unit.is_equivalent(u.AA, u.spectral()):
        raise ValueError(f"instrumental_fwhm must be a length Quantity, got {instrumental_fwhm!r}")
    if rest_wavelength is not None and not (u.Quantity(rest_wavelength).isscalar
                                            and u.Quantity(rest_wavelength).unit.is_equivalent(u.AA)):
        raise ValueError(f"rest_wavelength must be a scalar length Quantity, got {rest_wavelength!r}")
    if passband is not None:
        band = u.Quantity(passband)
        if band.shape != (2,) or not band.unit.is_equivalent(u.AA) or not band[0] < band[1]:
            raise ValueError(f"passband must be a length Quantity (min, max) with min < max, got {passband!r}")
    if colormap is not None and not (isinstance(colormap, str) and colormap.strip()):
        raise ValueError(f"colormap must be the name of a colour map, got {colormap!r}")
    if window is not None and not (isinstance(window, str) and window.strip()):
        raise ValueError(f"window must be the window's label, got {window!r}")
    for key, value in ((MISSING_VALUE, missing_value), (VALID_MIN, valid_min), (SATURATION_LEVEL, saturation_level),
                       (INSTRUMENTAL_FWHM, instrumental_fwhm), (REST_WAVELENGTH, rest_wavelength), (PASSBAND, passband),
                       (COLORMAP, colormap), (WINDOW, window)):
        if value is not None:
            out[key] = value
    return out


def _meta(obj: Any) -> Mapping[str, Any]:
    meta = getattr(obj, "meta", None)
    return meta if isinstance(meta, Mapping) else {}


def data_level(obj: Any, key: str, unit: Any = None) -> float | None:
    """Level ``key`` of ``obj``'s meta as a number in the data's unit, or None (absent or another unit).

    Examples
    --------
    >>> import numpy as np, ndcube, astropy.units as u
    >>> from astropy.wcs import WCS
    >>> c = ndcube.NDCube(np.zeros(2), wcs=WCS(naxis=1), unit=u.DN / u.s, meta={"missing_value": -999 * u.DN})
    >>> data_level(c, "missing_value") is None  # DN level on DN/s data: not applicable
    True
    """
    import astropy.units as u

    value = _meta(obj).get(key)
    if value is None:
        return None
    unit = getattr(obj, "unit", None) if unit is None else unit
    if isinstance(value, u.Quantity):
        if unit is None:
            return None
        try:
            return float(value.to_value(unit))
        except u.UnitConversionError:
            return None
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def invalid_mask(obj: Any, data: Any = None, levels: tuple[str, ...] = (MISSING_VALUE, VALID_MIN, SATURATION_LEVEL)) -> Any:
    """True where ``data`` (default ``obj.data``) is not valid data: NaN/inf, masked, missing, below valid_min, saturated.

    ``data`` may be a slice of ``obj.data`` (then ``obj.mask`` is used only
    when it has the same shape) or a dask array (the result is then lazy).
    ``levels`` picks which of the reader's levels apply (all by default).
    """
    xp = np
    if data is None:
        data = obj.data
    if hasattr(data, "map_blocks"):
        import dask.array as da

        xp = da
    bad = ~xp.isfinite(data)
    missing = data_level(obj, MISSING_VALUE) if MISSING_VALUE in levels else None
    if missing is not None and np.isfinite(missing):
        bad = bad | (data == missing)
    floor = data_level(obj, VALID_MIN) if VALID_MIN in levels else None
    if floor is not None:
        bad = bad | (data < floor)
    top = data_level(obj, SATURATION_LEVEL) if SATURATION_LEVEL in levels else None
    if top is not None:
        bad = bad | (data >= top)
    mask = getattr(obj, "mask", None)
    if mask is not None and np.ndim(mask) and np.shape(mask) == np.shape(data):
        bad = bad | (mask if xp is not np else np.asarray(mask, dtype=bool))
    return bad


def instrumental_fwhm(obj: Any, unit: Any = "Angstrom") -> Any:
    """The instrumental line FWHM the reader set (a Quantity in ``unit``), or None.

    For a sequence or collection, the value of the first cube that has one.
    """
    import astropy.units as u

    value = _meta(obj).get(INSTRUMENTAL_FWHM)
    if value is None and hasattr(obj, "data") and isinstance(obj.data, list) and obj.data:
        value = _meta(obj.data[0]).get(INSTRUMENTAL_FWHM)
    if value is None:
        return None
    return u.Quantity(value).to(unit, equivalencies=u.spectral())


def _first_meta_value(obj: Any, key: str) -> Any:
    value = _meta(obj).get(key)
    if value is None and hasattr(obj, "data") and isinstance(obj.data, list) and obj.data:
        value = _meta(obj.data[0]).get(key)
    return value


def rest_wavelength(obj: Any, unit: Any = "Angstrom") -> Any:
    """The rest wavelength of the window's line the reader set (a Quantity in ``unit``), or None.

    For a sequence or collection, the value of the first cube that has one.

    Examples
    --------
    >>> import astropy.units as u
    >>> from types import SimpleNamespace
    >>> rest_wavelength(SimpleNamespace(meta=with_levels({}, rest_wavelength=139.4 * u.nm)))
    <Quantity 1394. Angstrom>
    >>> rest_wavelength(SimpleNamespace(meta={})) is None
    True
    """
    import astropy.units as u

    value = _first_meta_value(obj, REST_WAVELENGTH)
    return None if value is None else u.Quantity(value).to(unit)


def passband(obj: Any, unit: Any = "Angstrom") -> Any:
    """The ``(min, max)`` passband the reader set (a two-value Quantity in ``unit``), or None.

    For a sequence or collection, the value of the first cube that has one.

    Examples
    --------
    >>> import astropy.units as u
    >>> from types import SimpleNamespace
    >>> passband(SimpleNamespace(meta=with_levels({}, passband=[170.0, 180.0] * u.nm)))
    <Quantity [1700., 1800.] Angstrom>
    """
    import astropy.units as u

    value = _first_meta_value(obj, PASSBAND)
    return None if value is None else u.Quantity(value).to(unit)


def colormap(obj: Any) -> str | None:
    """The name of the colour map the reader suggests for displaying ``obj`` (meta ``colormap``), or None.

    For a sequence or collection, the value of the first cube that has one.

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> colormap(SimpleNamespace(meta=with_levels({}, colormap="sdoaia171")))
    'sdoaia171'
    >>> colormap(SimpleNamespace(meta={})) is None
    True
    """
    value = _first_meta_value(obj, COLORMAP)
    return None if value is None else str(value)


def window_label(obj: Any) -> str | None:
    """The label of the window ``obj`` belongs to (meta ``window``, as the reader names it), or None.

    For a sequence or collection, the value of the first cube that has one.

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> window_label(SimpleNamespace(meta=with_levels({}, window="FUV channel")))
    'FUV channel'
    >>> window_label(SimpleNamespace(meta={})) is None
    True
    """
    value = _first_meta_value(obj, WINDOW)
    return value if isinstance(value, str) and value.strip() else None
