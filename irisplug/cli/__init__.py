"""The ``irisplug`` command line."""

from irisplug.cli.main import main

__all__ = ["main"]
