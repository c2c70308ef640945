"""irisplug: a plugin framework for solar and planetary spectrograph data.

The core knows no instrument. Readers, writers, calibrators, fitters,
viewers and co-aligners arrive as plugins through the entry point group
``irisplug``; the functions here dispatch to them.

Examples
--------
>>> import irisplug
>>> obs = irisplug.read("path/to/iris/observation/")  # doctest: +SKIP
>>> sorted(irisplug.get_plugin_manager().contributions("reader"))  # doctest: +SKIP
['iris-l2', 'iuvs-l1a', 'iuvs-l1b', 'show-l0']
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from irisplug.descriptors import (
    CalibratorDescriptor,
    CoalignerDescriptor,
    CommandDescriptor,
    FetcherDescriptor,
    FitterDescriptor,
    LineTemplateDescriptor,
    ReaderDescriptor,
    ViewerDescriptor,
    WriterDescriptor,
)
from irisplug.errors import *
from irisplug.errors import __all__ as _error_names
from irisplug.hookspecs import hookimpl
from irisplug.lazy_exports import lazy_exports

if TYPE_CHECKING:  # what the lazy names below are, for type checkers and IDEs (never imported at run time)
    from irisplug.atomic import atomic_path  # noqa: F401
    from irisplug.cluster import LIGHT_MONITORING, local_cluster  # noqa: F401
    from irisplug.cpus import usable_cpus  # noqa: F401
    from irisplug.dispatch.calibrate import calibrate, plan_calibration  # noqa: F401
    from irisplug.dispatch.methods import coalign, fetch, fit, view  # noqa: F401
    from irisplug.dispatch.read import choose_reader, read  # noqa: F401
    from irisplug.dispatch.write import choose_writer, write  # noqa: F401
    from irisplug.fileinfo import FileInfo, iter_fits_headers  # noqa: F401
    from irisplug.plugin_manager import PluginManager, get_plugin_manager, set_plugin_manager  # noqa: F401
    from irisplug.progress_bars import progress  # noqa: F401
    from irisplug.provenance import history, record_step  # noqa: F401
    from irisplug.sources import resolve_sources  # noqa: F401

__version__ = "0.1.0"

from irisplug.dispatch import _LAZY as _DISPATCH_NAMES

# Public names that live in modules importing more than the bare minimum;
# resolved on first attribute access so `import irisplug` stays fast.
_LAZY = {
    **_DISPATCH_NAMES,  # read, write, calibrate, fit, ...: irisplug.dispatch's table (that package imports nothing)
    "get_plugin_manager": "irisplug.plugin_manager",
    "set_plugin_manager": "irisplug.plugin_manager",
    "PluginManager": "irisplug.plugin_manager",
    "FileInfo": "irisplug.fileinfo",
    "iter_fits_headers": "irisplug.fileinfo",
    "atomic_path": "irisplug.atomic",
    "local_cluster": "irisplug.cluster",
    "LIGHT_MONITORING": "irisplug.cluster",
    "usable_cpus": "irisplug.cpus",
    "progress": "irisplug.progress_bars",
    "record_step": "irisplug.provenance",
    "history": "irisplug.provenance",
    "resolve_sources": "irisplug.sources",
}

__all__ = [
    "__version__",
    "hookimpl",
    "ReaderDescriptor",
    "WriterDescriptor",
    "CalibratorDescriptor",
    "FitterDescriptor",
    "ViewerDescriptor",
    "CoalignerDescriptor",
    "FetcherDescriptor",
    "CommandDescriptor",
    "LineTemplateDescriptor",
    *_error_names,
    *_LAZY,
]


#: submodules reachable as attributes after ``import irisplug`` alone (``irisplug.provenance.record_step``),
#: imported on first access: nothing imports them eagerly any more, so plugins that relied on that still work
_SUBMODULES = frozenset({"atomic", "cache", "cli", "cluster", "cpus", "descriptors", "dispatch", "errors", "fileinfo",
                         "hookspecs", "lazy_exports", "limits", "model", "plugin_manager", "progress_bars", "provenance",
                         "sources", "testing", "worker_malloc"})

_lazy_getattr, __dir__ = lazy_exports(__name__, _LAZY)


def __getattr__(name: str) -> Any:
    if name in _SUBMODULES:
        from importlib import import_module

        return import_module(f"{__name__}.{name}")  # the import binds it here too
    return _lazy_getattr(name)
