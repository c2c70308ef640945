"""Hook implementations of the irisplug-io plugin: the ``fits`` and ``asdf`` writers and the readers of their files.

Callables are ``"module:function"`` references, imported on first use, so
loading the plugin (``irisplug plugins``) imports none of its modules.
"""

from __future__ import annotations

import irisplug

__all__: list[str] = []


@irisplug.hookimpl
def irisplug_readers() -> list[irisplug.ReaderDescriptor]:
    return [
        irisplug.ReaderDescriptor(
            name="irisplug-fits",
            read="irisplug_io.fits_format:read_irisplug_fits",
            identify="irisplug_io.fits_format:identify_irisplug_fits",
            priority=20,
            extensions=(".fits",),
            description="FITS files written by irisplug's 'fits' writer (IRISPLUG keyword)",
        ),
        irisplug.ReaderDescriptor(
            name="irisplug-asdf",
            read="irisplug_io.asdf_format:read_irisplug_asdf",
            identify="irisplug_io.asdf_format:identify_irisplug_asdf",
            patterns=("*.asdf",),
            priority=20,
            extensions=(".asdf",),
            description="ASDF files written by irisplug's 'asdf' writer",
        ),
    ]


@irisplug.hookimpl
def irisplug_writers() -> list[irisplug.WriterDescriptor]:
    return [
        irisplug.WriterDescriptor(name="fits", write="irisplug_io.fits_format:write_fits", extensions=(".fits",),
                                  accepts="irisplug_io.fits_format:accepts_fits",
                                  description="any cube, sequence, Observation or NDCollection to FITS (data, mask, unit, "
                                              "uncertainty, per-exposure WCS, provenance)"),
        irisplug.WriterDescriptor(name="asdf", write="irisplug_io.asdf_format:write_asdf", extensions=(".asdf",),
                                  accepts="irisplug_io.asdf_format:accepts",
                                  description="any cube, sequence, Observation or NDCollection to ASDF through ndcube's "
                                              "converters (also cubes with a gwcs, e.g. IUVS)"),
    ]
