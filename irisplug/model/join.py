"""Join exposures of several cubes of one window into one cube."""

from __future__ import annotations

from typing import Any

import numpy as np

from irisplug.model._exposures import attach_exposure_coords, exposure_values

__all__ = ["join_cubes"]


def _concat_values(values: list[Any]) -> Any:
    import astropy.units as u
    from astropy.time import Time

    values = [v if np.ndim(v) else v.reshape(1) if hasattr(v, "reshape") else np.atleast_1d(v) for v in values]
    if isinstance(values[0], Time):
        jd1 = np.concatenate([v.utc.jd1 for v in values])
        jd2 = np.concatenate([v.utc.jd2 for v in values])
        return Time(jd1, jd2, format="jd", scale="utc").copy(format="isot")
    if isinstance(values[0], u.Quantity):
        return u.Quantity(np.concatenate([v.to_value(values[0].unit) for v in values]), values[0].unit)
    return np.concatenate([np.asarray(v) for v in values])


def join_cubes(parts: list[tuple[Any, Any]], *, stare: bool) -> Any:
    """One cube of the exposures ``(cube, exposures)`` taken in order.

    Parameters
    ----------
    parts
        Unsliced cubes of one window (same shape but axis 0) and the exposures to take.
    stare
        True when the joined exposures share one slit position (raster
        position splitting): the exposure axis then maps to time only.

    Examples
    --------
    >>> join_cubes([(seq[0], [3]), (seq[1], [3])], stare=True)  # doctest: +SKIP
    """
    import dask.array as da

    from irisplug.model.operations import _new_cube, unwrap_wcs
    from irisplug.model.wcs import PerExposureWCS, join_exposures

    wparts, datas, masks, values = [], [], [], []
    for cube, exposures in parts:
        base, slices = unwrap_wcs(cube.wcs)
        if not isinstance(base, PerExposureWCS) or any(s != slice(None) for s in slices):
            raise TypeError("join_cubes needs unsliced cubes with a per-exposure WCS")
        idx = np.atleast_1d(np.arange(cube.data.shape[0])[exposures])
        wparts.append((base, idx))
        datas.append(cube.data[idx])
        masks.append(None if cube.mask is None else cube.mask[idx])
        values.append({k: v[idx] for k, v in exposure_values(cube).items()})
    first = parts[0][0]
    base0 = wparts[0][0]
    updates = {f"CDELT{base0.exposure_axis}": 0.0} if stare and base0._spatial_exposure else {}
    wcs = join_exposures(wparts, header_updates=updates)
    data = da.concatenate([da.asarray(d) for d in datas], axis=0)
    mask = None if any(m is None for m in masks) else da.concatenate([da.asarray(m) for m in masks], axis=0)
    joined = {k: _concat_values([v[k] for v in values]) for k in values[0]}
    meta = attach_exposure_coords(dict(first.meta or {}), joined)
    return _new_cube(first, data, mask, wcs, meta)
