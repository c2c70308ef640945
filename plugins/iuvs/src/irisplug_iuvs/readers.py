"""The reader callables of the ``iuvs-l1b`` and ``iuvs-l1a`` contributions: many files at once.

Examples
--------
>>> from pathlib import Path
>>> sorted(read_many([Path("a"), Path("b")], lambda p: p.name))
['a', 'b']
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import irisplug

__all__ = ["read_many", "read_l1b_files", "read_l1a_files"]


def read_many(paths: Sequence[str | Path], reader: Callable[..., Any], **kwargs: Any) -> Any:
    """One file -> its `IUVSProduct`; several -> an NDCollection of products keyed by file name."""
    from ndcube import NDCollection

    products = [(Path(p).name, reader(p, **kwargs)) for p in irisplug.progress(paths, desc="IUVS files", quiet=len(paths) < 5)]
    if len(products) == 1:
        return products[0][1]
    return NDCollection(products)


def read_l1b_files(paths: Sequence[str | Path], *, lazy: bool = True, strict: bool = True) -> Any:
    """:func:`irisplug_iuvs.l1b.read_l1b` on each file (``iuvs-l1b``)."""
    from irisplug_iuvs.l1b import read_l1b

    return read_many(paths, read_l1b, lazy=lazy, strict=strict)


def read_l1a_files(paths: Sequence[str | Path], *, lazy: bool = True) -> Any:
    """:func:`irisplug_iuvs.l1a.read_l1a` on each file (``iuvs-l1a``)."""
    from irisplug_iuvs.l1a import read_l1a

    return read_many(paths, read_l1a, lazy=lazy)
