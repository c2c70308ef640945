"""irisplug plugin: MAVEN IUVS L1A/L1B FITS readers, conversions, dark analysis and dark subtraction.

The readers and the ``iuvs-dark`` calibration step are used through
``irisplug.read`` and ``irisplug.calibrate``; the names here are imported on
first use.

Examples
--------
>>> import numpy as np
>>> from irisplug_iuvs import interpolate_darks
>>> interpolate_darks(np.stack([np.full((1, 2), 10), np.full((1, 2), 20)]), [0.0, 10.0], [2.5]).tolist()
[[[12.0, 12.0]]]
"""

from __future__ import annotations

from irisplug.lazy_exports import lazy_exports
from irisplug_iuvs._version import VERSION as __version__

_LAZY = {
    "IUVSProduct": "irisplug_iuvs.product",
    "interpolate_darks": "irisplug_iuvs.dark_subtraction",
    "subtract_iuvs_dark": "irisplug_iuvs.dark_subtraction",
}

__all__ = ["__version__", *_LAZY]

__getattr__, __dir__ = lazy_exports(__name__, _LAZY)
