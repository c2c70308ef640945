"""Validation of the FITS header values the IRIS reader trusts (each failure names the file, HDU and keyword)."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

from irisplug.errors import CorruptFileError, MissingKeywordError

__all__ = ["int_keyword", "float_keyword", "check_image_header", "check_time", "check_time_text", "check_axes",
           "check_linear_transform", "check_pointing", "check_exposure_times", "IMAGE_BITPIX", "RASTER_AXES", "SJI_AXES"]

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
#: CUNITn strings that are plainly of the axis's kind (astropy reads each as that unit; checked without importing it)
_PLAIN_UNITS = {"WAVE": ("Angstrom", "angstrom", "nm"), "HPLN": ("arcsec", "deg"), "HPLT": ("arcsec", "deg")}


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


#: years that astropy (ERFA) reads without a "dubious year" warning: outside, the check defers to astropy
_PLAIN_YEARS = (1961, 2026)


_DIGITS = "0123456789"


def _iso_fields(text: str) -> tuple[int, ...] | None:
    """(year, month, day, hour, minute, second) of ``YYYY-MM-DDThh:mm:ss[.f...]`` (``T`` or a space), else None.

    String methods, not a regular expression (compiling one costs ~0.15 ms of a fresh process's first open).
    """
    if len(text) < 19 or text[4] != "-" or text[7] != "-" or text[10] not in "T " or text[13] != ":" or text[16] != ":":
        return None
    parts = (text[0:4], text[5:7], text[8:10], text[11:13], text[14:16], text[17:19])
    frac = text[19:]
    if frac and (frac[0] != "." or len(frac) < 2 or frac[1:].strip(_DIGITS)):
        return None
    if any(p.strip(_DIGITS) for p in parts):
        return None
    return tuple(int(p) for p in parts)


def check_time_text(text: Any, key: str, path: str | Path, where: str = "primary header") -> None:
    """Check that ``text`` is a date and time, as :func:`check_time` does, without importing astropy when it is plainly one.

    A string of the form ``YYYY-MM-DDThh:mm:ss[.fff]`` with a valid calendar date, hours < 24, minutes and
    seconds < 60 and a year in 1961-2026 is a date and time astropy reads as UTC without a warning (``isot``
    or ``iso`` format), so it passes here without astropy (importing ``astropy.time`` costs ~0.1-0.3 s in a
    fresh process, more than the rest of opening a file). Anything else (leap second ``60``, other formats,
    years ERFA calls dubious, damage) goes to :func:`check_time`, which decides and names the problem.

    Examples
    --------
    >>> check_time_text("2014-03-29T14:09:38.250", "STARTOBS", "f.fits")
    >>> check_time_text("2014-02-30T00:00:00", "STARTOBS", "f.fits")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    irisplug.errors.CorruptFileError: f.fits: primary header: STARTOBS = '2014-02-30T00:00:00' is not a date and time ...
    """
    import datetime

    fields = _iso_fields(text.strip()) if isinstance(text, str) else None
    if fields is not None:
        year, month, day, hour, minute, second = fields
        if _PLAIN_YEARS[0] <= year <= _PLAIN_YEARS[1] and hour < 24 and minute < 60 and second < 60:
            try:
                datetime.date(year, month, day)
            except ValueError:
                pass  # astropy words the error
            else:
                return
    check_time(text, key, path, where)


def check_axes(header: dict[str, Any], path: str | Path, where: str, expected: tuple[str, ...]) -> None:
    """CTYPEn must name the IRIS axis type ``expected[n-1]`` (a helioprojective one with a known projection) and
    CUNITn a unit of that axis's kind.

    The WCS built from the header trusts these: an unknown CTYPE (``'NaN'``, ``'-1'``) left its physical type
    undefined and failed deep in the model. CUNITn is required (every IRIS Level 2 file has it): without it FITS
    WCS reads the axis in its default unit, metres of wavelength or degrees of solar position, a silently wrong
    coordinate 3600 or 1e10 times off (or a transformation wcslib refuses when first used).

    Examples
    --------
    >>> check_axes({"CTYPE1": "HPLN-TAN", "CTYPE2": "HPLT-TAN", "CUNIT1": "arcsec", "CUNIT2": "arcsec"}, "f.fits", "SJI",
    ...            SJI_AXES)
    >>> check_axes({"CTYPE1": "NaN", "CTYPE2": "HPLT-TAN"}, "f.fits", "SJI", SJI_AXES)
    Traceback (most recent call last):
    ...
    irisplug.errors.CorruptFileError: f.fits: SJI: CTYPE1 = 'NaN' is not an IRIS axis type (expected HPLN-TAN)
    >>> check_axes({"CTYPE1": "HPLN-TAN", "CTYPE2": "HPLT-TAN", "CUNIT1": "arcsec"}, "f.fits", "SJI", SJI_AXES)
    Traceback (most recent call last):
    ...
    irisplug.errors.MissingKeywordError: f.fits: SJI lacks CUNIT2, required for IRIS Level 2 (without it the FITS default unit of axis HPLT-TAN would apply)
    """
    # CDELT3 of a raster (the step) is 0 in sit-and-stare files: the model pins that axis per exposure
    check_linear_transform(header, path, where, cdelt_axes=(1, 2))
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
            raise MissingKeywordError(f"{where} lacks CUNIT{i}, required for IRIS Level 2 (without it the FITS default "
                                      f"unit of axis {want} would apply)", path=path)
        if isinstance(unit, str) and unit.strip() in _PLAIN_UNITS[kind]:
            continue  # the unit of the files, known to convert: no astropy import when opening a file
        import astropy.units as u

        try:
            u.Unit(str(unit).strip()).to(_AXIS_UNITS[kind])
        except (ValueError, TypeError, u.UnitsError) as exc:
            raise CorruptFileError(f"{where}: CUNIT{i} = {unit!r} is not a unit of {_AXIS_UNITS[kind]}'s kind "
                                   f"(axis {want})", path=path) from exc


def check_linear_transform(header: dict[str, Any], path: str | Path, where: str,
                           cdelt_axes: Any = None) -> None:
    """CDELTn non-zero for the axes ``cdelt_axes`` (default all) and the PCi_j matrix (identity where absent)
    invertible over all NAXIS axes: wcslib refuses a singular transformation (``CDELT2 = 0``) when the WCS is first
    used.

    Examples
    --------
    >>> check_linear_transform({"NAXIS": 2, "CDELT1": 0.1, "CDELT2": 0.0}, "f.fits", "HDU 1")
    Traceback (most recent call last):
    ...
    irisplug.errors.CorruptFileError: f.fits: HDU 1: CDELT2 = 0.0: the pixel-to-world transformation is singular
    """
    n = header.get("NAXIS")
    if not isinstance(n, int) or not 0 < n <= 9:
        return  # NAXIS is checked with the image shape
    for i in cdelt_axes if cdelt_axes is not None else range(1, n + 1):
        cdelt = header.get(f"CDELT{i}", 1.0)
        if isinstance(cdelt, int | float) and not isinstance(cdelt, bool) and cdelt == 0:
            raise CorruptFileError(f"{where}: CDELT{i} = {cdelt!r}: the pixel-to-world transformation is singular", path=path)
    pc = [[1.0 if i == j else 0.0 for j in range(n)] for i in range(n)]
    for i in range(n):
        for j in range(n):
            value = header.get(f"PC{i + 1}_{j + 1}")
            if isinstance(value, int | float) and not isinstance(value, bool):
                pc[i][j] = float(value)
    if n <= 3 and _surely_invertible(pc):
        return  # the common case, decided in pure Python (numpy's SVD costs ~0.3 ms on a fresh process's first call)
    import numpy as np

    m = np.array(pc)
    with np.errstate(all="ignore"):
        cond = np.linalg.cond(m) if np.isfinite(m).all() else np.inf
    if not np.isfinite(cond) or cond > 1e12:
        raise CorruptFileError(f"{where}: the PCi_j matrix {pc} is singular", path=path)


#: matrices whose bound below is under this are invertible for the checks (condition number < 1e12) without an SVD
_SURE_COND = 1e8


def _surely_invertible(m: list[list[float]]) -> bool:
    """True when the 1x1, 2x2 or 3x3 matrix ``m`` certainly has a 2-norm condition number below 1e12; False when
    undecided (then the caller computes it exactly).

    ``cond_2(M) <= |M|_F |M^-1|_F = |M|_F |adj M|_F / |det M|``, all in closed form; accepted below 1e8, far from
    1e12, so rounding in the determinant cannot change the decision.
    """
    if not all(math.isfinite(v) for row in m for v in row):
        return False
    fro = math.sqrt(sum(v * v for row in m for v in row))
    if len(m) == 1:
        det, adj = m[0][0], 1.0
    elif len(m) == 2:
        (a, b), (c, d) = m
        det, adj = a * d - b * c, fro
    else:
        (a, b, c), (d, e, f), (g, h, i) = m
        cof = (e * i - f * h, f * g - d * i, d * h - e * g, c * h - b * i, a * i - c * g, b * g - a * h,
               b * f - c * e, c * d - a * f, a * e - b * d)
        det = a * cof[0] + b * cof[1] + c * cof[2]
        adj = math.sqrt(sum(v * v for v in cof))
    return math.isfinite(fro * adj) and fro * adj < _SURE_COND * abs(det)


def _cond_bounds(m: Any) -> Any:
    """:func:`_surely_invertible`'s bound for a stack of finite ``(N, k, k)`` matrices, k <= 3 (inf where
    singular); vectorised."""
    import numpy as np

    k = m.shape[1]
    fro = np.sqrt((m * m).sum(axis=(1, 2)))
    if k == 1:
        det, adj = m[:, 0, 0], np.ones(len(m))
    elif k == 2:
        det, adj = m[:, 0, 0] * m[:, 1, 1] - m[:, 0, 1] * m[:, 1, 0], fro
    else:
        a, b, c, d, e, f, g, h, i = (m[:, r, s] for r in range(3) for s in range(3))
        cof = np.array([e * i - f * h, f * g - d * i, d * h - e * g, c * h - b * i, a * i - c * g, b * g - a * h,
                        b * f - c * e, c * d - a * f, a * e - b * d])
        det = a * cof[0] + b * cof[1] + c * cof[2]
        adj = np.sqrt((cof * cof).sum(axis=0))
    bound, size = fro * adj, np.abs(det)
    sure = bound < _SURE_COND * size
    return np.divide(bound, size, out=np.full(len(m), np.inf), where=sure)


def _known_projection(code: str) -> bool:
    """``code`` is a FITS celestial projection code (Calabretta & Greisen 2002, Table 13)."""
    return code in ("AZP", "SZP", "TAN", "STG", "SIN", "ARC", "ZPN", "ZEA", "AIR", "CYP", "CEA", "CAR", "MER", "SFL",
                    "PAR", "MOL", "AIT", "COP", "COE", "COD", "COO", "BON", "PCO", "TSC", "CSC", "QSC", "HPX", "XPH")


def check_pointing(x: Any, y: Any, pc: Any, header: dict[str, Any], path: str | Path, where: str = "auxiliary table",
                   separate: tuple[int, ...] = ()) -> None:
    """The per-exposure pointing from the auxiliary table: XCENIX/YCENIX finite (|value| <= 1e7 arcsec), each
    exposure's PC matrix (PCi_jIX; NaN where the table has no entry, which the image ``header``'s PCi_j fills, as the
    model does) of magnitude <= 1e6 and invertible.

    A damaged table (a wrong BITPIX reinterprets its bytes) otherwise gave the WCS of an exposure a singular or
    overflowing matrix, refused by wcslib only when that exposure's coordinates were first computed.
    ``separate``: indices of axes no other axis may mix with (a raster's wavelength axis: IRIS Level 2
    never couples wavelength and position; a coupling left the model unable to tell the axes apart).

    Examples
    --------
    >>> import numpy as np
    >>> check_pointing(np.zeros(2), np.zeros(2), np.array([np.eye(2), np.zeros((2, 2))]), {}, "f.fits")
    Traceback (most recent call last):
    ...
    irisplug.errors.CorruptFileError: f.fits: auxiliary table: the PC matrix (PCi_jIX) of exposure 1 is singular: [[0.0, 0.0], [0.0, 0.0]]
    """
    import numpy as np

    for name, values in (("XCENIX", x), ("YCENIX", y)):
        v = np.asarray(values, dtype=float)
        bad = ~(np.abs(v) <= 1e7)  # NaN and +-inf included
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            raise CorruptFileError(f"{where}: {name} of exposure {i} is {v[i]!r}, not a finite solar coordinate "
                                   f"(arcsec); {int(bad.sum())} exposure(s) affected", path=path)
    m = np.array(pc, dtype=float)
    if m.ndim != 3 or m.size == 0:
        return
    k = m.shape[1]
    fill = np.empty((k, k))
    for a in range(k):
        for b in range(k):
            value = header.get(f"PC{a + 1}_{b + 1}", 1.0 if a == b else 0.0)
            fill[a, b] = float(value) if isinstance(value, int | float) and not isinstance(value, bool) else np.nan
    gaps = np.isnan(m)
    if gaps.any():
        m = np.where(gaps, fill, m)
    finite = np.isfinite(m).all(axis=(1, 2))
    huge = finite & (np.abs(m) > 1e6).any(axis=(1, 2))  # (rows with inf or NaN are not finite: their flag is off)
    cond = np.full(m.shape[0], np.inf)
    ok = finite & ~huge
    if ok.any():
        cond[ok] = _cond_bounds(m[ok]) if k <= 3 else np.inf  # entries <= 1e6: the products cannot overflow
        exact = ok & ~(cond < 1e12)  # undecided by the bound (or singular): numpy's SVD decides
        if exact.any():
            with np.errstate(all="ignore"):
                cond[exact] = np.linalg.cond(m[exact])
    singular = finite & ~huge & ~(cond < 1e12)
    mixed = np.zeros(m.shape[0], dtype=bool)
    for a in separate:
        off = [b for b in range(k) if b != a]
        # real files carry rounding-level couplings (~1e-16): only a coupling that moves a pixel matters
        mixed |= finite & ((np.abs(m[:, a, off]) > 1e-6).any(axis=1) | (np.abs(m[:, off, a]) > 1e-6).any(axis=1))
    for label, flags in (("has infinite entries", ~finite), ("is huge", huge), ("is singular", singular),
                         (f"mixes axis {separate[0] + 1 if separate else 0} (wavelength) with position", mixed)):
        if flags.any():
            i = int(np.flatnonzero(flags)[0])
            raise CorruptFileError(f"{where}: the PC matrix (PCi_jIX) of exposure {i} {label}: {m[i].tolist()}", path=path)


#: the largest exposure time offset accepted, in seconds from the observation start (about 30 years: IRIS
#: observations last hours; a damaged table's 1e300 or NaN otherwise reached astropy.time when the coordinates of an
#: exposure were first computed)
_MAX_TIME_OFFSET = 1e9


def check_exposure_times(times: Any, exposure: Any, path: str | Path, where: str = "auxiliary table") -> None:
    """Exposure start times (``TIME``, s after the observation start) and exposure times (``EXPTIME*``) finite and
    within +-1e9 s.

    Examples
    --------
    >>> import numpy as np
    >>> check_exposure_times(np.array([0.2, 9.6]), np.array([8.0, 8.0]), "f.fits")
    >>> check_exposure_times(np.array([0.2, np.nan]), np.array([8.0, 8.0]), "f.fits")
    Traceback (most recent call last):
    ...
    irisplug.errors.CorruptFileError: f.fits: auxiliary table: TIME of exposure 1 is nan, not a time in seconds from the observation start within +-1e9 s; 1 exposure(s) affected
    """
    import numpy as np

    for name, values in (("TIME", times), ("exposure time", exposure)):
        v = np.asarray(values, dtype=float)
        with np.errstate(invalid="ignore"):
            bad = ~np.isfinite(v) | (np.abs(v) > _MAX_TIME_OFFSET)
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            raise CorruptFileError(f"{where}: {name} of exposure {i} is {float(v[i])!r}, not a time in seconds from the "
                                   f"observation start within +-1e9 s; {int(bad.sum())} exposure(s) affected", path=path)
