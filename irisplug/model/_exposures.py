"""Per-exposure values (time, exposure time, raster position, repeat) kept with a cube.

They live twice: as ndcube extra coordinates on array axis 0 (so ndcube's
tools see them) and in the cube's ``NDMeta`` tied to axis 0 (so they slice
with the cube, even to a single exposure). :func:`extra_coord` reads them.
"""

from __future__ import annotations

import functools
import sys
from collections.abc import Mapping
from typing import Any

import numpy as np

from irisplug.errors import IndexOutOfRangeError, UnknownCoordinateError

__all__ = ["EXPOSURE_COORDS", "extra_coord", "attach_exposure_coords", "exposure_values", "UnknownCoordinateError",
           "IndexOutOfRangeError", "check_index"]


def check_index(index: Any, n: int, what: str, *, of: str = "", path: Any = None) -> int:
    """``index`` as a non-negative int below ``n`` (negative indices count from the end, as in Python).

    Parameters
    ----------
    index
        An integer (Python or numpy).
    n
        How many there are.
    what
        What is counted, for the message (``"frame"``, ``"raster file"``).
    of
        What it belongs to, for the message (``"of window 'FUV 1394'"``).
    path
        The file concerned, if any (``err.path``).

    Raises
    ------
    IndexOutOfRangeError
        ``index`` is not in ``-n .. n - 1``.

    Examples
    --------
    >>> check_index(-1, 54, "frame")
    53
    >>> check_index(100, 54, "frame")
    Traceback (most recent call last):
    ...
    irisplug.errors.IndexOutOfRangeError: frame 100 is out of range: there are 54 (0..53, or -54..-1 from the end)
    """
    import operator

    try:
        i = operator.index(index)
    except TypeError:
        raise IndexOutOfRangeError(f"{what} index must be an integer, got {index!r}", path=path) from None
    if not -n <= i < n:
        span = f"0..{n - 1}, or -{n}..-1 from the end" if n else "none"
        raise IndexOutOfRangeError(f"{what} {i}{' ' + of if of else ''} is out of range: there are {n} ({span})",
                                   path=path)
    return i % n


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
    out = _exposure_meta_type()({k: v for k, v in dict(meta or {}).items() if not str(k).startswith(_PREFIX)})
    for name, value in values.items():
        scalar = getattr(value, "isscalar", np.ndim(value) == 0)
        out.add(_PREFIX + name, value, axes=None if scalar else 0, overwrite=True)
    return out


def _rebuild_meta(cls: type, items: dict[str, Any], state: dict[str, Any]) -> Any:
    """The inverse of :meth:`ExposureMeta.__reduce__`: the attributes first, then the items."""
    out = cls.__new__(cls)
    out.__dict__.update(state)
    dict.update(out, items)
    return out


@functools.cache
def _exposure_meta_type() -> type:
    """``ExposureMeta``: ndcube's ``NDMeta`` that survives pickling.

    ndcube 2.4's ``NDMeta`` does not unpickle (``AttributeError: ... '_axes'``): pickle restores a dict
    subclass's items before its attributes, and ``NDMeta.__setitem__`` reads ``self.axes``. Every cube carrying
    per-exposure values (every IRIS cube) could then not be pickled, so not be sent to a dask worker.
    ``copy.deepcopy`` (ndcube's slicing and rebinning) restores the attributes first and keeps this class.
    """
    from ndcube import NDMeta

    class ExposureMeta(NDMeta):
        def __reduce__(self) -> tuple[Any, ...]:
            return _rebuild_meta, (type(self), dict(self), dict(self.__dict__))

    ExposureMeta.__module__ = __name__
    ExposureMeta.__qualname__ = "ExposureMeta"
    return ExposureMeta


def __getattr__(name: str) -> Any:
    if name == "ExposureMeta":  # the class is built on first use (ndcube imported then); pickle finds it here
        return _exposure_meta_type()
    raise AttributeError(name)


def exposure_values(cube: Any) -> dict[str, Any]:
    """Every per-exposure value stored in ``cube.meta`` (name -> array along axis 0)."""
    meta = getattr(cube, "meta", None) or {}
    return {k[len(_PREFIX) :]: v for k, v in meta.items() if str(k).startswith(_PREFIX)}


def extra_coord(cube: Any, name: str) -> Any:
    """The per-exposure coordinate ``name`` of ``cube`` along its exposure axis.

    Works after any slicing: a cube cut to one exposure gives a scalar (for
    a cube whose values are extra coordinates, ndcube's ``global_coords``
    keeps them once the exposure axis is indexed away).

    Parameters
    ----------
    cube
        A :class:`RasterCube`, :class:`SJICube` or any NDCube carrying the
        coordinate in its meta or as an extra coordinate; or an
        ``NDCubeSequence`` of them (a :class:`RasterSequence`, e.g. a
        one-file sit-and-stare window), whose cubes' values are concatenated
        in order: one value per exposure of the whole sequence.
    name
        ``"time"`` (astropy Time, exposure midpoints), ``"exposure_time"``
        (Quantity, s), ``"raster_position"`` or ``"repeat"`` (integer arrays).

    Returns
    -------
    astropy.time.Time or astropy.units.Quantity or numpy.ndarray

    Raises
    ------
    UnknownCoordinateError
        When the cube has no such coordinate (the message lists those it has);
        an ``IrisplugError`` and a ``KeyError``.

    Examples
    --------
    >>> obs = irisplug.read(raster_dir)  # doctest: +SKIP
    >>> extra_coord(obs[line][0][2:5], "time")  # doctest: +SKIP
    <Time object: scale='utc' format='isot' value=[...]>
    """
    values = exposure_values(cube)
    if name in values:
        return values[name]
    cubes = _sequence_cubes(cube)
    if cubes is not None:
        return _concatenated(cubes, name)
    ec = getattr(cube, "extra_coords", None)
    if ec is not None and name in ec.keys():
        return cube.axis_world_coords(wcs=ec[name])[0]
    # a cube cut to one frame (its frame axis indexed away): ndcube keeps the dropped coordinates' values there
    gc = getattr(cube, "global_coords", None)
    held = set(gc.keys()) if gc is not None else set()
    if name in held:
        return gc[name]
    known = sorted(set(values) | set(ec.keys() if ec is not None else ()) | held)
    if known:
        raise UnknownCoordinateError(f"no per-exposure coordinate {name!r}; this {type(cube).__name__} has {known}",
                                     path=_filename(cube))
    raise UnknownCoordinateError(
        f"a {type(cube).__name__} has no per-exposure coordinates (no exposure axis, or not made by a reader that "
        f"sets them); give a cube, a sequence of cubes or an image cut from one", path=_filename(cube))


def _filename(obj: Any) -> Any:
    meta = getattr(obj, "meta", None)
    return meta.get("FILENAME") if isinstance(meta, Mapping) else None


def _sequence_cubes(obj: Any) -> list[Any] | None:
    """The cubes of an ``NDCubeSequence`` (a RasterSequence, ...), None for anything else."""
    if "ndcube" not in sys.modules:  # no NDCubeSequence can exist before ndcube is imported
        return None
    from ndcube import NDCubeSequence

    return list(obj.data) if isinstance(obj, NDCubeSequence) else None


def _concatenated(cubes: list[Any], name: str) -> Any:
    """Coordinate ``name`` of every cube of a sequence, concatenated in order (one value per exposure)."""
    if not cubes:
        raise UnknownCoordinateError(f"no per-exposure coordinate {name!r}: the sequence holds no cubes")
    try:
        parts = [np.atleast_1d(extra_coord(c, name)) for c in cubes]
    except UnknownCoordinateError as err:
        raise UnknownCoordinateError(f"in the sequence's cubes: {err.message}", path=err.path) from None
    from astropy.time import Time

    if isinstance(parts[0], Time):  # exactly (two-part Julian dates), not through ISO strings rounded to the ms
        utc = [p.utc for p in parts]
        out = Time(np.concatenate([p.jd1 for p in utc]), np.concatenate([p.jd2 for p in utc]), format="jd", scale="utc",
                   precision=parts[0].precision)
        return out.copy(format=parts[0].format)
    import astropy.units as u

    if isinstance(parts[0], u.Quantity):
        return u.Quantity(np.concatenate([p.to_value(parts[0].unit) for p in parts]), parts[0].unit)
    return np.concatenate(parts)


def rebinned_exposure_values(values: Mapping[str, Any], bin_size: int, operation: Any = np.mean) -> dict[str, Any]:
    """Per-exposure ``values`` of exposures binned ``bin_size`` at a time (see ``RasterCube.rebin``).

    Examples
    --------
    >>> import astropy.units as u
    >>> from astropy.time import Time
    >>> t = Time("2014-03-29T14:09:43") + [0, 10, 20, 30] * u.s
    >>> out = rebinned_exposure_values({"time": t, "exposure_time": [8, 8, 4, 4] * u.s,
    ...                                 "raster_position": [0, 1, 0, 1], "repeat": [0, 0, 1, 1]}, 2, np.sum)
    >>> out["time"].isot.tolist(), out["exposure_time"].value.tolist(), sorted(out)
    (['2014-03-29T14:09:48.000', '2014-03-29T14:10:08.000'], [16.0, 8.0], ['exposure_time', 'repeat', 'time'])
    """
    from irisplug.model.frame_cube import binned_frame_values

    out: dict[str, Any] = {}
    for name, value in values.items():
        if getattr(value, "isscalar", np.ndim(value) == 0):
            continue
        binned = binned_frame_values(name, value, bin_size, operation)
        if binned is not None:
            out[name] = binned
    return out


#: IVOA UCD1+ words of the per-exposure coordinates (ndcube shows ``custom:CUSTOM`` for a coordinate without one)
_PHYSICAL_TYPES = {"exposure_time": "obs.exposure", "raster_position": "meta.number", "repeat": "meta.number"}


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
            cube.extra_coords.add(name, 0, q, physical_types=_PHYSICAL_TYPES.get(name))


__all__ += ["add_extra_coords", "rebinned_exposure_values"]
