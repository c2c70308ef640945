"""Deprecated: the ``fits`` and ``asdf`` writers and their readers moved to the irisplug-io plugin.

Use ``irisplug.write`` / ``irisplug.read``, or ``irisplug_io`` (e.g.
``irisplug_io.write_fits``). Names accessed here are forwarded there with a
``DeprecationWarning``; this module will be removed.
"""

from __future__ import annotations

import warnings
from typing import Any

_MOVED = ("write_fits", "write_asdf", "read_irisplug_fits", "read_irisplug_asdf", "accepts", "accepts_fits",
          "identify_irisplug_fits", "identify_irisplug_asdf")


def __getattr__(name: str) -> Any:
    if name not in _MOVED:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    warnings.warn(f"irisplug_iris.writers.{name} moved to irisplug_io.{name} (distribution irisplug-io)",
                  DeprecationWarning, stacklevel=2)
    import irisplug_io

    return getattr(irisplug_io, name)


def __dir__() -> list[str]:
    return sorted(_MOVED)
