"""Turn what a user passes to ``irisplug.read`` into a list of files.

A source is a path, a list of paths, a directory (its files, recursively,
hidden ones excepted) or an archive (``.tar``, ``.tar.gz``, ``.tgz``,
``.tar.bz2``, ``.zip``), which is unpacked once into the cache directory
(``IRISPLUG_CACHE_DIR``, default ``~/.cache/irisplug``) and reused while the
archive is unchanged.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tarfile
import tempfile
import zipfile
from collections.abc import Iterable
from pathlib import Path

from irisplug.errors import CorruptFileError, IrisplugError, SourceNotFoundError

__all__ = ["resolve_sources", "resolve_sources_detailed", "is_archive", "cache_dir", "ARCHIVE_SUFFIXES"]

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


def _unpack(archive: Path) -> Path:
    stat = archive.stat()
    key = hashlib.sha1(f"{archive.resolve()}|{stat.st_size}|{stat.st_mtime_ns}".encode()).hexdigest()[:16]
    stem = archive.name.split(".")[0]
    target = cache_dir() / "archives" / f"{stem}-{key}"
    if target.is_dir():
        return target
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{stem}-", dir=target.parent))
    try:
        if archive.name.lower().endswith(".zip"):
            with zipfile.ZipFile(archive) as zf:
                bad = zf.testzip()
                if bad is not None:
                    raise CorruptFileError(f"archive member {bad!r} fails its CRC check", path=archive)
                for member in zf.namelist():
                    dest = (tmp / member).resolve()
                    if not str(dest).startswith(str(tmp.resolve())):
                        raise CorruptFileError(f"archive member {member!r} points outside the archive", path=archive)
                zf.extractall(tmp)
        else:
            with tarfile.open(archive) as tf:
                tf.extractall(tmp, filter="data")
    except IrisplugError:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    except (tarfile.TarError, zipfile.BadZipFile, EOFError, OSError) as exc:
        shutil.rmtree(tmp, ignore_errors=True)
        raise CorruptFileError(f"cannot unpack archive ({type(exc).__name__}: {exc})", path=archive) from exc
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
