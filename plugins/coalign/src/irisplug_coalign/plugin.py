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

Callables are ``"module:function"`` references, imported on first use.
"""

from __future__ import annotations

import irisplug
from irisplug.descriptors import CoalignerDescriptor

__all__ = ["irisplug_coaligners"]


@irisplug.hookimpl
def irisplug_coaligners() -> list[CoalignerDescriptor]:
    """The co-alignment methods of this plugin."""
    return [
        CoalignerDescriptor(
            name="fft", coalign="irisplug_coalign.align:coalign", accepts="irisplug_coalign.images:accepts_images",
            priority=10,
            description="sub-pixel FFT cross-correlation on the target's world grid (differential rotation), optional rotation/scale",
        ),
        CoalignerDescriptor(
            name="ncc", coalign="irisplug_coalign.align:coalign_ncc", accepts="irisplug_coalign.images:accepts_images",
            priority=0,
            description="normalised cross-correlation template matching on the target's world grid",
        ),
        CoalignerDescriptor(
            name="jitter", coalign="irisplug_coalign.jitter:dejitter", accepts="irisplug_coalign.images:accepts_jitter",
            priority=10,
            description="frame-to-frame jitter and drift of one slit-jaw cube, corrected per frame in the WCS",
        ),
        CoalignerDescriptor(
            name="sji-raster", coalign="irisplug_coalign.sji_raster:coalign_raster_to_sji",
            accepts="irisplug_coalign.sji_raster:accepts", priority=10,
            description="raster against slit-jaw: nearest frames, slit position from WCS, synthetic SJI cross-correlation",
        ),
    ]
