"""Dispatch: pick the plugin contribution for a call and run it.

The public functions are ``irisplug.read``, ``irisplug.write``, ... (each
imported from its module on first use). This package imports nothing
itself, so ``irisplug.read`` imports the read path only: not the write,
calibration or method dispatch. A name here (``irisplug.dispatch.fit``) is
resolved on first access (PEP 562); where a function shares its module's name
(``read``, ``write``, ``calibrate``) the attribute is the module once that
module was imported, so use ``irisplug.<name>`` or import from the module.
"""

from irisplug.lazy_exports import lazy_exports

_LAZY = {
    "read": "irisplug.dispatch.read",
    "choose_reader": "irisplug.dispatch.read",
    "write": "irisplug.dispatch.write",
    "choose_writer": "irisplug.dispatch.write",
    "calibrate": "irisplug.dispatch.calibrate",
    "plan_calibration": "irisplug.dispatch.calibrate",
    "fit": "irisplug.dispatch.methods",
    "view": "irisplug.dispatch.methods",
    "coalign": "irisplug.dispatch.methods",
    "fetch": "irisplug.dispatch.methods",
}

__all__ = list(_LAZY)

__getattr__, __dir__ = lazy_exports(__name__, _LAZY)
