"""A dataset's observations from what the user gave: paths, URLs, lists of files or a Fido search result.

:func:`expand_sources` turns the input into one source per observation:

- paths, archives, directories, URLs and lists of files are taken as given,
  one observation each;
- a sunpy Fido search result (``UnifiedResponse``) is fetched with parfive
  (``progress=False`` when quiet) into irisplug's cache, rows that several
  searches returned (``A | B`` overlapping) once; the fetched files are
  grouped by observation, as the search rows and the reader (the
  observation's ``observation_id`` and start, read lazily with
  :func:`irisplug.read`) say, so an observation's raster archive and
  slit-jaw files make one :class:`FetchedObservation`; downloads that failed
  (parfive's ``Results.errors``) go with their observation and are reported
  with their URL;
- the same source given twice (the same path, the same file content, the
  same URL) becomes a :class:`DuplicateSource` of the first: reported, not
  extracted twice.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

__all__ = ["DuplicateSource", "FetchedObservation", "expand_sources", "source_key"]

#: meta keys whose value says when an observation started (SOLARNET ``DATE-BEG``, FITS ``DATE-OBS``); besides
#: these, any key of the reader's ``summary_keys`` whose name holds ``START`` (e.g. the IRIS reader's start keyword)
START_KEYS = ("DATE-BEG", "DATE-OBS", "DATE_OBS")
_URL_PREFIXES = ("http://", "https://", "ftp://")


@dataclass(frozen=True)
class FetchedObservation:
    """The files of one observation of a Fido search result, and the downloads of it that failed.

    Parameters
    ----------
    files
        The fetched files (read together with ``irisplug.read``).
    failed_downloads
        ``(url, reason)`` of each of its files parfive could not download.
    observation
        ``"<observation_id> <start>"`` as the reader gives them, when known.

    Examples
    --------
    >>> src = FetchedObservation(files=("a_raster.tar.gz",), failed_downloads=(("http://h/a_SJI.fits.gz", "404"),))
    >>> str(src)
    'a_raster.tar.gz + failed download http://h/a_SJI.fits.gz'
    """

    files: tuple[str, ...] = ()
    failed_downloads: tuple[tuple[str, str], ...] = ()
    observation: str | None = None

    def __str__(self) -> str:
        shown = list(self.files) + [f"failed download {url}" for url, _ in self.failed_downloads]
        return " + ".join(shown)

    def key(self) -> str:
        """The text the store records for this source (resuming compares it)."""
        return json.dumps({"files": list(self.files), "failed": [u for u, _ in self.failed_downloads]})


@dataclass(frozen=True)
class DuplicateSource:
    """A source that repeats an earlier one (``of``, its index): reported, never extracted.

    Examples
    --------
    >>> str(DuplicateSource(source="obs1/", of=0, why="the same directory as [0] obs1"))
    'obs1/'
    """

    source: Any
    of: int
    why: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    def __str__(self) -> str:
        return str(self.source)

    def key(self) -> str:
        """The text the store records for this source."""
        return json.dumps({"duplicate_of": self.of, "source": source_key(self.source)})


def source_key(source: Any) -> str:
    """The text the store records for a source (equal sources give equal texts).

    Examples
    --------
    >>> source_key(["a.fits", "b.fits"])
    '["a.fits", "b.fits"]'
    """
    if hasattr(source, "key") and isinstance(source, (FetchedObservation, DuplicateSource)):
        return source.key()
    if isinstance(source, (list, tuple)):
        return json.dumps([str(s) for s in source])
    return str(source)


def _content_signature(path: Path) -> str:
    """A file's size and the SHA-256 of its whole content (read in chunks: bounded memory).

    Two files of one observation can share their size and long runs of bytes (headers, tables), so
    nothing less than the whole content tells them apart; extracting the file reads all of it anyway.
    """
    with open(path, "rb") as f:
        digest = hashlib.file_digest(f, "sha256").hexdigest()
    return f"{path.stat().st_size}:{digest}"


def _identity(source: Any) -> tuple[str, str] | None:
    """What makes two sources the same, and how to say it; None when it cannot be told without reading."""
    if isinstance(source, FetchedObservation):
        ids = [i for i in (_identity(f) for f in source.files) if i is not None]
        if len(ids) != len(source.files) or not ids:
            return None
        return json.dumps(sorted(i[0] for i in ids)), "the same files"
    if isinstance(source, (list, tuple)):
        ids = [_identity(s) for s in source]
        if any(i is None for i in ids) or not ids:
            return None
        return json.dumps(sorted(i[0] for i in ids)), "the same files"  # type: ignore[index]
    text = str(source)
    if text.startswith(_URL_PREFIXES):
        return f"url:{text}", "the same URL"
    try:
        path = Path(text).expanduser()
        if path.is_dir():
            return f"dir:{path.resolve()}", "the same directory"
        if path.is_file():
            return f"file:{_content_signature(path)}", "the same file content"
    except OSError:
        return None
    return None


def mark_duplicates(sources: list[Any]) -> tuple[list[Any], list[str]]:
    """``sources`` with each repeat of an earlier source replaced by a :class:`DuplicateSource`, and notes saying which.

    Two sources are the same when they are the same directory (however
    written: ``obs/`` and ``obs``, a symbolic link), files of the same
    content (size and SHA-256 of the whole file), or the same URL.

    Examples
    --------
    >>> import tempfile
    >>> d = tempfile.mkdtemp()
    >>> out, notes = mark_duplicates([d, d + "/"])
    >>> type(out[1]).__name__, out[1].of
    ('DuplicateSource', 0)
    """
    seen: dict[str, int] = {}
    out: list[Any] = []
    notes: list[str] = []
    for i, src in enumerate(sources):
        ident = _identity(src)
        if ident is not None and ident[0] in seen:
            j = seen[ident[0]]
            why = f"{ident[1]} as [{j}] {sources[j]}"
            out.append(DuplicateSource(source=src, of=j, why=why))
            notes.append(f"[{i}] {src} is {why}: not extracted again")
            continue
        if ident is not None:
            seen[ident[0]] = i
        out.append(src)
    return out, notes


def _row_urls(row: Any) -> list[str]:
    """The URLs a search row lists (the IRIS client's ``URLs`` column; any column of URL texts)."""
    import numpy as np

    urls: list[str] = []
    for name in row.colnames:
        value = row[name]
        values = value if isinstance(value, (list, tuple)) or np.ndim(value) > 0 else [value]
        for v in values:
            if isinstance(v, str) and v.startswith(_URL_PREFIXES):
                urls.append(v)
    return urls


def _row_identity(block: Any, row: Any) -> str:
    client = type(getattr(block, "client", None)).__name__
    values = []
    for name in row.colnames:
        v = row[name]
        values.append([str(x) for x in v] if isinstance(v, (list, tuple)) else str(v))
    return json.dumps([client, values], default=str)


def _unique_rows(response: Any) -> tuple[Any, list[list[str]], int]:
    """The search result without repeated rows, each remaining row's URLs, and how many rows were dropped."""
    from sunpy.net.fido_factory import UnifiedResponse

    seen: set[str] = set()
    tables, row_urls = [], []
    dropped = 0
    for block in response:
        keep = []
        for i, row in enumerate(block):
            ident = _row_identity(block, row)
            if ident in seen:
                dropped += 1
                continue
            seen.add(ident)
            keep.append(i)
            row_urls.append(_row_urls(row))
        if keep:
            tables.append(block[keep] if len(keep) != len(block) else block)
    return (UnifiedResponse(*tables) if dropped else response), row_urls, dropped


def observation_key(obj: Any) -> str | None:
    """``"<observation_id> <start>"`` of what ``irisplug.read`` returned, or None when the reader gives no identifier.

    The start is the first of the reader's summary items (``summary_keys``)
    whose key names a start (one holding ``START``, ``DATE-BEG``,
    ``DATE-OBS``), else the meta's ``DATE-BEG`` / ``DATE-OBS``; without one,
    the key is the identifier alone.

    Examples
    --------
    >>> from irisplug.model import Observation
    >>> observation_key(Observation({}, meta={"observation_id": "3860258481", "DATE-BEG": "2014-03-29T14:09:38"}))
    '3860258481 2014-03-29T14:09:38'
    """
    from irisplug.model import observation_id, summary_items

    oid = observation_id(obj)
    if oid is None:
        return None
    for key, value in summary_items(obj):
        if value and (key in START_KEYS or "START" in key.upper()):
            return f"{oid} {value}"
    metas = [getattr(obj, "meta", None) or {}]
    cubes = getattr(obj, "data", None)
    if isinstance(cubes, (list, tuple)) and cubes:
        metas.append(getattr(cubes[0], "meta", None) or {})
    for key in START_KEYS:
        for meta in metas:
            value = meta.get(key) if hasattr(meta, "get") else None
            if value:
                return f"{oid} {value}"
    return oid


def _file_observation(path: str) -> str | None:
    """The observation a fetched file belongs to, as its reader says (a lazy read; None when it cannot be read)."""
    import irisplug

    try:
        return observation_key(irisplug.read(path))
    except Exception:  # noqa: BLE001 - an unreadable file is its own source; its extraction reports why
        return None


def _download_reason(exc: Any) -> str:
    """A one-line reason for a failed download: ``HTTP 404 Not Found``, else the exception's first line.

    Examples
    --------
    >>> _download_reason(OSError("Download Failed: http://h/f with error <ClientResponse(http://h/f) [404 Not Found]>"))
    'HTTP 404 Not Found'
    """
    import re

    text = str(exc or "").strip()
    status = re.search(r"\[(\d{3}[^\]]*)\]", text)
    if status:
        return f"HTTP {status.group(1)}"
    first = text.splitlines()[0][:200] if text else ""
    return f"{type(exc).__name__}: {first}" if first else type(exc).__name__


def _fetch(response: Any, quiet: bool | None) -> tuple[list[FetchedObservation], list[str]]:
    """Fetch a Fido search result into the cache; one :class:`FetchedObservation` per observation, and notes."""
    from sunpy.net import Fido

    from irisplug.progress_bars import progress_disabled
    from irisplug.sources import cache_dir

    unique, row_urls, dropped = _unique_rows(response)
    notes = []
    if dropped:
        notes.append(f"{dropped} search row(s) were returned by more than one search (e.g. overlapping attributes "
                     "A | B) and are fetched and extracted once")
    results = Fido.fetch(unique, path=str(cache_dir() / "fido" / "{file}"), progress=not progress_disabled(quiet))
    row_of_url = {url: r for r, urls in enumerate(row_urls) for url in urls}
    # groups: fetched files of one search row, merged when the reader says they are one observation
    parent: dict[str, str] = {}

    def find(x: str) -> str:
        while parent.setdefault(x, x) != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    def union(a: str, b: str) -> None:
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)

    paths: list[str] = []
    order: dict[str, tuple[int, int]] = {}
    urls = list(getattr(results, "urls", []) or [])
    seen_paths: set[str] = set()
    for n, path in enumerate(results):
        path = str(path)
        real = os.path.realpath(path)
        if real in seen_paths:
            continue
        seen_paths.add(real)
        paths.append(path)
        url = urls[n] if n < len(urls) else None
        row = row_of_url.get(url, len(row_urls) + n) if url else len(row_urls) + n
        order[path] = (row, n)
        find(path)
        union(path, f"row:{row}")
    keys = {p: _file_observation(p) for p in paths}
    for p, k in keys.items():
        if k is not None:
            union(p, f"obs:{k}")
    failed_by_group: dict[str, list[tuple[str, str]]] = {}
    for err in getattr(results, "errors", []) or []:
        url = str(getattr(err, "url", err))
        reason = _download_reason(getattr(err, "exception", None))
        row = row_of_url.get(url)
        group = find(f"row:{row}") if row is not None else f"failed:{url}"
        failed_by_group.setdefault(group, []).append((url, reason))
    groups: dict[str, list[str]] = {}
    for p in paths:
        groups.setdefault(find(p), []).append(p)
    out: list[tuple[tuple[int, int], FetchedObservation]] = []
    for root, files in groups.items():
        files = sorted(files)
        failed = tuple(failed_by_group.pop(root, []))
        obs = sorted({keys[f] for f in files if keys[f] is not None})
        out.append((min(order[f] for f in files), FetchedObservation(tuple(files), failed, obs[0] if obs else None)))
    for root, failed in failed_by_group.items():  # observations none of whose files arrived
        row = int(root[4:]) if root.startswith("row:") else len(row_urls) + len(paths)
        out.append(((row, -1), FetchedObservation((), tuple(failed), None)))
    out.sort(key=lambda item: item[0])
    return [o for _, o in out], notes


def expand_sources(sources: Iterable[Any] | Any, *, quiet: bool | None = None,
                   notes: list[str] | None = None) -> list[Any]:
    """One entry per observation: paths, directories, archives, URLs and lists as given; a Fido result fetched and grouped.

    Parameters
    ----------
    sources
        A path or URL, a list of them (each entry one observation; an entry
        may itself be a list of files), or a sunpy ``UnifiedResponse``
        (``Fido.search``'s result: fetched into ``<cache>/fido/``, the files
        grouped by observation into :class:`FetchedObservation` entries).
    quiet
        No download progress bar (parfive's ``progress=False``); None: quiet under CI / IRISPLUG_QUIET.
    notes
        A list that receives what was merged or repeated (repeated search rows, repeated sources).

    Returns
    -------
    list
        One source per observation, repeats of an earlier one as :class:`DuplicateSource`.

    Examples
    --------
    >>> expand_sources("obs1/")
    ['obs1/']
    """
    if isinstance(sources, (str, os.PathLike)):
        out = [sources]
    elif type(sources).__name__ == "UnifiedResponse":
        out, fetched_notes = _fetch(sources, quiet)
        if notes is not None:
            notes.extend(fetched_notes)
    else:
        out = list(sources)
    out, dup_notes = mark_duplicates(out)
    if notes is not None:
        notes.extend(dup_notes)
    return out
