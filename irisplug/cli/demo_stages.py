"""The demo's stages after reading; each needs some plugin contribution.

A stage returns a one-line message, or raises ``Skip`` naming what is missing.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

__all__ = ["STAGES", "Skip", "require"]


class Skip(Exception):
    """A stage cannot run here; the message says what is missing."""


def require(kind: str, name: str) -> Any:
    """The contribution, or ``Skip`` if no installed plugin provides it."""
    from irisplug.plugin_manager import get_plugin_manager

    found = get_plugin_manager().contributions(kind).get(name)
    if found is None:
        raise Skip(f"no {kind} {name!r} installed")
    return found


def _write_results(obs: Any, out: Path, results: dict[str, Any]) -> str:
    import irisplug

    require("writer", "fits")
    first = obs[obs.windows["label"][0]] if hasattr(obs, "windows") else obs
    path = irisplug.write(first, out / "first_window.fits", overwrite=True)
    results["first_window"] = str(path)
    return f"wrote {path}"


STAGES: list[tuple[str, Callable[[Any, Path, dict[str, Any]], str]]] = [
    ("writing the first spectral window to FITS", _write_results),
]
