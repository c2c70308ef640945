"""irisplug plugin: IRIS Level 2 raster and slit-jaw readers, photon noise, radiometric calibration, IRIS colour maps,
a synthetic L2 file generator and synthetic IRIS-like cubes in memory.

The steps are used through ``irisplug.calibrate`` (``iris-photon-noise``,
``iris-radiometric``); the radiometric building blocks are public here.

Examples
--------
>>> from irisplug_iris import effective_area
>>> effective_area([1335.0], "2020-01-01", "FUV").unit
Unit("cm2")
"""

from __future__ import annotations

from irisplug.lazy_exports import lazy_exports

_LAZY = {
    "ResponseCoverageError": "irisplug_iris.radiometric",
    "RADIANCE_UNIT": "irisplug_iris.radiometric",
    "load_response": "irisplug_iris.radiometric",
    "throughput": "irisplug_iris.radiometric",
    "effective_area": "irisplug_iris.radiometric",
    "radiance_factor": "irisplug_iris.radiometric",
    "radiometric_calibration": "irisplug_iris.radiometric",
    "SJI_PASSBANDS": "irisplug_iris.sji_radiometric",
    "sji_passband": "irisplug_iris.sji_radiometric",
    "sji_effective_area": "irisplug_iris.sji_radiometric",
    "sji_radiance_factor": "irisplug_iris.sji_radiometric",
    "sji_radiometric_calibration": "irisplug_iris.sji_radiometric",
    "iris_cmap": "irisplug_iris.colormaps",
    "iris_colormap_name": "irisplug_iris.colormaps",
    "synthetic_raster": "irisplug_iris.synthetic_cubes",
    "synthetic_sji": "irisplug_iris.synthetic_cubes",
    "synthetic_observation": "irisplug_iris.synthetic_cubes",
    "synthetic_velocity_maps": "irisplug_iris.synthetic_cubes",
}

__all__ = list(_LAZY)

__getattr__, __dir__ = lazy_exports(__name__, _LAZY)
