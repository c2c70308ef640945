"""Low-level FITS access for IUVS products: validated opening, HDU lookup by role, tables, times."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np

from irisplug.errors import CorruptFileError
from irisplug.fileinfo import iter_fits_headers

__all__ = ["open_validated", "find_hdu", "read_table", "hdu_array", "parse_iuvs_utc", "header_dict"]


def open_validated(path: Path, *, lazy: bool = True) -> Any:
    """Open a (gzipped) FITS file after checking every header and data size.

    Raises
    ------
    TruncatedFileError, CorruptFileError
        From the header walk, naming the file and the HDU.
    """
    from astropy.io import fits

    names = [str(h.get("EXTNAME", "PRIMARY" if i == 0 else "")) for i, (h, _, _) in enumerate(iter_fits_headers(path))]
    try:
        hdul = fits.open(path, memmap=lazy, lazy_load_hdus=False)
    except OSError as exc:  # pragma: no cover - the walk above catches what astropy would
        raise CorruptFileError(f"astropy cannot open the file: {exc}", path=path) from exc
    if len(hdul) != len(names):  # pragma: no cover - defensive
        raise CorruptFileError(f"header walk found {len(names)} HDUs, astropy {len(hdul)}", path=path)
    return hdul


def find_hdu(hdul: Any, candidates: Sequence[str]) -> Any | None:
    """The first HDU whose EXTNAME matches one of ``candidates`` (case-insensitive), else None."""
    by_name = {str(h.name).lower(): h for h in hdul}
    for name in candidates:
        if name.lower() in by_name:
            return by_name[name.lower()]
    return None


def hdu_array(hdu: Any, *, lazy: bool) -> Any:
    """The HDU's data in native byte order.

    With ``lazy`` (only for memory-mapped, i.e. uncompressed, files) a dask
    array over the memmap that converts byte order chunk by chunk.
    """
    data = hdu.data
    if data is None:
        return None
    if lazy:
        import dask.array as da

        return da.from_array(data, chunks=(1, *data.shape[1:]) if data.ndim == 3 else data.shape, asarray=True).astype(
            data.dtype.newbyteorder("=")
        )
    return np.asarray(data).astype(data.dtype.newbyteorder("="), copy=False)


def _unit_map() -> dict[str, Any]:
    import astropy.units as u

    return {"degc": u.deg_C, "dn": u.DN, "pixel": u.pix, "1/65536 s": u.CompositeUnit(1 / 65536, [u.s], [1])}


def read_table(hdu: Any) -> Any:
    """An astropy Table from a binary-table HDU, with the IUVS TUNITs turned into units.

    ``degC`` -> deg_C, ``DN`` -> DN, ``1/65536 s``; descriptive TUNITs that are
    no units (``SCLK seconds``, ``UTC date string``, ``unit vector``) move to
    the column description.
    """
    import astropy.units as u
    from astropy.table import Table

    table = Table.read(hdu, format="fits", character_as_bytes=False, unit_parse_strict="silent")
    known = _unit_map()
    tunits = {hdu.header.get(f"TTYPE{i}"): str(hdu.header.get(f"TUNIT{i}", "")) for i in range(1, len(table.colnames) + 1)}
    for col in table.itercols():
        raw = tunits.get(col.name, "")
        if raw in ("ET s", "SCLK seconds"):  # 'ET s' would parse as exatesla-second
            col.unit = u.s
            col.description = "ephemeris time, TDB seconds past J2000" if raw == "ET s" else "spacecraft clock seconds"
        elif isinstance(col.unit, u.UnrecognizedUnit):
            text = col.unit.name
            col.unit = known.get(text.strip().lower())
            if col.unit is None:
                col.description = text
    table.meta["EXTNAME"] = str(hdu.name)
    return table


def parse_iuvs_utc(values: Sequence[str]) -> Any:
    """`astropy.time.Time` (UTC) from IUVS ``UTC`` strings like ``2023/014 Jan 14 07:19:07.10487UTC``.

    Examples
    --------
    >>> parse_iuvs_utc(["2023/014 Jan 14 07:19:07.10487UTC"]).isot[0]
    '2023-01-14T07:19:07.105'
    """
    from astropy.time import Time

    out = []
    for s in values:
        text = str(s).strip()
        text = text[:-3] if text.endswith("UTC") else text
        out.append(datetime.strptime(text, "%Y/%j %b %d %H:%M:%S.%f"))
    return Time(out, scale="utc")


def header_dict(header: Any) -> dict[str, Any]:
    """Header keywords as a dict where the FIRST duplicate wins (as ``header[key]`` does)."""
    out: dict[str, Any] = {}
    for card in header.cards:
        if card.keyword and card.keyword not in ("COMMENT", "HISTORY", "") and card.keyword not in out:
            out[card.keyword] = card.value
    return out
