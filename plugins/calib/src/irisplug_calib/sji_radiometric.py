"""Deprecated: the IRIS slit-jaw radiometric calibration moved to the irisplug-iris plugin (``irisplug_iris.sji_radiometric``).

Use ``irisplug.calibrate(obj, ["iris-radiometric"])`` or ``irisplug_iris``
(e.g. ``irisplug_iris.sji_effective_area``). Names accessed here are forwarded there
with a ``DeprecationWarning``; this module will be removed.
"""

from __future__ import annotations

import warnings
from typing import Any

_MOVED = ("SJI_PASSBANDS", 'sji_passband', 'sji_effective_area', 'sji_radiance_factor', 'sji_radiometric_calibration')


def __getattr__(name: str) -> Any:
    if name not in _MOVED:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    warnings.warn(f"{__name__}.{name} moved to irisplug_iris.{name} (distribution irisplug-iris)",
                  DeprecationWarning, stacklevel=2)
    import irisplug_iris

    return getattr(irisplug_iris, name)


def __dir__() -> list[str]:
    return sorted(_MOVED)
