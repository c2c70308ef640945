"""Validation of the FITS header values the IRIS reader trusts (each failure names the file, HDU and keyword)."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

from irisplug.errors import CorruptFileError, MissingKeywordError

__all__ = ["int_keyword", "float_keyword", "check_image_header", "check_time", "check_axes", "IMAGE_BITPIX", "RASTER_AXES",
           "SJI_AXES"]

#: BITPIX values of FITS image data (FITS 4.0, Table 8)
IMAGE_BITPIX = (8, 16, 32, 64, -32, -64)
#: the largest NAXISn accepted: far beyond any IRIS window, far below an int64 overflow of the data size
_MAX_AXIS = 1 << 31
#: CTYPEn of an IRIS Level 2 raster window (FITS axes 1, 2, 3: wavelength, slit, raster step) and of a slit-jaw image
#: (axes 1, 2: solar x, solar y; axis 3 is the frame axis, "Time" in the files, not read)
RASTER_AXES = ("WAVE", "HPLT", "HPLN")
SJI_AXES = ("HPLN", "HPLT")
#: the unit each axis type's CUNIT must convert to (IRIS L2: Angstrom and arcsec)
_AXIS_UNITS = {"WAVE": "Angstrom", "HPLN": "arcsec", "HPLT": "arcsec"}


def int_keyword(header: dict[str, Any], key: str, path: str | Path, where: str, *, minimum: int | None = None,
                maximum: int | None = None, default: Any = ...) -> int:
    """``header[key]`` as an int within [minimum, maximum]; absent: ``default`` or MissingKeywordError.

    Examples
    --------
    >>> int_keyword({"NWIN": 3}, "NWIN", "f.fits", "primary header", minimum=1)
    3
    >>> int_keyword({"NWIN": "x"}, "NWIN", "f.fits", "primary header")
    Traceback (most recent call last):
    ...
    irisplug.errors.CorruptFileError: f.fits: primary header: NWIN = 'x' is not an integer
    """
    value = header.get(key)
    if value is None:
        if default is not ...:
            return default
        raise MissingKeywordError(f"{where} lacks {key}, required for IRIS Level 2", path=path)
    if isinstance(value, bool) or not isinstance(value, int | float) or (isinstance(value, float) and not value.is_integer()):
        raise CorruptFileError(f"{where}: {key} = {value!r} is not an integer", path=path)
    value = int(value)
    if (minimum is not None and value < minimum) or (maximum is not None and value > maximum):
        bounds = f"[{minimum if minimum is not None else '-inf'}, {maximum if maximum is not None else 'inf'}]"
        raise CorruptFileError(f"{where}: {key} = {value} is outside {bounds}", path=path)
    return value


def float_keyword(header: dict[str, Any], key: str, path: str | Path, where: str, *, default: Any = ...,
                  limit: float | None = None) -> float:
    """``header[key]`` as a finite float (``|value| <= limit`` if given); absent: ``default`` or MissingKeywordError."""
    value = header.get(key)
    if value is None:
        if default is not ...:
            return default
        raise MissingKeywordError(f"{where} lacks {key}, required for IRIS Level 2", path=path)
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise CorruptFileError(f"{where}: {key} = {value!r} is not a number", path=path)
    value = float(value)
    if not math.isfinite(value) or (limit is not None and abs(value) > limit):
        raise CorruptFileError(f"{where}: {key} = {value!r} is not a finite number{f' of magnitude <= {limit:g}' if limit else ''}",
                               path=path)
    return value


def check_image_header(header: dict[str, Any], path: str | Path, where: str, naxis: int | tuple[int, ...]) -> tuple[int, ...]:
    """Check BITPIX, NAXIS, NAXISn, BSCALE, BZERO of an image HDU; return its numpy shape.

    BSCALE = 0 or non-finite, and a non-finite BZERO, are refused (astropy
    would silently read BSCALE = 0 as 1, and NaN makes every value NaN).
    """
    bitpix = int_keyword(header, "BITPIX", path, where)
    if bitpix not in IMAGE_BITPIX:
        raise CorruptFileError(f"{where}: BITPIX = {bitpix} is not a FITS image type {IMAGE_BITPIX}", path=path)
    allowed = (naxis,) if isinstance(naxis, int) else naxis
    n = int_keyword(header, "NAXIS", path, where, minimum=0, maximum=999)
    if n not in allowed:
        raise CorruptFileError(f"{where}: NAXIS = {n}, expected {' or '.join(map(str, allowed))}", path=path)
    shape = tuple(int_keyword(header, f"NAXIS{i}", path, where, minimum=0, maximum=_MAX_AXIS) for i in range(n, 0, -1))
    if "BSCALE" in header:
        scale = float_keyword(header, "BSCALE", path, where)
        if scale == 0:
            raise CorruptFileError(f"{where}: BSCALE = 0 would map every value to BZERO", path=path)
    float_keyword(header, "BZERO", path, where, default=0.0)
    return shape


def check_time(text: Any, key: str, path: str | Path, where: str = "primary header") -> Any:
    """``text`` as an astropy Time (UTC), else CorruptFileError naming ``key``."""
    from astropy.time import Time

    try:
        t = Time(str(text).strip(), scale="utc")
        t.jd1  # noqa: B018 - force the conversion
    except (ValueError, TypeError, OverflowError) as exc:
        raise CorruptFileError(f"{where}: {key} = {text!r} is not a date and time ({exc})", path=path) from exc
    if t.ndim != 0:
        raise CorruptFileError(f"{where}: {key} = {text!r} is not one date and time", path=path)
    return t


def check_axes(header: dict[str, Any], path: str | Path, where: str, expected: tuple[str, ...]) -> None:
    """CTYPEn must name the IRIS axis type ``expected[n-1]`` (a helioprojective one with a known projection) and
    CUNITn, when present, a unit of that axis's kind.

    The WCS built from the header trusts these: an unknown CTYPE (``'NaN'``, ``'-1'``) left its physical type
    undefined and failed deep in the model.

    Examples
    --------
    >>> check_axes({"CTYPE1": "HPLN-TAN", "CTYPE2": "HPLT-TAN", "CUNIT1": "arcsec"}, "f.fits", "SJI", SJI_AXES)
    >>> check_axes({"CTYPE1": "NaN", "CTYPE2": "HPLT-TAN"}, "f.fits", "SJI", SJI_AXES)
    Traceback (most recent call last):
    ...
    irisplug.errors.CorruptFileError: f.fits: SJI: CTYPE1 = 'NaN' is not an IRIS axis type (expected HPLN-TAN)
    """
    import astropy.units as u

    for i, kind in enumerate(expected, start=1):
        ctype = header.get(f"CTYPE{i}")
        if ctype is None:
            raise MissingKeywordError(f"{where} lacks CTYPE{i}, required for IRIS Level 2", path=path)
        text = str(ctype).strip().upper() if isinstance(ctype, str) else None
        want = kind if kind == "WAVE" else f"{kind}-TAN"
        ok = text is not None and (text == "WAVE" if kind == "WAVE" else
                                   text.split("-")[0] == kind and _known_projection(text[len(kind):].lstrip("-")))
        if not ok:
            raise CorruptFileError(f"{where}: CTYPE{i} = {ctype!r} is not an IRIS axis type (expected {want})", path=path)
        unit = header.get(f"CUNIT{i}")
        if unit is None:
            continue
        try:
            u.Unit(str(unit).strip()).to(_AXIS_UNITS[kind])
        except (ValueError, TypeError, u.UnitsError) as exc:
            raise CorruptFileError(f"{where}: CUNIT{i} = {unit!r} is not a unit of {_AXIS_UNITS[kind]}'s kind "
                                   f"(axis {want})", path=path) from exc


def _known_projection(code: str) -> bool:
    """``code`` is a FITS celestial projection code (Calabretta & Greisen 2002, Table 13)."""
    return code in ("AZP", "SZP", "TAN", "STG", "SIN", "ARC", "ZPN", "ZEA", "AIR", "CYP", "CEA", "CAR", "MER", "SFL",
                    "PAR", "MOL", "AIT", "COP", "COE", "COD", "COO", "BON", "PCO", "TSC", "CSC", "QSC", "HPX", "XPH")
