"""What each co-aligner accepts as ``(target, reference)`` (their descriptors' ``accepts``).

Examples
--------
>>> accepts_jitter(object(), None)
False
"""

from __future__ import annotations

from typing import Any

__all__ = ["accepts_images", "accepts_jitter", "accepts_sji_raster"]


def accepts_images(target: Any, reference: Any) -> bool:
    """``fft``/``ncc``: an image or frame cube against an image."""
    from irisplug_coalign.images import is_frame_cube, is_image

    return (is_image(target) or is_frame_cube(target)) and is_image(reference)


def accepts_jitter(target: Any, reference: Any) -> bool:
    """``jitter``: a frame cube, against a frame index or None (the middle frame)."""
    from irisplug_coalign.images import is_frame_cube

    return is_frame_cube(target) and (reference is None or isinstance(reference, int))


def accepts_sji_raster(target: Any, reference: Any) -> bool:
    """``sji-raster``: a raster against a slit-jaw cube."""
    from irisplug_coalign.sji_raster import is_raster, is_sji

    return is_raster(target) and is_sji(reference)
