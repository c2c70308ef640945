"""Exposure normalisation: DN -> DN/s, unit-aware and idempotent.

Works on NDCubes whose axis 0 carries an ``exposure_time`` coordinate (IRIS
rasters and slit-jaw cubes, SHOW stacks), NDCubes with a scalar or per-frame
``meta["exposure_time"]``, sequences of those, and sunpy Maps
(``exposure_time``). Data already a rate (per second, or in a unit that is
a rate, such as the Rayleigh), or already normalised by this step, are
returned unchanged (a copy) with a warning.

Examples
--------
>>> import numpy as np, ndcube, astropy.wcs, astropy.units as u
>>> cube = ndcube.NDCube(np.full((2, 2), 8.0), wcs=astropy.wcs.WCS(naxis=2), unit=u.DN,
...                      meta={"exposure_time": 4 * u.s})
>>> out = normalize_exposure(cube)
>>> out.unit, float(out.data[0, 0])
(Unit("DN / s"), 2.0)
"""

from __future__ import annotations

import copy
import warnings
from typing import Any

import numpy as np

from irisplug.errors import CalibrationError
from irisplug.provenance import history
from irisplug_calib._common import (
    CalibrationWarning,
    as_float,
    describe_frames,
    frame_values,
    is_map,
    map_cubes,
    new_cube,
    new_map,
    record,
    seconds,
    source_name,
    std_of,
    xp_of,
)

__all__ = ["normalize_exposure", "is_per_second"]


#: words of astropy's physical types of units that are rates in themselves: the Rayleigh (a photon flux, 1e10/4pi
#: photons m^-2 s^-1 sr^-1: airglow radiances in kR/nm), the watt (power), the jansky (spectral flux density); a
#: magnetic flux (density) is no rate
_RATE_TYPES = ("flux", "power", "irradiance", "radiance", "brightness")


def is_per_second(unit: Any) -> bool:
    """True when ``unit`` is already a rate: it contains ``1/s`` (DN/s, ct/s, erg/s/...) or a unit that is a rate
    in itself (Rayleigh, watt, jansky: astropy physical types of flux, power, irradiance, radiance, brightness).

    Counts (DN, ct, photons, electrons) and energies (erg, J) are not: they are what an exposure accumulates.

    Examples
    --------
    >>> import astropy.units as u
    >>> is_per_second(u.DN / u.s), is_per_second(u.DN), is_per_second(u.kR / u.nm), is_per_second(u.erg)
    (True, False, True, False)
    """
    import astropy.units as u

    if unit is None:
        return False
    unit = u.Unit(unit)
    for base, power in zip(unit.bases, unit.powers, strict=True):
        if power < 0 and base.is_equivalent(u.s):
            return True
        ptype = str(base.physical_type)
        if power > 0 and "magnetic" not in ptype and any(word in ptype for word in _RATE_TYPES):
            return True
    return False


def _already(obj: Any) -> str | None:
    if any(r.get("step") == "exposure-norm" for r in history(obj)):
        return "it was already exposure-normalised (see its history)"
    if is_per_second(getattr(obj, "unit", None)):
        return f"its unit {obj.unit} is already a rate (per second)"
    return None


def _noop(obj: Any, why: str) -> Any:
    warnings.warn(f"exposure normalisation skipped: {why}", CalibrationWarning, stacklevel=4)
    if is_map(obj):
        return new_map(obj, obj.data)
    new = new_cube(obj, obj.data)
    return new


def _normalize_map(smap: Any, exposure_unit: str) -> Any:
    import astropy.units as u

    why = _already(smap) or ("its meta has 'expnorm'" if "expnorm" in smap.meta else None)
    if why:
        return _noop(smap, why)
    exptime = smap.exposure_time
    if exptime is None:
        raise CalibrationError(f"the {smap.instrument} map of {smap.date.isot} has no exposure time (EXPTIME)")
    t = float(seconds(exptime, exposure_unit)[0])
    usable = bool(np.isfinite(t) and t > 0)
    mask: Any = smap.mask
    if not usable:
        warnings.warn(
            f"the {smap.instrument} map of {smap.date.isot} has a non-positive or non-finite exposure time ({t} s); "
            "its data become NaN and masked",
            CalibrationWarning,
            stacklevel=3,
        )
        mask = np.ones(smap.data.shape, bool)
    meta = copy.deepcopy(dict(smap.meta))
    unit = smap.unit if smap.unit is not None else u.DN
    meta["bunit"] = (unit / u.s).to_string()
    meta["expnorm"] = t
    if "pixlunit" in meta:
        meta["pixlunit"] = meta["bunit"]
    inv = 1.0 / t if usable else np.nan
    with np.errstate(divide="ignore", invalid="ignore"):
        unc = std_of(smap)
        out = new_map(smap, as_float(smap.data) * inv, meta=meta, mask=mask, uncertainty=None if unc is None else unc * inv)
    return record(out, "exposure-norm", {}, {"exposure_time_s": t})


def normalize_exposure(obj: Any, *, exposure_unit: str = "s") -> Any:
    """Divide by each frame's exposure time (DN -> DN/s); a second application is a no-op with a warning.

    Parameters
    ----------
    obj
        NDCube (per-frame ``exposure_time`` on axis 0, or ``meta["exposure_time"]``),
        a sequence/collection of them, or a sunpy Map.
    exposure_unit
        Unit of plain-number exposure times.

    Returns
    -------
    object
        A new object; frames with a non-positive or non-finite (NaN, inf) exposure
        time become NaN and masked, with a :class:`CalibrationWarning` naming them
        (a Map: all its pixels).

    Raises
    ------
    CalibrationError
        The object carries no exposure time.

    Examples
    --------
    >>> import numpy as np, ndcube, astropy.wcs, astropy.units as u
    >>> cube = ndcube.NDCube(np.ones((2, 3)), wcs=astropy.wcs.WCS(naxis=2), unit=u.DN,
    ...                      meta={"exposure_time": [2.0, 4.0] * u.s})
    >>> normalize_exposure(cube).data[:, 0].tolist()
    [0.5, 0.25]
    """
    import astropy.units as u

    if is_map(obj):
        return _normalize_map(obj, exposure_unit)

    def one(cube: Any) -> Any:
        why = _already(cube)
        if why:
            return _noop(cube, why)
        value = frame_values(cube, "exposure_time")
        if value is None:
            raise CalibrationError(
                f"the {type(cube).__name__} carries no exposure time (no 'exposure_time' coordinate or meta entry)"
            )
        t = seconds(value, exposure_unit)
        values = as_float(cube.data)
        xp = xp_of(values)
        with np.errstate(invalid="ignore"):
            usable = np.isfinite(t) & (t > 0)
        if t.size == 1:
            t_b = np.float64(t[0])
            ok_b = usable[0]
            bad = None if usable[0] else np.ones(values.shape, bool)
        else:
            if t.size != values.shape[0]:
                raise CalibrationError(f"{t.size} exposure times for {values.shape[0]} frames on axis 0")
            t_b = t.reshape((-1,) + (1,) * (values.ndim - 1))
            ok_b = usable.reshape(t_b.shape)
            bad = None if usable.all() else np.broadcast_to(~ok_b, values.shape)
        if bad is not None:
            src = source_name(cube)
            warnings.warn(
                f"{src + ': ' if src else ''}frames with a non-positive or non-finite exposure time become NaN "
                f"and masked ({describe_frames(t, ~usable)})",
                CalibrationWarning,
                stacklevel=3,
            )
        with np.errstate(divide="ignore", invalid="ignore"):
            inv = np.where(ok_b, 1.0 / np.asarray(t_b), np.nan)
            new_data = values * inv.astype(values.dtype) if values.dtype == np.float32 else values * inv
            sigma = std_of(cube)
            new_sigma = None if sigma is None else sigma * inv
        mask = cube.mask
        if bad is not None:
            mask = bad if mask is None or np.ndim(mask) == 0 else xp.logical_or(mask, bad)
        unit = cube.unit if cube.unit is not None else u.DN
        new = new_cube(cube, new_data, uncertainty=new_sigma, mask=mask, unit=unit / u.s)
        return record(new, "exposure-norm", {"exposure_unit": exposure_unit}, {"exposure_time_s": t.tolist() if t.size <= 8 else {"n": int(t.size), "min": float(t.min()), "max": float(t.max())}})

    return map_cubes(obj, one, "exposure normalisation")
