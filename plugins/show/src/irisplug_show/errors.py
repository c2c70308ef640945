"""Errors specific to the SHOW plugin."""

from __future__ import annotations

from irisplug.errors import InconsistentInputError, MissingExtensionError

__all__ = ["SHOWMissingVariableError", "SHOWEmptyGroupError"]


class SHOWMissingVariableError(MissingExtensionError):
    """A SHOW L0 group lacks a required variable (the message names the group and the variables).

    Examples
    --------
    >>> str(SHOWMissingVariableError("group 'g' lacks image", path="a.nc"))
    "a.nc: group 'g' lacks image"
    """


class SHOWEmptyGroupError(InconsistentInputError):
    """A SHOW L0 group holds no frames (its ``image`` has 0 frames); the message names the file and the group.

    :func:`read_group` raises it; :func:`read_show_l0` leaves such a group out, with a warning, when it reads
    every group of a file, and raises it when the group was asked for or no group holds frames.

    Examples
    --------
    >>> str(SHOWEmptyGroupError("group 'g' has no frames", path="a.nc"))
    "a.nc: group 'g' has no frames"
    """
