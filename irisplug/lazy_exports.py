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

__all__ = ["lazy_exports", "moved_exports"]


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


def moved_exports(module: str, names: tuple[str, ...], target: str,
                  distribution: str) -> tuple[Callable[[str], Any], Callable[[], list[str]]]:
    """``(__getattr__, __dir__)`` of a deprecated module whose ``names`` moved to package ``target``.

    Every access warns (``DeprecationWarning`` naming the new home and its
    distribution) and returns ``target``'s value; other names raise
    ``AttributeError``.

    Examples
    --------
    >>> import warnings
    >>> getattr_, dir_ = moved_exports("old_mod", ("sqrt",), "math", "python")
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     value = getattr_("sqrt")(9.0)
    >>> value, str(caught[0].message), dir_()
    (3.0, 'old_mod.sqrt moved to math.sqrt (distribution python)', ['sqrt'])
    """
    import warnings

    def __getattr__(name: str) -> Any:
        if name not in names:
            raise AttributeError(f"module {module!r} has no attribute {name!r}")
        warnings.warn(f"{module}.{name} moved to {target}.{name} (distribution {distribution})",
                      DeprecationWarning, stacklevel=2)
        return getattr(import_module(target), name)

    def __dir__() -> list[str]:
        return sorted(names)

    return __getattr__, __dir__
