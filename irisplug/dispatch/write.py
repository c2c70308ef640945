"""``irisplug.write``: choose a writer and write atomically."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from irisplug.atomic import atomic_path
from irisplug.descriptors import WriterDescriptor
from irisplug.dispatch.keywords import check_keywords
from irisplug.errors import IrisplugError, UnknownFormatError
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
        if w.accepts is not None and not pm.call_contribution_safely(w, "accepts", obj, default=False):
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
    UnknownKeywordError
        A keyword the chosen writer does not take (nothing is written).

    Examples
    --------
    >>> irisplug.write(obs[line], "window.fits")  # doctest: +SKIP
    """
    writer = choose_writer(obj, path, format=format, manager=manager)
    check_keywords(writer, "write", kwargs, inputs=2)
    write_func = writer.resolve("write")
    with atomic_path(path, overwrite=overwrite) as tmp:
        try:
            write_func(obj, tmp, **kwargs)
        except IrisplugError as err:
            _name_target(err, tmp, path)
            raise
    return Path(path)


def _name_target(err: IrisplugError, tmp: str | os.PathLike, path: str | os.PathLike) -> None:
    """Make a writer's error name the file the user asked for, not the temporary file it was writing."""
    tmp_s, path_s = str(tmp), str(path)
    err.message = err.message.replace(tmp_s, path_s)
    err.path = path_s if err.path is None or err.path == tmp_s else err.path.replace(tmp_s, path_s)
    err.args = tuple(a.replace(tmp_s, path_s) if isinstance(a, str) else a for a in err.args)
