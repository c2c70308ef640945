"""Argument types for ``irisplug`` commands: outputs and numbers checked while parsing, before any work.

A command declares what an option must be with ``type=``; argparse then
refuses a bad value at once, naming the option (``irisplug fit: error:
argument --out: ...``, exit status 2), before anything is read, fitted or
written. Plugins' commands use the same types (``irisplug.cli.arguments`` is
public API), so every command that writes refuses the same things:

- an output file whose directory does not exist (nothing is created for it:
  ``--out /nonexistent/f.fits`` never makes ``/nonexistent``), is not a
  directory, or is not writable; an output that is a directory, a FIFO or a
  device; an output whose suffix no writer of the command takes;
- an output directory whose parent does not exist (only the last level is
  created) or that is a file;
- numbers outside their range (``--fps 0``), NaN, infinities, and words.

An output file that exists is refused after parsing unless the command was
given ``--overwrite`` (:func:`check_existing_outputs`, called by
:func:`irisplug.cli.main`).
"""

from __future__ import annotations

import argparse
import math
import os
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

__all__ = [
    "OutputPath",
    "output_file",
    "output_directory",
    "number",
    "positive_float",
    "positive_int",
    "nonnegative_int",
    "fraction",
    "check_existing_outputs",
]


class OutputPath(str):
    """A validated output path (a ``str``); ``kind`` is ``"file"`` or ``"directory"``."""

    kind: str = "file"


def _writable_directory(directory: Path, what: str) -> None:
    shown = str(directory) or "."
    if not directory.exists():
        raise argparse.ArgumentTypeError(f"the directory {shown!r} of {what} does not exist; create it first")
    if not directory.is_dir():
        raise argparse.ArgumentTypeError(f"{shown!r} (the directory of {what}) is not a directory")
    if not os.access(directory, os.W_OK | os.X_OK):
        raise argparse.ArgumentTypeError(f"the directory {shown!r} of {what} is not writable")


def output_file(suffixes: Iterable[str] | Callable[[], Iterable[str]] | None = None) -> Callable[[str], OutputPath]:
    """An argparse ``type`` for an output file: its directory exists and is writable, its suffix is known.

    Parameters
    ----------
    suffixes
        The accepted suffixes (``".fits"``, ``".fits.gz"``, case-insensitive),
        or a function returning them (called only when the option is given,
        e.g. to ask the plugin manager for its writers' extensions); None
        accepts any suffix.

    Examples
    --------
    >>> import argparse, tempfile
    >>> p = argparse.ArgumentParser(prog="demo", exit_on_error=False)
    >>> _ = p.add_argument("--out", type=output_file([".gif", ".mp4"]))
    >>> d = tempfile.mkdtemp()
    >>> p.parse_args(["--out", f"{d}/m.gif"]).out.endswith("m.gif")
    True
    >>> try:
    ...     p.parse_args(["--out", f"{d}/m.txt"])
    ... except argparse.ArgumentError as err:
    ...     print(str(err).split(": ", 1)[0], "...", str(err).split("; ")[-1])
    argument --out ... use one of .gif, .mp4
    """

    def check(value: str) -> OutputPath:
        if not value:
            raise argparse.ArgumentTypeError("an empty file name")
        path = Path(value)
        if path.is_dir():
            raise argparse.ArgumentTypeError(f"{value!r} is a directory; give a file name")
        if path.exists() and not path.is_file():
            raise argparse.ArgumentTypeError(f"{value!r} is not a regular file (a FIFO, socket or device)")
        known = list(suffixes() if callable(suffixes) else suffixes) if suffixes is not None else None
        if known is not None and not any(path.name.lower().endswith(s.lower()) for s in known):
            raise argparse.ArgumentTypeError(
                f"{value!r}: unsupported file type {''.join(path.suffixes) or '(no suffix)'}; "
                f"use one of {', '.join(sorted(set(known)))}"
            )
        _writable_directory(path.parent, repr(value))
        out = OutputPath(value)
        out.kind = "file"
        return out

    return check


def output_directory(value: str) -> OutputPath:
    """An argparse ``type`` for an output directory: it exists, or its parent does (only it is created).

    Examples
    --------
    >>> try:
    ...     output_directory("/nonexistent-irisplug/results")
    ... except argparse.ArgumentTypeError as err:
    ...     print(err)
    the directory '/nonexistent-irisplug' of '/nonexistent-irisplug/results' does not exist; create it first
    """
    if not value:
        raise argparse.ArgumentTypeError("an empty directory name")
    path = Path(value)
    if path.exists():
        if not path.is_dir():
            raise argparse.ArgumentTypeError(f"{value!r} exists and is not a directory")
        _writable_directory(path, repr(value))
    else:
        _writable_directory(path.parent, repr(value))
    out = OutputPath(value)
    out.kind = "directory"
    return out


def number(
    kind: type = float, *, min: float | None = None, max: float | None = None, min_inclusive: bool = True
) -> Callable[[str], Any]:
    """An argparse ``type`` for a finite ``int`` or ``float`` in a range.

    Examples
    --------
    >>> number(float, min=0, min_inclusive=False)("2.5")
    2.5
    >>> try:
    ...     number(float, min=0, min_inclusive=False)("0")
    ... except argparse.ArgumentTypeError as err:
    ...     print(err)
    must be > 0, got '0'
    """

    def check(value: str) -> Any:
        try:
            x = kind(value)
        except (TypeError, ValueError):
            name = "an integer" if kind is int else "a number"
            raise argparse.ArgumentTypeError(f"must be {name}, got {value!r}") from None
        if not math.isfinite(x):
            raise argparse.ArgumentTypeError(f"must be a finite number, got {value!r}")
        if min is not None and (x < min or (x == min and not min_inclusive)):
            raise argparse.ArgumentTypeError(f"must be {'>=' if min_inclusive else '>'} {min:g}, got {value!r}")
        if max is not None and x > max:
            raise argparse.ArgumentTypeError(f"must be <= {max:g}, got {value!r}")
        return x

    check.__name__ = kind.__name__  # argparse names the type in its own messages
    return check


#: a float > 0 (frames per second, dots per inch, ...)
positive_float = number(float, min=0, min_inclusive=False)
#: an int >= 1 (counts, sizes)
positive_int = number(int, min=1)
#: an int >= 0 (indices)
nonnegative_int = number(int, min=0)
#: a float in [0, 1]
fraction = number(float, min=0, max=1)


def _option_name(parser: argparse.ArgumentParser, dest: str) -> str:
    for action in parser._actions:
        if action.dest == dest and action.option_strings:
            return max(action.option_strings, key=len)
    return dest


def check_existing_outputs(parser: argparse.ArgumentParser, args: argparse.Namespace) -> None:
    """Refuse (``parser.error``, exit status 2) an output file that exists when ``--overwrite`` was not given.

    Only options whose ``type`` is :func:`output_file` are checked, and only
    for a command that has an ``--overwrite`` option.
    """
    if not hasattr(args, "overwrite") or args.overwrite:
        return
    for dest, value in vars(args).items():
        if isinstance(value, OutputPath) and value.kind == "file" and os.path.lexists(value):
            parser.error(f"argument {_option_name(parser, dest)}: {value!r} exists; pass --overwrite to replace it")
