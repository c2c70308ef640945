"""``irisplug.write``: choose a writer and write atomically."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from irisplug.atomic import _write_error, atomic_path
from irisplug.descriptors import WriterDescriptor
from irisplug.dispatch._guard import guarded_call, warn_if_clashed
from irisplug.dispatch.keywords import check_keywords
from irisplug.errors import InvalidArgumentError, IrisplugError, PluginCallError, UnknownFormatError
from irisplug.plugin_manager import PluginManager, get_plugin_manager

__all__ = ["write", "choose_writer"]


def choose_writer(
    obj: Any, path: str | os.PathLike, *, format: str | None = None, manager: PluginManager | None = None
) -> WriterDescriptor:
    """The writer for ``obj`` at ``path``: by ``format``, else by the name's extension.

    Raises
    ------
    UnknownFormatError
        No writer takes this extension and object; the message lists writers.
    """
    pm = manager or get_plugin_manager()
    if format is not None:
        return pm.get("writer", format)  # type: ignore[return-value]
    name = Path(path).name.lower()
    writers: list[WriterDescriptor] = list(pm.contributions("writer").values())  # type: ignore[arg-type]
    fits = []
    refused = []
    for w in writers:
        ext = max((e for e in w.extensions if name.endswith(e.lower())), key=len, default=None)
        if ext is None:
            continue
        if w.accepts is not None and not pm.call_contribution_safely(w, "accepts", obj, default=False, mark_failed=False):
            refused.append(w.name)
            continue
        fits.append((len(ext), w.priority, w))
    if not fits:
        if refused:
            raise UnknownFormatError(
                f"the writers for this extension ({', '.join(refused)}) do not accept this {type(obj).__name__}; "
                "see each writer's documentation for what it writes",
                path=path,
            )
        known = "; ".join(f"{w.name} ({', '.join(w.extensions)})" for w in writers) or "none installed"
        raise UnknownFormatError(
            f"no writer for a {type(obj).__name__} with this extension; writers: {known}", path=path
        )
    fits.sort(key=lambda t: (t[0], t[1]), reverse=True)
    return fits[0][2]


def write(
    obj: Any,
    path: str | os.PathLike,
    *,
    format: str | None = None,
    overwrite: bool = False,
    manager: PluginManager | None = None,
    **kwargs: Any,
) -> Path:
    """Write ``obj`` to ``path`` through a writer plugin, atomically.

    The writer writes a temporary file beside ``path``; it is renamed into
    place only when complete. An existing file is replaced only with
    ``overwrite=True``.

    Returns
    -------
    pathlib.Path
        The path written.

    Raises
    ------
    FileExistsIrisplugError
        ``path`` exists, or appeared during the write, and ``overwrite`` is False.
    WriteError
        The directory is missing or read-only, the disk is full, ...; names ``path``.
    PluginCallError
        The writer raised something other than an IrisplugError (chained).
    UnknownKeywordError
        A keyword the chosen writer does not take (nothing is written).

    Examples
    --------
    >>> irisplug.write(obs[line], "window.fits")  # doctest: +SKIP
    """
    pm = manager or get_plugin_manager()
    if not isinstance(path, (str, os.PathLike)):
        raise InvalidArgumentError(f"path must be a file path, got {type(path).__name__}")
    if not isinstance(overwrite, bool):
        raise InvalidArgumentError(f"overwrite must be True or False, got {overwrite!r:.40}", path=path)
    if format is not None and not isinstance(format, str):
        raise InvalidArgumentError(f"format must be a writer name (str), got {type(format).__name__}", path=path)
    writer = choose_writer(obj, path, format=format, manager=pm)
    check_keywords(writer, "write", kwargs, inputs=2)
    write_func = writer.resolve("write")
    warn_if_clashed(pm, writer)
    with atomic_path(path, overwrite=overwrite) as tmp:
        try:
            guarded_call(pm, writer, "writing", write_func, obj, tmp, paths=path, **kwargs)
        except IrisplugError as err:
            cause = err.__cause__
            if isinstance(err, PluginCallError) and isinstance(cause, OSError) and cause.errno is not None:
                raise _write_error(cause, Path(path)) from cause  # read-only, disk full: name the target
            _name_target(err, tmp, path)
            raise
    return Path(path)


def _name_target(err: IrisplugError, tmp: str | os.PathLike, path: str | os.PathLike) -> None:
    """Make a writer's error name the file the user asked for, not the temporary file it was writing."""
    tmp_s, path_s = str(tmp), str(path)
    err.message = err.message.replace(tmp_s, path_s)
    err.path = path_s if err.path is None or err.path == tmp_s else err.path.replace(tmp_s, path_s)
    err.args = tuple(a.replace(tmp_s, path_s) if isinstance(a, str) else a for a in err.args)
