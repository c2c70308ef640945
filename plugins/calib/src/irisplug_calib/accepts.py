"""What the calibration steps accept (their descriptors' ``accepts``).

Examples
--------
>>> import numpy as np
>>> from astropy.wcs import WCS
>>> from ndcube import NDCube
>>> is_cube_like(NDCube(np.zeros((2, 2)), wcs=WCS(naxis=2))), is_cube_like(np.zeros(2))
(True, False)
"""

from __future__ import annotations

from typing import Any

from irisplug_calib._common import is_map

__all__ = ["is_cube_like", "is_cube_or_map", "is_map"]


def is_cube_like(obj: Any) -> bool:
    """An NDCube, NDCubeSequence, NDCollection or observation (``map_items``)."""
    from ndcube import NDCollection, NDCube, NDCubeSequence

    return isinstance(obj, NDCube | NDCubeSequence | NDCollection) or hasattr(obj, "map_items")


def is_cube_or_map(obj: Any) -> bool:
    """:func:`is_cube_like` or a sunpy Map."""
    return is_cube_like(obj) or is_map(obj)
