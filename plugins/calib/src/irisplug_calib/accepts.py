"""What the calibration steps accept (their descriptors' ``accepts``).

Examples
--------
>>> import numpy as np
>>> from astropy.wcs import WCS
>>> from ndcube import NDCube
>>> cubes(NDCube(np.zeros((2, 2)), wcs=WCS(naxis=2))), cubes(np.zeros(2))
(True, False)
"""

from __future__ import annotations

from typing import Any

from irisplug_calib._common import is_map as _is_map

__all__ = ["cubes", "cubes_or_maps", "maps"]


def cubes(obj: Any) -> bool:
    """An NDCube, NDCubeSequence, NDCollection or observation (``map_items``)."""
    from ndcube import NDCollection, NDCube, NDCubeSequence

    return isinstance(obj, NDCube | NDCubeSequence | NDCollection) or hasattr(obj, "map_items")


def cubes_or_maps(obj: Any) -> bool:
    """:func:`cubes` or a sunpy Map."""
    return cubes(obj) or _is_map(obj)


def maps(obj: Any) -> bool:
    """A sunpy Map."""
    return _is_map(obj)
