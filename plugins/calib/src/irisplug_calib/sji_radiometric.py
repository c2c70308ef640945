"""Deprecated: the IRIS slit-jaw radiometric calibration moved to the irisplug-iris plugin (``irisplug_iris.sji_radiometric``).

Use ``irisplug.calibrate(obj, ["iris-radiometric"])`` or ``irisplug_iris``
(e.g. ``irisplug_iris.sji_effective_area``). Names accessed here are forwarded there
with a ``DeprecationWarning``; this module will be removed.
"""

from __future__ import annotations

from irisplug.lazy_exports import moved_exports

_MOVED = ("SJI_PASSBANDS", 'sji_passband', 'sji_effective_area', 'sji_radiance_factor', 'sji_radiometric_calibration')

__getattr__, __dir__ = moved_exports(__name__, _MOVED, "irisplug_iris", "irisplug-iris")
