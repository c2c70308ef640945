"""Deprecated: the ``fits`` and ``asdf`` writers and their readers moved to the irisplug-io plugin.

Use ``irisplug.write`` / ``irisplug.read``, or ``irisplug_io`` (e.g.
``irisplug_io.write_fits``). Names accessed here are forwarded there with a
``DeprecationWarning``; this module will be removed.
"""

from __future__ import annotations

from irisplug.lazy_exports import moved_exports

_MOVED = ("write_fits", "write_asdf", "read_irisplug_fits", "read_irisplug_asdf", "accepts", "accepts_fits",
          "identify_irisplug_fits", "identify_irisplug_asdf")

__getattr__, __dir__ = moved_exports(__name__, _MOVED, "irisplug_io", "irisplug-io")
