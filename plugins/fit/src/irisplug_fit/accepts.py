"""What the fitters accept (their descriptors' ``accepts``).

Examples
--------
>>> accepts(object())
False
"""

from __future__ import annotations

from typing import Any

__all__ = ["accepts"]


def accepts(obj: Any) -> bool:
    """A spectral cube or sequence (:func:`irisplug_fit.cube.is_spectral`), or an observation (window chosen by ``window=``)."""
    from irisplug_fit.cube import is_spectral

    if hasattr(obj, "keys") and hasattr(obj, "windows") and not hasattr(obj, "wcs"):
        return True  # an observation: the window is chosen by window=
    return is_spectral(obj)
