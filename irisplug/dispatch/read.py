"""``irisplug.read``: find the reader for each file and call it."""

from __future__ import annotations

import fnmatch
import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from irisplug.descriptors import ReaderDescriptor
from irisplug.errors import AmbiguousFormatError, MixedSourceError, UnknownFormatError
from irisplug.fileinfo import FileInfo
from irisplug.plugin_manager import PluginManager, get_plugin_manager
from irisplug.sources import resolve_sources

__all__ = ["read", "choose_reader"]


def _known_formats(readers: dict[str, ReaderDescriptor]) -> str:
    return ", ".join(sorted(readers)) or "none (no reader plugin is installed; see `irisplug plugins`)"


def choose_reader(path: str | os.PathLike, *, manager: PluginManager | None = None) -> ReaderDescriptor:
    """The reader irisplug would use for one file.

    Order: filename patterns (one match wins), then the candidates' cheap
    ``identify`` on the header, then ``priority``.

    Raises
    ------
    UnknownFormatError
        No reader claims the file; the message lists the known formats.
    AmbiguousFormatError
        Several readers claim it with the same priority; the message lists them.

    Examples
    --------
    >>> import irisplug
    >>> irisplug.choose_reader("no-such-format.xyz")  # doctest: +SKIP
    Traceback (most recent call last):
    UnknownFormatError: no-such-format.xyz: no reader recognises this file; known formats: ...
    """
    pm = manager or get_plugin_manager()
    readers: dict[str, ReaderDescriptor] = pm.contributions("reader")  # type: ignore[assignment]
    path = Path(path)
    by_pattern = [r for r in readers.values() if any(fnmatch.fnmatch(path.name, p) for p in r.patterns)]
    if len(by_pattern) == 1:
        return by_pattern[0]
    pool = by_pattern or list(readers.values())
    info = FileInfo(path)
    hits = [
        r
        for r in pool
        if r.identify is not None and pm.call_safely(r.plugin, f"identify ({r.name})", r.identify, info, default=False)
    ]
    if not hits:
        hits = by_pattern
    if not hits:
        raise UnknownFormatError(
            f"no reader recognises this file; known formats: {_known_formats(readers)}. Pass format=NAME to force one.",
            path=path,
        )
    top = max(r.priority for r in hits)
    best = [r for r in hits if r.priority == top]
    if len(best) > 1:
        names = ", ".join(f"{r.name} (plugin {r.plugin})" for r in best)
        raise AmbiguousFormatError(f"several readers claim this file: {names}; pass format=NAME", path=path)
    return best[0]


def read(
    source: str | os.PathLike | Iterable[str | os.PathLike],
    *,
    format: str | None = None,
    manager: PluginManager | None = None,
    **kwargs: Any,
) -> Any:
    """Read a file, a list of files, a directory or an archive.

    Parameters
    ----------
    source
        A path, a list of paths, a directory or an archive (.tar.gz, .zip).
    format
        A reader name (see ``irisplug formats``); skips detection.
    manager
        A plugin manager other than the process-wide one.
    **kwargs
        Passed to the reader (e.g. ``lazy=False``).

    Returns
    -------
    object
        Whatever the reader builds: an NDCube, a sequence, a collection.

    Raises
    ------
    UnknownFormatError, AmbiguousFormatError, MixedSourceError
        When the reader cannot be chosen; each message lists the candidates.

    Examples
    --------
    >>> import irisplug
    >>> obs = irisplug.read("iris_l2_20140329_140938_3860258481_raster_t000_r00000.fits")  # doctest: +SKIP
    """
    pm = manager or get_plugin_manager()
    paths = resolve_sources(source)
    if not paths:
        raise UnknownFormatError(f"no files found in {source!r}")
    if format is not None:
        reader: ReaderDescriptor = pm.get("reader", format)  # type: ignore[assignment]
    else:
        groups: dict[str, list[Path]] = {}
        chosen: dict[str, ReaderDescriptor] = {}
        for p in paths:
            r = choose_reader(p, manager=pm)
            groups.setdefault(r.name, []).append(p)
            chosen[r.name] = r
        if len(groups) > 1:
            detail = "; ".join(
                f"{name}: {', '.join(q.name for q in files[:3])}{' ...' if len(files) > 3 else ''}"
                for name, files in groups.items()
            )
            raise MixedSourceError(
                f"the files belong to different formats ({detail}); read each group separately or pass format=NAME"
            )
        reader = next(iter(chosen.values()))
    obj = reader.read(paths, **kwargs)
    pm.call_event("irisplug_after_read", obj=obj, paths=paths, reader=reader.name)
    return obj
