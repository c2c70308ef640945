"""Deprecated: the synthetic IRIS-like cubes now live in the IRIS plugin (``irisplug_iris.synthetic_raster`` etc.).

Examples
--------
>>> import warnings
>>> with warnings.catch_warnings():
...     warnings.simplefilter("ignore", DeprecationWarning)
...     from irisplug_view.synthetic import synthetic_raster
>>> synthetic_raster(2, 3, 4).data.shape
(2, 3, 4)
"""

from __future__ import annotations

import warnings
from typing import Any

#: the names that moved to irisplug_iris (reached through the module ``__getattr__`` below)
_MOVED = ("synthetic_raster", "synthetic_sji", "synthetic_observation", "synthetic_velocity_maps")
__all__: list[str] = []


def __getattr__(name: str) -> Any:
    if name in _MOVED:
        import irisplug_iris

        warnings.warn(f"irisplug_view.synthetic.{name} moved to irisplug_iris.{name} (instrument data belong in the "
                      "instrument's plugin); this alias will be removed", DeprecationWarning, stacklevel=2)
        return getattr(irisplug_iris, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
