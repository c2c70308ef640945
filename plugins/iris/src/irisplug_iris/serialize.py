"""Deprecated: the record format moved to the irisplug-io plugin (``irisplug_io``, module ``irisplug_io.records``).

Names accessed here are forwarded to ``irisplug_io`` with a
``DeprecationWarning``; this module will be removed.
"""

from __future__ import annotations

import warnings
from typing import Any

_MOVED = ("CubeRecord", "flatten", "rebuild", "encode_value", "decode_value", "uncertainty_from_spec",
          "check_format_version", "is_gwcs", "wcs_spec", "wcs_from_spec", "FORMAT_VERSION", "UNCERTAINTY_CLASSES")


def __getattr__(name: str) -> Any:
    if name not in _MOVED:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    warnings.warn(f"irisplug_iris.serialize.{name} moved to irisplug_io.{name} (distribution irisplug-io)",
                  DeprecationWarning, stacklevel=2)
    import irisplug_io

    return getattr(irisplug_io, name)


def __dir__() -> list[str]:
    return sorted(_MOVED)
