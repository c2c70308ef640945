"""Frozen descriptors that plugins contribute through the hook specifications.

A plugin never subclasses anything of the core: it returns instances of
these dataclasses from its hook implementations. The plugin manager checks
them, records which plugin contributed them, reports name clashes and shows
them in ``irisplug plugins``.

Examples
--------
>>> from irisplug.descriptors import ReaderDescriptor
>>> def read_csv(paths, **kw):
...     return [p.read_text() for p in paths]
>>> ReaderDescriptor(name="my-csv", read=read_csv, patterns=("*.csv",)).name
'my-csv'
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, fields
from typing import Any, ClassVar

from irisplug.errors import PluginValidationError

__all__ = [
    "Descriptor",
    "ReaderDescriptor",
    "WriterDescriptor",
    "CalibratorDescriptor",
    "FitterDescriptor",
    "ViewerDescriptor",
    "CoalignerDescriptor",
    "FetcherDescriptor",
    "CommandDescriptor",
    "DESCRIPTOR_KINDS",
]


def _check_name(kind: str, name: object) -> None:
    if not isinstance(name, str) or not name.strip() or name != name.strip():
        raise PluginValidationError(
            f"{kind} descriptor needs a non-empty name without surrounding spaces, got {name!r}"
        )


def _check_callable(kind: str, name: str, attr: str, value: object, *, optional: bool = False) -> None:
    if value is None and optional:
        return
    if not callable(value):
        raise PluginValidationError(f"{kind} {name!r}: {attr} must be callable, got {type(value).__name__}")


def _check_strings(kind: str, name: str, attr: str, value: object) -> None:
    if not isinstance(value, tuple) or not all(isinstance(v, str) for v in value):
        raise PluginValidationError(f"{kind} {name!r}: {attr} must be a tuple of str, got {value!r}")


@dataclass(frozen=True)
class Descriptor:
    """Fields every descriptor has.

    ``plugin`` and ``distribution`` are filled in by the plugin manager; a
    plugin need not set them.
    """

    name: str
    description: str = field(default="", kw_only=True)
    plugin: str = field(default="", kw_only=True, compare=False)
    distribution: str = field(default="", kw_only=True, compare=False)

    kind: ClassVar[str] = "contribution"
    _callables: ClassVar[tuple[str, ...]] = ()
    _optional_callables: ClassVar[tuple[str, ...]] = ()
    _string_tuples: ClassVar[tuple[str, ...]] = ()

    def __post_init__(self) -> None:
        _check_name(self.kind, self.name)
        for attr in self._callables:
            _check_callable(self.kind, self.name, attr, getattr(self, attr))
        for attr in self._optional_callables:
            _check_callable(self.kind, self.name, attr, getattr(self, attr), optional=True)
        for attr in self._string_tuples:
            _check_strings(self.kind, self.name, attr, getattr(self, attr))
        if not isinstance(self.description, str):
            raise PluginValidationError(f"{self.kind} {self.name!r}: description must be str")

    def summary(self) -> dict[str, Any]:
        """A JSON-friendly summary of the descriptor (callables shown by name).

        Examples
        --------
        >>> FetcherDescriptor(name="x", fetch=print).summary()["fetch"]
        'print'
        """
        out: dict[str, Any] = {}
        for f in fields(self):
            value = getattr(self, f.name)
            if callable(value):
                value = getattr(value, "__qualname__", repr(value))
            elif isinstance(value, tuple):
                value = list(value)
            out[f.name] = value
        return out


@dataclass(frozen=True)
class ReaderDescriptor(Descriptor):
    """A file reader.

    Parameters
    ----------
    name
        The format name users pass as ``irisplug.read(..., format=name)``.
    read
        ``read(paths: list[pathlib.Path], **kwargs) -> object``. It receives
        every file of the call that this reader was chosen for (one or many).
    patterns
        ``fnmatch`` patterns on the file name (not the directory) that make
        this reader a candidate without opening the file.
    identify
        ``identify(info: irisplug.FileInfo) -> bool``; must be cheap and read
        headers only (``info.fits_header()``, ``info.head()``).
    priority
        Breaks ties when several readers identify the same file.
    extensions
        File name endings shown in ``irisplug formats``.
    """

    read: Callable[..., Any] = None  # type: ignore[assignment]
    patterns: tuple[str, ...] = ()
    identify: Callable[..., bool] | None = None
    priority: int = 0
    extensions: tuple[str, ...] = ()

    kind = "reader"
    _callables = ("read",)
    _optional_callables = ("identify",)
    _string_tuples = ("patterns", "extensions")


@dataclass(frozen=True)
class WriterDescriptor(Descriptor):
    """A writer.

    ``write(obj, path: pathlib.Path, **kwargs) -> None`` writes to the path it
    is given: the core hands it a temporary file next to the destination and
    renames it into place only when ``write`` returns, so a failing writer
    never leaves a half-written file.

    ``accepts(obj) -> bool`` says whether the writer can store the object;
    ``extensions`` (with the dot, e.g. ``".fits"``) select the writer from the
    destination name.
    """

    write: Callable[..., Any] = None  # type: ignore[assignment]
    extensions: tuple[str, ...] = ()
    accepts: Callable[[Any], bool] | None = None
    priority: int = 0

    kind = "writer"
    _callables = ("write",)
    _optional_callables = ("accepts",)
    _string_tuples = ("extensions",)


@dataclass(frozen=True)
class CalibratorDescriptor(Descriptor):
    """One calibration step.

    ``apply(obj, **params) -> object`` returns a new object and never changes
    its input. ``after`` names steps that must run before this one when both
    are requested; ``requires`` names steps that must have been applied
    already (in this call or recorded in the object's provenance).
    """

    apply: Callable[..., Any] = None  # type: ignore[assignment]
    after: tuple[str, ...] = ()
    requires: tuple[str, ...] = ()
    accepts: Callable[[Any], bool] | None = None
    version: str = ""

    kind = "calibrator"
    _callables = ("apply",)
    _optional_callables = ("accepts",)
    _string_tuples = ("after", "requires")


@dataclass(frozen=True)
class FitterDescriptor(Descriptor):
    """A fitting method: ``fit(obj, **kwargs) -> object``."""

    fit: Callable[..., Any] = None  # type: ignore[assignment]
    accepts: Callable[[Any], bool] | None = None
    priority: int = 0

    kind = "fitter"
    _callables = ("fit",)
    _optional_callables = ("accepts",)


@dataclass(frozen=True)
class ViewerDescriptor(Descriptor):
    """A viewer: ``view(obj, **kwargs) -> object`` (a figure, a widget, a path)."""

    view: Callable[..., Any] = None  # type: ignore[assignment]
    accepts: Callable[[Any], bool] | None = None
    priority: int = 0

    kind = "viewer"
    _callables = ("view",)
    _optional_callables = ("accepts",)


@dataclass(frozen=True)
class CoalignerDescriptor(Descriptor):
    """A co-alignment method: ``coalign(target, reference, **kwargs) -> object``."""

    coalign: Callable[..., Any] = None  # type: ignore[assignment]
    accepts: Callable[[Any, Any], bool] | None = None
    priority: int = 0

    kind = "coaligner"
    _callables = ("coalign",)
    _optional_callables = ("accepts",)


@dataclass(frozen=True)
class FetcherDescriptor(Descriptor):
    """A data source: ``fetch(dest: pathlib.Path, **kwargs) -> list[pathlib.Path]``.

    ``offline=True`` marks fetchers that need no network (sample generators),
    which ``irisplug demo`` may use.
    """

    fetch: Callable[..., Any] = None  # type: ignore[assignment]
    offline: bool = False

    kind = "fetcher"
    _callables = ("fetch",)


@dataclass(frozen=True)
class CommandDescriptor(Descriptor):
    """A CLI subcommand ``irisplug NAME``.

    ``add_arguments(parser: argparse.ArgumentParser) -> None`` declares its
    options; ``run(args: argparse.Namespace) -> int | None`` runs it and
    returns the exit status.
    """

    run: Callable[..., Any] = None  # type: ignore[assignment]
    add_arguments: Callable[..., Any] | None = None

    kind = "command"
    _callables = ("run",)
    _optional_callables = ("add_arguments",)


#: hook name -> descriptor class, in the order ``irisplug plugins`` shows them.
DESCRIPTOR_KINDS: dict[str, type[Descriptor]] = {
    "irisplug_readers": ReaderDescriptor,
    "irisplug_writers": WriterDescriptor,
    "irisplug_calibrators": CalibratorDescriptor,
    "irisplug_fitters": FitterDescriptor,
    "irisplug_viewers": ViewerDescriptor,
    "irisplug_coaligners": CoalignerDescriptor,
    "irisplug_fetchers": FetcherDescriptor,
    "irisplug_commands": CommandDescriptor,
}
