"""Hook implementations of the irisplug-show plugin: the ``show-l0`` reader and the ``show-synthetic`` fetcher."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import irisplug
from irisplug.descriptors import FetcherDescriptor, ReaderDescriptor

__all__: list[str] = []


def _read(paths: list[Path], **kwargs: Any) -> Any:
    from irisplug_show.reader import read_show_l0

    return read_show_l0(paths, **kwargs)


def _identify(info: Any) -> bool:
    from irisplug_show.reader import identify_show_l0

    return identify_show_l0(info)


def _fetch(dest: Path, **kwargs: Any) -> list[Path]:
    from irisplug_show.generate import fetch_synthetic

    return fetch_synthetic(dest, **kwargs)


@irisplug.hookimpl
def irisplug_readers() -> list[ReaderDescriptor]:
    return [
        ReaderDescriptor(
            name="show-l0",
            read=_read,
            identify=_identify,
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
            fetch=_fetch,
            offline=True,
            description="Write a synthetic SHOW L0 file (darks, arm A/B flats, science) with known dark and flat",
        )
    ]
