"""Deprecated: the record format moved to the irisplug-io plugin (``irisplug_io``, module ``irisplug_io.records``).

Names accessed here are forwarded to ``irisplug_io`` with a
``DeprecationWarning``; this module will be removed.
"""

from __future__ import annotations

from irisplug.lazy_exports import moved_exports

_MOVED = ("CubeRecord", "flatten", "rebuild", "encode_value", "decode_value", "uncertainty_from_spec",
          "check_format_version", "is_gwcs", "wcs_spec", "wcs_from_spec", "FORMAT_VERSION", "UNCERTAINTY_CLASSES")

__getattr__, __dir__ = moved_exports(__name__, _MOVED, "irisplug_io", "irisplug-io")
