"""Per-exposure values (time, exposure time, raster position, repeat) kept with a cube.

They live twice: as ndcube extra coordinates on array axis 0 (so ndcube's
tools see them) and in the cube's ``NDMeta`` tied to axis 0 (so they slice
with the cube, even to a single exposure). :func:`extra_coord` reads them.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

__all__ = ["EXPOSURE_COORDS", "extra_coord", "attach_exposure_coords", "exposure_values"]

#: names of the per-exposure coordinates on axis 0
EXPOSURE_COORDS = ("time", "exposure_time", "raster_position", "repeat")
_PREFIX = "per_exposure:"


def attach_exposure_coords(meta: Mapping[str, Any] | None, values: Mapping[str, Any]) -> Any:
    """An ``NDMeta`` with ``meta`` plus ``values`` (per-exposure arrays) tied to axis 0.

    Examples
    --------
    >>> import astropy.units as u
    >>> m = attach_exposure_coords({"observation_id": "1"}, {"exposure_time": [8.0, 8.0] * u.s})
    >>> m["observation_id"], m.axes["per_exposure:exposure_time"].tolist()
    ('1', [0])
    """
    from ndcube import NDMeta

    out = NDMeta({k: v for k, v in dict(meta or {}).items() if not str(k).startswith(_PREFIX)})
    for name, value in values.items():
        scalar = getattr(value, "isscalar", np.ndim(value) == 0)
        out.add(_PREFIX + name, value, axes=None if scalar else 0, overwrite=True)
    return out


def exposure_values(cube: Any) -> dict[str, Any]:
    """Every per-exposure value stored in ``cube.meta`` (name -> array along axis 0)."""
    meta = getattr(cube, "meta", None) or {}
    return {k[len(_PREFIX) :]: v for k, v in meta.items() if str(k).startswith(_PREFIX)}


def extra_coord(cube: Any, name: str) -> Any:
    """The per-exposure coordinate ``name`` of ``cube`` along its exposure axis.

    Works after any slicing: a cube cut to one exposure gives a scalar.

    Parameters
    ----------
    cube
        A :class:`RasterCube`, :class:`SJICube` or any NDCube carrying the
        coordinate in its meta or as an extra coordinate.
    name
        ``"time"`` (astropy Time, exposure midpoints), ``"exposure_time"``
        (Quantity, s), ``"raster_position"`` or ``"repeat"`` (integer arrays).

    Returns
    -------
    astropy.time.Time or astropy.units.Quantity or numpy.ndarray

    Raises
    ------
    KeyError
        When the cube has no such coordinate (the message lists those it has).

    Examples
    --------
    >>> obs = irisplug.read(raster_dir)  # doctest: +SKIP
    >>> extra_coord(obs[line][0][2:5], "time")  # doctest: +SKIP
    <Time object: scale='utc' format='isot' value=[...]>
    """
    values = exposure_values(cube)
    if name in values:
        return values[name]
    ec = getattr(cube, "extra_coords", None)
    if ec is not None and name in ec.keys():
        return cube.axis_world_coords(wcs=ec[name])[0]
    known = sorted(set(values) | set(ec.keys() if ec is not None else ()))
    raise KeyError(f"no per-exposure coordinate {name!r}; this cube has {known}")


def add_extra_coords(cube: Any, values: Mapping[str, Any]) -> None:
    """Register the per-exposure values as ndcube extra coordinates on axis 0 (in place)."""
    import astropy.units as u
    from astropy.time import Time

    for name, value in values.items():
        if isinstance(value, Time):
            if value.isscalar:
                continue
            cube.extra_coords.add(name, 0, value, physical_types="time")
        else:
            q = value if isinstance(value, u.Quantity) else u.Quantity(np.asarray(value), u.one)
            if q.isscalar:
                continue
            cube.extra_coords.add(name, 0, q)


__all__ += ["add_extra_coords"]
