"""Errors specific to the SHOW plugin."""

from __future__ import annotations

from irisplug.errors import MissingExtensionError

__all__ = ["SHOWMissingVariableError"]


class SHOWMissingVariableError(MissingExtensionError):
    """A SHOW L0 group lacks a required variable (the message names the group and the variables).

    Examples
    --------
    >>> str(SHOWMissingVariableError("group 'g' lacks image", path="a.nc"))
    "a.nc: group 'g' lacks image"
    """
