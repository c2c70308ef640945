"""``irisplug.fit``, ``view``, ``coalign`` and ``fetch``."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from irisplug.dispatch._guard import guarded_call
from irisplug.dispatch._select import select
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
        Passed to the fitter (e.g. ``template="si_iv_1403"``).

    Examples
    --------
    >>> maps = irisplug.fit(obs["Si IV 1403"], template="si_iv_1403")  # doctest: +SKIP
    """
    pm = manager or get_plugin_manager()
    d = select(pm, "fitter", method, obj)
    return guarded_call(pm, d, "fitting", d.fit, obj, **kwargs)


def view(obj: Any, *, viewer: str | None = None, manager: PluginManager | None = None, **kwargs: Any) -> Any:
    """Show ``obj`` with the best viewer that accepts it (or the one named).

    Examples
    --------
    >>> irisplug.view(obs["SJI_1400"], out="sji.png")  # doctest: +SKIP
    """
    pm = manager or get_plugin_manager()
    d = select(pm, "viewer", viewer, obj)
    return guarded_call(pm, d, "viewing", d.view, obj, **kwargs)


def coalign(
    target: Any, reference: Any, *, method: str | None = None, manager: PluginManager | None = None, **kwargs: Any
) -> Any:
    """Align ``target`` on ``reference``; returns the target with corrected world coordinates.

    Examples
    --------
    >>> aligned = irisplug.coalign(sji, aia_map, method="fft")  # doctest: +SKIP
    """
    pm = manager or get_plugin_manager()
    d = select(pm, "coaligner", method, target, reference)
    return guarded_call(pm, d, "co-aligning", d.coalign, target, reference, **kwargs)


def fetch(name: str, dest: str | os.PathLike, *, manager: PluginManager | None = None, **kwargs: Any) -> list[Path]:
    """Fetch (or generate) data with the named fetcher into ``dest``; returns the files.

    Examples
    --------
    >>> files = irisplug.fetch("iris-synthetic", "data/")  # doctest: +SKIP
    """
    pm = manager or get_plugin_manager()
    dest = Path(dest)
    dest.mkdir(parents=True, exist_ok=True)
    return [Path(p) for p in pm.get("fetcher", name).fetch(dest, **kwargs)]
