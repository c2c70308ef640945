"""Hook specifications of irisplug.

A plugin is a module (or any object) with functions marked
``@irisplug.hookimpl`` whose names are the hook names below, advertised by an
entry point in the group ``irisplug``::

    [project.entry-points.irisplug]
    myplugin = "myplugin.plugin"

Contribution hooks return a list of frozen descriptors
(:mod:`irisplug.descriptors`); the plugin manager collects, checks and
indexes them by name. A descriptor names its callables directly or as
``"package.module:attribute"`` references imported on first use. Event hooks are called on every plugin that
implements them; one plugin's failure there never stops the others.

See ``docs/hooks.md`` for a complete example of each hook.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pluggy

from irisplug.descriptors import (
    CalibratorDescriptor,
    CoalignerDescriptor,
    CommandDescriptor,
    FetcherDescriptor,
    FitterDescriptor,
    LineTemplateDescriptor,
    ReaderDescriptor,
    ViewerDescriptor,
    WriterDescriptor,
)

__all__ = ["hookspec", "hookimpl", "PROJECT_NAME", "CONTRIBUTION_HOOKS", "EVENT_HOOKS"]

PROJECT_NAME = "irisplug"
hookspec = pluggy.HookspecMarker(PROJECT_NAME)
hookimpl = pluggy.HookimplMarker(PROJECT_NAME)


@hookspec
def irisplug_readers() -> Sequence[ReaderDescriptor]:
    """Return the file readers this plugin contributes.

    Examples
    --------
    >>> @hookimpl
    ... def irisplug_readers():
    ...     return [ReaderDescriptor(name="my-format", read=my_read, patterns=("*.my",))]
    """


@hookspec
def irisplug_writers() -> Sequence[WriterDescriptor]:
    """Return the writers this plugin contributes."""


@hookspec
def irisplug_calibrators() -> Sequence[CalibratorDescriptor]:
    """Return the calibration steps this plugin contributes."""


@hookspec
def irisplug_fitters() -> Sequence[FitterDescriptor]:
    """Return the fitting methods this plugin contributes."""


@hookspec
def irisplug_viewers() -> Sequence[ViewerDescriptor]:
    """Return the viewers this plugin contributes."""


@hookspec
def irisplug_coaligners() -> Sequence[CoalignerDescriptor]:
    """Return the co-alignment methods this plugin contributes."""


@hookspec
def irisplug_fetchers() -> Sequence[FetcherDescriptor]:
    """Return the data fetchers (or offline sample generators) this plugin contributes."""


@hookspec
def irisplug_commands() -> Sequence[CommandDescriptor]:
    """Return the ``irisplug`` CLI subcommands this plugin contributes."""


@hookspec
def irisplug_line_templates() -> Sequence[LineTemplateDescriptor]:
    """Return the spectral line templates this (instrument) plugin gives to fitters.

    Line lists, template shapes and instrumental widths are instrument
    knowledge: an instrument plugin declares them here, a fitter looks them
    up by name (``pm.get("line-template", name)``) or by window label
    (``descriptor.windows``) and builds one with ``descriptor.resolve("build")(name)``.

    Examples
    --------
    >>> @hookimpl
    ... def irisplug_line_templates():
    ...     return [LineTemplateDescriptor(name="my_line", build="my_plugin.templates:build", windows=("My 1234",))]
    """


@hookspec
def irisplug_after_read(obj: Any, paths: Sequence[Path], reader: str) -> None:
    """Called after ``irisplug.read`` built ``obj`` from ``paths`` with ``reader``.

    Use it to attach extra metadata, log, or validate. The return value is
    ignored; do not replace ``obj``.
    """


@hookspec
def irisplug_after_calibrate(obj: Any, step: str, params: dict[str, Any]) -> None:
    """Called after each calibration step ``step`` produced ``obj``."""


#: contribution hook names, in display order
CONTRIBUTION_HOOKS = (
    "irisplug_readers",
    "irisplug_writers",
    "irisplug_calibrators",
    "irisplug_fitters",
    "irisplug_viewers",
    "irisplug_coaligners",
    "irisplug_fetchers",
    "irisplug_commands",
    "irisplug_line_templates",
)
#: event hook names
EVENT_HOOKS = ("irisplug_after_read", "irisplug_after_calibrate")
