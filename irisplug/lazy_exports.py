"""Public names of a package imported on first use (PEP 562), for the core and for plugins.

Examples
--------
In a package's ``__init__.py``::

    from irisplug.lazy_exports import lazy_exports

    _LAZY = {"quicklook": "irisplug_view.quicklook"}
    __all__ = list(_LAZY)
    __getattr__, __dir__ = lazy_exports(__name__, _LAZY)
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Mapping
from importlib import import_module
from typing import Any

__all__ = ["lazy_exports"]


def lazy_exports(package: str, names: Mapping[str, str]) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """``(__getattr__, __dir__)`` for ``package`` whose ``names`` (name -> module) load on first access.

    The first access imports the module and caches the value in the
    package, so later accesses cost nothing. An unknown name raises
    ``AttributeError`` naming the package.

    Examples
    --------
    >>> import types
    >>> pkg = types.ModuleType("demo_pkg")
    >>> sys.modules["demo_pkg"] = pkg
    >>> getattr_, dir_ = lazy_exports("demo_pkg", {"sqrt": "math"})
    >>> getattr_("sqrt")(4.0), "sqrt" in dir_()
    (2.0, True)
    """

    def __getattr__(name: str) -> Any:
        module = names.get(name)
        if module is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(import_module(module), name)
        setattr(sys.modules[package], name, value)
        return value

    def __dir__() -> list[str]:
        return sorted(set(vars(sys.modules[package])) | set(names))

    return __getattr__, __dir__
