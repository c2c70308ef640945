"""Writer ``fits`` for any cube, sequence, observation or NDCollection, and the reader ``irisplug-fits`` of its files.

Layout (marked ``IRISPLUG`` = the format version in the primary header, with
``IRPKIND`` = ``cube``, ``sequence``, ``observation`` or ``collection`` and
``NCUBES``): per cube an image HDU ``CUBEn`` (data, BUNIT, ``IRPLABEL``,
``IRPCLASS``, ``IRPDTYPE`` = the numpy dtype written, so integer and boolean
data read back with their own dtype; FITS WCS cards when the cube has a FITS
WCS), ``MASKn`` (uint8, only when the cube has a mask), ``UNCERTn`` (only
when the cube has an uncertainty: its array as written, astropy CCDData's
``UTYPE`` card = the class name, ``BUNIT`` = the uncertainty's own unit when
it has one, ``IRPDTYPE``) and ``JSONn`` (the record of
:mod:`irisplug_io.records`: label, index, class, unit, WCS parameters,
metadata, per-exposure values and ``uncertainty`` = ``{"class", "unit"}`` or
null, as UTF-8 JSON bytes); ``IRPMETA`` holds the top-level metadata (e.g.
the observation's primary header and the provenance ``irisplug_history``).
Arrays are streamed HDU by HDU (dask arrays one chunk row at a time);
astropy rewrites such a file byte for byte. For an ``NDCollection`` (kind
``collection``, e.g. the fit plugin's maps) cube ``n`` is the ``n``-th
member, its key in ``IRPLABEL`` and the JSON ``label``, and ``IRPMETA`` is
``{"meta": <the collection's meta or null>, "aligned_axes": [[axes of each
member] in key order] or null}``.

Files of format version 1 (before uncertainties were stored) read back with
``uncertainty=None``; files of a newer version than this code knows are
refused rather than read partially.
"""

from __future__ import annotations

import itertools
import json
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import numpy as np

from irisplug_io.records import (
    FORMAT_VERSION,
    check_format_version,
    fits_cards,
    flatten,
    is_gwcs,
    rebuild,
    uncertainty_from_spec,
    writable_cubes,
)

__all__ = ["write_fits", "read_irisplug_fits", "accepts_fits", "identify_irisplug_fits", "FitsImage"]



def accepts_fits(obj: Any) -> bool:
    """What the FITS writer stores: cubes, sequences, Observations, NDCollections of them; no gwcs (FITS cards cannot describe one).

    Examples
    --------
    >>> import numpy as np
    >>> from ndcube import NDCollection
    >>> accepts_fits(NDCollection([("a", np.zeros(3))]))
    False
    """
    from irisplug.model import unwrap_wcs

    cubes = writable_cubes(obj)
    return cubes is not None and not any(is_gwcs(unwrap_wcs(c.wcs)[0]) for c in cubes)


_SLAB_BYTES = 64 << 20  # numpy arrays are converted and written this many bytes at a time


def _image_header(name: str, array: Any, path: Path | None = None) -> Any:
    """An image extension header for ``array`` (shape and dtype only: BITPIX, and BZERO for unsigned/int8, as astropy)."""
    from astropy.io import fits

    from irisplug.errors import UnsupportedObjectError

    dtype = np.dtype(np.uint8 if array.dtype.kind == "b" else array.dtype)
    try:
        header = fits.ImageHDU(np.zeros((1,) * len(array.shape), dtype), name=name).header
    except (KeyError, ValueError) as exc:
        raise UnsupportedObjectError(f"{name}: FITS cannot store {dtype} arrays ({exc}); convert it "
                                     "(e.g. float16 to float32, complex to two real cubes) or write ASDF", path=path) from exc
    for k, n in enumerate(array.shape[::-1], 1):
        header[f"NAXIS{k}"] = int(n)
    return header


def _slabs(array: Any) -> Any:
    """``array`` as numpy blocks along axis 0, in order: a dask array's own chunk rows, else ~64 MB slabs."""
    n = array.shape[0]
    chunks = getattr(array, "chunks", None)
    if isinstance(chunks, tuple) and chunks and isinstance(chunks[0], tuple):  # dask: each chunk computed once
        bounds = np.cumsum((0, *chunks[0])).tolist()
    else:
        row = max(1, int(np.dtype(array.dtype).itemsize * np.prod(array.shape[1:], dtype=np.int64)))
        bounds = [*range(0, n, max(1, _SLAB_BYTES // row)), n]
    for start, stop in itertools.pairwise(bounds):
        yield np.asarray(array[start:stop])


def _fits_raw(block: np.ndarray, header: Any) -> np.ndarray:
    """The big-endian samples FITS stores for ``block`` under ``header`` (BZERO = the sign bit: unsigned ints, int8)."""
    bitpix = int(header["BITPIX"])
    stored = np.dtype(f">{'f' if bitpix < 0 else ('u' if bitpix == 8 else 'i')}{abs(bitpix) // 8}")
    block = block.astype(np.uint8) if block.dtype.kind == "b" else block
    if not header.get("BZERO"):
        return block.astype(stored, copy=False)
    if abs(int(header["BZERO"])) != 1 << (8 * block.dtype.itemsize - 1):  # astropy sets only the sign-bit offset
        raise ValueError(f"unexpected BZERO {header['BZERO']} for {block.dtype} data")
    flipped = block.view(f"u{block.dtype.itemsize}") ^ np.array(1 << (8 * block.dtype.itemsize - 1), f"u{block.dtype.itemsize}")
    return flipped.view(stored.newbyteorder("=")).astype(stored, copy=False)


def _write_hdu(out: Any, header: Any, array: Any = None) -> None:
    """Append one HDU to the open file ``out``: header, then ``array`` slab by slab (lazy arrays never whole), padded."""
    out.write(header.tostring().encode("ascii"))
    if array is None or not np.prod(array.shape):
        return
    nbytes = 0
    for block in _slabs(array):
        raw = np.ascontiguousarray(_fits_raw(block, header))
        out.write(memoryview(raw).cast("B"))
        nbytes += raw.nbytes
    out.write(b"\0" * (-nbytes % 2880))


def _bytes_hdu(name: str, text: str) -> tuple[Any, np.ndarray]:
    array = np.frombuffer(text.encode("utf-8"), dtype=np.uint8)
    header = _image_header(name, array)
    header["IRPJSON"] = (True, "UTF-8 JSON bytes")
    return header, array


def _uncertainties(records: list[Any], path: Path) -> list[Any]:
    """Each record's ``(array, spec)`` or None, checked before anything is written (refusals name the target file)."""
    return [rec.uncertainty_parts(path) for rec in records]


def _history_lines(meta: dict[str, Any]) -> list[str]:
    from irisplug.provenance import HISTORY_KEY

    hist = meta.get(HISTORY_KEY, [])
    return [f"irisplug {r.get('step')} ({r.get('plugin')} {r.get('version')}) {r.get('time')}" for r in hist if isinstance(r, dict)]


def _plain_meta(encoded: Any) -> dict[str, Any]:
    """A record's meta as values again (the record holds them in the exact encoding, tuples and times tagged)."""
    from irisplug_io.values import decode_value

    meta = decode_value(encoded) if encoded else {}
    return dict(meta) if hasattr(meta, "keys") else {}


def write_fits(obj: Any, path: Path) -> None:
    """Write ``obj`` (cube, sequence, Observation or NDCollection of NDCubes) to a FITS file readable by ``irisplug.read``.

    Every cube's uncertainty is stored in an ``UNCERTn`` HDU (see the module docstring).
    Arrays are written slab by slab: a dask array one row of its chunks at a
    time (never whole), so a lazy observation is written in bounded memory.

    Raises
    ------
    UnsupportedObjectError
        A cube's uncertainty is not an astropy ``StdDevUncertainty``,
        ``VarianceUncertainty`` or ``InverseVariance`` (nothing is written).

    Examples
    --------
    >>> irisplug.write(obs["Si IV 1403"], "si_iv.fits")  # doctest: +SKIP
    >>> irisplug.write(irisplug.fit(cube), "maps.fits")  # doctest: +SKIP
    """
    from astropy.io import fits

    kind, top, records = flatten(obj)
    uncertainties = _uncertainties(records, path)
    for i, rec in enumerate(records):  # refuse before writing anything
        if rec.wcs["kind"] == "gwcs":
            from irisplug.errors import UnsupportedObjectError

            raise UnsupportedObjectError(f"{rec.where()} has a gwcs, which FITS cannot describe; write .asdf", path=path)
        _image_header(f"CUBE{i}", rec.data, path)
        if uncertainties[i] is not None:
            _image_header(f"UNCERT{i}", uncertainties[i][0], path)
    meta = (top.get("meta") or {}) if kind == "collection" else top
    primary = fits.PrimaryHDU()
    primary.header["IRISPLUG"] = (FORMAT_VERSION, "written by irisplug (irisplug-fits reader)")
    primary.header["IRPKIND"] = kind
    primary.header["NCUBES"] = len(records)
    first_meta = records[0].meta if records else {}
    # for other FITS tools: the reader's standard and summary keywords (irisplug.model.description), the
    # object's own before its first cube's; the whole meta is in IRPMETA
    from irisplug.model import fits_keyword_items

    described = SimpleNamespace(meta=_plain_meta(meta), data=[SimpleNamespace(meta=_plain_meta(first_meta))])
    for key, value in fits_keyword_items(described):
        if key not in primary.header and key not in ("FILENAME", "BUNIT"):  # this file's name; no data here
            primary.header[key] = value
    for line in _history_lines({**first_meta, **meta}):
        primary.header.add_history(line)
    with open(path, "xb") as out:
        _write_hdu(out, primary.header)
        _write_hdu(out, *_bytes_hdu("IRPMETA", json.dumps(top)))
        for i, rec in enumerate(records):
            header = _image_header(f"CUBE{i}", rec.data)
            header["BUNIT"] = "" if rec.unit == "dimensionless" else rec.unit  # FITS spells it ""; the record keeps it
            if rec.label.isascii() and rec.label.isprintable():  # the JSON record always has it
                header["IRPLABEL"] = rec.label
            header["IRPCLASS"] = rec.cls
            header["IRPDTYPE"] = (np.dtype(rec.data.dtype).str, "numpy dtype of the data written")
            cards = fits_cards(rec.wcs) if rec.wcs["kind"] == "fits" else None
            for k, v in (cards or {}).items():  # none for a slice dropping an axis: the record keeps that WCS
                header[k] = v
            _write_hdu(out, header, rec.data)
            if rec.mask is not None:
                mask = rec.mask if hasattr(rec.mask, "astype") else np.asarray(rec.mask)
                mask = mask if mask.dtype == bool else mask.astype(bool)  # dask stays lazy
                _write_hdu(out, _image_header(f"MASK{i}", mask), mask)
            if uncertainties[i] is not None:
                _write_hdu(out, _uncertainty_header(f"UNCERT{i}", *uncertainties[i]), uncertainties[i][0])
            _write_hdu(out, *_bytes_hdu(f"JSON{i}", rec.json()))


def _uncertainty_header(name: str, array: Any, spec: dict[str, Any]) -> Any:
    """The ``UNCERTn`` header: ``UTYPE`` (the class, as astropy CCDData), ``BUNIT`` if any, ``IRPDTYPE``."""
    header = _image_header(name, array)
    header["UTYPE"] = (spec["class"], "astropy.nddata uncertainty class")
    if spec["unit"] is not None:
        header["BUNIT"] = (spec["unit"], "unit of the uncertainty")
    header["IRPDTYPE"] = (np.dtype(array.dtype).str, "numpy dtype of the uncertainty written")
    return header


def identify_irisplug_fits(info: Any) -> bool:
    """True for FITS files written by :func:`write_fits`."""
    header = info.fits_header()
    return bool(header) and header.get("IRISPLUG") is not None


_BITPIX = {8: ">u1", 16: ">i2", 32: ">i4", 64: ">i8", -32: ">f4", -64: ">f8"}


def _int_card(header: dict[str, Any], key: str, path: Any, where: str, minimum: int, maximum: int) -> int:
    from irisplug.errors import CorruptFileError, MissingKeywordError

    value = header.get(key)
    if value is None:
        raise MissingKeywordError(f"{where} lacks {key}", path=path)
    if isinstance(value, bool) or not isinstance(value, int) or not minimum <= value <= maximum:
        raise CorruptFileError(f"{where}: {key} = {value!r} is not an integer in [{minimum}, {maximum}]", path=path)
    return value


def _finite(header: dict[str, Any], key: str, default: float, path: Any, where: str) -> float:
    import math

    from irisplug.errors import CorruptFileError

    value = header.get(key, default)
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise CorruptFileError(f"{where}: {key} = {value!r} is not a finite number", path=path)
    return float(value)


def checked_shape(header: dict[str, Any], path: Any, where: str) -> tuple[int, ...]:
    """The numpy shape of an image HDU after checking BITPIX, NAXIS and every NAXISn (CorruptFileError otherwise)."""
    from irisplug.errors import CorruptFileError

    bitpix = _int_card(header, "BITPIX", path, where, -64, 64)
    if bitpix not in _BITPIX:
        raise CorruptFileError(f"{where}: BITPIX = {bitpix} is not a FITS image type {tuple(_BITPIX)}", path=path)
    naxis = _int_card(header, "NAXIS", path, where, 0, 999)
    return tuple(_int_card(header, f"NAXIS{i}", path, where, 0, 1 << 40) for i in range(naxis, 0, -1))


class FitsImage:
    """Array-like view of one FITS image HDU read on indexing (for ``dask.array.from_array``).

    With ``dtype`` (the ``IRPDTYPE`` card: an integer or boolean dtype) the
    samples come back exactly in that dtype (BZERO = the sign-bit offset of
    unsigned integers and int8 restored modulo 2**bits); without, as astropy
    decodes them: floats as stored (native byte order), integers to float32
    (8/16 bits) or float64 with BSCALE/BZERO applied and BLANK as NaN.

    Parameters
    ----------
    path
        The FITS file.
    offset
        Byte offset of the HDU's data (from ``irisplug.iter_fits_headers``).
    header
        The HDU's header (BITPIX, NAXISn, BSCALE, BZERO, BLANK).
    dtype
        The dtype to read integers or booleans back in exactly, or None.

    Examples
    --------
    >>> import numpy as np, irisplug
    >>> from astropy.io import fits
    >>> fits.HDUList([fits.PrimaryHDU(), fits.ImageHDU(np.arange(6, dtype=np.uint16).reshape(2, 3))]).writeto("u.fits")
    >>> header, offset, _ = list(irisplug.iter_fits_headers("u.fits"))[1]
    >>> FitsImage("u.fits", offset, header, "<u2")[1]
    array([3, 4, 5], dtype=uint16)
    >>> FitsImage("u.fits", offset, header)[1]
    array([3., 4., 5.], dtype=float32)
    """

    def __init__(self, path: str | Path, offset: int, header: dict[str, Any], dtype: Any = None) -> None:
        self.path = str(path)
        self.offset = int(offset)
        where = f"{header.get('EXTNAME', 'HDU')!s} at byte {offset}"
        self.shape = checked_shape(header, path, where)
        self.ndim = len(self.shape)
        self.raw_dtype = np.dtype(_BITPIX[int(header["BITPIX"])])
        self.bscale = _finite(header, "BSCALE", 1.0, path, where)
        self.bzero = _finite(header, "BZERO", 0.0, path, where)
        if self.bscale == 0:
            from irisplug.errors import CorruptFileError

            raise CorruptFileError(f"{where}: BSCALE = 0 would map every value to BZERO", path=path)
        blank = header.get("BLANK")
        if blank is not None and self.raw_dtype.kind in "iu" and (isinstance(blank, bool) or not isinstance(blank, int)):
            from irisplug.errors import CorruptFileError

            raise CorruptFileError(f"{where}: BLANK = {blank!r} is not an integer", path=path)
        self.blank = int(blank) if blank is not None and self.raw_dtype.kind in "iu" else None
        self.exact = None if dtype is None else np.dtype(dtype).newbyteorder("=")
        if self.exact is not None:
            self.dtype = self.exact
        elif self.raw_dtype.kind == "f":
            self.dtype = self.raw_dtype.newbyteorder("=")
        else:
            self.dtype = np.dtype(np.float64 if self.raw_dtype.itemsize > 2 else np.float32)

    def raw(self) -> np.ndarray:
        """The stored big-endian samples, memory-mapped read-only."""
        if not np.prod(self.shape):
            return np.empty(self.shape, self.raw_dtype)
        return np.memmap(self.path, dtype=self.raw_dtype, mode="r", offset=self.offset, shape=self.shape)

    def __getitem__(self, item: Any) -> np.ndarray:
        raw = np.array(self.raw()[item])  # a copy: the memory map is closed when this returns
        if self.exact is not None:
            if self.exact.kind == "b":
                return raw != 0
            out = raw.astype(self.exact)  # wraps modulo 2**bits; BZERO then restores the offset (uint16, int8, ...)
            if self.bzero:
                out += np.array(int(self.bzero)).astype(self.exact)
            return out
        if self.raw_dtype.kind == "f":
            return raw.astype(self.dtype)
        out = raw.astype(self.dtype)
        if self.bscale != 1:  # float32 arithmetic for 8/16-bit data, as astropy
            out *= self.dtype.type(self.bscale)
        if self.bzero:
            out += self.dtype.type(self.bzero)
        if self.blank is not None:
            out[raw == self.blank] = np.nan
        return out


def read_irisplug_fits(paths: list[Path], *, lazy: bool = True) -> Any:
    """Read files written by the ``fits`` writer (one object per file; a list for several files).

    Examples
    --------
    >>> maps = read_irisplug_fits(["maps.fits"])  # doctest: +SKIP
    >>> maps["status"].data.dtype  # doctest: +SKIP
    dtype('uint8')

    Uncertainties come back as the class written, lazy (dask) like the data
    when ``lazy`` is True.
    """
    from irisplug.errors import IrisplugError

    out = []
    for path in map(Path, paths):
        try:
            out.append(_read_one(path, lazy))
        except IrisplugError:
            raise
        except (KeyError, TypeError, ValueError, IndexError, AttributeError, OverflowError) as exc:
            from irisplug.errors import CorruptFileError

            # a damaged JSON record (missing or mistyped keys) fails deep inside rebuilding the object
            raise CorruptFileError(f"the irisplug records are damaged ({type(exc).__name__}: {exc})", path=path) from exc
    return out[0] if len(out) == 1 else out


def _read_one(path: Path, lazy: bool) -> Any:
    """The object one irisplug FITS file holds."""
    from irisplug import iter_fits_headers
    from irisplug.errors import CorruptFileError, MissingExtensionError

    try:
        hdus = list(iter_fits_headers(path))
    except CorruptFileError:
        raise
    except (OSError, ValueError, OverflowError, TypeError) as exc:  # the core walker's own (issue 16 core)
        raise CorruptFileError(f"cannot walk the FITS headers ({exc})", path=path) from exc
    primary = hdus[0][0]
    if primary.get("IRISPLUG") is None:
        raise CorruptFileError("not written by irisplug (no IRISPLUG keyword)", path=path)
    check_format_version(primary["IRISPLUG"], path, newest=FORMAT_VERSION)
    by_name = {str(h.get("EXTNAME", "")).strip(): (h, off) for h, off, _ in hdus[1:]}

    def text(name: str, by_name: dict = by_name, path: Path = path) -> str:
        if name not in by_name:
            raise MissingExtensionError(f"extension {name} is missing; the file is incomplete", path=path)
        h, off = by_name[name]
        try:
            return json.loads(FitsImage(path, off, h).raw().tobytes().decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise CorruptFileError(f"extension {name}: the JSON record is damaged ({exc})", path=path) from exc

    def array(name: str, by_name: dict = by_name, path: Path = path) -> Any:
        if name not in by_name:
            raise MissingExtensionError(f"extension {name} is missing; the file is incomplete", path=path)
        h, off = by_name[name]
        written = str(h.get("IRPDTYPE", "")).strip()
        try:
            exact = np.dtype(written) if written else None
        except (TypeError, ValueError) as exc:
            raise CorruptFileError(f"extension {name}: IRPDTYPE = {written!r} is not a numpy dtype", path=path) from exc
        img = FitsImage(path, off, h, exact if exact is not None and exact.kind in "biu" else None)
        if not lazy:
            return img[...]
        import dask.array as da

        return da.from_array(img, chunks=img.shape, asarray=False, fancy=False, name=f"irisplug-read-{path.resolve()}-{off}")

    records = []
    for i in range(_int_card(primary, "NCUBES", path, "primary header", 0, len(hdus))):
        rec = text(f"JSON{i}")
        if not isinstance(rec, dict):
            raise CorruptFileError(f"extension JSON{i} holds a {type(rec).__name__}, not a record", path=path)
        mask = array(f"MASK{i}").astype(bool) if f"MASK{i}" in by_name else None
        records.append((rec, array(f"CUBE{i}"), mask, _read_uncertainty(rec, f"UNCERT{i}", by_name, array, path)))
    if "IRPKIND" not in primary:
        from irisplug.errors import MissingKeywordError

        raise MissingKeywordError("primary header lacks IRPKIND (the kind of object stored)", path=path)
    return rebuild(str(primary["IRPKIND"]), text("IRPMETA"), records)


def _read_uncertainty(rec: dict[str, Any], name: str, by_name: dict[str, Any], array: Any, path: Path) -> Any:
    """The uncertainty of one cube of an irisplug FITS file (None when the record and the file have none)."""
    from irisplug.errors import MissingExtensionError

    spec = rec.get("uncertainty")
    if name not in by_name:
        if spec is not None:
            raise MissingExtensionError(f"extension {name} (the {spec.get('class')} of cube {rec.get('label')!r}) "
                                        "is missing; the file is incomplete", path=path)
        return None
    if spec is None:  # an UNCERTn HDU without a record entry: describe it from its cards (CCDData's convention)
        header = by_name[name][0]
        unit = str(header.get("BUNIT", "")).strip()
        spec = {"class": str(header.get("UTYPE", "")).strip(), "unit": unit or None}
    return uncertainty_from_spec(spec, array(name), path)
