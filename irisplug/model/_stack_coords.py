"""Coordinates of several cubes in one SkyCoord, each pixel keeping its own frame attributes (time, observer).

astropy concatenates SkyCoords only when their frames are equal. The rasters
of a real sequence are observed at other times from another place, so each
raster's helioprojective frame differs from the next; stacking the frames'
attributes pixel by pixel (astropy and sunpy frames take array-valued
``obstime`` and ``observer``) gives one coordinate object whose slice ``i`` is
raster ``i``'s own coordinates, exactly.
"""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["stack_coords"]


def stack_coords(coords: list[Any]) -> Any:
    """One SkyCoord of shape ``(len(coords), *shape)`` from SkyCoords (or frames) of one shape and frame class.

    Raises
    ------
    irisplug.InconsistentInputError
        The coordinates differ in shape or frame class.

    Examples
    --------
    >>> import astropy.units as u
    >>> from astropy.coordinates import SkyCoord
    >>> a = SkyCoord([1, 2] * u.deg, [3, 4] * u.deg, frame="fk5", equinox="J2000")
    >>> b = SkyCoord([5, 6] * u.deg, [7, 8] * u.deg, frame="fk5", equinox="J2010")
    >>> both = stack_coords([a, b])
    >>> both.shape, float(both[1].equinox[0].jyear)
    ((2, 2), 2010.0)
    """
    from astropy.coordinates import SkyCoord

    from irisplug.errors import InconsistentInputError

    if not coords:
        raise InconsistentInputError("no coordinates to stack")
    frames = [getattr(c, "frame", c) for c in coords]
    shape, cls = frames[0].shape, type(frames[0])
    odd = [i for i, f in enumerate(frames) if f.shape != shape or type(f) is not cls]
    if odd:
        raise InconsistentInputError(f"coordinates {odd} differ in shape or frame from the first ({cls.__name__} "
                                     f"{shape}): take each one's coordinates on its own")
    return SkyCoord(_stack_frames(frames))


def _stack_frames(frames: list[Any]) -> Any:
    shape = frames[0].shape
    attrs = {}
    for name in frames[0].frame_attributes:
        values = [getattr(f, name) for f in frames]
        attrs[name] = _stack_attribute(values, shape)
    data = frames[0].data
    rep = type(data)(**{c: _stack_quantities([getattr(f.data, c) for f in frames], shape) for c in data.components},
                     copy=False)
    return type(frames[0])(rep, **attrs)


def _broadcast(value: Any, shape: tuple[int, ...]) -> Any:
    """``value`` (a Quantity, angles too, or plain numbers) broadcast to ``shape``, keeping its unit."""
    import astropy.units as u

    unit = getattr(value, "unit", None)
    if unit is None:
        return np.broadcast_to(value, shape)
    return u.Quantity(np.broadcast_to(u.Quantity(value).to_value(unit), shape), unit, copy=False)


def _stack_quantities(values: list[Any], shape: tuple[int, ...]) -> Any:
    """Quantities (or plain numbers) broadcast to ``shape`` and stacked, in the first one's unit."""
    import astropy.units as u

    unit = getattr(values[0], "unit", None)
    if unit is None:
        return np.stack([_broadcast(v, shape) for v in values])
    return u.Quantity(np.stack([_broadcast(u.Quantity(v).to(unit), shape).value for v in values]), unit, copy=False)


def _stack_attribute(values: list[Any], shape: tuple[int, ...]) -> Any:
    """One frame attribute over all frames: kept when scalar and equal, else broadcast per pixel and stacked."""
    from astropy.coordinates import BaseCoordinateFrame, SkyCoord
    from astropy.time import Time

    first = values[0]
    if first is None or isinstance(first, str):
        return first
    if isinstance(first, (SkyCoord, BaseCoordinateFrame)):
        frames = [getattr(v, "frame", v) for v in values]
        if all(f.shape == () for f in frames) and all(f.is_equivalent_frame(frames[0]) and bool(f == frames[0])
                                                      for f in frames[1:]):
            return first
        return _stack_frames([f if f.shape == shape else _broadcast_frame(f, shape) for f in frames])
    if all(np.shape(v) == () for v in values) and all(bool(v == first) for v in values[1:]):
        return first  # one value for every pixel (rsun, a common obstime, ...)
    if isinstance(first, Time):
        jd1 = np.stack([np.broadcast_to(v.jd1, shape) for v in values])
        jd2 = np.stack([np.broadcast_to(v.jd2, shape) for v in values])
        out = Time(jd1, jd2, format="jd", scale=first.scale, precision=first.precision, location=first.location)
        out.format = first.format
        return out
    return _stack_quantities(values, shape)


def _broadcast_frame(frame: Any, shape: tuple[int, ...]) -> Any:
    """``frame`` (a scalar or broadcastable coordinate, e.g. one observer for a whole raster) at every pixel."""
    data = frame.data
    rep = type(data)(**{c: _broadcast(getattr(data, c), shape) for c in data.components}, copy=False)
    return type(frame)(rep, **{name: getattr(frame, name) for name in frame.frame_attributes})
