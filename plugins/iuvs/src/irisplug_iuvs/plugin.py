"""Hook implementations of the irisplug-iuvs plugin: the ``iuvs-l1b`` and ``iuvs-l1a`` readers."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import irisplug
from irisplug.descriptors import ReaderDescriptor
from irisplug_iuvs.identify import identify_l1a, identify_l1b

__all__ = ["read_many"]


def read_many(paths: list[Path], reader: Any, **kwargs: Any) -> Any:
    """One file -> its `IUVSProduct`; several -> an NDCollection of products keyed by file name.

    Examples
    --------
    >>> from pathlib import Path
    >>> sorted(read_many([Path("a"), Path("b")], lambda p: p.name))
    ['a', 'b']
    """
    from ndcube import NDCollection

    products = [(Path(p).name, reader(p, **kwargs)) for p in irisplug.progress(paths, desc="IUVS files", quiet=len(paths) < 5)]
    if len(products) == 1:
        return products[0][1]
    return NDCollection(products)


def _read_l1b(paths: list[Path], **kwargs: Any) -> Any:
    from irisplug_iuvs.l1b import read_l1b

    return read_many(paths, read_l1b, **kwargs)


def _read_l1a(paths: list[Path], **kwargs: Any) -> Any:
    from irisplug_iuvs.l1a import read_l1a

    return read_many(paths, read_l1a, **kwargs)


@irisplug.hookimpl
def irisplug_readers() -> list[ReaderDescriptor]:
    return [
        ReaderDescriptor(
            name="iuvs-l1b",
            read=_read_l1b,
            patterns=("mvn_iuv_l1b_*.fits", "mvn_iuv_l1b_*.fits.gz"),
            identify=identify_l1b,
            priority=10,
            extensions=(".fits.gz", ".fits"),
            description="MAVEN IUVS L1B (radiance, uncertainties, raw, darks, 9 tables) -> IUVSProduct",
        ),
        ReaderDescriptor(
            name="iuvs-l1a",
            read=_read_l1a,
            patterns=("mvn_iuv_l1a_*.fits", "mvn_iuv_l1a_*.fits.gz"),
            identify=identify_l1a,
            priority=10,
            extensions=(".fits.gz", ".fits"),
            description="MAVEN IUVS L1A (raw DN + tables) -> IUVSProduct",
        ),
    ]
