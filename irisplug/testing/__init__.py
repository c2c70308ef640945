"""Tools for testing irisplug plugins; also a pytest plugin (entry point ``pytest11``).

Fixtures (available in any pytest run once irisplug is installed):

``irisplug_manager``
    A fresh plugin manager with the installed plugins, made the process-wide
    one for the test and restored afterwards.
``empty_plugin_manager``
    The same without entry points: register plugins by hand.

Functions: :func:`check_plugin`, :func:`check_cube`, :func:`iter_cubes`,
:func:`check_model` (the model contract of :mod:`irisplug.model.kinds`),
:func:`check_levels` (data-quality meta).
Contract classes to subclass: :class:`ReaderContract`, :class:`WriterContract`,
:class:`CalibratorContract`, :class:`FitterContract`, :class:`CoalignerContract`,
:class:`ViewerContract`; :class:`InteropContract` (the ndcube / sunpy / sunraster operations
users reach for, on a reader's output, compared with ndcube on a plain NDCube).
"""

from irisplug.testing.checks import check_cube, check_levels, check_model, check_plugin, iter_cubes
from irisplug.testing.contracts import (
    CalibratorContract,
    CoalignerContract,
    FitterContract,
    ReaderContract,
    ViewerContract,
    WriterContract,
)
from irisplug.testing.interop import InteropContract

__all__ = [
    "check_plugin",
    "check_cube",
    "check_model",
    "check_levels",
    "iter_cubes",
    "ReaderContract",
    "WriterContract",
    "CalibratorContract",
    "FitterContract",
    "CoalignerContract",
    "ViewerContract",
    "InteropContract",
]
