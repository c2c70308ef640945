"""irisplug plugin: dark, flat, bad pixels, exposure normalisation, IUVS darks, AIA/SJI registration, IRIS radiometry.

The steps are used through ``irisplug.calibrate``; the building blocks are
public here.

Examples
--------
>>> import numpy as np
>>> from irisplug_calib import master_darks
>>> master_darks(np.ones((2, 3, 3)), exposure_times=1.0).exposure_times()
[1.0]
"""

from __future__ import annotations

from irisplug.lazy_exports import lazy_exports
from irisplug_calib._version import VERSION as __version__

_LAZY = {
    "CalibrationWarning": "irisplug_calib._common",
    "master_darks": "irisplug_calib.dark",
    "MasterDark": "irisplug_calib.dark",
    "DarkSet": "irisplug_calib.dark",
    "make_flat": "irisplug_calib.flat",
    "FlatField": "irisplug_calib.flat",
    "subtract_dark": "irisplug_calib.correct",
    "apply_flat": "irisplug_calib.correct",
    "apply_bad_pixels": "irisplug_calib.correct",
    "bad_pixel_mask": "irisplug_calib.correct",
    "normalize_exposure": "irisplug_calib.exposure",
    "interpolate_darks": "irisplug_calib.iuvs",
    "subtract_iuvs_dark": "irisplug_calib.iuvs",
    "register_map": "irisplug_calib.register",
    "NotFullDiskError": "irisplug_calib.register",
    "register_cube": "irisplug_calib.sji",
    "effective_area": "irisplug_calib.radiometric",
    "radiance_factor": "irisplug_calib.radiometric",
    "radiometric_calibration": "irisplug_calib.radiometric",
    "ResponseCoverageError": "irisplug_calib.radiometric",
}

__all__ = ["__version__", "CalibrationWarning", *_LAZY]


__getattr__, __dir__ = lazy_exports(__name__, _LAZY)
