"""Hook implementations of the irisplug-io plugin: the ``fits`` and ``asdf`` writers and the readers of their files.

Nothing heavy is imported here: every callable is resolved on first use.
"""

from __future__ import annotations

from typing import Any

import irisplug

__all__: list[str] = []


def _lazy(module: str, name: str) -> Any:
    def call(*args: Any, **kwargs: Any) -> Any:
        from importlib import import_module

        return getattr(import_module(f"irisplug_io.{module}"), name)(*args, **kwargs)

    call.__qualname__ = call.__name__ = name
    call.__module__ = f"irisplug_io.{module}"
    return call


@irisplug.hookimpl
def irisplug_readers() -> list[irisplug.ReaderDescriptor]:
    return [
        irisplug.ReaderDescriptor(
            name="irisplug-fits",
            read=_lazy("fits_format", "read_irisplug_fits"),
            identify=_lazy("fits_format", "identify_irisplug_fits"),
            priority=20,
            extensions=(".fits",),
            description="FITS files written by irisplug's 'fits' writer (IRISPLUG keyword)",
        ),
        irisplug.ReaderDescriptor(
            name="irisplug-asdf",
            read=_lazy("asdf_format", "read_irisplug_asdf"),
            identify=_lazy("asdf_format", "identify_irisplug_asdf"),
            patterns=("*.asdf",),
            priority=20,
            extensions=(".asdf",),
            description="ASDF files written by irisplug's 'asdf' writer",
        ),
    ]


@irisplug.hookimpl
def irisplug_writers() -> list[irisplug.WriterDescriptor]:
    return [
        irisplug.WriterDescriptor(name="fits", write=_lazy("fits_format", "write_fits"), extensions=(".fits",),
                                  accepts=_lazy("fits_format", "accepts_fits"),
                                  description="any cube, sequence, Observation or NDCollection to FITS (data, mask, unit, "
                                              "uncertainty, per-exposure WCS, provenance)"),
        irisplug.WriterDescriptor(name="asdf", write=_lazy("asdf_format", "write_asdf"), extensions=(".asdf",),
                                  accepts=_lazy("asdf_format", "accepts"),
                                  description="any cube, sequence, Observation or NDCollection to ASDF through ndcube's "
                                              "converters (also cubes with a gwcs, e.g. IUVS)"),
    ]
