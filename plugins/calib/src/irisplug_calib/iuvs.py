"""Deprecated: the IUVS time-interpolated darks moved to the irisplug-iuvs plugin (``irisplug_iuvs.dark_subtraction``).

Use ``irisplug.calibrate(product, ["iuvs-dark"])`` or ``irisplug_iuvs``
(``irisplug_iuvs.interpolate_darks``, ``irisplug_iuvs.subtract_iuvs_dark``).
Names accessed here are forwarded there with a ``DeprecationWarning``; this
module will be removed.
"""

from __future__ import annotations

from irisplug.lazy_exports import moved_exports

_MOVED = ("interpolate_darks", "subtract_iuvs_dark")

__getattr__, __dir__ = moved_exports(__name__, _MOVED, "irisplug_iuvs", "irisplug-iuvs")
