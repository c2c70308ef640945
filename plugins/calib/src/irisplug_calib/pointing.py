"""AIA pointing update from a master pointing table (as ``aiapy.calibrate.update_pointing``), offline.

The AIA master pointing table (MPT; aiapy's ``get_pointing_table``, or the
JSOC series ``aia.master_pointing3h``) lists, per 3-hour interval
``[T_START, T_STOP)`` and per channel ``WWW`` (three digits, e.g. ``171``),
the solar disk centre on the CCD ``A_WWW_X0``/``A_WWW_Y0`` (0-based
pixels), the plate scale ``A_WWW_IMSCALE`` (arcsec/pixel) and the
instrument roll ``A_WWW_INSTROT`` (degrees). The step picks the row with
``T_START <= T_OBS < T_STOP`` and writes ``CRPIX1/2 = X0/Y0 + 1``,
``CDELT1/2 = IMSCALE``, ``CROTA2 = INSTROT + SAT_ROT`` (and ``X0_MP``,
``Y0_MP``), removing the ``PCi_j`` keys so the roll is taken from
``CROTA2``: the rules of aiapy 0.10 (``aiapy/calibrate/meta.py``), written
anew. A table value that is missing (NaN or masked) leaves its keyword
unchanged, with a warning, as in aiapy.

Unlike aiapy, a full-disk map binned by an integer factor ``n`` (e.g. the
1024x1024 synoptic images) is also updated: a full-resolution pixel ``p``
(0-based) is pixel ``(p + 0.5) / n - 0.5`` of the binned image and its
scale is ``n * IMSCALE``.

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

_FULL = 4096


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


def update_pointing(smap: Any, *, pointing_table: Any) -> Any:
    """A copy of the AIA map with the pointing of the master pointing table.

    Parameters
    ----------
    smap
        A full-disk AIA map (full resolution, or binned by an integer factor).
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
        Not an AIA map, not full disk, or not a whole binning of 4096x4096.

    Examples
    --------
    >>> import sunpy.map, sunpy.data.test
    >>> from astropy.table import QTable
    >>> from astropy.time import Time
    >>> import astropy.units as u
    >>> aia = sunpy.map.Map(sunpy.data.test.get_test_filepath("aia_171_level1.fits"))
    >>> table = QTable({"T_START": Time(["2011-02-15T00:00"]), "T_STOP": Time(["2011-02-15T03:00"]),
    ...                 "A_171_X0": [2047.5] * u.pix, "A_171_Y0": [2047.5] * u.pix,
    ...                 "A_171_IMSCALE": [0.6] * u.arcsec / u.pix, "A_171_INSTROT": [0.0] * u.deg})
    >>> out = update_pointing(aia, pointing_table=table)
    >>> out.reference_pixel.x, out.scale.axis1
    (<Quantity 63.5 pix>, <Quantity 19.2 arcsec / pix>)
    """
    import astropy.units as u
    import sunpy.map

    if not isinstance(smap, sunpy.map.GenericMap) or not str(smap.instrument or "").upper().startswith("AIA"):
        raise UnsupportedObjectError(
            f"the AIA pointing update needs an AIA map, got {type(smap).__name__} ({getattr(smap, 'instrument', '')})"
        )
    if not sunpy.map.contains_full_disk(smap):
        raise UnsupportedObjectError(
            f"the AIA map of {smap.date.isot} (shape {smap.data.shape}) is not a full-disk image; "
            "the master pointing table describes full-disk images (update the pointing before cutting submaps)"
        )
    ny, nx = smap.data.shape
    if ny != nx or _FULL % nx:
        raise UnsupportedObjectError(
            f"the AIA map of {smap.date.isot} has shape {smap.data.shape}; the pointing table is for 4096x4096 "
            "images or whole binnings of them (2048, 1024, ...)"
        )
    binning = _FULL // nx
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
    # full-resolution pixel p (0-based) is (p + 0.5) / n - 0.5 of an n-binned image; FITS CRPIX is 1-based
    x0_b = (x0 + 0.5) / binning - 0.5
    y0_b = (y0 + 0.5) / binning - 0.5
    updates = {
        "crpix1": x0_b + 1, "crpix2": y0_b + 1, "x0_mp": x0_b, "y0_mp": y0_b,
        "cdelt1": scale * binning, "cdelt2": scale * binning, "crota2": instrot + float(smap.meta["SAT_ROT"]),
    }
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
