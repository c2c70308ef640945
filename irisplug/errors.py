"""The irisplug exception hierarchy.

Every error irisplug or a plugin raises on bad input derives from
:class:`IrisplugError`. Messages name the file, the plugin where one is
involved, and what to do about it.
"""

from __future__ import annotations

from os import PathLike

__all__ = [
    "IrisplugError",
    "UnknownFormatError",
    "AmbiguousFormatError",
    "MixedSourceError",
    "CorruptFileError",
    "TruncatedFileError",
    "MissingKeywordError",
    "MissingExtensionError",
    "InconsistentInputError",
    "PluginError",
    "PluginLoadError",
    "PluginValidationError",
    "PluginNameClashError",
    "UnresolvedReferenceError",
    "UnknownKeywordError",
    "UnknownContributionError",
    "UnsupportedObjectError",
    "CalibrationError",
    "FileExistsIrisplugError",
]


class IrisplugError(Exception):
    """Base class of every irisplug error.

    Parameters
    ----------
    message
        What went wrong and what to do.
    path
        The file concerned, if any; it is prefixed to the message.
    plugin
        The plugin concerned, if any.

    Examples
    --------
    >>> try:
    ...     raise CorruptFileError("header ends early", path="a.fits")
    ... except IrisplugError as err:
    ...     print(err)
    a.fits: header ends early
    """

    def __init__(
        self,
        message: str,
        *,
        path: str | PathLike | None = None,
        plugin: str | None = None,
    ) -> None:
        self.message = message
        self.path = None if path is None else str(path)
        self.plugin = plugin
        prefix = f"{self.path}: " if self.path else ""
        suffix = f" [plugin {plugin!r}]" if plugin else ""
        super().__init__(f"{prefix}{message}{suffix}")


class UnknownFormatError(IrisplugError, ValueError):
    """No reader (or writer) recognises the input; the message lists the known formats."""


class AmbiguousFormatError(IrisplugError, ValueError):
    """More than one reader claims the input with equal priority; pass ``format=``."""


class MixedSourceError(IrisplugError, ValueError):
    """The files of one call belong to different formats or observations."""


class CorruptFileError(IrisplugError, OSError):
    """A file is not what its name or header says, or cannot be decoded."""


class TruncatedFileError(CorruptFileError):
    """A file is shorter than its header declares."""


class MissingKeywordError(IrisplugError, KeyError):
    """A required header keyword is absent."""

    def __str__(self) -> str:  # KeyError would otherwise repr() the message
        return Exception.__str__(self)


class MissingExtensionError(CorruptFileError):
    """A required extension (HDU, table, group or variable) is absent."""


class InconsistentInputError(IrisplugError, ValueError):
    """Inputs that must agree do not (shapes, OBSIDs, exposure times, dates)."""


class PluginError(IrisplugError):
    """A plugin failed; raised only in strict mode, otherwise recorded."""


class PluginLoadError(PluginError, ImportError):
    """A plugin's entry point could not be imported or registered."""


class PluginValidationError(PluginError, TypeError):
    """A plugin returned a contribution that is not a valid descriptor."""


class PluginNameClashError(PluginError):
    """Two plugins contribute the same name for the same kind of contribution."""


class UnresolvedReferenceError(PluginLoadError):
    """A descriptor's ``"package.module:attribute"`` reference cannot be imported when first used."""


class UnknownKeywordError(IrisplugError, TypeError):
    """A keyword the chosen contribution does not take; the message names it and the valid ones."""


class UnknownContributionError(IrisplugError, LookupError):
    """A reader, writer, calibrator, fitter, viewer, co-aligner or command name is unknown."""


class UnsupportedObjectError(IrisplugError, TypeError):
    """An object was given to a step that cannot handle its type."""


class CalibrationError(IrisplugError, ValueError):
    """A calibration step cannot be applied (no matching dark, empty flat, ...)."""


class FileExistsIrisplugError(IrisplugError, FileExistsError):
    """The output exists and ``overwrite=True`` was not given."""


class SourceNotFoundError(IrisplugError, FileNotFoundError):
    """A path given to ``irisplug.read`` does not exist."""


__all__ += ["SourceNotFoundError"]


class IrisplugWarning(UserWarning):
    """Base class of irisplug's warnings."""


class UnreadFilesWarning(IrisplugWarning):
    """Files inside a directory or archive were left out because no reader knows their format."""


class LeapSecondWarning(IrisplugWarning):
    """A time inside a leap second was converted to a type that has none (numpy ``datetime64``): it reads as the
    same fraction of the next second, astropy's ``Time.to_datetime`` convention."""


__all__ += ["IrisplugWarning", "UnreadFilesWarning", "LeapSecondWarning"]


class LimitExceededError(IrisplugError, OSError):
    """An input exceeds a resource limit (see :mod:`irisplug.limits`); the message names the knob to raise."""


class NotARegularFileError(IrisplugError, OSError):
    """A path names a FIFO, socket or device, which irisplug never opens (it could block forever)."""


class PluginCallError(PluginError):
    """A plugin's reader, writer, calibrator or other callable raised; the original is chained as ``__cause__``."""


class PluginTimeoutError(PluginError, TimeoutError):
    """A plugin's ``identify`` did not return within ``IRISPLUG_IDENTIFY_TIMEOUT`` seconds."""


class WriteError(IrisplugError, OSError):
    """Writing the target file failed (read-only directory, disk full, ...); the message names the target."""


class PluginShadowingWarning(IrisplugWarning):
    """A contribution used by this call comes from a plugin that took a name another plugin also contributes."""


__all__ += ["LimitExceededError", "NotARegularFileError", "PluginCallError", "PluginTimeoutError", "WriteError", "PluginShadowingWarning"]


class InvalidArgumentError(IrisplugError, TypeError):
    """A call's arguments do not fit: an unknown keyword, a missing required one, a value of the wrong type."""


__all__ += ["InvalidArgumentError"]


class DownloadError(IrisplugError, OSError):
    """A download failed (HTTP error, unreachable server, truncated transfer, not a data file).

    ``path`` holds the URL; the message says what to do (check the URL, retry).
    """


class RemoteServiceError(IrisplugError, OSError):
    """A search service is down, answered with an error page, or sent a reply that cannot be parsed."""


__all__ += ["DownloadError", "RemoteServiceError"]


class _PlainMessageKeyError(KeyError):
    """A ``KeyError`` whose ``str`` is its message (``KeyError`` shows the repr of its argument)."""

    def __str__(self) -> str:
        return Exception.__str__(self)


class UnknownWindowError(IrisplugError, _PlainMessageKeyError):
    """A window label an observation (or the files being read) does not hold; the message lists the labels.

    Also a ``KeyError``, as the mapping access ``obs[label]`` promises.
    """


class UnknownCoordinateError(IrisplugError, _PlainMessageKeyError):
    """An object has no per-exposure coordinate of that name; the message lists those it has (also a ``KeyError``)."""


class IndexOutOfRangeError(IrisplugError, IndexError):
    """An index (frame, exposure, file, raster position) outside what the object holds; the message gives the range.

    Also an ``IndexError``, so code written against Python's sequences keeps working.
    """


class WavelengthOutOfRangeError(IrisplugError, ValueError):
    """A wavelength outside a spectral window by more than half a pixel; the message gives the window's range."""


class CropOutOfRangeError(IrisplugError, ValueError):
    """A crop whose world points all lie outside the object along an axis (ndcube's ``ValueError`` for a crop
    outside the cube); the message gives the object's range."""


__all__ += ["UnknownWindowError", "UnknownCoordinateError", "IndexOutOfRangeError", "WavelengthOutOfRangeError",
            "CropOutOfRangeError"]
