"""AIA pointing update from a master pointing table (as ``aiapy.calibrate.update_pointing``), offline.

The AIA master pointing table (MPT; aiapy's ``get_pointing_table``, or the
JSOC series ``aia.master_pointing3h``) lists, per 3-hour interval
``[T_START, T_STOP)`` and per channel ``WWW`` (three digits, e.g. ``171``),
the solar disk centre on the CCD ``A_WWW_X0``/``A_WWW_Y0`` (0-based
full-resolution pixels), the plate scale ``A_WWW_IMSCALE`` (arcsec/pixel)
and the instrument roll ``A_WWW_INSTROT`` (degrees). The step picks the row
with ``T_START <= T_OBS < T_STOP`` and, following aiapy >= 0.11
(``aiapy/calibrate/meta.py``; rules written anew here):

- moves the reference pixel by the change of the disk centre,
  ``CRPIX += X0 - X0_MP`` (``X0_MP``/``Y0_MP`` are the header's disk centre,
  the one its WCS was made with), so the update is right for any ``CRVAL``
  and for cut-outs; the older rule ``CRPIX = X0 + 1`` (aiapy 0.10 and this
  step before) put the disk centre at the reference pixel without setting
  ``CRVAL`` to zero, which is wrong by ``CRVAL / CDELT`` pixels whenever the
  reference coordinate is not disk centre (sunpy's AIA test file: 7.6 px);
- sets ``CDELT1/2 = IMSCALE``, ``CROTA2 = INSTROT + SAT_ROT`` and
  ``X0_MP``/``Y0_MP`` to the table's values, and removes the ``PCi_j`` keys
  so the roll is taken from ``CROTA2``.

A table value that is missing (NaN or masked) leaves its keyword unchanged,
with a warning, as in aiapy; so does a header without ``X0_MP``/``Y0_MP``
(the reference pixel is then left as it is, as aiapy does).

Unlike aiapy, a map binned by an integer factor ``n`` (e.g. the 1024x1024
synoptic images; ``n`` from the plate scale, within aiapy's 1 % of
``n x 0.6"`` and a quarter of a step) is also updated: a full-resolution offset ``d`` is ``d / n``
binned pixels and the scale is ``n * IMSCALE``; ``X0_MP``/``Y0_MP`` stay in
full-resolution CCD pixels, as in binned AIA files. A map resampled by
another factor, or already registered (``LVL_NUM >= 1.5``, whose pixels are
no longer the CCD's), is refused where aiapy only warns.

The table comes from the user (no network): an astropy ``Table``/``QTable``
with aiapy's columns, or a file astropy's ``Table.read`` reads (ECSV keeps
the units and times). Columns without units are taken in aiapy's units
(pixel, arcsec/pixel, degree).

Examples
--------
>>> import irisplug  # doctest: +SKIP
>>> from aiapy.calibrate.util import get_pointing_table  # doctest: +SKIP
>>> table = get_pointing_table("jsoc", time_range=(aia.date - 6 * u.h, aia.date + 6 * u.h))  # doctest: +SKIP
>>> table.write("mpt.ecsv")  # doctest: +SKIP
>>> out = irisplug.calibrate(aia, ["aia-update-pointing", "aia-register"], pointing_table="mpt.ecsv")  # doctest: +SKIP
"""

from __future__ import annotations

import copy
import os
import warnings
from typing import Any

import numpy as np

from irisplug.errors import CalibrationError, InconsistentInputError, UnsupportedObjectError
from irisplug_calib._common import CalibrationWarning, record

__all__ = ["PointingTableError", "pointing_table_row", "update_pointing"]

#: the AIA CCD plate scale, arcsec per full-resolution pixel (aiapy checks maps against it within 1 %)
_NOMINAL_SCALE = 0.6


class PointingTableError(CalibrationError):
    """The pointing table lacks the columns or the interval the map needs."""


def _load_table(table: Any) -> Any:
    from astropy.table import QTable, Table

    if isinstance(table, (str, os.PathLike)):
        try:
            return QTable(Table.read(table))
        except Exception as exc:
            raise PointingTableError(f"cannot read the pointing table: {exc}", path=str(table)) from exc
    if isinstance(table, Table):
        return table
    raise UnsupportedObjectError(f"pointing_table must be an astropy Table or a file name, got {type(table).__name__}")


def _value(column_value: Any, unit: str) -> float:
    import astropy.units as u

    if np.ma.is_masked(column_value):
        return float("nan")
    q = u.Quantity(column_value)
    return float(q.to_value(unit) if q.unit != u.dimensionless_unscaled else q.value)


def pointing_table_row(table: Any, time: Any) -> int:
    """Index of the table row with ``T_START <= time < T_STOP``.

    Raises
    ------
    PointingTableError
        No such row, or no ``T_START``/``T_STOP`` columns.

    Examples
    --------
    >>> from astropy.table import QTable
    >>> from astropy.time import Time
    >>> t = QTable({"T_START": Time(["2011-06-07T00:00", "2011-06-07T03:00"]),
    ...             "T_STOP": Time(["2011-06-07T03:00", "2011-06-07T06:00"])})
    >>> pointing_table_row(t, "2011-06-07T03:00")
    1
    """
    from astropy.time import Time

    table = _load_table(table)
    missing = [c for c in ("T_START", "T_STOP") if c not in table.colnames]
    if missing:
        raise PointingTableError(f"the pointing table has no {', '.join(missing)} column (aiapy's master pointing table format)")
    t = Time(time)
    start, stop = Time(table["T_START"], scale="utc"), Time(table["T_STOP"], scale="utc")
    inside = np.flatnonzero((start <= t) & (t < stop))
    if inside.size == 0:
        raise PointingTableError(
            f"no pointing table row covers {t.isot}: the table spans {start.min().isot} to {stop.max().isot}"
        )
    return int(inside[0])


def _binning(smap: Any) -> int:
    """The integer binning of an AIA map from its plate scale (aiapy's 1 % tolerance on 0.6"/pixel)."""
    import astropy.units as u

    scale = u.Quantity([smap.scale.axis1, smap.scale.axis2]).to_value(u.arcsec / u.pix)
    n = max(1, round(float(np.mean(scale)) / _NOMINAL_SCALE))
    # aiapy's 1 %, and never more than a quarter of the step to the next binning (1 % of 43 x 0.6" is 42.6 x 0.6")
    if not np.all(np.abs(scale / (n * _NOMINAL_SCALE) - 1) < min(0.01, 0.25 / n)):
        raise UnsupportedObjectError(
            f"the AIA map of {smap.date.isot} has plate scale {scale[0]:.5g}, {scale[1]:.5g} arcsec/pixel, not a whole "
            f"binning of the CCD's {_NOMINAL_SCALE} arcsec; the pointing table applies to maps that were not resampled "
            "(update the pointing before rescaling)"
        )
    return n


def update_pointing(smap: Any, *, pointing_table: Any) -> Any:
    """A copy of the AIA map with the pointing of the master pointing table.

    Parameters
    ----------
    smap
        A level-1 AIA map, full disk or cut-out, at full resolution or binned
        by an integer factor; not resampled, rotated or registered.
    pointing_table
        aiapy's master pointing table: an astropy Table or a file name.

    Returns
    -------
    sunpy.map.GenericMap
        A new map; the table row used is recorded in the history.

    Raises
    ------
    PointingTableError
        No row covers the map's ``T_OBS``, or the channel's columns are missing.
    UnsupportedObjectError
        Not an AIA map, registered already, or resampled by a non-integer factor.

    Examples
    --------
    >>> import sunpy.map, sunpy.data.test
    >>> from astropy.coordinates import SkyCoord
    >>> from astropy.table import QTable
    >>> from astropy.time import Time
    >>> import astropy.units as u
    >>> aia = sunpy.map.Map(sunpy.data.test.get_test_filepath("aia_171_level1.fits"))
    >>> table = QTable({"T_START": Time(["2011-02-15T00:00"]), "T_STOP": Time(["2011-02-15T03:00"]),
    ...                 "A_171_X0": [2047.5] * u.pix, "A_171_Y0": [2047.5] * u.pix,
    ...                 "A_171_IMSCALE": [0.6] * u.arcsec / u.pix, "A_171_INSTROT": [0.0] * u.deg})
    >>> out = update_pointing(aia, pointing_table=table)
    >>> centre = out.wcs.world_to_pixel(SkyCoord(0 * u.arcsec, 0 * u.arcsec, frame=out.coordinate_frame))
    >>> [round(float(c), 2) for c in centre]  # disk centre at full-resolution pixel 2047.5 = binned 63.5
    [63.5, 63.5]
    """
    import astropy.units as u
    import sunpy.map

    if not isinstance(smap, sunpy.map.GenericMap) or not str(smap.instrument or "").upper().startswith("AIA"):
        raise UnsupportedObjectError(
            f"the AIA pointing update needs an AIA map, got {type(smap).__name__} ({getattr(smap, 'instrument', '')})"
        )
    level = smap.meta.get("lvl_num")
    if level is not None and float(level) >= 1.5:
        raise UnsupportedObjectError(
            f"the AIA map of {smap.date.isot} is level {level} (registered: its pixels are no longer the CCD's); "
            "update the pointing of the level-1 map, then register it (aia-update-pointing before aia-register)"
        )
    binning = _binning(smap)
    table = _load_table(pointing_table)
    when = smap.reference_date
    row = pointing_table_row(table, when)
    channel = f"{smap.wavelength.to_value(u.AA):03.0f}"
    cols = {k: f"A_{channel}_{k}" for k in ("X0", "Y0", "IMSCALE", "INSTROT")}
    absent = [c for c in cols.values() if c not in table.colnames]
    if absent:
        raise PointingTableError(f"the pointing table has no column(s) {absent} for the {channel} A channel")
    if "SAT_ROT" not in smap.meta:
        raise InconsistentInputError(f"the AIA map of {smap.date.isot} has no SAT_ROT keyword (needed for CROTA2)")
    x0 = _value(table[cols["X0"]][row], "pix")
    y0 = _value(table[cols["Y0"]][row], "pix")
    scale = _value(table[cols["IMSCALE"]][row], "arcsec / pix")
    instrot = _value(table[cols["INSTROT"]][row], "deg")
    updates = {"cdelt1": scale * binning, "cdelt2": scale * binning, "crota2": instrot + float(smap.meta["SAT_ROT"]),
               "x0_mp": x0, "y0_mp": y0}
    old_x0, old_y0 = smap.meta.get("x0_mp"), smap.meta.get("y0_mp")
    if old_x0 is None or old_y0 is None:
        warnings.warn(
            f"the AIA map of {smap.date.isot} has no X0_MP/Y0_MP keywords (the disk centre its WCS was made with); "
            "CRPIX1/2 keep their values",
            CalibrationWarning,
            stacklevel=2,
        )
    else:
        # a full-resolution offset d is d / n pixels of an n-binned map (pixel p maps to (p + 0.5) / n - 0.5)
        updates["crpix1"] = float(smap.meta["crpix1"]) + (x0 - float(old_x0)) / binning
        updates["crpix2"] = float(smap.meta["crpix2"]) + (y0 - float(old_y0)) / binning
    meta = copy.deepcopy(smap.meta)
    for key, value in updates.items():
        if np.isnan(value):
            warnings.warn(
                f"the pointing table value for {key} is missing at {when.isot}; {key.upper()} keeps its value",
                CalibrationWarning,
                stacklevel=2,
            )
            continue
        meta[key] = value
    for key in ("PC1_1", "PC1_2", "PC2_1", "PC2_2"):
        meta.pop(key, None)
    kwargs = {"mask": smap.mask} if smap.mask is not None and np.ndim(smap.mask) else {}
    new = sunpy.map.Map(smap.data, meta, **kwargs)
    start = table["T_START"][row]
    return record(new, "aia-update-pointing",
                  {"row": row, "binning": binning, "channel": channel},
                  {"pointing_table": f"T_START {getattr(start, 'isot', start)}"})
