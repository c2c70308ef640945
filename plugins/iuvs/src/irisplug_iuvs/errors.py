"""Errors specific to the IUVS plugin (all derive from irisplug's hierarchy)."""

from __future__ import annotations

from irisplug.errors import IrisplugError, MissingExtensionError

__all__ = ["IUVSFilenameError", "IUVSMissingTableError"]


class IUVSFilenameError(IrisplugError, ValueError):
    """A file name does not follow the IUVS product naming convention.

    Examples
    --------
    >>> str(IUVSFilenameError("no level token", path="x.fits"))
    'x.fits: no level token'
    """


class IUVSMissingTableError(MissingExtensionError):
    """An IUVS product lacks a required HDU (image or table).

    Examples
    --------
    >>> isinstance(IUVSMissingTableError("no Binning table"), MissingExtensionError)
    True
    """
