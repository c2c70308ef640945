"""What irisplug's cache holds (downloads, decompressed ``.gz`` copies, unpacked archives), and its size bound.

The cache (:func:`irisplug.sources.cache_dir`, ``$IRISPLUG_CACHE_DIR`` or
``~/.cache/irisplug``) has one folder per area; each entry is one
sub-folder: ``downloads/<key>/`` (a downloaded file), ``gunzip/<key>/``
(the plain copy of a ``.gz`` file, about 1 GB for an IRIS raster),
``archives/<name>-<key>/`` (an unpacked archive). An entry's folder time
is its last use: :func:`mark_used` sets it whenever a source resolves to it.

After every new entry the cache is pruned to ``IRISPLUG_CACHE_MAX_BYTES``
(default 50 GiB; ``0`` switches the bound off) by removing the entries used
longest ago. Entries used within the last hour are never removed, so a file
another process has just resolved (and may be reading lazily) stays; the
cache may then exceed the bound until they age. An entry is removed by
renaming it aside first, so a reader sees it whole or not at all.

Other folders of the cache (plugins keep theirs there, e.g. compiled
kernels) are listed by :func:`usage` and left alone; a plugin bounds its own
folder with :func:`remove_unused`.
"""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import NamedTuple

__all__ = ["AREAS", "DEFAULT_MAX_BYTES", "KEEP_RECENT_SECONDS", "CacheEntry", "max_cache_bytes", "entries",
           "mark_used", "prune", "clear", "usage", "remove_unused"]

#: the core's areas of the cache, each a folder of entries
AREAS = ("downloads", "gunzip", "archives")
#: the default of ``IRISPLUG_CACHE_MAX_BYTES``
DEFAULT_MAX_BYTES = 50 * 2**30
#: entries used more recently than this are never pruned (another process may be reading them)
KEEP_RECENT_SECONDS = 3600.0


class CacheEntry(NamedTuple):
    """One entry of the cache: its folder, area, size in bytes and last use (epoch seconds)."""

    path: Path
    area: str
    nbytes: int
    last_used: float


def _root(root: str | os.PathLike | None) -> Path:
    if root is not None:
        return Path(root)
    from irisplug.sources import cache_dir

    return cache_dir()


def max_cache_bytes() -> int:
    """The cache's size bound: ``IRISPLUG_CACHE_MAX_BYTES`` (bytes, ``0`` = none), default 50 GiB.

    Raises
    ------
    IrisplugError
        The variable is not a non-negative number.

    Examples
    --------
    >>> max_cache_bytes() == int(os.environ.get("IRISPLUG_CACHE_MAX_BYTES", DEFAULT_MAX_BYTES))
    True
    """
    from irisplug.limits import env_number

    return int(env_number("IRISPLUG_CACHE_MAX_BYTES", DEFAULT_MAX_BYTES))


def _size(folder: Path) -> int:
    total = 0
    for base, _, files in os.walk(folder):
        for name in files:
            try:
                total += os.lstat(os.path.join(base, name)).st_size
            except OSError:  # removed meanwhile
                pass
    return total


def _subfolders(folder: Path) -> list[tuple[Path, float]]:
    """``(path, last use)`` of each sub-folder of ``folder``; hidden ones (being written as ``.<name>-…``, removed as
    ``.evicted-…``) and anything else are skipped, as are sub-folders that vanish meanwhile."""
    try:
        children = list(os.scandir(folder))
    except OSError:
        return []
    found = []
    for child in children:
        if child.name.startswith(".") or not child.is_dir(follow_symlinks=False):
            continue
        try:
            found.append((Path(child.path), child.stat(follow_symlinks=False).st_mtime))
        except OSError:
            continue
    return found


def entries(root: str | os.PathLike | None = None) -> list[CacheEntry]:
    """The entries of the core's areas, least recently used first.

    Examples
    --------
    >>> import tempfile
    >>> entries(tempfile.mkdtemp())
    []
    """
    base = _root(root)
    found = [CacheEntry(path, area, _size(path), used) for area in AREAS for path, used in _subfolders(base / area)]
    return sorted(found, key=lambda e: e.last_used)


def mark_used(entry: str | os.PathLike) -> None:
    """Record that ``entry`` (an entry's folder) was used now; pruning removes the least recently used first.

    Examples
    --------
    >>> import tempfile
    >>> mark_used(tempfile.mkdtemp())
    """
    try:
        os.utime(entry)
    except OSError:  # read-only cache, or removed meanwhile: nothing to record
        pass


def _remove(path: Path) -> bool:
    import shutil
    import uuid

    aside = path.with_name(f".evicted-{path.name}-{uuid.uuid4().hex[:8]}")
    try:
        path.rename(aside)  # atomic: a reader resolving it now finds it whole or not at all
    except OSError:  # another process removed it first
        return False
    shutil.rmtree(aside, ignore_errors=True)
    return True


def prune(max_bytes: int | None = None, *, keep_recent: float = KEEP_RECENT_SECONDS,
          root: str | os.PathLike | None = None) -> list[CacheEntry]:
    """Remove the least recently used entries until the core's areas hold at most ``max_bytes``.

    Parameters
    ----------
    max_bytes
        The bound; default :func:`max_cache_bytes`. ``0`` removes nothing.
    keep_recent
        Entries used within this many seconds are kept whatever the size.
    root
        The cache folder; default :func:`irisplug.sources.cache_dir`.

    Returns
    -------
    list of CacheEntry
        What was removed.

    Examples
    --------
    >>> import tempfile
    >>> prune(1, root=tempfile.mkdtemp())
    []
    """
    limit = max_cache_bytes() if max_bytes is None else int(max_bytes)
    if limit <= 0:
        return []
    found = entries(root)
    total = sum(e.nbytes for e in found)
    now = time.time()
    removed = []
    for entry in found:  # least recently used first
        if total <= limit:
            break
        if now - entry.last_used < keep_recent:
            break  # this and every later entry are recent
        if _remove(entry.path):
            removed.append(entry)
        total -= entry.nbytes
    return removed


def clear(older_than: float = 0.0, *, dry_run: bool = False, root: str | os.PathLike | None = None) -> list[CacheEntry]:
    """Remove every entry of the core's areas not used within ``older_than`` seconds (0: all of them).

    Examples
    --------
    >>> import tempfile
    >>> clear(root=tempfile.mkdtemp())
    []
    """
    now = time.time()
    # 0 takes every entry, also one whose time is ahead of this clock (written from another machine's)
    chosen = [e for e in entries(root) if older_than <= 0 or now - e.last_used >= older_than]
    return chosen if dry_run else [e for e in chosen if _remove(e.path)]


def usage(root: str | os.PathLike | None = None) -> dict[str, tuple[int, int]]:
    """``{folder: (entries, bytes)}`` for each folder of the cache: the core's areas, then any other.

    Examples
    --------
    >>> import tempfile
    >>> usage(tempfile.mkdtemp())
    {'downloads': (0, 0), 'gunzip': (0, 0), 'archives': (0, 0)}
    """
    base = _root(root)
    out = {area: (0, 0) for area in AREAS}
    for e in entries(base):
        n, size = out[e.area]
        out[e.area] = (n + 1, size + e.nbytes)
    try:
        others = sorted(p for p in base.iterdir() if p.name not in AREAS and not p.name.startswith("."))
    except OSError:
        others = []
    for p in others:
        out[p.name] = (len(list(p.iterdir())) if p.is_dir() else 1, _size(p) if p.is_dir() else p.stat().st_size)
    return out


def remove_unused(folder: str | os.PathLike, older_than: float, *, keep: str | os.PathLike | None = None) -> list[Path]:
    """Remove the sub-folders of ``folder`` not used (:func:`mark_used`) for ``older_than`` seconds.

    For a plugin's own folder in the cache, one sub-folder per version of
    something (compiled kernels of each source version): the versions no
    environment has used for that long go. ``keep`` (the one in use) is
    marked used and never removed. Each is renamed aside before it is
    deleted; hidden sub-folders (being written) are skipped.

    Returns
    -------
    list of Path
        The sub-folders removed.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> root = pathlib.Path(tempfile.mkdtemp())
    >>> (root / "v1").mkdir(); (root / "v2").mkdir()
    >>> os.utime(root / "v1", (0, 0))  # last used in 1970
    >>> [p.name for p in remove_unused(root, 30 * 86400, keep=root / "v2")]
    ['v1']
    """
    if keep is not None:
        mark_used(keep)
    now = time.time()
    keep_path = None if keep is None else Path(keep).resolve()
    return [path for path, used in _subfolders(Path(folder))
            if now - used >= older_than and path.resolve() != keep_path and _remove(path)]
