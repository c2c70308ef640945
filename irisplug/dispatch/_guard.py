"""Run a plugin's reader, writer or calibrator so its failures reach the user as IrisplugErrors."""

from __future__ import annotations

import os
import warnings
from collections.abc import Callable, Sequence
from typing import Any

from irisplug.descriptors import Descriptor
from irisplug.errors import InvalidArgumentError, IrisplugError, PluginCallError, PluginShadowingWarning
from irisplug.plugin_manager import PluginManager


def _where(paths: Sequence[str | os.PathLike] | str | os.PathLike | None) -> str | None:
    if paths is None:
        return None
    if isinstance(paths, (str, os.PathLike)):
        return str(paths)
    paths = list(paths)
    if not paths:
        return None
    return str(paths[0]) if len(paths) == 1 else f"{paths[0]} (and {len(paths) - 1} more)"


def check_arguments(desc: Descriptor, action: str, func: Callable[..., Any], *args: Any, **kwargs: Any) -> None:
    """Raise InvalidArgumentError, before any work, when ``func`` cannot take these arguments.

    Catches unknown keywords and missing required ones with the plugin named,
    instead of a TypeError from deep inside the plugin after computing.
    """
    import inspect

    try:
        sig = inspect.signature(func)
    except (TypeError, ValueError):  # a builtin or C callable: nothing to check against
        return
    try:
        sig.bind(*args, **kwargs)
    except TypeError as exc:
        accepted = [
            p.name for p in list(sig.parameters.values())[len(args):] if p.kind in (p.KEYWORD_ONLY, p.POSITIONAL_OR_KEYWORD)
        ]
        raise InvalidArgumentError(
            f"{desc.kind} {desc.name!r} cannot be called for {action}: {exc}; it takes {accepted or 'no keywords'}",
            plugin=desc.plugin,
        ) from None


def guarded_call(
    pm: PluginManager,
    desc: Descriptor,
    action: str,
    func: Callable[..., Any],
    *args: Any,
    paths: Sequence[str | os.PathLike] | str | os.PathLike | None = None,
    **kwargs: Any,
) -> Any:
    """Check the arguments, then call ``func``; an error not already an IrisplugError is wrapped in PluginCallError.

    The wrapper names the file(s), the contribution and the plugin and chains
    the original (``raise ... from``). An IrisplugError passes unchanged but
    gains the plugin's name when it has none. Every ``BaseException`` except
    ``KeyboardInterrupt`` is contained (a plugin calling ``sys.exit`` does not
    end the host). The failure is recorded on the plugin for ``irisplug plugins``.
    """
    check_arguments(desc, action, func, *args, **kwargs)
    try:
        return func(*args, **kwargs)
    except KeyboardInterrupt:
        raise
    except IrisplugError as err:
        if err.plugin is None:
            err.plugin = desc.plugin
        pm.record_call_failure(desc.plugin, f"{action} ({desc.name})", err)
        raise
    except BaseException as exc:
        pm.record_call_failure(desc.plugin, f"{action} ({desc.name})", exc)
        raise PluginCallError(
            f"{desc.kind} {desc.name!r} failed while {action}: {type(exc).__name__}: {exc}",
            path=_where(paths),
            plugin=desc.plugin,
        ) from exc


def warn_if_clashed(pm: PluginManager, desc: Descriptor) -> None:
    """Report, at the moment it is used, that a contribution's name (or its plugin's) is contested."""
    clashes = pm.clashes_for(desc.kind, desc.name) + pm.clashes_for("plugin", desc.plugin)
    for clash in clashes:
        warnings.warn(f"using {desc.kind} {desc.name!r}: {clash}", PluginShadowingWarning, stacklevel=3)
