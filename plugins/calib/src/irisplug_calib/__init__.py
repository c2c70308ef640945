"""irisplug plugin: dark, flat, bad pixels, exposure normalisation, AIA/SJI registration.

The steps are used through ``irisplug.calibrate``; the building blocks are
public here, and so are the helpers an instrument plugin's own calibration
step builds on (:func:`map_cubes`, :func:`new_cube`, :func:`record`,
:func:`std_of`, :func:`as_float`, :func:`frame_values`, :func:`is_per_second`,
:func:`frame_headers`, :class:`CalibrationWarning`). The IRIS radiometric
calibration moved to the irisplug-iris plugin (``irisplug_iris``) and the IUVS
time-interpolated darks to the irisplug-iuvs plugin (``irisplug_iuvs``); their
names are still forwarded from here with a ``DeprecationWarning``.

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
    "register_map": "irisplug_calib.register",
    "NotFullDiskError": "irisplug_calib.register",
    "register_cube": "irisplug_calib.sji",
    "frame_headers": "irisplug_calib.sji",
    "is_per_second": "irisplug_calib.exposure",
    "map_cubes": "irisplug_calib._common",
    "new_cube": "irisplug_calib._common",
    "record": "irisplug_calib._common",
    "std_of": "irisplug_calib._common",
    "as_float": "irisplug_calib._common",
    "frame_values": "irisplug_calib._common",
    # deprecated: moved to irisplug_iris (forwarded with a DeprecationWarning)
    "effective_area": "irisplug_calib.radiometric",
    "radiance_factor": "irisplug_calib.radiometric",
    "radiometric_calibration": "irisplug_calib.radiometric",
    "ResponseCoverageError": "irisplug_calib.radiometric",
    # deprecated: moved to irisplug_iuvs (forwarded with a DeprecationWarning)
    "interpolate_darks": "irisplug_calib.iuvs",
    "subtract_iuvs_dark": "irisplug_calib.iuvs",
}

__all__ = ["__version__", *_LAZY]


__getattr__, __dir__ = lazy_exports(__name__, _LAZY)
