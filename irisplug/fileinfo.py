"""Cheap, header-only facts about a file, handed to readers' ``identify``.

Nothing here imports astropy: ``identify`` runs for every reader on every
file whose name no reader pattern claims, so it must cost microseconds.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from irisplug.errors import CorruptFileError, IrisplugError, LimitExceededError, TruncatedFileError

__all__ = ["FileInfo", "parse_fits_header_block", "iter_fits_headers"]

_BLOCK = 2880
_CARD = 80
_HDF5_MAGIC = b"\x89HDF\r\n\x1a\n"
_GZIP_MAGIC = b"\x1f\x8b"


def _parse_value(raw: str) -> Any:
    """Parse the value part of a FITS card (after ``= ``)."""
    text = raw.strip()
    if text[:1] == "'":
        # A string: '' is an escaped quote; the value ends at the next lone quote (or the card's end).
        end = text.find("'", 1)
        while end != -1 and text[end + 1 : end + 2] == "'":
            end = text.find("'", end + 2)
        body = text[1:] if end == -1 else text[1:end]
        return (body.replace("''", "'") if "''" in body else body).rstrip()
    value = text.split("/", 1)[0].strip()
    if value == "T":
        return True
    if value == "F":
        return False
    if value == "":
        return None
    if "." not in value:  # (int() refuses any text with a point: skip its exception for the real numbers)
        try:
            return int(value)
        except ValueError:
            pass
    try:
        return float(value.replace("D", "E"))
    except ValueError:
        return value


def parse_fits_header_block(data: bytes) -> tuple[dict[str, Any], int] | None:
    """Parse one FITS header from the start of ``data``.

    Returns ``(header, n_bytes)`` where ``n_bytes`` is the header's size in
    whole 2880-byte blocks, or None when ``data`` holds no END card. The
    first occurrence of a duplicated keyword wins (as in astropy).

    Examples
    --------
    >>> card = lambda s: s.ljust(80).encode()
    >>> raw = card("SIMPLE  =                    T") + card("NAXIS   =                    0")
    >>> raw += card("END")
    >>> header, size = parse_fits_header_block(raw.ljust(2880))
    >>> header["SIMPLE"], header["NAXIS"], size
    (True, 0, 2880)
    """
    header: dict[str, Any] = {}
    text = data.decode("ascii", errors="replace")
    end = text.find("END     ")
    while end != -1 and end % _CARD:
        end = text.find("END     ", end + 1)
    if end == -1:
        if len(text) % _CARD == 0 and text[-_CARD:].rstrip() == "END":
            end = len(text) - _CARD
        else:
            return None
    for start in range(0, end, _CARD):
        if text[start + 8 : start + 10] != "= ":
            continue
        key = text[start : start + 8].rstrip()
        if key and key not in header:
            header[key] = _parse_value(text[start + 10 : start + _CARD])
    size = (end + _CARD + _BLOCK - 1) // _BLOCK * _BLOCK
    return header, size


_BITPIX = frozenset({8, 16, 32, 64, -32, -64})
_MAX_NAXIS = 999


def _structural_int(
    header: dict[str, Any], key: str, path: str, index: int, *, default: int | None = None, minimum: int = 0
) -> int:
    """A structural keyword as an int >= ``minimum``; CorruptFileError naming the file, HDU and keyword."""
    value = header.get(key, default)
    if value is None:
        raise CorruptFileError(f"HDU {index}: the required keyword {key} is missing", path=path)
    if isinstance(value, bool) or not isinstance(value, int):
        raise CorruptFileError(f"HDU {index}: {key} = {value!r} is not an integer", path=path)
    if value < minimum:
        raise CorruptFileError(f"HDU {index}: {key} = {value} must be >= {minimum}", path=path)
    return value


def _data_size(header: dict[str, Any], path: str = "", index: int = 0) -> int:
    """Bytes of the HDU's data (padded to whole blocks), every keyword it uses checked.

    FITS 4.0, section 4.4.1: ``|BITPIX| * GCOUNT * (PCOUNT + NAXIS1 * ... * NAXISn) / 8``,
    where a random-groups primary HDU (``NAXIS1 = 0``, ``GROUPS = T``) leaves NAXIS1 out.
    """
    bitpix = _structural_int(header, "BITPIX", path, index, minimum=-64)
    if bitpix not in _BITPIX:
        raise CorruptFileError(f"HDU {index}: BITPIX = {bitpix} is not one of {sorted(_BITPIX)}", path=path)
    naxis = _structural_int(header, "NAXIS", path, index)
    if naxis > _MAX_NAXIS:
        raise CorruptFileError(f"HDU {index}: NAXIS = {naxis} exceeds {_MAX_NAXIS}", path=path)
    if naxis == 0:
        return 0
    dims = [_structural_int(header, f"NAXIS{i}", path, index) for i in range(1, naxis + 1)]
    pcount = _structural_int(header, "PCOUNT", path, index, default=0)
    gcount = _structural_int(header, "GCOUNT", path, index, default=1)
    if header.get("GROUPS") is True and dims[0] == 0:
        dims = dims[1:]
    n = 1
    for d in dims:
        n *= d
    n = abs(bitpix) // 8 * gcount * (n + pcount)
    return (n + _BLOCK - 1) // _BLOCK * _BLOCK


def _read_header(f: Any, path: str, index: int, offset: int, max_cards: int) -> tuple[dict[str, Any], int] | None:
    """Read one header from the current position: ``(header, n_bytes)``, None at a clean end of file.

    Reads block by block and looks for END only in the new block, so the
    work is linear in the header size, which ``max_cards`` bounds.
    """
    blocks: list[bytes] = []
    while True:
        block = f.read(_BLOCK)
        if not block and not blocks:
            if index == 0:
                raise CorruptFileError("file is empty, not FITS", path=path)
            return None
        if len(block) < _BLOCK:
            if not blocks and index > 0 and not block.strip(b"\0 "):
                return None  # trailing padding after the last HDU (astropy ignores it too)
            raise TruncatedFileError(
                f"FITS header of HDU {index} is cut short at byte {offset + _BLOCK * len(blocks) + len(block)}",
                path=path,
            )
        if not blocks and index == 0 and not block.startswith(b"SIMPLE  ="):
            raise CorruptFileError("not a FITS file (no SIMPLE card)", path=path)
        if not blocks and index > 0 and not block.startswith(b"XTENSION="):
            if not block.strip(b"\0 "):
                return None  # a block of padding after the last HDU
            raise CorruptFileError(
                f"HDU {index} at byte {offset} does not start with XTENSION (the previous HDU's sizes are wrong)",
                path=path,
            )
        blocks.append(block)
        end = block.find(b"END     ")
        while end != -1 and end % _CARD:
            end = block.find(b"END     ", end + 1)
        if end != -1:
            break
        if max_cards and len(blocks) * (_BLOCK // _CARD) >= max_cards:
            raise LimitExceededError(
                f"HDU {index}: header has more than {max_cards} cards and no END (IRISPLUG_MAX_HEADER_CARDS)",
                path=path,
            )
    parsed = parse_fits_header_block(b"".join(blocks))
    if parsed is None:  # pragma: no cover - END was seen above
        raise CorruptFileError(f"HDU {index}: header has no END card", path=path)
    return parsed


def _gzip_open() -> Any:
    """``gzip.open``, imported when a file is compressed (most are not: opening a plain file never imports gzip)."""
    import gzip

    return gzip.open


def _gzip_errors() -> tuple[type[BaseException], ...]:
    """What a damaged gzip stream raises (evaluated only when an exception reaches the ``except``)."""
    import gzip
    import zlib

    return (EOFError, gzip.BadGzipFile, zlib.error)


def iter_fits_headers(
    path: str | os.PathLike, max_hdus: int | None = None, *, primary: tuple[dict[str, Any], int] | None = None
) -> Iterator[tuple[dict[str, Any], int, int]]:
    """Yield ``(header, data_offset, data_nbytes)`` for each HDU without reading data.

    Works on plain and gzip-compressed FITS files (a gzip file is decompressed
    as a stream, so it is slower for large files). ``data_offset`` is the byte
    offset of the HDU's data in the (decompressed) file. ``primary`` is the
    primary header already parsed and its size in bytes (as returned by
    :func:`parse_fits_header_block`): it is used instead of parsing it again.

    Scope: this walker checks the structure of a FITS file, not its content.
    For every HDU it checks the keywords that fix the layout: ``BITPIX`` in
    {8, 16, 32, 64, -32, -64}, ``NAXIS`` in 0..999, every ``NAXISn >= 0``,
    ``PCOUNT >= 0``, ``GCOUNT >= 0`` (all integers), that each extension
    starts with ``XTENSION``, that no header exceeds ``IRISPLUG_MAX_HEADER_CARDS``
    cards, and that the data fits in the file (for ``.gz``: within
    ``IRISPLUG_MAX_DECOMPRESSED_BYTES``). Every step moves forward in the
    file, so the walk always ends. Other keywords are returned as parsed;
    readers validate the ones they use.

    Raises
    ------
    CorruptFileError
        The first block is not a FITS header, or a structural keyword of an
        HDU is missing or invalid (the message names the HDU and keyword).
    TruncatedFileError
        When a header or data section runs past the end of the file.
    LimitExceededError
        A header has too many cards, or a ``.gz`` file declares more data
        than the decompression limit.

    Examples
    --------
    >>> import tempfile, numpy as np
    >>> from astropy.io import fits
    >>> path = tempfile.mkdtemp() + "/x.fits"
    >>> fits.PrimaryHDU(np.zeros((2, 3), ">i2")).writeto(path)
    >>> [(h["NAXIS1"], off, n) for h, off, n in iter_fits_headers(path)]
    [(3, 2880, 2880)]
    """
    from irisplug.limits import get_limits

    limits = get_limits()
    path = os.fspath(path)
    with open(path, "rb") as raw:
        gz = raw.read(2) == _GZIP_MAGIC
    total = None if gz else os.path.getsize(path)
    packed = os.path.getsize(path)
    opener = _gzip_open() if gz else open
    try:
        with opener(path, "rb") as f:
            offset = 0
            index = 0
            while max_hdus is None or index < max_hdus:
                if index == 0 and primary is not None:
                    parsed: tuple[dict[str, Any], int] | None = primary
                    f.seek(primary[1])
                else:
                    parsed = _read_header(f, path, index, offset, limits.max_header_cards)
                if parsed is None:
                    return
                header, hsize = parsed
                data_offset = offset + hsize
                nbytes = _data_size(header, path, index)
                end = data_offset + nbytes
                if total is not None and end > total:
                    raise TruncatedFileError(
                        f"HDU {index} declares {nbytes} data bytes but the file ends at byte {total}",
                        path=path,
                    )
                if gz:
                    limits.check_unpacked(end, packed, what=f"HDU {index} of this gzip file", path=path)
                yield header, data_offset, nbytes
                if gz:
                    remaining = nbytes
                    while remaining:
                        got = len(f.read(min(remaining, 1 << 20)))
                        if got == 0:
                            raise TruncatedFileError(f"data of HDU {index} is cut short", path=path)
                        remaining -= got
                else:
                    if end == total:
                        return
                    f.seek(end)
                assert end > offset  # forward progress: a header is at least one block
                offset = end
                index += 1
    except _gzip_errors() as exc:
        raise CorruptFileError(f"gzip stream is damaged ({type(exc).__name__}: {exc})", path=path) from exc


class FileInfo:
    """What a reader's ``identify`` may look at: the path and the first bytes.

    Parameters
    ----------
    path
        The file.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "a.txt"
    >>> _ = p.write_text("hello")
    >>> info = FileInfo(p)
    >>> info.name, info.head(5), info.is_fits
    ('a.txt', b'hello', False)
    >>> FileInfo("a.txt")
    FileInfo(path=PosixPath('a.txt'))
    """

    # a plain class, not a dataclass: building a dataclass executes generated code, about 1 ms of every
    # process's first ``irisplug.read``; the behaviour (repr of the path, equality of all fields) is the same
    __slots__ = ("_fits_done", "_fits_header", "_fits_headers", "_fits_size", "_head", "path")
    __hash__ = None  # type: ignore[assignment]  # mutable (the caches fill): unhashable, as the dataclass was

    def __init__(self, path: str | os.PathLike, _head: bytes | None = None,
                 _fits_header: dict[str, Any] | None = None, _fits_done: bool = False, _fits_size: int = 0,
                 _fits_headers: list[tuple[dict[str, Any], int, int]] | None = None) -> None:
        self.path: Path = Path(path)
        self._head = _head
        self._fits_header = _fits_header
        self._fits_done = _fits_done
        self._fits_size = _fits_size
        self._fits_headers = _fits_headers

    def __repr__(self) -> str:
        return f"FileInfo(path={self.path!r})"

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        return all(getattr(self, k) == getattr(other, k) for k in self.__slots__)

    @property
    def name(self) -> str:
        """The file name without the directory."""
        return self.path.name

    @property
    def size(self) -> int:
        """Size in bytes on disk."""
        return self.path.stat().st_size

    @property
    def is_regular(self) -> bool:
        """True for a regular file; a FIFO, socket or device is never opened (it could block)."""
        try:
            return stat.S_ISREG(os.stat(self.path).st_mode)
        except OSError:
            return False

    @property
    def is_gzip(self) -> bool:
        """True for a gzip-compressed file (by content, not name)."""
        if not self.is_regular:
            return False
        with open(self.path, "rb") as f:
            return f.read(2) == _GZIP_MAGIC

    def head(self, n: int = 4 * _BLOCK) -> bytes:
        """The first ``n`` bytes, decompressed if the file is gzip-compressed (b"" for a non-regular file)."""
        if not self.is_regular:
            return b""
        if self._head is None or len(self._head) < n:
            opener = _gzip_open() if self.is_gzip else open
            try:
                with opener(self.path, "rb") as f:
                    self._head = f.read(max(n, 4 * _BLOCK))
            except (OSError, EOFError):
                self._head = b""
        return self._head[:n]

    @property
    def is_fits(self) -> bool:
        """True when the (decompressed) file starts with a FITS SIMPLE card."""
        return self.head(10).startswith(b"SIMPLE  =")

    @property
    def is_hdf5(self) -> bool:
        """True for HDF5 (and so netCDF-4) files."""
        return self.head(8) == _HDF5_MAGIC

    @property
    def is_netcdf3(self) -> bool:
        """True for classic netCDF files."""
        return self.head(4)[:3] == b"CDF"

    def fits_header(self) -> dict[str, Any] | None:
        """The primary FITS header as a plain dict, or None if not FITS.

        Reads only the header blocks (up to 64 blocks).
        """
        if not self._fits_done:
            self._fits_done = True
            if self.is_fits:
                for n_blocks in (4, 64):
                    parsed = parse_fits_header_block(self.head(n_blocks * _BLOCK))
                    if parsed is not None:
                        self._fits_header, self._fits_size = parsed
                        break
        return self._fits_header

    def fits_headers(self) -> list[tuple[dict[str, Any], int, int]]:
        """Every HDU's ``(header, data_offset, data_nbytes)``, parsed once and kept.

        The primary header parsed for ``identify`` (:meth:`fits_header`) is
        reused, not parsed again; data are never read. A reader that takes
        ``fileinfo=`` gets this object from dispatch and so parses each
        header once per ``irisplug.read``.

        Raises
        ------
        CorruptFileError, TruncatedFileError
            As :func:`iter_fits_headers`.

        Examples
        --------
        >>> import tempfile, numpy as np
        >>> from astropy.io import fits
        >>> path = tempfile.mkdtemp() + "/x.fits"
        >>> fits.HDUList([fits.PrimaryHDU(), fits.ImageHDU(np.zeros(4, ">f4"), name="SCI")]).writeto(path)
        >>> info = FileInfo(path)
        >>> [h.get("EXTNAME") for h, _, _ in info.fits_headers()]
        [None, 'SCI']
        >>> info.fits_headers() is info.fits_headers()
        True
        """
        if self._fits_headers is None:
            primary = (self._fits_header, self._fits_size) if self.fits_header() is not None else None
            self._fits_headers = list(iter_fits_headers(self.path, primary=primary))  # type: ignore[arg-type]
        return self._fits_headers

    def fits_extnames(self, max_hdus: int = 64) -> list[str]:
        """EXTNAMEs of the extensions (headers only; '' for unnamed ones)."""
        if not self.is_fits:
            return []
        try:
            return [str(h.get("EXTNAME", "")) for h, _, _ in iter_fits_headers(self.path, max_hdus)][1:]
        except IrisplugError:
            return []
