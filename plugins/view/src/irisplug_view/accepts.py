"""What each viewer accepts (their descriptors' ``accepts``), from :func:`irisplug_view.inputs.kind_of`.

Examples
--------
>>> parameter_maps(object())
False
"""

from __future__ import annotations

from typing import Any

import irisplug

__all__ = [
    "raster_quicklook",
    "sji_viewer",
    "parameter_maps",
    "show_poi",
    "movie",
    "sji_fast",
    "has_raster",
]


def _kind(obj: Any) -> str | None:
    from irisplug_view.inputs import kind_of

    return kind_of(obj)


def has_raster(obj: Any) -> bool:
    """True when ``obj`` holds at least one spectrograph window."""
    from irisplug_view.inputs import raster_windows

    try:
        return bool(raster_windows(obj))
    except irisplug.IrisplugError:
        return False


def raster_quicklook(obj: Any) -> bool:
    """A raster, or an observation with a raster window."""
    return _kind(obj) in ("raster", "observation") and has_raster(obj)


def sji_viewer(obj: Any) -> bool:
    """A slit-jaw cube, or an observation with slit-jaw images only."""
    kind = _kind(obj)
    return kind == "sji" or (kind == "observation" and not has_raster(obj))


def parameter_maps(obj: Any) -> bool:
    """A 2-D map or a collection of maps (fit results)."""
    return _kind(obj) in ("map", "maps")


def show_poi(obj: Any) -> bool:
    """Saved points of interest."""
    return _kind(obj) == "poi"


def movie(obj: Any) -> bool:
    """Anything with frames: raster, slit-jaw cube or observation."""
    return _kind(obj) in ("raster", "sji", "observation")


def sji_fast(obj: Any) -> bool:
    """A slit-jaw cube."""
    return _kind(obj) == "sji"
