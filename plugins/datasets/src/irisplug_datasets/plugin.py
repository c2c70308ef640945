"""Hook implementations of the irisplug-datasets plugin: ``irisplug extract``."""

from __future__ import annotations

import irisplug

__all__ = ["irisplug_commands"]


@irisplug.hookimpl
def irisplug_commands() -> list[irisplug.CommandDescriptor]:
    """``irisplug extract``."""
    return [irisplug.CommandDescriptor(name="extract", run="irisplug_datasets.cli:run",
                                       add_arguments="irisplug_datasets.cli:add_arguments",
                                       description="build one ML-ready zarr dataset of spectra from many observations")]
