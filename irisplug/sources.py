"""Turn what a user passes to ``irisplug.read`` into a list of files.

A source is a path, a list of paths, a directory (its files, recursively,
hidden ones excepted), an archive (``.tar``, ``.tar.gz``, ``.tgz``,
``.tar.bz2``, ``.zip``), an ``http(s)://`` URL, or what sunpy's ``Fido``
hands over (a parfive ``Results`` from ``Fido.fetch``, or a search result,
which is fetched first). Any mix of these in one list works.

Everything remote or compressed lands once in the cache directory
(``IRISPLUG_CACHE_DIR``, default ``~/.cache/irisplug``):

- archives are unpacked into ``archives/`` and reused while unchanged;
- URLs are downloaded into ``downloads/`` (temporary name, size and content
  checked, then renamed: an interrupted download never looks complete);
- :func:`decompressed` gives readers that need random access a plain copy of
  a gzip-compressed file in ``gunzip/``, keyed by the file's content, so the
  second open costs nothing.

Unpacking and decompressing stream and stop as soon as a limit of
:mod:`irisplug.limits` is exceeded (decompressed bytes, compression ratio,
archive member count), so a decompression bomb costs little time and memory.
"""

from __future__ import annotations

import os
import stat as stat_module
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from irisplug.errors import (
    NotARegularFileError,
    SourceNotFoundError,
    UnsupportedObjectError,
)

if TYPE_CHECKING:
    from irisplug.sources_fetch import check_download, copy_limited, download, failure_reason, quiet_download_logs

#: names defined in :mod:`irisplug.sources_fetch`, loaded when first used (a plain file never needs them)
_FETCH_NAMES = frozenset({"download", "failure_reason", "copy_limited", "check_download", "quiet_download_logs"})


def __getattr__(name: str) -> Any:
    if name in _FETCH_NAMES:
        from irisplug import sources_fetch

        return getattr(sources_fetch, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "resolve_sources",
    "resolve_sources_detailed",
    "is_archive",
    "is_url",
    "cache_dir",
    "download",
    "decompressed",
    "failure_reason",
    "copy_limited",
    "check_download",
    "quiet_download_logs",
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


def is_url(item: object) -> bool:
    """True for an ``http://`` or ``https://`` URL given as a string.

    Examples
    --------
    >>> is_url("https://example.org/a.fits"), is_url("a.fits")
    (True, False)
    """
    return isinstance(item, str) and item.strip().lower().startswith(("http://", "https://"))


def decompressed(path: str | os.PathLike, *, quiet: bool | None = None) -> Path:
    """``path`` itself when it is not gzip-compressed, else its plain copy in the cache (made once, by content).

    See :func:`irisplug.sources_fetch.decompressed` (limits, cache layout); that module is loaded only for a
    gzip-compressed file.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = pathlib.Path(tempfile.mkdtemp()) / "a.fits"
    >>> _ = p.write_bytes(b"SIMPLE  =")
    >>> decompressed(p) == p
    True
    """
    path = Path(path)
    with open(path, "rb") as f:
        if f.read(2) != b"\x1f\x8b":
            return path  # the common case: nothing else (nor its imports) is needed
    from irisplug import sources_fetch

    return sources_fetch.decompressed(path, quiet=quiet)


def _is_fido_response(obj: object) -> bool:
    """A sunpy search result (``UnifiedResponse``, a client's table or row)."""
    return any(c.__name__ in ("UnifiedResponse", "QueryResponseTable", "QueryResponseRow") for c in type(obj).__mro__)


def _is_download_results(obj: object) -> bool:
    """A parfive ``Results`` (what ``Fido.fetch`` returns): a list of paths with ``errors``."""
    from collections import UserList

    return isinstance(obj, (list, UserList)) and hasattr(obj, "errors")


def _expand(source: Any) -> list[Any]:
    """The items of a source: URLs and paths stay, Fido results become their files."""
    if isinstance(source, (str, os.PathLike)):
        return [source]
    if _is_download_results(source):
        from irisplug.sources_fetch import _results_paths

        return list(_results_paths(source))
    if _is_fido_response(source):
        from irisplug.sources_fetch import _fetch_fido

        return _fetch_fido(source)
    if not isinstance(source, Iterable):
        raise UnsupportedObjectError(
            f"cannot read from a {type(source).__name__}; pass a path, URL, directory, archive, "
            "a list of these, or what Fido.search / Fido.fetch returned"
        )
    out: list[Any] = []
    for item in source:
        if isinstance(item, (str, os.PathLike)):
            out.append(item)
        elif _is_download_results(item) or _is_fido_response(item):
            out.extend(_expand(item))
        else:
            raise UnsupportedObjectError(
                f"cannot read from a {type(item).__name__} inside the list; pass paths, URLs or Fido results"
            )
    return out


def _files_in(directory: Path) -> list[Path]:
    return sorted(
        p
        for p in directory.rglob("*")
        if p.is_file() and not any(part.startswith(".") for part in p.relative_to(directory).parts)
    )


def resolve_sources(source: Any) -> list[Path]:
    """Expand a source into the files it stands for, in a stable order.

    Raises
    ------
    SourceNotFoundError
        A path does not exist.
    CorruptFileError
        An archive cannot be unpacked.
    DownloadError
        A URL cannot be downloaded, or a ``Fido.fetch`` result holds failed downloads.

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


def resolve_sources_detailed(source: Any) -> list[tuple[Path, bool]]:
    """Like :func:`resolve_sources`, with a flag per file: True when the user named it.

    Files found by expanding a directory or an archive are not named; a reader
    may decline those (a README next to the data) where a named file must be read.
    A URL or a downloaded file counts as named unless it is an archive.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (d / "a.fits").write_bytes(b"")
    >>> [(p.name, named) for p, named in resolve_sources_detailed([d, d / "a.fits"])]
    [('a.fits', False)]
    """
    out: list[tuple[Path, bool]] = []
    for item in _expand(source):
        if is_url(item):
            from irisplug.sources_fetch import download

            path = download(item)
        else:
            path = Path(item).expanduser()
        if not path.exists():
            raise SourceNotFoundError("no such file or directory", path=path)
        if not path.is_dir() and not stat_module.S_ISREG(path.stat().st_mode):
            raise NotARegularFileError(
                "is a FIFO, socket or device, not a regular file; irisplug reads only regular files", path=path
            )
        if path.is_dir() or is_archive(path):
            from irisplug.sources_fetch import _unpack
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
