"""What resolving a source that is not a plain local file needs: unpacking archives, decompressing gzip files,
downloading URLs and sunpy ``Fido`` results (see :mod:`irisplug.sources`, which re-exports the public names).

Kept apart so that opening a plain file does not load (unmarshal) this code: about half of the sources' bytecode.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any, BinaryIO

from irisplug.cache import mark_used, prune
from irisplug.errors import (
    CorruptFileError,
    DownloadError,
    IrisplugError,
    LimitExceededError,
    TruncatedFileError,
    WriteError,
)
from irisplug.limits import get_limits
from irisplug.sources import cache_dir


def copy_limited(src: BinaryIO, dst: BinaryIO, *, counted: list[int], packed: int, what: str, path: Path) -> None:
    """Copy a decompressing stream in 1 MiB chunks, checking the limits before each write.

    ``counted`` is a one-item list of bytes unpacked so far (across members of
    one archive), updated in place; ``packed`` is the compressed size the
    ratio limit compares with. Nothing beyond a limit is ever written.

    Raises
    ------
    LimitExceededError
        ``IRISPLUG_MAX_DECOMPRESSED_BYTES`` or ``IRISPLUG_MAX_COMPRESSION_RATIO`` is exceeded.
    WriteError
        Writing to ``dst`` (a file in irisplug's cache) failed: disk full,
        quota, file-size limit.

    Examples
    --------
    >>> import io, gzip, pathlib
    >>> packed = gzip.compress(b"x" * 1000)
    >>> out, n = io.BytesIO(), [0]
    >>> copy_limited(gzip.GzipFile(fileobj=io.BytesIO(packed)), out, counted=n, packed=len(packed),
    ...              what="a.gz", path=pathlib.Path("a.gz"))
    >>> n
    [1000]
    """
    limits = get_limits()
    while True:
        chunk = src.read(1 << 20)
        if not chunk:
            return
        counted[0] += len(chunk)
        limits.check_unpacked(counted[0], packed, what=what, path=path)
        with _cache_writes(Path(getattr(dst, "name", path)), f"{what} of {Path(path).name}"):
            dst.write(chunk)


@contextlib.contextmanager
def _cache_writes(target: Path, what: str = "a file") -> Iterator[None]:
    """An ``OSError`` raised inside is a failed write into the cache (disk full, quota, file size limit, read-only
    folder): a :class:`~irisplug.errors.WriteError` naming ``target``, not an error of the source being read."""
    try:
        yield
    except IrisplugError:
        raise
    except OSError as exc:
        raise WriteError(
            f"cannot write {what} into irisplug's cache ({exc.strerror or exc}); free space there, lower "
            "IRISPLUG_CACHE_MAX_BYTES, or set IRISPLUG_CACHE_DIR to a folder on a larger disk",
            path=target,
        ) from exc


@contextlib.contextmanager
def _create(path: Path, what: str) -> Iterator[BinaryIO]:
    """``open(path, "wb")`` in the cache, its folder made first; failing to make, flush or close it is
    :func:`_cache_writes`'s error."""
    with _cache_writes(path, what):
        path.parent.mkdir(parents=True, exist_ok=True)
        f = open(path, "wb")  # closed below, where a failed final flush is a write error too
    try:
        yield f
    finally:
        with _cache_writes(path, what):
            f.close()


def _make_dir(path: Path, what: str) -> None:
    with _cache_writes(path, what):
        path.mkdir(parents=True, exist_ok=True)


def _check_member_count(n: int, archive: Path) -> None:
    limit = get_limits().max_archive_members
    if limit and n > limit:
        raise LimitExceededError(
            f"the archive has more than {limit} members (IRISPLUG_MAX_ARCHIVE_MEMBERS); raise the limit if it is trusted",
            path=archive,
        )


def gzip_backend() -> tuple[Any, tuple[type[BaseException], ...]]:
    """The zlib-compatible module that decompresses gzip streams, and the errors it raises for damaged data.

    ``isal.isal_zlib`` (Intel's ISA-L, about 2x faster than zlib at inflating:
    measured 0.79 s against 1.5 s of CPU for 300 MB of an IRIS raster) when
    it is installed, else the standard library's ``zlib``; both check the
    gzip CRC-32 and length. ``IRISPLUG_GZIP=zlib`` forces ``zlib``.

    Examples
    --------
    >>> module, errors = gzip_backend()
    >>> module.__name__ in ("zlib", "isal.isal_zlib")
    True
    """
    import zlib

    if os.environ.get("IRISPLUG_GZIP", "").strip().lower() != "zlib":
        try:
            from isal import isal_zlib
        except ImportError:
            pass
        else:
            return isal_zlib, (isal_zlib.error, zlib.error)
    return zlib, (zlib.error,)


@contextlib.contextmanager
def _open_tar(archive: Path) -> Iterator[tuple[Any, Any]]:
    """``(tarfile, decompressed stream)`` of ``archive``, read member by member.

    gzip is inflated by :func:`gzip_backend`'s library (as a stream), other
    compressions (bzip2, xz) and plain tars by ``tarfile`` itself. The
    stream is what :func:`_drain` reads to its end once the members are out.
    """
    import tarfile

    with open(archive, "rb") as f:
        gzipped = f.read(2) == _GZIP_MAGIC
    module, _ = gzip_backend()
    if not gzipped or module.__name__ == "zlib":
        with tarfile.open(archive, mode="r:*") as tf:
            yield tf, tf.fileobj
        return
    from isal import igzip

    with igzip.IGzipFile(archive, "rb") as stream, tarfile.open(fileobj=stream, mode="r|") as tf:
        yield tf, stream


def _drain(stream: Any, counted: list[int], packed: int, archive: Path) -> None:
    """Read a decompressing stream to its end, within the limits.

    A tar ends with its end-of-archive blocks, before the compressed
    stream's own end: gzip's CRC-32 and length, xz's check and bzip2's
    stream CRC come after them. Without reading them, a damaged archive
    whose damage still decompresses (a flipped bit in the deflate data)
    unpacked without error into wrong bytes.
    """
    limits = get_limits()
    while chunk := stream.read(1 << 20):
        counted[0] += len(chunk)
        limits.check_unpacked(counted[0], packed, what="the data after the archive's last member", path=archive)


def _safe_dest(root: Path, name: str, archive: Path) -> Path:
    dest = (root / name).resolve()
    if dest != root and root not in dest.parents:
        raise CorruptFileError(f"archive member {name!r} points outside the archive", path=archive)
    return dest


def _extract_zip(archive: Path, root: Path, packed: int) -> None:
    import zipfile

    counted = [0]
    with zipfile.ZipFile(archive) as zf:
        infos = zf.infolist()  # the central directory: its length is known before anything is unpacked
        _check_member_count(len(infos), archive)
        for info in infos:
            dest = _safe_dest(root, info.filename, archive)
            what = f"member {info.filename!r} of {archive.name}"
            if info.is_dir():
                _make_dir(dest, what)
                continue
            with zf.open(info) as src, _create(dest, what) as dst:
                copy_limited(src, dst, counted=counted, packed=packed, what=f"member {info.filename!r}", path=archive)


def _extract_tar(archive: Path, root: Path, packed: int) -> None:
    counted = [0]
    with _open_tar(archive) as (tf, stream):
        n = 0
        for member in tf:  # streaming: members are read one by one, never listed first
            n += 1
            _check_member_count(n, archive)
            dest = _safe_dest(root, member.name, archive)
            what = f"member {member.name!r} of {archive.name}"
            if member.isdir():
                _make_dir(dest, what)
            elif member.isfile():
                src = tf.extractfile(member)
                assert src is not None
                with src, _create(dest, what) as dst:
                    copy_limited(src, dst, counted=counted, packed=packed, what=f"member {member.name!r}", path=archive)
            else:
                raise CorruptFileError(
                    f"archive member {member.name!r} is a link or device; irisplug unpacks only files and directories",
                    path=archive,
                )
        _drain(stream, counted, packed, archive)  # the compressed stream's checks come after the last member


def _unpack(archive: Path) -> Path:
    """Unpack ``archive`` into the cache, streaming, within the limits of :mod:`irisplug.limits`."""
    # imported here, not at module level: opening a plain file (the common case) needs none of them
    import hashlib
    import lzma
    import shutil
    import tarfile
    import tempfile
    import zipfile

    stat = archive.stat()
    key = hashlib.sha1(f"{archive.resolve()}|{stat.st_size}|{stat.st_mtime_ns}".encode()).hexdigest()[:16]
    stem = archive.name.split(".")[0]
    target = cache_dir() / "archives" / f"{stem}-{key}"
    if target.is_dir():
        mark_used(target)
        return target
    with _cache_writes(target, f"the members of {archive.name}"):
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=f".{stem}-", dir=target.parent)).resolve()
    try:
        if archive.name.lower().endswith(".zip"):
            _extract_zip(archive, tmp, stat.st_size)
        else:
            _extract_tar(archive, tmp, stat.st_size)
    except IrisplugError:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    except (tarfile.TarError, zipfile.BadZipFile, EOFError, OSError, lzma.LZMAError, ValueError,
            *gzip_backend()[1]) as exc:
        shutil.rmtree(tmp, ignore_errors=True)
        raise CorruptFileError(f"cannot unpack archive ({type(exc).__name__}: {exc})", path=archive) from exc
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    try:
        tmp.rename(target)
    except OSError:  # another process unpacked it first
        shutil.rmtree(tmp, ignore_errors=True)
    prune()
    return target


_GZIP_MAGIC = b"\x1f\x8b"
_CHUNK = 4 << 20

#: how data files start (first bytes, possibly at an offset); anything else from a URL is refused
_DATA_SIGNATURES: tuple[tuple[int, bytes], ...] = (
    (0, b"SIMPLE  ="),  # FITS
    (0, _GZIP_MAGIC),
    (0, b"BZh"),
    (0, b"\xfd7zXZ\x00"),
    (0, b"PK\x03\x04"),  # zip
    (257, b"ustar"),  # tar
    (0, b"\x89HDF\r\n\x1a\n"),  # HDF5 / netCDF-4
    (0, b"CDF\x01"),
    (0, b"CDF\x02"),  # netCDF classic
    (0, b"#ASDF"),
    (0, b"\xcd\xf3\x00\x01"),  # NASA CDF
)


def _looks_like_data(head: bytes) -> bool:
    return any(head[at : at + len(sig)] == sig for at, sig in _DATA_SIGNATURES)


#: what a file must start with, by its name's ending (checked first to last; the first ending that fits decides)
_SIGNATURES_BY_NAME: tuple[tuple[tuple[str, ...], tuple[tuple[int, bytes], ...], str], ...] = (
    ((".fits", ".fit", ".fts"), ((0, b"SIMPLE  ="),), "a FITS file"),
    ((".gz", ".tgz"), ((0, _GZIP_MAGIC),), "a gzip file"),
    ((".zip",), ((0, b"PK\x03\x04"), (0, b"PK\x05\x06")), "a zip archive"),
    ((".tar",), ((257, b"ustar"),), "a tar archive"),
    ((".bz2", ".tbz2"), ((0, b"BZh"),), "a bzip2 file"),
    ((".xz",), ((0, b"\xfd7zXZ\x00"),), "an xz file"),
)
#: what a gzip file's content must start with, by its name's ending
_GZIP_CONTENT: tuple[tuple[tuple[str, ...], int, bytes, str], ...] = (
    ((".fits.gz", ".fit.gz", ".fts.gz"), 0, b"SIMPLE  =", "a gzipped FITS file"),
    ((".tar.gz", ".tgz"), 257, b"ustar", "a gzipped tar archive"),
)


def _gunzipped_head(path: Path, size: int = 512) -> bytes | None:
    """The first ``size`` bytes of a gzip file's content, or None when they cannot be inflated from its start."""
    import zlib

    d = zlib.decompressobj(wbits=31)
    out = b""
    try:
        with open(path, "rb") as f:
            while len(out) < size:
                chunk = f.read(1 << 16)
                if not chunk:
                    break
                out += d.decompress(chunk, size - len(out))
                while d.unconsumed_tail and len(out) < size:
                    out += d.decompress(d.unconsumed_tail, size - len(out))
                if d.eof:
                    break
    except zlib.error:
        return None
    return out


def check_download(
    path: str | os.PathLike,
    *,
    url: str,
    name: str | None = None,
    content_type: str | None = None,
    require_data: bool = True,
    remove: bool = True,
) -> None:
    """Refuse a downloaded file that is not what its name says: one check for every download path.

    ``irisplug.read(url)`` (:func:`download`), ``irisplug get``, the IRIS
    plugin's ``Fido`` client and ``irisplug.read`` of a ``Fido.fetch`` result
    all call it. Refused are:

    - a ``Content-Type`` of ``text/html`` (a login, error or index page);
    - an empty body;
    - a body that starts like a web page (``<!DOCTYPE html``, ``<html``);
    - a name ending in ``.fits`` (``.fit``, ``.fts``) without the FITS
      ``SIMPLE  =`` card, in ``.gz`` / ``.tgz`` without the gzip magic
      bytes, in ``.zip`` without a zip header, in ``.tar`` without ``ustar``;
      a ``.fits.gz`` whose content does not start as FITS, a ``.tar.gz`` whose
      content is not a tar archive;
    - any other name, when ``require_data``: a file that starts as none of
      the data formats irisplug reads (FITS, gzip, bzip2, xz, zip, tar, HDF5,
      netCDF, ASDF, CDF).

    Parameters
    ----------
    path
        The downloaded file.
    url
        Where it came from (named in the error).
    name
        The file name to judge by (default ``path``'s: pass the final name
        when ``path`` is a temporary one).
    content_type
        The server's ``Content-Type``, when known.
    require_data
        Refuse a name with no known ending unless it starts as a data file.
    remove
        Delete ``path`` when it is refused (nothing is left behind).

    Raises
    ------
    DownloadError
        The file is refused; the message names the URL and what arrived.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> page = pathlib.Path(tempfile.mkdtemp()) / "a.fits.gz"
    >>> _ = page.write_bytes(b"<!DOCTYPE html><p>log in</p>")
    >>> check_download(page, url="http://host/a.fits.gz")
    Traceback (most recent call last):
    ...
    irisplug.errors.DownloadError: http://host/a.fits.gz: the server sent a web page ...
    >>> page.exists()
    False
    """
    path = Path(path)
    lowered = (name or path.name).lower()
    ctype = (content_type or "").split(";")[0].strip().lower()
    advice = "check that the URL points at a data file (not a web page), or retry later; nothing was kept"
    problem = None
    try:
        size = path.stat().st_size
        with open(path, "rb") as f:
            head = f.read(512)
    except OSError as exc:
        raise DownloadError(f"the downloaded file cannot be read back ({exc.strerror or exc})", path=url) from exc
    if ctype in ("text/html", "application/xhtml+xml"):
        problem = f"the server sent a web page ({ctype}, {size} bytes starting {head[:40]!r}), not a FITS file or archive"
    elif size == 0:
        problem = "the server sent an empty body (0 bytes), not a FITS file or archive"
    elif head.lstrip()[:15].lower().startswith((b"<!doctype html", b"<html")):
        problem = f"the server sent a web page (starting {head[:40]!r}), not a FITS file or archive"
    else:
        for endings, signatures, what in _SIGNATURES_BY_NAME:
            if lowered.endswith(endings):
                if not any(head[at : at + len(sig)] == sig for at, sig in signatures):
                    problem = f"the file is named as {what} but starts with {head[:40]!r}"
                break
        else:
            if require_data and not _looks_like_data(head):
                problem = f"the server sent {ctype or 'data'} starting with {head[:40]!r}, not a FITS file or archive"
        if problem is None:
            for endings, at, sig, what in _GZIP_CONTENT:
                if lowered.endswith(endings):
                    inner = _gunzipped_head(path)
                    if inner is not None and len(inner) >= at + len(sig) and inner[at : at + len(sig)] != sig:
                        problem = f"the file is named as {what} but its content starts with {inner[:40]!r}"
                    break
    if problem is None:
        return
    if remove:
        _remove_quietly(path)
    raise DownloadError(f"{problem}; {advice}", path=url)


@contextlib.contextmanager
def quiet_download_logs(quiet: bool | None = None) -> Iterator[None]:
    """Hold parfive's (and aiohttp's) INFO messages back while downloading under ``quiet`` (or ``CI`` /
    ``IRISPLUG_QUIET``, :func:`irisplug.progress_bars.progress_disabled`).

    parfive logs each failed download at INFO level ("... failed to download
    with exception ..."), which shows on stderr once any library has
    configured the root logger (drms, imported by sunpy's JSOC client, does).
    irisplug reports failures itself, so these lines only repeat them.

    Examples
    --------
    >>> import logging
    >>> with quiet_download_logs(True):
    ...     logging.getLogger("parfive").getEffectiveLevel() >= logging.WARNING
    True
    """
    import logging

    from irisplug.progress_bars import progress_disabled

    if not progress_disabled(quiet):
        yield
        return
    loggers = [logging.getLogger(name) for name in ("parfive", "aiohttp.client", "aioftp.client")]
    levels = [logger.level for logger in loggers]
    for logger in loggers:
        if logger.getEffectiveLevel() < logging.WARNING:
            logger.setLevel(logging.WARNING)
    try:
        yield
    finally:
        for logger, level in zip(loggers, levels, strict=True):
            logger.setLevel(level)


def _remove_quietly(path: Path) -> None:
    try:
        path.unlink()
    except OSError:
        pass


def download(url: str, *, quiet: bool | None = None, timeout: float = 60.0) -> Path:
    """Download ``url`` once into the cache and return the local file.

    The file goes to ``<cache>/downloads/<hash of the URL>/<file name>``
    under a temporary name; it is renamed into place only when its size
    matches the server's ``Content-Length`` and :func:`check_download` accepts
    it (not a web page, not empty, first bytes a data file matching its name:
    FITS, gzip, tar, zip, HDF5, netCDF, ASDF, CDF). A later call with
    the same URL returns the cached file without network access. A tqdm bar
    shows progress unless ``quiet`` (or ``CI`` / ``IRISPLUG_QUIET``).

    Raises
    ------
    DownloadError
        HTTP error (404 ...), unreachable server, truncated transfer, or the
        server sent something that is not a data file (an HTML page); the
        message names the URL and nothing is left in the cache.

    Examples
    --------
    >>> download("http://127.0.0.1:9/none.fits", quiet=True)  # doctest: +SKIP
    Traceback (most recent call last):
    DownloadError: http://127.0.0.1:9/none.fits: cannot reach the server ...
    """
    import hashlib
    import urllib.error
    import urllib.parse
    import urllib.request
    import uuid

    from irisplug.progress_bars import progress_disabled

    url = url.strip()
    name = Path(urllib.parse.unquote(urllib.parse.urlparse(url).path)).name or "download"
    key = hashlib.sha1(url.encode()).hexdigest()[:16]
    target = cache_dir() / "downloads" / key / name
    if target.is_file():
        mark_used(target.parent)
        return target
    what = f"the download of {name}"
    _make_dir(target.parent, what)
    tmp = target.parent / f".{name}.{uuid.uuid4().hex[:8]}.part"
    try:
        try:
            response = urllib.request.urlopen(url, timeout=timeout)
        except urllib.error.HTTPError as exc:
            raise DownloadError(
                f"the server answered HTTP {exc.code} ({exc.reason}); check the URL, or search again for the current file name",
                path=url,
            ) from exc
        except (urllib.error.URLError, OSError) as exc:
            reason = getattr(exc, "reason", exc)
            raise DownloadError(f"cannot reach the server ({reason}); check the URL and your connection, then retry", path=url) from exc
        with response:
            length = response.headers.get("Content-Length")
            expected = int(length) if length and length.isdigit() else None
            bar = None
            if not progress_disabled(quiet):
                from tqdm.auto import tqdm

                bar = tqdm(total=expected, unit="B", unit_scale=True, desc=name, leave=False)
            got = 0
            try:
                with _create(tmp, what) as out:
                    while True:
                        try:
                            chunk = response.read(1 << 20)
                        except (OSError, ValueError) as exc:  # connection reset, IncompleteRead
                            raise DownloadError(
                                f"the transfer broke off after {got} bytes ({type(exc).__name__}); retry the download",
                                path=url,
                            ) from exc
                        if not chunk:
                            break
                        with _cache_writes(target, what):
                            out.write(chunk)
                        got += len(chunk)
                        if bar is not None:
                            bar.update(len(chunk))
            finally:
                if bar is not None:
                    bar.close()
        if expected is not None and got != expected:
            raise DownloadError(
                f"the transfer is truncated: {got} of {expected} bytes arrived; retry the download", path=url
            )
        check_download(tmp, url=url, name=name, content_type=response.headers.get("Content-Type"))
        with _cache_writes(target, what):
            os.replace(tmp, target)
    except BaseException:
        _remove_quietly(tmp)
        raise
    prune()
    return target


def _content_key(path: Path) -> str:
    """A key for the content of a gzip file: its size, first and last 64 KiB.

    The last bytes of a gzip stream hold the CRC-32 and the length of the
    uncompressed content, so two files with the same key hold the same data.
    """
    import hashlib

    size = path.stat().st_size
    digest = hashlib.sha1(str(size).encode())
    with open(path, "rb") as f:
        digest.update(f.read(1 << 16))
        f.seek(max(0, size - (1 << 16)))
        digest.update(f.read())
    return digest.hexdigest()[:20]


def decompressed(path: str | os.PathLike, *, quiet: bool | None = None) -> Path:
    """A plain copy of a gzip-compressed file (the file itself when it is not compressed).

    Readers that read at byte offsets (memory maps, direct seeks) call this
    on each file they are given. The copy is written once into
    ``<cache>/gunzip/<content key>/<name without .gz>`` under a temporary
    name, checked (gzip CRC-32 and length, by zlib or ISA-L: :func:`gzip_backend`) and renamed into place;
    later calls, also on copies of the same file elsewhere, reuse it.
    Compression is recognised by content (the gzip magic bytes), not by name.

    Raises
    ------
    TruncatedFileError
        The gzip stream ends early (an interrupted download).
    CorruptFileError
        The gzip stream is damaged (CRC mismatch, bad data).

    Examples
    --------
    >>> import gzip, tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "a.fits.gz"
    >>> _ = p.write_bytes(gzip.compress(b"SIMPLE  =" + b" " * 2871))
    >>> plain = decompressed(p, quiet=True)
    >>> plain.name, plain.read_bytes()[:9]
    ('a.fits', b'SIMPLE  =')
    """
    path = Path(path)
    with open(path, "rb") as f:
        if f.read(2) != _GZIP_MAGIC:
            return path  # the common case: nothing below (nor its imports) is needed
    import uuid

    from irisplug.progress_bars import progress_disabled

    zlib, zlib_errors = gzip_backend()
    name = path.name[:-3] if path.name.lower().endswith(".gz") else path.name + ".gunzip"
    target = cache_dir() / "gunzip" / _content_key(path) / name
    if target.is_file():
        mark_used(target.parent)
        return target
    what = f"the decompressed copy of {path.name}"
    _make_dir(target.parent, what)
    tmp = target.parent / f".{name}.{uuid.uuid4().hex[:8]}.part"
    size = path.stat().st_size
    bar = None
    if not progress_disabled(quiet) and size > (64 << 20):
        from tqdm.auto import tqdm

        bar = tqdm(total=size, unit="B", unit_scale=True, desc=f"gunzip {path.name}", leave=False)
    limits = get_limits()
    unpacked = 0

    def emit(out: BinaryIO, data: bytes) -> None:
        # checked before writing, output bounded per call: a bomb stops at the limit in bounded memory
        nonlocal unpacked
        unpacked += len(data)
        limits.check_unpacked(unpacked, size, what="this gzip file", path=path)
        with _cache_writes(target, what):
            out.write(data)

    try:
        with open(path, "rb") as src, _create(tmp, what) as out:
            d = zlib.decompressobj(wbits=31)
            pending = b""
            while True:
                chunk = pending or src.read(_CHUNK)
                if not pending and bar is not None:
                    bar.update(len(chunk))
                pending = b""
                if not chunk:
                    break
                emit(out, d.decompress(chunk, 16 << 20))
                while d.unconsumed_tail:
                    emit(out, d.decompress(d.unconsumed_tail, 16 << 20))
                if d.eof:  # a gzip member ends; another may follow (concatenated gzip)
                    rest = d.unused_data or src.read(_CHUNK)
                    if not rest.strip(b"\0"):  # end of file (or zero padding, as gzip tolerates)
                        break
                    d = zlib.decompressobj(wbits=31)
                    pending = rest
            emit(out, d.flush())
            if not d.eof:
                raise TruncatedFileError(
                    "the gzip stream ends early (an interrupted download?); download the file again", path=path
                )
        with _cache_writes(target, what):
            os.replace(tmp, target)
    except zlib_errors as exc:
        _remove_quietly(tmp)
        raise CorruptFileError(f"the gzip stream is damaged ({exc}); download the file again", path=path) from exc
    except BaseException:
        _remove_quietly(tmp)
        raise
    finally:
        if bar is not None:
            bar.close()
    prune()
    return target


def failure_reason(exc: object) -> str:
    """A one-line reason for a failed download (parfive's messages span lines and repeat the URL).

    Examples
    --------
    >>> failure_reason("Download Failed: http://x/a.fits with error <ClientResponse(...) [404 Not Found]>\\n<...>")
    'HTTP 404 Not Found'
    """
    import re

    if isinstance(exc, IrisplugError):  # irisplug's own check refused it: its message, without the URL again
        return exc.message.split("; ")[0][:300]
    text = str(exc)
    m = re.search(r"\[(\d{3})\s+([^\]]*)\]", text)
    if m:
        return f"HTTP {m.group(1)} {m.group(2)}".strip()
    inner = getattr(exc, "exception", None)
    if inner is not None and inner is not exc:
        return failure_reason(inner)
    first = text.strip().splitlines()[0] if text.strip() else type(exc).__name__
    return f"{type(exc).__name__}: {first}"[:200]


def _results_paths(results: Any) -> list[str]:
    errors = list(getattr(results, "errors", []) or [])
    if errors:
        lines = "; ".join(f"{getattr(e, 'url', '?')} ({failure_reason(getattr(e, 'exception', e))})" for e in errors[:5])
        more = f" (and {len(errors) - 5} more)" if len(errors) > 5 else ""
        raise DownloadError(
            f"{len(errors)} download(s) failed: {lines}{more}; retry them with Fido.fetch(results) and read again",
            path=getattr(errors[0], "url", None),
        )
    paths = [str(p) for p in results]
    for p in paths:  # what parfive wrote is checked as every download is (a web page saved under a data file's name)
        check_download(p, url=p, require_data=False, remove=False)
    return paths


def _fetch_fido(response: Any) -> list[str]:
    import gc

    from sunpy.net import Fido

    from irisplug.progress_bars import progress_disabled

    path = cache_dir() / "downloads" / "fido" / "{file}"
    with quiet_download_logs():
        results = Fido.fetch(response, path=path, progress=not progress_disabled())
    gc.collect()  # parfive leaves its event loop open; collect it in this thread, where its signal handlers live
    paths = _results_paths(results)
    mark_used(path.parent)  # one cache entry for every Fido download
    prune()
    return paths
