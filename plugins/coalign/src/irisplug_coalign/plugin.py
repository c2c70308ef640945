"""Hook implementations of the irisplug-coalign plugin: co-aligner descriptors.

=============  ==========================================================
name           what it does
=============  ==========================================================
``fft``        sub-pixel FFT cross-correlation against a reference image
               (reprojected to the target grid and time), optional small
               rotation/scale; Maps, 2-D images, SJI cubes
``ncc``        the same with normalised cross-correlation (template matching)
``jitter``     frame-to-frame jitter/drift of one SJI cube (reference: a frame
               index or ``None`` for the middle frame)
``sji-raster`` raster steps against the slit-jaw cube: synthetic SJI from the
               spectra cross-correlated with the nearest SJI frames
=============  ==========================================================
"""

from __future__ import annotations

from typing import Any

import irisplug
from irisplug.descriptors import CoalignerDescriptor

__all__ = ["irisplug_coaligners"]


def _image_like(obj: Any) -> bool:
    from irisplug_coalign.images import is_frame_cube, is_image

    return is_image(obj) or is_frame_cube(obj)


def _accepts_images(target: Any, reference: Any) -> bool:
    from irisplug_coalign.images import is_image

    return _image_like(target) and is_image(reference)


def _accepts_jitter(target: Any, reference: Any) -> bool:
    from irisplug_coalign.images import is_frame_cube

    return is_frame_cube(target) and (reference is None or isinstance(reference, int))


def _accepts_sji_raster(target: Any, reference: Any) -> bool:
    from irisplug_coalign.sji_raster import is_raster, is_raster_sequence, is_sji

    return (is_raster(target) or is_raster_sequence(target)) and is_sji(reference)


def _coalign_fft(target: Any, reference: Any, **kwargs: Any) -> Any:
    from irisplug_coalign.align import coalign

    return coalign(target, reference, **{"method": "fft", **kwargs})


def _coalign_ncc(target: Any, reference: Any, **kwargs: Any) -> Any:
    from irisplug_coalign.align import coalign

    return coalign(target, reference, **{**kwargs, "method": "ncc"})


def _coalign_jitter(target: Any, reference: Any, **kwargs: Any) -> Any:
    from irisplug_coalign.jitter import dejitter

    return dejitter(target, reference_frame=reference, **kwargs)


def _coalign_sji_raster(target: Any, reference: Any, **kwargs: Any) -> Any:
    from irisplug_coalign.sji_raster import coalign_raster_to_sji

    return coalign_raster_to_sji(target, reference, **kwargs)


@irisplug.hookimpl
def irisplug_coaligners() -> list[CoalignerDescriptor]:
    """The co-alignment methods of this plugin."""
    return [
        CoalignerDescriptor(
            name="fft", coalign=_coalign_fft, accepts=_accepts_images, priority=10,
            description="sub-pixel FFT cross-correlation on the target's world grid (differential rotation), optional rotation/scale",
        ),
        CoalignerDescriptor(
            name="ncc", coalign=_coalign_ncc, accepts=_accepts_images, priority=0,
            description="normalised cross-correlation template matching on the target's world grid",
        ),
        CoalignerDescriptor(
            name="jitter", coalign=_coalign_jitter, accepts=_accepts_jitter, priority=10,
            description="frame-to-frame jitter and drift of one slit-jaw cube, corrected per frame in the WCS",
        ),
        CoalignerDescriptor(
            name="sji-raster", coalign=_coalign_sji_raster, accepts=_accepts_sji_raster, priority=10,
            description="raster against slit-jaw: nearest frames, slit position from WCS, synthetic SJI cross-correlation",
        ),
    ]
