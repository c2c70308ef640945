"""Turn what a user passes to ``irisplug.read`` into a list of files.

A source is a path, a list of paths, a directory (its files, recursively,
hidden ones excepted) or an archive (``.tar``, ``.tar.gz``, ``.tgz``,
``.tar.bz2``, ``.zip``), which is unpacked once into the cache directory
(``IRISPLUG_CACHE_DIR``, default ``~/.cache/irisplug``) and reused while the
archive is unchanged. Unpacking streams member by member and stops as soon as
a limit of :mod:`irisplug.limits` is exceeded (decompressed bytes, compression
ratio, member count), so a decompression bomb costs little time and memory.
"""

from __future__ import annotations

import hashlib
import lzma
import os
import shutil
import stat as stat_module
import tarfile
import tempfile
import zipfile
import zlib
from collections.abc import Iterable
from pathlib import Path
from typing import BinaryIO

from irisplug.errors import (
    CorruptFileError,
    IrisplugError,
    LimitExceededError,
    NotARegularFileError,
    SourceNotFoundError,
)
from irisplug.limits import get_limits

__all__ = [
    "resolve_sources",
    "resolve_sources_detailed",
    "is_archive",
    "cache_dir",
    "copy_limited",
    "ARCHIVE_SUFFIXES",
]

ARCHIVE_SUFFIXES = (".tar", ".tar.gz", ".tgz", ".tar.bz2", ".tbz2", ".tar.xz", ".zip")


def cache_dir() -> Path:
    """The directory where irisplug keeps unpacked archives.

    Examples
    --------
    >>> isinstance(cache_dir(), Path)
    True
    """
    root = os.environ.get("IRISPLUG_CACHE_DIR")
    return Path(root) if root else Path.home() / ".cache" / "irisplug"


def is_archive(path: str | os.PathLike) -> bool:
    """True when the name ends like an archive irisplug unpacks.

    Examples
    --------
    >>> is_archive("obs.tar.gz"), is_archive("iris_l2.fits.gz")
    (True, False)
    """
    return str(path).lower().endswith(ARCHIVE_SUFFIXES)


def copy_limited(src: BinaryIO, dst: BinaryIO, *, counted: list[int], packed: int, what: str, path: Path) -> None:
    """Copy a decompressing stream in 1 MiB chunks, checking the limits before each write.

    ``counted`` is a one-item list of bytes unpacked so far (across members of
    one archive), updated in place; ``packed`` is the compressed size the
    ratio limit compares with. Nothing beyond a limit is ever written.

    Raises
    ------
    LimitExceededError
        ``IRISPLUG_MAX_DECOMPRESSED_BYTES`` or ``IRISPLUG_MAX_COMPRESSION_RATIO`` is exceeded.

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
        dst.write(chunk)


def _check_member_count(n: int, archive: Path) -> None:
    limit = get_limits().max_archive_members
    if limit and n > limit:
        raise LimitExceededError(
            f"the archive has more than {limit} members (IRISPLUG_MAX_ARCHIVE_MEMBERS); raise the limit if it is trusted",
            path=archive,
        )


def _safe_dest(root: Path, name: str, archive: Path) -> Path:
    dest = (root / name).resolve()
    if dest != root and root not in dest.parents:
        raise CorruptFileError(f"archive member {name!r} points outside the archive", path=archive)
    return dest


def _extract_zip(archive: Path, root: Path, packed: int) -> None:
    counted = [0]
    with zipfile.ZipFile(archive) as zf:
        infos = zf.infolist()  # the central directory: its length is known before anything is unpacked
        _check_member_count(len(infos), archive)
        for info in infos:
            dest = _safe_dest(root, info.filename, archive)
            if info.is_dir():
                dest.mkdir(parents=True, exist_ok=True)
                continue
            dest.parent.mkdir(parents=True, exist_ok=True)
            with zf.open(info) as src, open(dest, "wb") as dst:
                copy_limited(src, dst, counted=counted, packed=packed, what=f"member {info.filename!r}", path=archive)


def _extract_tar(archive: Path, root: Path, packed: int) -> None:
    counted = [0]
    with tarfile.open(archive, mode="r:*") as tf:
        n = 0
        for member in tf:  # streaming: members are read one by one, never listed first
            n += 1
            _check_member_count(n, archive)
            dest = _safe_dest(root, member.name, archive)
            if member.isdir():
                dest.mkdir(parents=True, exist_ok=True)
            elif member.isfile():
                dest.parent.mkdir(parents=True, exist_ok=True)
                src = tf.extractfile(member)
                assert src is not None
                with src, open(dest, "wb") as dst:
                    copy_limited(src, dst, counted=counted, packed=packed, what=f"member {member.name!r}", path=archive)
            else:
                raise CorruptFileError(
                    f"archive member {member.name!r} is a link or device; irisplug unpacks only files and directories",
                    path=archive,
                )


def _unpack(archive: Path) -> Path:
    """Unpack ``archive`` into the cache, streaming, within the limits of :mod:`irisplug.limits`."""
    stat = archive.stat()
    key = hashlib.sha1(f"{archive.resolve()}|{stat.st_size}|{stat.st_mtime_ns}".encode()).hexdigest()[:16]
    stem = archive.name.split(".")[0]
    target = cache_dir() / "archives" / f"{stem}-{key}"
    if target.is_dir():
        return target
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
    except (tarfile.TarError, zipfile.BadZipFile, EOFError, OSError, zlib.error, lzma.LZMAError, ValueError) as exc:
        shutil.rmtree(tmp, ignore_errors=True)
        raise CorruptFileError(f"cannot unpack archive ({type(exc).__name__}: {exc})", path=archive) from exc
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    try:
        tmp.rename(target)
    except OSError:  # another process unpacked it first
        shutil.rmtree(tmp, ignore_errors=True)
    return target


def _files_in(directory: Path) -> list[Path]:
    return sorted(
        p
        for p in directory.rglob("*")
        if p.is_file() and not any(part.startswith(".") for part in p.relative_to(directory).parts)
    )


def resolve_sources(source: str | os.PathLike | Iterable[str | os.PathLike]) -> list[Path]:
    """Expand a source into the files it stands for, in a stable order.

    Raises
    ------
    SourceNotFoundError
        A path does not exist.
    CorruptFileError
        An archive cannot be unpacked.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> for n in ("b.fits", "a.fits"):
    ...     _ = (d / n).write_bytes(b"")
    >>> [p.name for p in resolve_sources(d)]
    ['a.fits', 'b.fits']
    """
    return [path for path, _ in resolve_sources_detailed(source)]


def resolve_sources_detailed(source: str | os.PathLike | Iterable[str | os.PathLike]) -> list[tuple[Path, bool]]:
    """Like :func:`resolve_sources`, with a flag per file: True when the user named it.

    Files found by expanding a directory or an archive are not named; a reader
    may decline those (a README next to the data) where a named file must be read.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (d / "a.fits").write_bytes(b"")
    >>> [(p.name, named) for p, named in resolve_sources_detailed([d, d / "a.fits"])]
    [('a.fits', False)]
    """
    if isinstance(source, (str, os.PathLike)):
        items: list[str | os.PathLike] = [source]
    else:
        items = list(source)
    out: list[tuple[Path, bool]] = []
    for item in items:
        path = Path(item).expanduser()
        if not path.exists():
            raise SourceNotFoundError("no such file or directory", path=path)
        if not path.is_dir() and not stat_module.S_ISREG(path.stat().st_mode):
            raise NotARegularFileError(
                "is a FIFO, socket or device, not a regular file; irisplug reads only regular files", path=path
            )
        if path.is_dir():
            for f in _files_in(path):
                out.extend((g, False) for g in (_files_in(_unpack(f)) if is_archive(f) else [f]))
        elif is_archive(path):
            out.extend((g, False) for g in _files_in(_unpack(path)))
        else:
            out.append((path, True))
    seen: set[Path] = set()
    unique = []
    for p, named in out:
        key = p.resolve()
        if key not in seen:
            seen.add(key)
            unique.append((p, named))
    return unique
