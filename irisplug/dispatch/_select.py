"""Pick one contribution of a kind: by name, or by ``accepts`` and priority."""

from __future__ import annotations

from typing import Any

from irisplug.descriptors import Descriptor
from irisplug.errors import AmbiguousFormatError, UnsupportedObjectError
from irisplug.plugin_manager import PluginManager


def select(pm: PluginManager, kind: str, name: str | None, *objs: Any) -> Descriptor:
    """The named contribution, or the single best one whose ``accepts(*objs)`` is true."""
    if name is not None:
        return pm.get(kind, name)
    pool = list(pm.contributions(kind).values())

    def ok(d: Descriptor) -> bool:
        if getattr(d, "accepts", None) is None:
            return True
        return bool(pm.call_contribution_safely(d, "accepts", *objs, default=False))

    hits = [d for d in pool if ok(d)]
    if not hits:
        known = ", ".join(sorted(d.name for d in pool)) or "none installed"
        types = ", ".join(type(o).__name__ for o in objs)
        raise UnsupportedObjectError(f"no {kind} accepts {types}; installed {kind}s: {known}")
    top = max(getattr(d, "priority", 0) for d in hits)
    best = [d for d in hits if getattr(d, "priority", 0) == top]
    if len(best) > 1:
        names = ", ".join(sorted(d.name for d in best))
        raise AmbiguousFormatError(f"several {kind}s accept this object: {names}; name one explicitly")
    return best[0]
