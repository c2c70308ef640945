"""Frozen descriptors that plugins contribute through the hook specifications.

A plugin never subclasses anything of the core: it returns instances of
these dataclasses from its hook implementations. The plugin manager checks
them, records which plugin contributed them, reports name clashes and shows
them in ``irisplug plugins``.

A callable field may hold the callable itself or a *reference*, the
string ``"package.module:attribute"`` (as napari's npe2 manifests name their
commands). A reference is checked for syntax only when the descriptor is
made, and imported on first use (:meth:`Descriptor.resolve`), so listing
plugins (``irisplug plugins``) imports none of their implementation modules.

Examples
--------
>>> from irisplug.descriptors import ReaderDescriptor
>>> def read_csv(paths):
...     return [p.read_text() for p in paths]
>>> ReaderDescriptor(name="my-csv", read=read_csv, patterns=("*.csv",)).name
'my-csv'
>>> lazy = ReaderDescriptor(name="my-json", read="json:load", patterns=("*.json",))
>>> lazy.read, lazy.resolve("read").__name__
('json:load', 'load')
"""

from __future__ import annotations

import keyword
import re
from collections.abc import Callable
from dataclasses import dataclass, field, fields
from typing import Any, ClassVar, TypeAlias

from irisplug.errors import PluginValidationError, UnresolvedReferenceError

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
    "LineTemplateDescriptor",
    "DESCRIPTOR_KINDS",
    "Ref",
    "is_reference",
    "resolve_reference",
]

#: A callable, or a ``"package.module:attribute"`` reference to one.
Ref: TypeAlias = Callable[..., Any] | str

_DOTTED = r"[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*"
_REFERENCE = re.compile(rf"^({_DOTTED}):({_DOTTED})$")


def is_reference(value: object) -> bool:
    """True when ``value`` is a syntactically valid ``"package.module:attribute"`` reference.

    Only the syntax is checked (no import): dotted Python identifiers, none a
    keyword, on both sides of one colon.

    Examples
    --------
    >>> is_reference("irisplug_fit.cube:fit_any"), is_reference("mod:Class.method")
    (True, True)
    >>> is_reference("irisplug_fit.cube.fit_any"), is_reference("mod:def")
    (False, False)
    """
    if not isinstance(value, str) or _REFERENCE.match(value) is None:
        return False
    return not any(keyword.iskeyword(part) for part in re.split(r"[.:]", value))


def resolve_reference(reference: str, *, plugin: str = "", what: str = "") -> Callable[..., Any]:
    """Import the callable a ``"package.module:attribute"`` reference names.

    Parameters
    ----------
    reference
        The reference, e.g. ``"irisplug_fit.cube:fit_any"``.
    plugin
        The plugin that declared it (named in the error).
    what
        What the reference is for, e.g. ``"reader 'iris-l2' read"`` (named in the error).

    Raises
    ------
    UnresolvedReferenceError
        The module does not import, lacks the attribute, or the attribute is
        not callable; the message names the plugin, the reference and why.

    Examples
    --------
    >>> resolve_reference("os.path:join")("a", "b") == __import__("os").path.join("a", "b")
    True
    >>> resolve_reference("os.path:no_such", plugin="demo", what="reader 'x' read")
    Traceback (most recent call last):
    ...
    irisplug.errors.UnresolvedReferenceError: reader 'x' read: the reference 'os.path:no_such' cannot be resolved: module 'os.path' has no attribute 'no_such' [plugin 'demo']
    """
    from importlib import import_module

    module_name, _, attr_path = reference.partition(":")
    where = f"{what}: " if what else ""
    try:
        obj: Any = import_module(module_name)
    except Exception as exc:
        raise UnresolvedReferenceError(
            f"{where}the reference {reference!r} cannot be resolved: importing {module_name!r} "
            f"raised {type(exc).__name__}: {exc}",
            plugin=plugin or None,
        ) from exc
    walked = module_name
    for part in attr_path.split("."):
        try:
            obj = getattr(obj, part)
        except AttributeError as exc:
            raise UnresolvedReferenceError(
                f"{where}the reference {reference!r} cannot be resolved: {_kind_of_holder(obj)} {walked!r} "
                f"has no attribute {part!r}",
                plugin=plugin or None,
            ) from exc
        walked = f"{walked}.{part}" if walked != module_name else f"{module_name}:{part}"
    if not callable(obj):
        raise UnresolvedReferenceError(
            f"{where}the reference {reference!r} names a {type(obj).__name__}, not a callable", plugin=plugin or None
        )
    return obj


def _kind_of_holder(obj: object) -> str:
    import types

    return "module" if isinstance(obj, types.ModuleType) else type(obj).__name__


def _check_name(kind: str, name: object) -> None:
    if not isinstance(name, str) or not name.strip() or name != name.strip():
        raise PluginValidationError(
            f"{kind} descriptor needs a non-empty name without surrounding spaces, got {name!r}"
        )


def _check_callable(kind: str, name: str, attr: str, value: object, *, optional: bool = False) -> None:
    if value is None and optional:
        return
    if isinstance(value, str):
        if not is_reference(value):
            raise PluginValidationError(
                f"{kind} {name!r}: {attr} must be a callable or a 'package.module:attribute' reference, got {value!r}"
            )
        return
    if not callable(value):
        raise PluginValidationError(
            f"{kind} {name!r}: {attr} must be callable or a 'package.module:attribute' reference, "
            f"got {type(value).__name__}"
        )


def _check_strings(kind: str, name: str, attr: str, value: object) -> None:
    if not isinstance(value, tuple) or not all(isinstance(v, str) for v in value):
        raise PluginValidationError(f"{kind} {name!r}: {attr} must be a tuple of str, got {value!r}")


@dataclass(frozen=True)
class Descriptor:
    """Fields every descriptor has.

    ``plugin`` and ``distribution`` are filled in by the plugin manager; a
    plugin need not set them.

    ``options`` declares the keywords the contribution's main callable takes
    when its signature cannot say (it ends in ``**kwargs``): plain names, or
    ``"package.module:function"`` references to the functions it passes them
    on to (their keyword-only and defaulted parameters count); ``None`` (the
    default) means "read them from the signature". Dispatch refuses any other
    keyword with :class:`~irisplug.errors.UnknownKeywordError`.
    """

    name: str
    description: str = field(default="", kw_only=True)
    options: tuple[str, ...] | None = field(default=None, kw_only=True)
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
        if self.options is not None:
            _check_strings(self.kind, self.name, "options", self.options)
            bad = [o for o in self.options if not (o.isidentifier() or is_reference(o))]
            if bad:
                raise PluginValidationError(
                    f"{self.kind} {self.name!r}: options must be keyword names or 'package.module:function' "
                    f"references, got {bad}"
                )
        object.__setattr__(self, "_resolved", {})

    def resolve(self, attr: str) -> Callable[..., Any] | None:
        """The callable in field ``attr``, importing it first if the field holds a reference.

        The result is cached on the descriptor, so a reference is imported
        once. Returns None for an optional callable that is not set.

        Raises
        ------
        UnresolvedReferenceError
            The reference cannot be imported; the message names the plugin,
            the contribution and the reference.

        Examples
        --------
        >>> FetcherDescriptor(name="x", fetch="os.path:join").resolve("fetch")("a", "b") == "a/b"
        True
        """
        value = getattr(self, attr)
        if not isinstance(value, str):
            return value
        cache: dict[str, Callable[..., Any]] = self.__dict__["_resolved"]
        found = cache.get(attr)
        if found is None:
            found = resolve_reference(value, plugin=self.plugin, what=f"{self.kind} {self.name!r} {attr}")
            cache[attr] = found
        return found

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
            if callable(value):  # a reference string is shown as written
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
        When it has a ``fileinfo`` parameter, dispatch passes
        ``fileinfo=[FileInfo, ...]`` (one per path, same order): the
        :class:`irisplug.FileInfo` that choosing the reader already filled,
        so headers are parsed once (``info.fits_headers()``).
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

    read: Ref = None  # type: ignore[assignment]
    patterns: tuple[str, ...] = ()
    identify: Ref | None = None
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

    write: Ref = None  # type: ignore[assignment]
    extensions: tuple[str, ...] = ()
    accepts: Ref | None = None
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
    are requested, ``before`` steps that must run after it (so a plugin can
    place its own step in front of another plugin's, e.g. an instrument's dark
    subtraction before the generic ``flat``); ``requires`` names steps that
    must have been applied already (in this call or recorded in the object's
    provenance).
    """

    apply: Ref = None  # type: ignore[assignment]
    after: tuple[str, ...] = ()
    before: tuple[str, ...] = ()
    requires: tuple[str, ...] = ()
    accepts: Ref | None = None
    version: str = ""

    kind = "calibrator"
    _callables = ("apply",)
    _optional_callables = ("accepts",)
    _string_tuples = ("after", "before", "requires")


@dataclass(frozen=True)
class FitterDescriptor(Descriptor):
    """A fitting method: ``fit(obj, **kwargs) -> object``."""

    fit: Ref = None  # type: ignore[assignment]
    accepts: Ref | None = None
    priority: int = 0

    kind = "fitter"
    _callables = ("fit",)
    _optional_callables = ("accepts",)


@dataclass(frozen=True)
class ViewerDescriptor(Descriptor):
    """A viewer: ``view(obj, **kwargs) -> object`` (a figure, a widget, a path)."""

    view: Ref = None  # type: ignore[assignment]
    accepts: Ref | None = None
    priority: int = 0

    kind = "viewer"
    _callables = ("view",)
    _optional_callables = ("accepts",)


@dataclass(frozen=True)
class CoalignerDescriptor(Descriptor):
    """A co-alignment method: ``coalign(target, reference, **kwargs) -> object``."""

    coalign: Ref = None  # type: ignore[assignment]
    accepts: Ref | None = None
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

    fetch: Ref = None  # type: ignore[assignment]
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

    run: Ref = None  # type: ignore[assignment]
    add_arguments: Ref | None = None

    kind = "command"
    _callables = ("run",)
    _optional_callables = ("add_arguments",)


@dataclass(frozen=True)
class LineTemplateDescriptor(Descriptor):
    """A spectral line template that an instrument plugin gives to fitters.

    ``build(name: str) -> object`` makes the template called ``name`` (for
    the ``fit`` plugin an ``irisplug_fit.Template``); it is called on first
    use only. ``windows`` lists the window labels (as the reader labels them)
    for which this template is the default when the user names none; the
    first template declaring a label wins. ``instrument`` names the
    instrument whose line list and instrumental widths the template carries.

    Examples
    --------
    >>> LineTemplateDescriptor(name="my_line", build="my_plugin.templates:build", windows=("My 1234",)).windows
    ('My 1234',)
    """

    build: Ref = None  # type: ignore[assignment]
    windows: tuple[str, ...] = ()
    instrument: str = ""

    kind = "line-template"
    _callables = ("build",)
    _string_tuples = ("windows",)


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
    "irisplug_line_templates": LineTemplateDescriptor,
}
