"""Low-level FITS access for IUVS products: validated opening, HDU lookup by role, tables, times."""

from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Any

import numpy as np

from irisplug.errors import CorruptFileError, IrisplugError
from irisplug.fileinfo import iter_fits_headers

__all__ = ["open_validated", "find_hdu", "read_table", "hdu_array", "parse_iuvs_utc", "header_dict"]


#: default bound of an in-memory gzip decompression when IRISPLUG_MAX_DECOMPRESSED_BYTES is not set
_DEFAULT_MAX_IN_MEMORY = 1 << 30
_GZ_CHUNK = 16 << 20
_IMAGE_BITPIX = (8, 16, 32, 64, -32, -64)
#: what astropy.io.fits.open raises on damaged headers it accepted past our checks (astropy validates some cards
#: with asserts and leaves locals unbound on others)
_ASTROPY_OPEN_ERRORS = (OSError, ValueError, TypeError, KeyError, IndexError, AssertionError, NameError, AttributeError,
                        OverflowError)


def damaged_fits_as_corrupt(reader: Any) -> Any:
    """Decorate a reader ``reader(path, ...)``: what astropy (or numpy, on inconsistent arrays) raises while the
    reader walks a damaged file's HDUs, cards and tables becomes a CorruptFileError naming the file.

    astropy parses cards and builds table columns lazily, after :func:`open_validated`'s checks: an unparsable
    card (``VerifyError``), a table whose TFIELDS/TFORMn disagree with its rows (``ValueError``), or arrays whose
    shapes disagree reached the user raw before (fuzz suite). IrisplugErrors pass through unchanged.
    """
    @functools.wraps(reader)
    def wrapper(path: Any, *args: Any, **kwargs: Any) -> Any:
        from astropy.io.fits.verify import VerifyError

        try:
            return reader(path, *args, **kwargs)
        except IrisplugError:
            raise
        except (VerifyError, *_ASTROPY_OPEN_ERRORS) as exc:
            raise CorruptFileError(f"damaged FITS structure or values ({type(exc).__name__}: {exc})",
                                   path=path) from exc

    return wrapper


def max_decompressed_bytes() -> int:
    """The most bytes a ``.fits.gz`` may decompress to in memory (``IRISPLUG_MAX_DECOMPRESSED_BYTES``, default 1 GiB; 0: no limit).

    IUVS files are decompressed into memory (astropy cannot memory-map a gzip
    stream), so the default is tighter than the core's limit for archives
    unpacked to disk; setting the variable sets both.

    Raises
    ------
    irisplug.IrisplugError
        The variable is set to something other than a number >= 0.

    Examples
    --------
    >>> max_decompressed_bytes() > 0
    True
    """
    from irisplug.limits import env_number  # the core's parser: a malformed or negative value is an error

    return int(env_number("IRISPLUG_MAX_DECOMPRESSED_BYTES", _DEFAULT_MAX_IN_MEMORY, int))


def _limit_error(message: str, path: Path) -> Exception:
    try:
        from irisplug.errors import LimitExceededError  # the core's (issue 16) when present
    except ImportError:  # pragma: no cover - before the core's limits are merged
        LimitExceededError = CorruptFileError
    return LimitExceededError(message, path=path)


def _declared_size(head: bytes) -> int | None:
    """Header + data bytes the first HDU of ``head`` declares (None while its header is incomplete or unparsable)."""
    from irisplug.fileinfo import parse_fits_header_block

    try:
        parsed = parse_fits_header_block(head[: 2880 * 64])
    except (ValueError, OverflowError, TypeError):
        return None
    if parsed is None:
        return None
    header, hsize = parsed
    try:
        return hsize + _data_bytes(header)
    except CorruptFileError:
        return None


def gunzip_bounded(raw: bytes, path: Path) -> bytes:
    """Decompress a gzip stream in chunks, refusing one that unpacks to more than :func:`max_decompressed_bytes`.

    Refuses early, before decompressing it all, when the first FITS header declares more than the limit.
    The gzip trailer's size (ISIZE, the last 4 bytes) means something only at the end of a complete
    stream; a download cut short ends in compressed data, whose last 4 bytes are any number. A trailer
    declaring more than the limit therefore does not refuse the file by itself: the stream is inflated
    without keeping its output (memory stays small) until it unpacks to more than the limit
    (LimitExceededError) or ends early (TruncatedFileError).

    Parameters
    ----------
    raw
        The bytes of the ``.fits.gz`` file.
    path
        The file, named by the errors.

    Returns
    -------
    bytes
        The decompressed file.

    Raises
    ------
    LimitExceededError
        The stream unpacks (or its first header declares) more than the limit.
    TruncatedFileError
        The stream is cut short (e.g. an interrupted download).
    CorruptFileError
        The stream is corrupt (including a complete stream whose trailer disagrees with its length).
    """
    limit = max_decompressed_bytes()
    claimed = int.from_bytes(raw[-4:], "little") if len(raw) >= 18 else 0
    if limit and claimed > limit:
        # the file cannot be kept whatever it turns out to be: oversized, cut short or corrupt; find which
        # without holding its output. Only if the last 4 bytes were not this stream's trailer (data after the
        # gzip member) does the stream end within the limit; it is then inflated again, keeping the output.
        _inflate(raw, path, limit, keep=False)
    return _inflate(raw, path, limit, keep=True)


def _inflate(raw: bytes, path: Path, limit: int, *, keep: bool) -> bytes:
    """The first gzip member of ``raw`` inflated in chunks (b"" without ``keep``), within ``limit`` bytes.

    Raises as :func:`gunzip_bounded`.
    """
    import zlib

    from irisplug.errors import TruncatedFileError

    knob = "(IRISPLUG_MAX_DECOMPRESSED_BYTES); raise the limit if the file is trusted"
    head_size = 2880 * 64
    d = zlib.decompressobj(16 + zlib.MAX_WBITS)
    chunks: list[bytes] = []
    head = b""
    total = 0
    checked_header = False
    pos = 0
    try:
        while pos < len(raw) or d.unconsumed_tail:
            data = d.unconsumed_tail or raw[pos : pos + (1 << 20)]
            if not d.unconsumed_tail:
                pos += len(data)
            out = d.decompress(data, _GZ_CHUNK)
            if keep:
                chunks.append(out)
            total += len(out)
            if limit and total > limit:
                raise _limit_error(f"the gzip stream unpacks to more than {limit} bytes {knob}", path)
            if not checked_header:
                head = b"".join(chunks) if keep else head + out[: head_size - len(head)]
                if total >= 2880:
                    declared = _declared_size(head)
                    if declared is not None or total > head_size:
                        checked_header = True
                    if limit and declared is not None and declared > limit:
                        raise _limit_error(f"the first HDU declares {declared} bytes, more than the limit of {limit} "
                                           f"{knob}", path)
            if d.eof:
                break
    except zlib.error as exc:
        raise CorruptFileError(f"the gzip stream is corrupt ({exc})", path=path) from exc
    if not d.eof:
        raise TruncatedFileError(f"the gzip stream is cut short after {total} uncompressed bytes (an interrupted "
                                 "download?)", path=path)
    out = b"".join(chunks)
    del chunks
    return out


def _int_card(header: dict[str, Any], key: str, default: int, minimum: int = 0) -> int:
    value = header.get(key, default)
    if value is None:
        value = default
    if isinstance(value, bool) or not isinstance(value, int | float) or (isinstance(value, float) and not value.is_integer()):
        raise CorruptFileError(f"{key} = {value!r} is not an integer")
    if value < minimum or value > 1 << 40:
        raise CorruptFileError(f"{key} = {value!r} is out of range")
    return int(value)


def _data_bytes(header: dict[str, Any]) -> int:
    """Data bytes an HDU declares (FITS 4.0 eq. 2), every keyword checked."""
    naxis = _int_card(header, "NAXIS", 0)
    if naxis > 999:
        raise CorruptFileError(f"NAXIS = {naxis} is out of range")
    bitpix = _int_card(header, "BITPIX", 8, minimum=-64)
    if bitpix not in _IMAGE_BITPIX:
        raise CorruptFileError(f"BITPIX = {bitpix} is not a FITS data type {_IMAGE_BITPIX}")
    if not naxis:
        return 0
    n = 1
    for i in range(1, naxis + 1):
        n *= _int_card(header, f"NAXIS{i}", 0)
    return abs(bitpix) // 8 * _int_card(header, "GCOUNT", 1) * (n + _int_card(header, "PCOUNT", 0))


def _check_table_header(header: dict[str, Any]) -> None:
    """A binary table's TFIELDS, TFORMn and TTYPEn as astropy needs them (it fails on others with assertions and
    unbound locals rather than clear errors)."""
    if str(header.get("XTENSION", "")).strip().upper() not in ("BINTABLE", "TABLE"):
        return
    n = _int_card(header, "TFIELDS", -1)
    if n < 0 or n > 999:
        raise CorruptFileError(f"TFIELDS = {header.get('TFIELDS')!r} is missing or outside [0, 999]")
    for i in range(1, n + 1):
        form = header.get(f"TFORM{i}")
        if not isinstance(form, str) or not form.strip():
            raise CorruptFileError(f"TFORM{i} = {form!r} is missing or not a format string (TFIELDS = {n})")
        name = header.get(f"TTYPE{i}")
        if name is not None and not isinstance(name, str):
            raise CorruptFileError(f"TTYPE{i} = {name!r} is not a column name")


def _walk_bytes(raw: bytes, path: Path) -> int:
    """Check every header and data section of an in-memory FITS file; return the HDU count."""
    from irisplug.errors import TruncatedFileError
    from irisplug.fileinfo import parse_fits_header_block

    if not raw.startswith(b"SIMPLE  ="):
        raise CorruptFileError("not a FITS file (no SIMPLE card)", path=path)
    offset, index = 0, 0
    while offset < len(raw):
        parsed = parse_fits_header_block(raw[offset:offset + 2880 * 64])
        if parsed is None:
            raise TruncatedFileError(f"FITS header of HDU {index} is cut short at byte {len(raw)}", path=path)
        header, hsize = parsed
        try:
            n = _data_bytes(header)
            _check_table_header(header)
        except CorruptFileError as exc:
            raise CorruptFileError(f"HDU {index}: {exc.message}", path=path) from None
        nbytes = (n + 2879) // 2880 * 2880
        if offset + hsize + n > len(raw):
            raise TruncatedFileError(
                f"HDU {index} declares {n} data bytes but the file ends at byte {len(raw)}", path=path)
        offset += hsize + nbytes
        index += 1
    return index


def open_validated(path: Path, *, lazy: bool = True) -> tuple[Any, bool]:
    """Open a (gzipped) FITS file after checking every header and data size.

    A gzip file is decompressed once, checked and opened from memory; a plain
    file is checked by a header walk and memory-mapped when ``lazy``.

    Returns
    -------
    (HDUList, memmapped)

    Raises
    ------
    TruncatedFileError, CorruptFileError
        Naming the file and the HDU.
    """
    import io

    from astropy.io import fits

    with open(path, "rb") as f:
        magic = f.read(2)
    if magic == b"\x1f\x8b":
        raw = gunzip_bounded(path.read_bytes(), path)
        _walk_bytes(raw, path)
        try:
            hdul = fits.open(io.BytesIO(raw), lazy_load_hdus=False)
        except _ASTROPY_OPEN_ERRORS as exc:
            raise CorruptFileError(f"astropy cannot open the decompressed file: {exc}", path=path) from exc
        return _checked(hdul, path), False
    scaled = False
    try:
        for header, _offset, _size in iter_fits_headers(path):
            _data_bytes(header)
            _check_table_header(header)
            scaled = scaled or _needs_scaling(header)
    except CorruptFileError as exc:
        if exc.path is None:
            raise CorruptFileError(exc.message, path=path) from None
        raise
    except (ValueError, OSError, OverflowError, TypeError) as exc:  # the core walker's own (see issue 16 core)
        raise CorruptFileError(f"cannot walk the FITS headers ({exc})", path=path) from exc
    if lazy and scaled:
        # astropy cannot memory-map an image with BLANK or BSCALE/BZERO (2015-era L1A primaries carry
        # BLANK = -1, formats.md 1.3): such a file is read into memory, within the in-memory limit
        _check_in_memory_size(path)
        lazy = False
    try:
        hdul = fits.open(path, memmap=lazy, lazy_load_hdus=False)
    except _ASTROPY_OPEN_ERRORS as exc:
        raise CorruptFileError(f"astropy cannot open the file: {exc}", path=path) from exc
    return _checked(hdul, path), lazy


def _needs_scaling(header: Any) -> bool:
    """Whether an image HDU's header asks astropy to scale or blank its data (which it cannot memory-map)."""
    if str(header.get("XTENSION", "IMAGE")).strip() not in ("IMAGE", "") or header.get("NAXIS", 0) in (0, None):
        return False
    return "BLANK" in header or header.get("BSCALE", 1) != 1 or header.get("BZERO", 0) != 0


def _check_in_memory_size(path: Path) -> None:
    """Refuse a plain file too large to read into memory (:func:`max_decompressed_bytes`)."""
    limit = max_decompressed_bytes()
    size = path.stat().st_size
    if limit and size > limit:
        raise _limit_error(f"{size} bytes with BLANK or BSCALE/BZERO images (which cannot be memory-mapped) exceed "
                           f"the in-memory limit of {limit} bytes (IRISPLUG_MAX_DECOMPRESSED_BYTES)", path)


def _checked(hdul: Any, path: Path) -> Any:
    """``hdul`` after checking what the readers use of each HDU: image scaling keywords, table columns and data.

    astropy parses a table's TFORMn/TFIELDS and scales data on first access and
    raises whatever the damaged card provokes; here each HDU is touched once and
    any failure becomes a CorruptFileError naming the HDU.
    """
    import math
    import warnings

    from astropy.io import fits
    from astropy.io.fits.verify import VerifyError

    for index, hdu in enumerate(hdul):
        where = f"HDU {index} ({hdu.name or 'PRIMARY'})"
        for key in ("BSCALE", "BZERO"):
            value = hdu.header.get(key)
            if value is None:
                continue
            if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value) or (key == "BSCALE" and value == 0):
                raise CorruptFileError(f"{where}: {key} = {value!r} is not a usable scaling", path=path)
        if (hdu.header.get("BSCALE", 1) != 1 or hdu.header.get("BZERO", 0) != 0) and int(hdu.header.get("BITPIX", 8)) < 0:
            raise CorruptFileError(f"{where}: BSCALE/BZERO on floating-point data (BITPIX {hdu.header['BITPIX']}); "
                                   "IUVS files store unscaled floats", path=path)
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                if isinstance(hdu, fits.BinTableHDU | fits.TableHDU):
                    data = hdu.data
                    if data is not None:
                        for name in hdu.columns.names:
                            data[name]
                elif not isinstance(hdu, fits.ImageHDU | fits.PrimaryHDU):
                    raise CorruptFileError(f"{where}: unexpected extension type {type(hdu).__name__}", path=path)
                else:
                    hdu.data  # noqa: B018 - memory-mapped or in memory: checks BITPIX and shape
        except CorruptFileError:
            raise
        # AssertionError: astropy's Column validates TTYPEn/TFORMn with asserts (a TTYPEn that is a number)
        except (VerifyError, ValueError, KeyError, TypeError, IndexError, AttributeError, OverflowError, AssertionError) as exc:
            raise CorruptFileError(f"{where}: astropy cannot decode it ({type(exc).__name__}: {exc})", path=path) from exc
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


@functools.lru_cache(maxsize=256)
def _parse_unit(text: str) -> Any:
    """A TUNIT string as an astropy unit (None for descriptive strings); cached."""
    import astropy.units as u

    known = {"degc": u.deg_C, "dn": u.DN, "pixel": u.pix, "1/65536 s": u.CompositeUnit(1 / 65536, [u.s], [1])}
    if text.lower() in known:
        return known[text.lower()]
    unit = u.Unit(text, format="fits", parse_strict="silent")
    return None if isinstance(unit, u.UnrecognizedUnit) else unit


def read_table(hdu: Any) -> Any:
    """An astropy Table from a binary-table HDU, with the IUVS TUNITs turned into units.

    ``degC`` -> deg_C, ``DN`` -> DN, ``1/65536 s``; descriptive TUNITs that are
    no units (``SCLK seconds``, ``UTC date string``, ``unit vector``) move to
    the column description.
    """
    import astropy.units as u
    from astropy.table import Table

    table = Table(hdu.data)  # ~10x faster than Table.read, same values (TZERO, TDIM handled by FITS_rec)
    for col in table.itercols():
        if col.dtype.kind == "U":  # Table.read strips trailing blanks of string arrays; do the same
            col[:] = np.char.rstrip(np.asarray(col))
    tunits = {hdu.header.get(f"TTYPE{i}"): str(hdu.header.get(f"TUNIT{i}", "")) for i in range(1, len(table.colnames) + 1)}
    for col in table.itercols():
        raw = tunits.get(col.name, "").strip()
        if not raw:
            continue
        if raw in ("ET s", "SCLK seconds"):  # 'ET s' would parse as exatesla-second
            col.unit = u.s
            col.description = "ephemeris time, TDB seconds past J2000" if raw == "ET s" else "spacecraft clock seconds"
            continue
        unit = _parse_unit(raw)
        if unit is None:
            col.description = raw
        else:
            col.unit = unit
    table.meta["EXTNAME"] = str(hdu.name)
    return table


#: the seconds field of an IUVS UTC string (``... hh:mm:ss.fff``), to find a leap second (``:60.``)
_UTC_SECONDS = re.compile(r":(\d{1,2})(\.\d*)?$")


def _utc_fields(text: str) -> tuple[int, int, int, int, int, float]:
    """``(year, month, day, hour, minute, seconds)`` of one IUVS UTC string (without its ``UTC`` suffix).

    Parsed with ``'%Y/%j %b %d %H:%M:%S.%f'`` as before (the day of year decides the date); a leap second
    (seconds 60, which :func:`datetime.strptime` cannot hold) is parsed as second 59 and given back its 60.
    The seconds are ``second + microsecond / 1e6``, the value astropy computes from a datetime, so a time
    outside a leap second converts bit for bit as it did from a datetime.

    Raises
    ------
    ValueError
        The string is not of that form.
    """
    match = _UTC_SECONDS.search(text)
    leap = match is not None and int(match.group(1)) == 60
    if leap:
        text = f"{text[: match.start()]}:59{match.group(2) or ''}"
    dt = datetime.strptime(text, "%Y/%j %b %d %H:%M:%S.%f")
    second = 60 if leap else dt.second
    return dt.year, dt.month, dt.day, dt.hour, dt.minute, second + dt.microsecond / 1e6


def parse_iuvs_utc(values: Sequence[str], path: str | Path | None = None) -> Any:
    """`astropy.time.Time` (UTC) from IUVS ``UTC`` strings like ``2023/014 Jan 14 07:19:07.10487UTC``.

    SPICE writes a time inside a leap second with second 60 (``2016/366 Dec 31 23:59:60.50000UTC``); such a
    value is read as that UTC instant. The result is in the ``datetime`` format, or ``isot`` when a value lies
    in a leap second (a datetime cannot hold it); the instants (``jd1``, ``jd2``) do not depend on the format.

    Parameters
    ----------
    values
        The ``UTC`` column of an ``Integration`` or ``Dark_Integration`` table.
    path
        The file the values come from, named by the errors.

    Returns
    -------
    astropy.time.Time
        One time per value, scale ``utc``.

    Raises
    ------
    irisplug.errors.CorruptFileError
        A value that is not an IUVS time, or a second 60 that is not a leap second; names the value and ``path``.

    Examples
    --------
    >>> str(parse_iuvs_utc(["2023/014 Jan 14 07:19:07.10487UTC"]).isot[0])
    '2023-01-14T07:19:07.105'
    >>> str(parse_iuvs_utc(["2016/366 Dec 31 23:59:60.50000UTC"]).isot[0])
    '2016-12-31T23:59:60.500'
    """
    import warnings

    from astropy.time import Time
    from erfa import ErfaWarning

    fields = []
    for s in values:
        text = str(s).strip()
        text = text[:-3] if text.endswith("UTC") else text
        try:
            fields.append(_utc_fields(text))
        except ValueError as exc:
            raise CorruptFileError(f"UTC value {str(s)!r} is not an IUVS time ('YYYY/DDD Mon DD hh:mm:ss.ffffffUTC')",
                                   path=path) from exc
    if not fields:
        return Time([], scale="utc")
    columns = dict(zip(("year", "month", "day", "hour", "minute", "second"), zip(*fields, strict=True), strict=True))
    ymdhms = {key: np.array(col, dtype=np.float64 if key == "second" else np.int64) for key, col in columns.items()}
    with warnings.catch_warnings():
        # erfa's dtf2d accepts second 60 only in a leap second; elsewhere it warns and rolls over to the next day
        warnings.filterwarnings("error", message=".*after end of day", category=ErfaWarning)
        try:
            times = Time(ymdhms, format="ymdhms", scale="utc")
        except ErfaWarning as exc:
            bad = next(str(s) for s, f in zip(values, fields, strict=True) if f[5] >= 60)
            raise CorruptFileError(f"UTC value {bad!r} has second 60 outside a leap second", path=path) from exc
    times.format = "isot" if (ymdhms["second"] >= 60).any() else "datetime"
    return times


def header_dict(header: Any, path: str | Path | None = None) -> dict[str, Any]:
    """Header keywords as a dict where the FIRST duplicate wins (as ``header[key]`` does).

    A card whose value astropy cannot parse raises CorruptFileError naming the keyword (and ``path``).
    """
    from astropy.io.fits.verify import VerifyError

    out: dict[str, Any] = {}
    for card in header.cards:
        if card.keyword and card.keyword not in ("COMMENT", "HISTORY", "") and card.keyword not in out:
            try:
                out[card.keyword] = card.value
            except (VerifyError, ValueError) as exc:
                raise CorruptFileError(f"header card {card.keyword!r} has an unparsable value ({exc})", path=path) from exc
    return out
