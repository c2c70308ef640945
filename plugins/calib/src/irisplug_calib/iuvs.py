"""Deprecated: the IUVS time-interpolated darks moved to the irisplug-iuvs plugin (``irisplug_iuvs.dark_subtraction``).

Use ``irisplug.calibrate(product, ["iuvs-dark"])`` or ``irisplug_iuvs``
(``irisplug_iuvs.interpolate_darks``, ``irisplug_iuvs.subtract_iuvs_dark``).
Names accessed here are forwarded there with a ``DeprecationWarning``; this
module will be removed.
"""

from __future__ import annotations

import warnings
from typing import Any

_MOVED = ("interpolate_darks", "subtract_iuvs_dark")


def __getattr__(name: str) -> Any:
    if name not in _MOVED:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    warnings.warn(f"{__name__}.{name} moved to irisplug_iuvs.{name} (distribution irisplug-iuvs)",
                  DeprecationWarning, stacklevel=2)
    import irisplug_iuvs

    return getattr(irisplug_iuvs, name)


def __dir__() -> list[str]:
    return sorted(_MOVED)
