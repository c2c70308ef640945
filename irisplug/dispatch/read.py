"""``irisplug.read``: find the reader for each file and call it."""

from __future__ import annotations

import fnmatch
import os
import warnings
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from irisplug.descriptors import ReaderDescriptor
from irisplug.dispatch._guard import guarded_call, warn_if_clashed
from irisplug.dispatch.keywords import accepted_keywords, check_keywords
from irisplug.errors import (
    AmbiguousFormatError,
    InvalidArgumentError,
    MixedSourceError,
    PluginCallError,
    UnknownFormatError,
    UnreadFilesWarning,
)
from irisplug.fileinfo import FileInfo
from irisplug.limits import get_limits
from irisplug.plugin_manager import PluginManager, get_plugin_manager
from irisplug.sources import resolve_sources_detailed

__all__ = ["read", "choose_reader"]


def _known_formats(readers: dict[str, ReaderDescriptor]) -> str:
    return ", ".join(sorted(readers)) or "none (no reader plugin is installed; see `irisplug plugins`)"


def choose_reader(path: str | os.PathLike, *, manager: PluginManager | None = None) -> ReaderDescriptor:
    """The reader irisplug would use for one file.

    Order: a reader whose filename pattern matches and whose ``identify``
    confirms the header; otherwise every reader's cheap ``identify``; then
    ``priority``. When no ``identify`` recognises the file, a reader whose
    pattern matches still gets it (so a damaged file gets that reader's
    specific error rather than "unknown format").

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
    return _choose_reader(FileInfo(Path(path)), pm)


def _name_matches(name: str, pattern: str) -> bool:
    """``fnmatch.fnmatch(name, pattern)``, without compiling a regular expression for patterns whose only wildcard is ``*``.

    Reader patterns are of that kind (``iris_l2_*raster*.fits``); compiling each one cost ~0.1 ms of the first
    ``irisplug.read`` in a process. ``?`` and ``[...]`` go to fnmatch.

    Examples
    --------
    >>> _name_matches("iris_l2_x_raster_t000.fits", "iris_l2_*raster*.fits"), _name_matches("a.fits", "*.fits.gz")
    (True, False)
    """
    if "?" in pattern or "[" in pattern:
        return fnmatch.fnmatch(name, pattern)
    name, pattern = os.path.normcase(name), os.path.normcase(pattern)  # as fnmatch does
    first, *middle, last = pattern.split("*") if "*" in pattern else (pattern, None)
    if last is None:
        return name == first
    if len(name) < len(first) + len(last) or not name.startswith(first) or not name.endswith(last):
        return False
    pos, end = len(first), len(name) - len(last)
    for part in middle:  # leftmost match of each fixed part, in order, between the two ends
        i = name.find(part, pos, end)
        if i < 0:
            return False
        pos = i + len(part)
    return True


def _choose_reader(info: FileInfo, pm: PluginManager) -> ReaderDescriptor:
    readers: dict[str, ReaderDescriptor] = pm.contributions("reader")  # type: ignore[assignment]
    path = info.path
    by_pattern = [r for r in readers.values() if any(_name_matches(path.name, p) for p in r.patterns)]
    limits = get_limits()

    def identifies(r: ReaderDescriptor) -> bool:
        if r.identify is None:
            return False
        return bool(
            pm.call_contribution_safely(r, "identify", info, default=False, timeout=limits.identify_timeout)
        )

    # A name is a hint, the header is the evidence: a pattern match is
    # confirmed by the reader's identify when it has one.
    if len(by_pattern) == 1 and (by_pattern[0].identify is None or identifies(by_pattern[0])):
        return by_pattern[0]
    hits = [r for r in by_pattern if identifies(r)] if len(by_pattern) > 1 else []
    if not hits:
        hits = [r for r in readers.values() if r not in by_pattern and identifies(r)]
    if not hits:
        # Nobody recognises the header: the pattern's reader gets the file,
        # so a damaged file gets that reader's specific error.
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


def _check_source(source: Any) -> None:
    if isinstance(source, (str, os.PathLike)):
        return
    if isinstance(source, (bytes, Mapping)) or not isinstance(source, Iterable):
        raise InvalidArgumentError(
            f"source must be a path or a list of paths, got {type(source).__name__} ({source!r:.60})"
        )


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
        Passed to the reader (e.g. ``lazy=False``). A keyword the reader
        does not take raises :class:`~irisplug.errors.UnknownKeywordError`.

    Returns
    -------
    object
        Whatever the reader builds: an NDCube, a sequence, a collection.

    Raises
    ------
    UnknownFormatError, AmbiguousFormatError, MixedSourceError
        When the reader cannot be chosen; each message lists the candidates.
    PluginCallError
        The reader raised something other than an IrisplugError (chained as
        ``__cause__``), or returned no data object; names the file and plugin.
        A file the user named must be readable; files found inside a
        directory or archive that no reader knows (a README, checksums) are
        left out with an :class:`~irisplug.errors.UnreadFilesWarning` naming them.
    UnknownKeywordError
        A keyword the chosen reader does not take (the message lists the valid
        ones); nothing is read. A reader with a ``fileinfo`` parameter gets the
        :class:`~irisplug.FileInfo` objects filled while choosing it.

    Examples
    --------
    >>> import irisplug
    >>> obs = irisplug.read("iris_l2_20140329_140938_3860258481_raster_t000_r00000.fits")  # doctest: +SKIP
    """
    pm = manager or get_plugin_manager()
    _check_source(source)
    if format is not None and not isinstance(format, str):
        raise InvalidArgumentError(f"format must be a reader name (str), got {type(format).__name__}")
    found = resolve_sources_detailed(source)
    paths = [p for p, _ in found]
    if not paths:
        raise UnknownFormatError(f"no files found in {source!r}")
    infos = {p: FileInfo(p) for p in paths}  # one per file: what identify parsed, the reader reuses
    if format is not None:
        reader: ReaderDescriptor = pm.get("reader", format)  # type: ignore[assignment]
    else:
        groups: dict[str, list[Path]] = {}
        chosen: dict[str, ReaderDescriptor] = {}
        unclaimed: list[Path] = []
        for p, named in found:
            try:
                r = _choose_reader(infos[p], pm)
            except UnknownFormatError:
                if named:
                    raise
                unclaimed.append(p)  # a README or checksum beside the data in a directory / archive
                continue
            groups.setdefault(r.name, []).append(p)
            chosen[r.name] = r
        if not groups:
            raise UnknownFormatError(
                f"no reader recognises any of the {len(unclaimed)} files in {source!r}; "
                f"known formats: {_known_formats(pm.contributions('reader'))}"  # type: ignore[arg-type]
            )
        if unclaimed:
            names = ", ".join(p.name for p in unclaimed[:5]) + (" ..." if len(unclaimed) > 5 else "")
            warnings.warn(
                f"{len(unclaimed)} file(s) in {source!r} are not in any known format and were not read: {names}",
                UnreadFilesWarning,
                stacklevel=2,
            )
        paths = [p for files in groups.values() for p in files]
        if len(groups) > 1:
            detail = "; ".join(
                f"{name}: {', '.join(q.name for q in files[:3])}{' ...' if len(files) > 3 else ''}"
                for name, files in groups.items()
            )
            raise MixedSourceError(
                f"the files belong to different formats ({detail}); read each group separately or pass format=NAME"
            )
        reader = next(iter(chosen.values()))
    check_keywords(reader, "read", kwargs, inputs=1, hidden=("fileinfo",))
    read_func = reader.resolve("read")
    if "fileinfo" in accepted_keywords(read_func, 1)[0]:
        kwargs["fileinfo"] = [infos[p] for p in paths]
    warn_if_clashed(pm, reader)
    obj = guarded_call(pm, reader, "reading", read_func, paths, paths=paths, **kwargs)
    if obj is None or isinstance(obj, (bool, int, float, complex, str, bytes)):
        err = PluginCallError(
            f"reader {reader.name!r} returned {obj!r:.60} ({type(obj).__name__}), not a data object",
            path=paths[0] if len(paths) == 1 else None,
            plugin=reader.plugin,
        )
        pm.record_call_failure(reader.plugin, f"reading ({reader.name})", err)
        raise err
    pm.call_event("irisplug_after_read", obj=obj, paths=paths, reader=reader.name)
    return obj
