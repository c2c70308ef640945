"""Hook implementations: the ``spice-l2`` reader and the offline ``spice-synthetic`` generator.

Nothing but irisplug's public API (``irisplug.hookimpl``, the descriptors,
``irisplug.model``) is used.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import irisplug


def _identify(info: irisplug.FileInfo) -> bool:
    from irisplug_spice.reader import identify

    return identify(info)


def _read(paths: list[Path], **kwargs: Any) -> Any:
    from irisplug_spice.reader import read_spice_l2

    return read_spice_l2(paths, **kwargs)


def _fetch(dest: Path, **kwargs: Any) -> list[Path]:
    from irisplug_spice.generate import write_spice_l2

    return [write_spice_l2(dest, **kwargs)]


@irisplug.hookimpl
def irisplug_readers() -> list[irisplug.ReaderDescriptor]:
    return [irisplug.ReaderDescriptor(name="spice-l2", read=_read, identify=_identify, patterns=("solo_L2_spice-*.fits",),
                                      extensions=(".fits",), description="Solar Orbiter/SPICE level 2 rasters (sunraster)")]


@irisplug.hookimpl
def irisplug_fetchers() -> list[irisplug.FetcherDescriptor]:
    return [irisplug.FetcherDescriptor(name="spice-synthetic", fetch=_fetch, offline=True,
                                       description="a generated SPICE L2 raster file in the real layout")]
