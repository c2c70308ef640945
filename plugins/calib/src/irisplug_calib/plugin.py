"""Hook implementations of the irisplug-calib plugin: the calibration steps it contributes.

Steps (``irisplug.calibrate(obj, steps=[...], **params)``):

- ``dark``: subtract master darks per exposure time (``darks=`` from :func:`irisplug_calib.dark.master_darks`).
- ``bad-pixel``: mask bad pixels from a list, rectangles or an image.
- ``flat``: divide by a flat field (``flat=`` from :func:`irisplug_calib.flat.make_flat`).
- ``exposure-norm``: DN -> DN/s.
- ``aia-register``: AIA/HMI level 1 -> 1.5 registration.
- ``aia-update-pointing``: AIA pointing from a user-supplied master pointing table.
- ``sji-register``: per-frame de-roll and rescale of slit-jaw (or any image) cubes.

Every callable is a ``"module:function"`` reference, imported when the step
first runs, so loading this plugin imports nothing of its implementation.
"""

from __future__ import annotations

import irisplug
from irisplug_calib._version import VERSION

__all__: list[str] = []

_CUBES = "irisplug_calib.accepts:cubes"


@irisplug.hookimpl
def irisplug_calibrators() -> list[irisplug.CalibratorDescriptor]:
    """The calibration steps of this plugin."""
    step = irisplug.CalibratorDescriptor
    return [
        step(name="dark", apply="irisplug_calib.correct:subtract_dark", accepts=_CUBES, version=VERSION,
             description="Subtract master darks per exposure time (SHOW statistics); linear fit in t when none matches"),
        step(name="bad-pixel", apply="irisplug_calib.correct:apply_bad_pixels", after=("dark",),
             accepts=_CUBES, version=VERSION, description="Mask bad pixels from a list, rectangles or an image"),
        step(name="flat", apply="irisplug_calib.correct:apply_flat", after=("dark", "bad-pixel"),
             accepts=_CUBES, version=VERSION,
             description="Divide by a flat field (one set or SHOW arm A + arm B)"),
        # aiapy's documented order: update_pointing -> register -> (degradation) -> divide by exposure time
        step(name="exposure-norm", apply="irisplug_calib.exposure:normalize_exposure",
             after=("dark", "bad-pixel", "flat", "aia-update-pointing", "aia-register"), accepts="irisplug_calib.accepts:cubes_or_maps",
             version=VERSION, description="DN -> DN/s, idempotent and unit-aware"),
        step(name="aia-update-pointing", apply="irisplug_calib.pointing:update_pointing",
             accepts="irisplug_calib.accepts:maps", version=VERSION,
             description="AIA pointing (CRPIX, CDELT, CROTA2) from a user-supplied master pointing table, "
                         "as aiapy.calibrate.update_pointing"),
        step(name="aia-register", apply="irisplug_calib.register:register_map", after=("aia-update-pointing",),
             accepts="irisplug_calib.accepts:maps", version=VERSION,
             description="AIA/HMI level 1 -> 1.5 registration (as aiapy.calibrate.register, fast exact cubic B-spline)"),
        step(name="sji-register", apply="irisplug_calib.sji:register_cubes", after=("dark", "flat", "exposure-norm"),
             accepts=_CUBES, version=VERSION,
             description="Per-frame registration of slit-jaw cubes: north up, common scale, own pointing"),
    ]
