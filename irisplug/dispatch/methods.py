"""``irisplug.fit``, ``view``, ``coalign`` and ``fetch``.

Each passes its extra keywords to the chosen contribution under the rule of
:mod:`irisplug.dispatch.keywords`: a keyword the contribution does not take
raises :class:`~irisplug.errors.UnknownKeywordError` before anything runs.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from irisplug.dispatch._select import select
from irisplug.dispatch.keywords import check_keywords
from irisplug.plugin_manager import PluginManager, get_plugin_manager

__all__ = ["fit", "view", "coalign", "fetch"]


def fit(obj: Any, *, method: str | None = None, manager: PluginManager | None = None, **kwargs: Any) -> Any:
    """Fit spectral lines in ``obj`` with a fitter plugin.

    Parameters
    ----------
    obj
        A spectral cube, sequence or observation window.
    method
        A fitter name; by default the one fitter that accepts ``obj``.
    **kwargs
        Passed to the fitter (e.g. ``template="peak"``).

    Examples
    --------
    >>> maps = irisplug.fit(obs[line], template="peak")  # doctest: +SKIP
    """
    pm = manager or get_plugin_manager()
    desc = select(pm, "fitter", method, obj)
    check_keywords(desc, "fit", kwargs, inputs=1)
    return desc.resolve("fit")(obj, **kwargs)


def view(obj: Any, *, viewer: str | None = None, manager: PluginManager | None = None, **kwargs: Any) -> Any:
    """Show ``obj`` with the best viewer that accepts it (or the one named).

    Examples
    --------
    >>> irisplug.view(obs[slit_jaw], out="sji.png")  # doctest: +SKIP
    """
    pm = manager or get_plugin_manager()
    desc = select(pm, "viewer", viewer, obj)
    check_keywords(desc, "view", kwargs, inputs=1)
    return desc.resolve("view")(obj, **kwargs)


def coalign(
    target: Any, reference: Any, *, method: str | None = None, manager: PluginManager | None = None, **kwargs: Any
) -> Any:
    """Align ``target`` on ``reference``; returns the target with corrected world coordinates.

    Examples
    --------
    >>> aligned = irisplug.coalign(sji, aia_map, method="fft")  # doctest: +SKIP
    """
    pm = manager or get_plugin_manager()
    desc = select(pm, "coaligner", method, target, reference)
    check_keywords(desc, "coalign", kwargs, inputs=2)
    return desc.resolve("coalign")(target, reference, **kwargs)


def fetch(name: str, dest: str | os.PathLike, *, manager: PluginManager | None = None, **kwargs: Any) -> list[Path]:
    """Fetch (or generate) data with the named fetcher into ``dest``; returns the files.

    Examples
    --------
    >>> files = irisplug.fetch(name, "data/")  # doctest: +SKIP
    """
    pm = manager or get_plugin_manager()
    desc = pm.get("fetcher", name)
    check_keywords(desc, "fetch", kwargs, inputs=1)
    dest = Path(dest)
    dest.mkdir(parents=True, exist_ok=True)
    return [Path(p) for p in desc.resolve("fetch")(dest, **kwargs)]
