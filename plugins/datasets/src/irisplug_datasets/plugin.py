"""Hook implementations of the irisplug-datasets plugin: ``irisplug extract``."""

from __future__ import annotations

import irisplug

__all__ = ["irisplug_commands"]


@irisplug.hookimpl
def irisplug_commands() -> list[irisplug.CommandDescriptor]:
    """``irisplug extract``."""
    from irisplug_datasets import cli

    return [irisplug.CommandDescriptor(name="extract", run=cli.run, add_arguments=cli.add_arguments,
                                       description="build one ML-ready zarr dataset of spectra from many observations")]
