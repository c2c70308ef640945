"""Pick one contribution of a kind: by name, or by ``accepts`` and priority."""

from __future__ import annotations

from typing import Any

from irisplug.descriptors import Descriptor
from irisplug.errors import AmbiguousFormatError, UnsupportedObjectError
from irisplug.plugin_manager import PluginManager


def refusal_reason(verdict: Any) -> str:
    """The reason an ``accepts`` gave for refusing (an :class:`irisplug.model.Verdict`), or a plain note."""
    reason = getattr(verdict, "reason", "")
    return str(reason) if reason else "its accepts() returned False (no reason given)"


def select(pm: PluginManager, kind: str, name: str | None, *objs: Any) -> Descriptor:
    """The named contribution, or the single best one whose ``accepts(*objs)`` is true."""
    if name is not None:
        return pm.get(kind, name)
    pool = list(pm.contributions(kind).values())
    refusals: dict[str, str] = {}

    def ok(d: Descriptor) -> bool:
        if getattr(d, "accepts", None) is None:
            return True
        verdict = pm.call_contribution_safely(d, "accepts", *objs, default=False)
        if not verdict:
            refusals[d.name] = refusal_reason(verdict)
        return bool(verdict)

    hits = [d for d in pool if ok(d)]
    if not hits:
        types = ", ".join(type(o).__name__ for o in objs)
        if not pool:
            raise UnsupportedObjectError(f"no {kind} accepts {types}; installed {kind}s: none installed")
        why = "; ".join(f"{name}: {refusals[name]}" for name in sorted(refusals))
        raise UnsupportedObjectError(f"no {kind} accepts {types}. Why each installed {kind} refused it -- {why}")
    top = max(getattr(d, "priority", 0) for d in hits)
    best = [d for d in hits if getattr(d, "priority", 0) == top]
    if len(best) > 1:
        names = ", ".join(sorted(d.name for d in best))
        raise AmbiguousFormatError(f"several {kind}s accept this object: {names}; name one explicitly")
    return best[0]
