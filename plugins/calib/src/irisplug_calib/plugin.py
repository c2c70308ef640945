"""Hook implementations of the irisplug-calib plugin: the calibration steps it contributes.

Steps (``irisplug.calibrate(obj, steps=[...], **params)``):

- ``dark``: subtract master darks per exposure time (``darks=`` from :func:`irisplug_calib.dark.master_darks`).
- ``iuvs-dark``: MAVEN IUVS L1B time-interpolated darks.
- ``bad-pixel``: mask bad pixels from a list, rectangles or an image.
- ``flat``: divide by a flat field (``flat=`` from :func:`irisplug_calib.flat.make_flat`).
- ``exposure-norm``: DN -> DN/s.
- ``aia-register``: AIA/HMI level 1 -> 1.5 registration.
- ``aia-update-pointing``: AIA pointing from a user-supplied master pointing table.
- ``sji-register``: per-frame de-roll and rescale of slit-jaw (or any image) cubes.
- ``iris-radiometric``: IRIS DN -> radiance with the time-dependent effective area.
"""

from __future__ import annotations

from typing import Any

import irisplug
from irisplug_calib._common import VERSION, is_map
from irisplug_calib.pointing import update_pointing

__all__: list[str] = []


def _is_cube_like(obj: Any) -> bool:
    from ndcube import NDCollection, NDCube, NDCubeSequence

    return isinstance(obj, NDCube | NDCubeSequence | NDCollection) or hasattr(obj, "map_items")


def _dark(obj: Any, *, darks: Any, fallback: str = "linear", exposure_times: Any = None, gain: Any = None,
          exposure_unit: str = "s") -> Any:
    from irisplug_calib.correct import subtract_dark

    return subtract_dark(obj, darks=darks, fallback=fallback, exposure_times=exposure_times, gain=gain,
                         exposure_unit=exposure_unit)


def _iuvs_dark(obj: Any, *, dark_frames: Any = None, dark_times: Any = None, light_times: Any = None,
               floor: bool = True) -> Any:
    from irisplug_calib.iuvs import subtract_iuvs_dark

    return subtract_iuvs_dark(obj, dark_frames=dark_frames, dark_times=dark_times, light_times=light_times, floor=floor)


def _flat(obj: Any, *, flat: Any) -> Any:
    from irisplug_calib.correct import apply_flat

    return apply_flat(obj, flat=flat)


def _bad_pixel(obj: Any, *, pixels: Any = (), rectangles: Any = (), image: Any = None, one_based: bool = False,
               fill: float | None = None) -> Any:
    from irisplug_calib.correct import apply_bad_pixels

    return apply_bad_pixels(obj, pixels=pixels, rectangles=rectangles, image=image, one_based=one_based, fill=fill)


def _exposure(obj: Any, *, exposure_unit: str = "s") -> Any:
    from irisplug_calib.exposure import normalize_exposure

    return normalize_exposure(obj, exposure_unit=exposure_unit)


def _aia_register(obj: Any, *, target_scale: Any = None, missing: float | None = None, order: int = 3) -> Any:
    from irisplug_calib.register import register_map

    return register_map(obj, target_scale=target_scale, missing=missing, order=order)


def _radiometric(obj: Any, *, date: Any = None, detector: str | None = None, wavelength: Any = None,
                 dispersion: Any = None, plate_scale: Any = None, slit_width: Any = None, photons: bool = False,
                 response: str | None = None) -> Any:
    from irisplug_calib.radiometric import radiometric_calibration

    return radiometric_calibration(obj, date=date, detector=detector, wavelength=wavelength, dispersion=dispersion,
                                   plate_scale=plate_scale, slit_width=slit_width, photons=photons, response=response)


def _sji_register(obj: Any, *, target_scale: float | None = None, missing: float = float("nan"),
                  output_shape: tuple[int, int] | None = None) -> Any:
    from irisplug_calib._common import map_cubes
    from irisplug_calib.sji import register_cube

    return map_cubes(obj, lambda c: register_cube(c, target_scale=target_scale, missing=missing,
                                                   output_shape=output_shape), "sji-register")


@irisplug.hookimpl
def irisplug_calibrators() -> list[irisplug.CalibratorDescriptor]:
    """The calibration steps of this plugin."""
    steps = [
        irisplug.CalibratorDescriptor(
            name="dark", apply=_dark, accepts=_is_cube_like, version=VERSION,
            description="Subtract master darks per exposure time (SHOW statistics); linear fit in t when none matches",
        ),
        irisplug.CalibratorDescriptor(
            name="iuvs-dark", apply=_iuvs_dark, accepts=_is_cube_like, version=VERSION,
            description="MAVEN IUVS L1B time-interpolated dark subtraction",
        ),
        irisplug.CalibratorDescriptor(
            name="bad-pixel", apply=_bad_pixel, after=("dark", "iuvs-dark"), accepts=_is_cube_like, version=VERSION,
            description="Mask bad pixels from a list, rectangles or an image",
        ),
        irisplug.CalibratorDescriptor(
            name="flat", apply=_flat, after=("dark", "iuvs-dark", "bad-pixel"), accepts=_is_cube_like,
            version=VERSION, description="Divide by a flat field (one set or SHOW arm A + arm B)",
        ),
        irisplug.CalibratorDescriptor(
            name="exposure-norm", apply=_exposure, after=("dark", "iuvs-dark", "bad-pixel", "flat", "aia-update-pointing", "aia-register"),
            accepts=lambda o: _is_cube_like(o) or is_map(o), version=VERSION,
            description="DN -> DN/s, idempotent and unit-aware",
        ),
        irisplug.CalibratorDescriptor(
            name="aia-register", apply=_aia_register, after=("aia-update-pointing",), accepts=is_map, version=VERSION,
            description="AIA/HMI level 1 -> 1.5 registration (as aiapy.calibrate.register, fast exact cubic B-spline)",
        ),
        irisplug.CalibratorDescriptor(name="aia-update-pointing", apply=update_pointing, accepts=is_map, version=VERSION, description="AIA pointing (CRPIX, CDELT, CROTA2) from a user-supplied master pointing table, as aiapy.calibrate.update_pointing"),
        irisplug.CalibratorDescriptor(
            name="sji-register", apply=_sji_register, after=("dark", "flat", "exposure-norm"), accepts=_is_cube_like,
            version=VERSION, description="Per-frame registration of slit-jaw cubes: north up, common scale, own pointing",
        ),
        irisplug.CalibratorDescriptor(
            name="iris-radiometric", apply=_radiometric, after=("dark", "flat", "exposure-norm", "iris-photon-noise"),
            accepts=_is_cube_like, version=VERSION,
            description="IRIS spectrograph DN -> erg s-1 sr-1 cm-2 A-1 (or photons) with time-dependent effective areas",
        ),
    ]
    return steps
