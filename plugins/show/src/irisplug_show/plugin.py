"""Hook implementations of the irisplug-show plugin: the ``show-l0`` reader and the ``show-synthetic`` fetcher.

Callables are ``"module:function"`` references, imported on first use.
"""

from __future__ import annotations

import irisplug
from irisplug.descriptors import FetcherDescriptor, ReaderDescriptor

__all__: list[str] = []


@irisplug.hookimpl
def irisplug_readers() -> list[ReaderDescriptor]:
    return [
        ReaderDescriptor(
            name="show-l0",
            read="irisplug_show.reader:read_show_l0",
            identify="irisplug_show.reader:identify_show_l0",
            priority=10,
            extensions=(".nc",),
            description="SHOW level-0 netCDF-4 (one group per science group) -> NDCube / NDCollection by group",
        )
    ]


@irisplug.hookimpl
def irisplug_fetchers() -> list[FetcherDescriptor]:
    return [
        FetcherDescriptor(
            name="show-synthetic",
            fetch="irisplug_show.generate:fetch_synthetic",
            # fetch_synthetic passes its other keywords to the generator
            options=("irisplug_show.generate:generate",),
            offline=True,
            description="Write a synthetic SHOW L0 file (darks, arm A/B flats, science) with known dark and flat",
        )
    ]
