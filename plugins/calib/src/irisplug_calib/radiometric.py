"""Deprecated: the IRIS spectrograph radiometric calibration moved to the irisplug-iris plugin (``irisplug_iris.radiometric``).

Use ``irisplug.calibrate(obj, ["iris-radiometric"])`` or ``irisplug_iris``
(e.g. ``irisplug_iris.effective_area``). Names accessed here are forwarded there
with a ``DeprecationWarning``; this module will be removed.
"""

from __future__ import annotations

from irisplug.lazy_exports import moved_exports

_MOVED = ('ResponseCoverageError', 'RADIANCE_UNIT', 'load_response', 'throughput', 'effective_area', 'radiance_factor', 'radiometric_calibration')

__getattr__, __dir__ = moved_exports(__name__, _MOVED, "irisplug_iris", "irisplug-iris")
