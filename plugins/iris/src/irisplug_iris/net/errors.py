"""Errors of the IRIS archive client (all in :class:`irisplug.IrisplugError`'s hierarchy)."""

from __future__ import annotations

from irisplug.errors import IrisplugError, RemoteServiceError

__all__ = ["HCRError", "NoFilesError"]


class HCRError(RemoteServiceError):
    """The LMSAL Heliophysics Coverage Registry is down, sent an error page, or sent malformed JSON."""


class NoFilesError(IrisplugError, LookupError):
    """An observation's data directory is missing or lists no Level 2 files."""
