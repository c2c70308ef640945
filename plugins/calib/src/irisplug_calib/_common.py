"""Helpers shared by the calibration steps: new objects, uncertainties, provenance, dask."""

from __future__ import annotations

import copy
from collections.abc import Callable, Mapping
from typing import Any

import numpy as np

from irisplug.errors import UnsupportedObjectError
from irisplug_calib._version import VERSION

__all__ = [
    "PLUGIN",
    "VERSION",
    "CalibrationWarning",
    "KEEP",
    "is_dask",
    "as_float",
    "std_of",
    "new_cube",
    "new_map",
    "is_map",
    "map_cubes",
    "record",
    "xp_of",
    "frame_values",
    "seconds",
    "source_name",
    "describe_frames",
    "irisplug_progress",
]

PLUGIN = "calib"
KEEP: Any = object()


class CalibrationWarning(UserWarning):
    """A calibration step did something the user should know about (fallback, no-op)."""


def is_dask(a: Any) -> bool:
    """True for a dask array (checked without importing dask)."""
    return type(a).__module__.startswith("dask.")


def as_float(a: Any) -> Any:
    """``a`` as a floating array (float32 stays float32, integers become float64); lazy stays lazy."""
    dtype = getattr(a, "dtype", None)
    if dtype is not None and np.issubdtype(dtype, np.floating):
        return a
    if is_dask(a):
        return a.astype(np.float64)
    return np.asarray(a, dtype=np.float64)


def std_of(obj: Any) -> Any:
    """The 1-sigma uncertainty array of an NDData-like object, or None.

    Variance and inverse-variance uncertainties are converted to a standard deviation.
    """
    unc = getattr(obj, "uncertainty", None)
    if unc is None:
        return None
    arr = unc.array
    kind = getattr(unc, "uncertainty_type", "std")
    if kind == "var":
        return arr**0.5
    if kind == "ivar":
        return arr**-0.5
    return arr


def _stddev(arr: Any) -> Any:
    from astropy.nddata import StdDevUncertainty

    return None if arr is None else StdDevUncertainty(arr, copy=False)


def new_cube(
    cube: Any, data: Any, *, uncertainty: Any = KEEP, mask: Any = KEEP, unit: Any = KEEP, meta: Any = KEEP
) -> Any:
    """A shallow copy of an NDCube (any subclass) with new arrays; the input is untouched.

    ``uncertainty`` is a 1-sigma array (or None); WCS, extra and global
    coordinates and subclass attributes are shared with the input.
    """
    new = copy.copy(cube)
    new._data = data
    if unit is not KEEP:
        new._unit = unit
    if mask is not KEEP:
        new._mask = mask
    if uncertainty is not KEEP:
        new._uncertainty = None
        if uncertainty is not None:
            new.uncertainty = _stddev(uncertainty)
    elif getattr(cube, "uncertainty", None) is not None:
        new._uncertainty = None
        new.uncertainty = copy.copy(cube.uncertainty)
    new_meta = copy.copy(cube.meta) if meta is KEEP else meta
    try:
        new.meta = new_meta
    except AttributeError:
        new._meta = new_meta
    ec = getattr(cube, "_extra_coords", None)
    if ec is not None:
        ec2 = copy.copy(ec)
        if hasattr(ec2, "_ndcube"):
            ec2._ndcube = new
        new._extra_coords = ec2
    return new


def is_map(obj: Any) -> bool:
    """True for a sunpy Map (checked without importing sunpy.map)."""
    return any(c.__module__.startswith("sunpy.map") and c.__name__ == "GenericMap" for c in type(obj).__mro__)


def new_map(smap: Any, data: Any, *, meta: Mapping[str, Any] | None = None, mask: Any = KEEP, uncertainty: Any = KEEP) -> Any:
    """A new sunpy Map of the same source class with ``data`` and a copy of the metadata."""
    import sunpy.map
    from sunpy.util import MetaDict

    meta = copy.deepcopy(dict(smap.meta)) if meta is None else meta
    m = smap.mask if mask is KEEP else mask
    unc = getattr(smap, "uncertainty", None) if uncertainty is KEEP else _stddev(uncertainty)
    kwargs = {}
    if m is not None and np.ndim(m):
        kwargs["mask"] = m
    if unc is not None:
        kwargs["uncertainty"] = unc
    return sunpy.map.Map(data, MetaDict(meta), **kwargs)


def map_cubes(obj: Any, fn: Callable[[Any], Any], what: str) -> Any:
    """Apply ``fn`` to an NDCube, to every cube of an NDCubeSequence, or to each item of a collection.

    Raises
    ------
    UnsupportedObjectError
        For anything else.
    """
    from ndcube import NDCube, NDCubeSequence

    if isinstance(obj, NDCube):
        return fn(obj)
    if isinstance(obj, NDCubeSequence):
        new = [map_cubes(c, fn, what) for c in obj.data]
        out = copy.copy(obj)
        out.data = new
        out.meta = copy.copy(obj.meta) if obj.meta is not None else {}
        return out
    if hasattr(obj, "map_items"):
        return obj.map_items(lambda item: map_cubes(item, fn, what))
    from ndcube import NDCollection

    if isinstance(obj, NDCollection):
        items = {k: map_cubes(v, fn, what) for k, v in obj.items()}
        return NDCollection(list(items.items()), aligned_axes=getattr(obj, "aligned_axes", None), meta=copy.copy(obj.meta))
    raise UnsupportedObjectError(f"{what} cannot calibrate a {type(obj).__name__}; give an NDCube or a sequence of them")


def record(obj: Any, step: str, params: Mapping[str, Any] | None = None, inputs: Mapping[str, Any] | None = None) -> Any:
    """Record the step in ``obj``'s history (and in each cube of a sequence); returns ``obj``."""
    from irisplug.provenance import record_step

    if getattr(obj, "meta", None) is None:
        try:
            obj.meta = {}
        except AttributeError:
            return obj
    record_step(obj, step, plugin=PLUGIN, version=VERSION, params=params, inputs=inputs)
    return obj


def xp_of(a: Any) -> Any:
    """The array module for ``a``: ``dask.array`` for dask arrays, else numpy."""
    if is_dask(a):
        import dask.array as da

        return da
    return np


def frame_values(obj: Any, name: str, n: int | None = None) -> Any:
    """Per-frame values ``name`` of a cube (extra coordinate or meta), or None when absent.

    Looks in ``irisplug.model.extra_coord`` (IRIS/SHOW cubes), then
    ``obj.meta[name]``. Quantities and Times are returned as they are.
    """
    try:
        from irisplug.model import extra_coord

        return extra_coord(obj, name)
    except (ImportError, KeyError, AttributeError, TypeError, ValueError):
        pass
    meta = getattr(obj, "meta", None)
    if meta is not None and name in meta:
        return meta[name]
    ec = getattr(obj, "extra_coords", None)
    try:
        if ec is not None and name in ec.keys():
            return obj.axis_world_coords(wcs=ec[name])[0]
    except (KeyError, ValueError, TypeError, AttributeError):
        pass
    return None


def seconds(value: Any, default_unit: str = "s") -> np.ndarray:
    """Exposure times as float seconds (Quantity in any time unit, or plain numbers in ``default_unit``)."""
    import astropy.units as u

    if isinstance(value, u.Quantity):
        return np.atleast_1d(value.to_value(u.s)).astype(float)
    return np.atleast_1d(np.asarray(value, dtype=float)) * u.Unit(default_unit).to(u.s)


def source_name(obj: Any) -> str | None:
    """The file (or source) an object was read from, from its meta (``filename``, ``FILENAME``, ``source``), or None."""
    meta = getattr(obj, "meta", None)
    if meta is None:
        return None
    for k in ("filename", "FILENAME", "source"):
        if k in meta:
            return str(meta[k])
    return None


def describe_frames(times: np.ndarray, bad: np.ndarray, limit: int = 5) -> str:
    """The exposure times (s) of the frames flagged by ``bad``, for a message: ``"frame 2: nan s, ..."``.

    One time for every frame (a single value, or all flagged and equal) is
    described as ``"nan s (every frame)"``.

    Examples
    --------
    >>> describe_frames(np.array([1.0, np.nan, -2.0]), np.array([False, True, True]))
    'frame 1: nan s, frame 2: -2.0 s'
    >>> describe_frames(np.array([np.inf, np.inf]), np.array([True, True]))
    'inf s (every frame)'
    """
    times = np.atleast_1d(times)
    if times.size == 1 or (np.all(bad) and np.array_equal(times, np.full(times.shape, times[0]), equal_nan=True)):
        return f"{times[0]} s (every frame)"
    idx = np.flatnonzero(bad)
    shown = ", ".join(f"frame {i}: {times[i]} s" for i in idx[:limit])
    return shown + (f", ... ({idx.size} frames)" if idx.size > limit else "")


def irisplug_progress(iterable: Any, *, total: int | None = None, desc: str = "", quiet: bool | None = None) -> Any:
    """``irisplug.progress`` (a tqdm bar, silent under CI or when quiet)."""
    from irisplug.progress_bars import progress

    return progress(iterable, total=total, desc=desc, quiet=quiet)
