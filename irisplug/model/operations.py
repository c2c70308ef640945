"""Operations on exposure cubes that keep per-exposure pointing, time and metadata.

Each returns a new object; inputs are never changed.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from irisplug.model._exposures import attach_exposure_coords, exposure_values

__all__ = [
    "unwrap_wcs",
    "world_object_keys",
    "rewrap_wcs",
    "replace_arrays",
    "select_exposures",
    "drop_empty_exposures",
    "normalize_exposure",
    "is_exposure_normalized",
]


def unwrap_wcs(wcs: Any) -> tuple[Any, list[Any]]:
    """``(low_level_wcs, pixel_slices)``: the WCS under ndcube's slicing wrappers.

    ``pixel_slices`` (pixel order) is what slicing applied; all ``slice(None)``
    when none.
    """
    from astropy.wcs.wcsapi import SlicedLowLevelWCS

    low = getattr(wcs, "low_level_wcs", wcs)
    if isinstance(low, SlicedLowLevelWCS):
        return low._wcs, list(low._slices_pixel)
    return low, [slice(None)] * low.pixel_n_dim


def world_object_keys(wcs: Any) -> list[str]:
    """The high-level world objects of ``wcs`` (``"spectral"``, ``"celestial"``, ``"time"``, ...) in the order
    ``NDCube.crop`` takes them.

    Read from the low-level WCS: a sliced or rebinned cube's WCS is a high-level wrapper without
    ``world_axis_object_components``.

    Examples
    --------
    >>> from astropy.wcs import WCS
    >>> w = WCS(naxis=2)
    >>> w.wcs.ctype = ["WAVE", "TIME"]
    >>> world_object_keys(w)
    ['spectral', 'time']
    """
    low = getattr(wcs, "low_level_wcs", wcs)
    return list(dict.fromkeys(c[0] for c in low.world_axis_object_components))


def rewrap_wcs(base: Any, slices: list[Any]) -> Any:
    """Apply ``slices`` (pixel order, as :func:`unwrap_wcs` returns them) to ``base`` again.

    The inverse of :func:`unwrap_wcs`: a plugin that replaces the WCS under a
    sliced cube (e.g. new pointing) keeps the cube's slicing.

    Parameters
    ----------
    base
        A low-level WCS with the unsliced pixel axes.
    slices
        One ``slice`` or integer per pixel axis of ``base`` (pixel order).

    Returns
    -------
    object
        ``base`` itself when nothing is sliced, else a high-level wrapper of
        an astropy ``SlicedLowLevelWCS``.

    Examples
    --------
    >>> base, slices = unwrap_wcs(cube[:8].wcs)  # doctest: +SKIP
    >>> cube_wcs = rewrap_wcs(base.with_pointing(lon, lat), slices)  # doctest: +SKIP
    """
    from astropy.wcs.wcsapi import HighLevelWCSWrapper, SlicedLowLevelWCS

    if all(isinstance(s, slice) and s == slice(None) for s in slices):
        return base
    return HighLevelWCSWrapper(SlicedLowLevelWCS(base, slices[::-1]))



def _new_cube(like: Any, data: Any, mask: Any, wcs: Any, meta: Any, unit: Any = None, uncertainty: Any = None) -> Any:
    cls = type(like)
    return cls(data, wcs=wcs, unit=like.unit if unit is None else unit, mask=mask, meta=meta, uncertainty=uncertainty)


def _uncertainty_like(cube: Any, array: Any, keep_unit: bool = True) -> Any:
    """``cube``'s uncertainty class holding ``array`` (None when the cube has none).

    Without ``keep_unit`` the new uncertainty takes its unit from the cube it is attached to.
    """
    unc = getattr(cube, "uncertainty", None)
    if unc is None or array is None:
        return None
    return type(unc)(array, unit=getattr(unc, "_unit", None) if keep_unit else None, copy=False)


def replace_arrays(cube: Any, data: Any, mask: Any, *, unit: Any = None, uncertainty: Any = "keep") -> Any:
    """A cube like ``cube`` with new data / mask (same shape) and optionally a new unit.

    ``uncertainty`` is an astropy ``NDUncertainty``, the new uncertainty's
    array (in ``cube``'s uncertainty class), None for none, or ``"keep"``
    (default) to keep ``cube``'s.

    Examples
    --------
    >>> loaded = replace_arrays(cube, cube.data.compute(), cube.mask.compute())  # doctest: +SKIP
    """
    meta = attach_exposure_coords(dict(cube.meta or {}), exposure_values(cube))
    from astropy.nddata import NDUncertainty

    if isinstance(uncertainty, str) and uncertainty == "keep":
        unc = getattr(cube, "uncertainty", None)
    elif isinstance(uncertainty, NDUncertainty):
        unc = uncertainty
    else:
        unc = _uncertainty_like(cube, uncertainty, keep_unit=unit is None)
    return _new_cube(cube, data, mask, cube.wcs, meta, unit=unit, uncertainty=unc)


def select_exposures(cube: Any, exposures: Any) -> Any:
    """A new cube holding the exposures ``exposures`` of array axis 0, each with its own pointing.

    Parameters
    ----------
    cube
        A RasterCube or SJICube (possibly sliced).
    exposures
        Integer indices, a boolean mask or a slice over axis 0.

    Examples
    --------
    >>> select_exposures(cube, [0, 8, 16])  # doctest: +SKIP
    """
    from irisplug.model.wcs import PerExposureWCS

    n = cube.data.shape[0]
    idx = np.arange(n)[exposures]
    idx = np.atleast_1d(idx)
    base, slices = unwrap_wcs(cube.wcs)
    if not isinstance(base, PerExposureWCS):
        raise TypeError(f"{type(cube).__name__} has no per-exposure WCS to select exposures from")
    e = base.exposure_axis - 1
    s = slices[e]
    if not isinstance(s, slice):
        raise IndexError("the exposure axis has been sliced away; nothing to select")
    original = np.arange(base.n_exposures)[s][idx]
    new_base = base.subset(original)
    slices = list(slices)
    slices[e] = slice(None)
    wcs = rewrap_wcs(new_base, slices)
    values = {k: (v[idx] if np.ndim(v) else v) for k, v in exposure_values(cube).items()}
    meta = attach_exposure_coords(dict(cube.meta or {}), values)
    mask = None if cube.mask is None or np.ndim(cube.mask) == 0 else cube.mask[idx]
    unc = getattr(cube, "uncertainty", None)
    unc = None if unc is None else _uncertainty_like(cube, unc.array[idx])
    return _new_cube(cube, cube.data[idx], mask, wcs, meta, uncertainty=unc)


def null_exposures(cube: Any) -> np.ndarray:
    """Boolean per exposure: True for an exposure that was not taken (a null frame).

    An exposure is null when its exposure time is zero (instruments may write
    such frames with values scattered around their missing value rather
    than exactly at it, so they are not all masked) or when every pixel is
    missing (the reader's mask, which marks the instrument's missing value,
    or NaN).

    Examples
    --------
    >>> import numpy as np, astropy.units as u, ndcube
    >>> from astropy.wcs import WCS
    >>> from irisplug.model import attach_exposure_coords
    >>> meta = attach_exposure_coords({}, {"exposure_time": [8.0, 0.0, 8.0] * u.s})
    >>> cube = ndcube.NDCube(np.ones((3, 2, 2)), wcs=WCS(naxis=3), meta=meta)
    >>> null_exposures(cube).tolist()
    [False, True, False]
    """
    data = cube.data
    bad = ~np.isfinite(data)
    if cube.mask is not None and np.ndim(cube.mask):
        bad = bad | cube.mask
    axes = tuple(range(1, data.ndim))
    empty = bad.all(axis=axes)
    empty = np.asarray(empty.compute() if hasattr(empty, "compute") else empty).reshape(-1)
    exposure = exposure_values(cube).get("exposure_time")
    if exposure is not None and np.ndim(exposure):
        seconds = np.asarray(getattr(exposure, "value", exposure), dtype=float).reshape(-1)
        if seconds.size == empty.size:
            empty = empty | (seconds <= 0)
    return empty


def drop_empty_exposures(cube: Any) -> Any:
    """Remove null exposures (IRISreader ``keep_null=False``): see :func:`null_exposures`.

    Returns ``None`` when every exposure is null.

    Examples
    --------
    >>> kept = drop_empty_exposures(obs[slit_jaw])  # doctest: +SKIP
    """
    empty = null_exposures(cube)
    if not empty.any():
        return cube
    if empty.all():
        return None
    return select_exposures(cube, np.flatnonzero(~empty))


def _scaled_uncertainty(unc: Any, factor: Any) -> Any:
    """The array of uncertainty ``unc`` of data multiplied by ``factor`` (std dev, variance or inverse variance)."""
    kind = getattr(unc, "uncertainty_type", "std")
    if kind == "std":
        return unc.array * np.abs(factor)
    if kind == "var":
        return unc.array * (factor * factor)
    if kind == "ivar":
        return unc.array / (factor * factor)
    from irisplug.errors import UnsupportedObjectError

    raise UnsupportedObjectError(f"cannot scale an uncertainty of type {type(unc).__name__} ({kind!r})")


def is_exposure_normalized(obj: Any) -> bool:
    """True when ``obj`` (a cube) is already in counts per second.

    Examples
    --------
    >>> import astropy.units as u, numpy as np, ndcube, astropy.wcs
    >>> c = ndcube.NDCube(np.zeros(2), wcs=astropy.wcs.WCS(naxis=1), unit=u.DN / u.s)
    >>> is_exposure_normalized(c)
    True
    """
    import astropy.units as u

    unit = getattr(obj, "unit", None)
    return unit is not None and any(b == u.s and p < 0 for b, p in zip(unit.bases, unit.powers, strict=True))


def normalize_exposure(obj: Any) -> Any:
    """Divide by each exposure's own exposure time: DN -> DN/s. Idempotent.

    Works on a RasterCube, SJICube, RasterSequence or Observation (each
    window with its own detector's exposure times: FUV, NUV, SJI).
    Exposures with zero exposure time become NaN and masked. The step is
    recorded in the provenance (meta ``irisplug_history``) as ``exposure-norm``.

    Returns
    -------
    object
        A new object of the same type (the input itself when already normalised).

    Examples
    --------
    >>> obs = irisplug.read(path)  # doctest: +SKIP
    >>> norm = irisplug.model.normalize_exposure(obs)  # doctest: +SKIP
    >>> norm[line][0].unit  # doctest: +SKIP
    Unit("DN / s")
    """
    import astropy.units as u
    from ndcube import NDCube, NDCubeSequence

    from irisplug.provenance import record_step

    if hasattr(obj, "map_items"):
        return obj.map_items(normalize_exposure)
    if isinstance(obj, NDCubeSequence):
        new = [normalize_exposure(c) for c in obj.data]
        return type(obj)(new, common_axis=getattr(obj, "_common_axis", None), meta=dict(obj.meta or {}))
    if not isinstance(obj, NDCube):
        from irisplug.errors import UnsupportedObjectError

        raise UnsupportedObjectError(f"cannot normalise a {type(obj).__name__} by exposure time")
    if is_exposure_normalized(obj):
        return obj
    exp = exposure_values(obj).get("exposure_time")
    if exp is None:
        from irisplug.errors import UnsupportedObjectError

        raise UnsupportedObjectError("the cube has no per-exposure 'exposure_time' to normalise by")
    seconds = np.atleast_1d(u.Quantity(exp).to_value(u.s)).astype(np.float32)
    if u.Quantity(exp).isscalar:
        factor = np.float32(1.0) / seconds[0] if seconds[0] > 0 else np.float32(np.nan)
        bad = None
    else:
        with np.errstate(divide="ignore"):
            inv = np.where(seconds > 0, np.float32(1.0) / seconds, np.float32(np.nan)).astype(np.float32)
        factor = inv.reshape((-1,) + (1,) * (obj.data.ndim - 1))
        bad = ~np.isfinite(factor)
    data = obj.data * factor
    mask = obj.mask
    if bad is not None and bad.any():
        mask = (mask | bad) if mask is not None and np.ndim(mask) else np.broadcast_to(bad, obj.data.shape)
    unc = getattr(obj, "uncertainty", None)
    sigma = None if unc is None else _scaled_uncertainty(unc, factor)
    new = replace_arrays(obj, data, mask, unit=obj.unit / u.s, uncertainty=sigma)
    record_step(new, "exposure-norm", plugin="irisplug.model", version="1", params={})
    return new
