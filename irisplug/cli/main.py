"""``irisplug`` command: core subcommands plus those contributed by plugins."""

from __future__ import annotations

import argparse
import functools
import os
import re
import sys
import traceback
from collections.abc import Sequence
from typing import Any

from irisplug.cli import builtin

__all__ = ["main", "build_parser", "version_text", "cli_message"]


def build_parser(manager: Any = None, command: str | None = None) -> argparse.ArgumentParser:
    """The argument parser with core and plugin subcommands.

    A plugin command's arguments are added (its ``add_arguments`` imported
    and called) only for ``command``, the one being run, or for every
    command when ``command`` is None; so ``irisplug plugins`` imports no
    plugin's implementation.

    Examples
    --------
    >>> parser = build_parser()
    >>> parser.parse_args(["plugins", "--json"]).json
    True
    """
    from irisplug.plugin_manager import get_plugin_manager

    pm = manager or get_plugin_manager()
    parser = argparse.ArgumentParser(
        prog="irisplug", description="Solar and planetary spectrograph data, through plugins."
    )
    parser.add_argument(
        "--version", action=_VersionAction, manager=pm, help="show the core's and every plugin's version and exit"
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, (help_text, add, run) in builtin.COMMANDS.items():
        p = sub.add_parser(name, help=help_text, description=help_text)
        add(p)
        p.set_defaults(_run=run)
    for name, desc in sorted(pm.contributions("command").items()):
        if name in builtin.COMMANDS:
            continue
        p = sub.add_parser(name, help=f"{desc.description} [plugin {desc.plugin}]", description=desc.description)
        if desc.add_arguments is not None and command in (None, name):
            pm.call_contribution_safely(desc, "add_arguments", p)
        p.set_defaults(_run=functools.partial(_run_contributed, desc))
    return parser


def _run_contributed(desc: Any, args: argparse.Namespace) -> Any:
    return desc.resolve("run")(args)


def _command_of(argv: Sequence[str]) -> str | None:
    """The subcommand named in ``argv`` (its first word that is not an option)."""
    return next((a for a in argv if not a.startswith("-")), None)


def _version() -> str:
    import irisplug

    return irisplug.__version__


def version_text(manager=None) -> str:
    """The core's version, then one line per plugin: name, distribution, version and status.

    Examples
    --------
    >>> import irisplug
    >>> from irisplug.plugin_manager import PluginManager
    >>> version_text(PluginManager(entry_points=False)) == f"irisplug {irisplug.__version__}"
    True
    """
    from irisplug.plugin_manager import get_plugin_manager

    pm = manager or get_plugin_manager()
    lines = [f"irisplug {_version()}"]
    for rec in sorted(pm.records, key=lambda r: r.name):
        status = "" if rec.status == "active" else f" ({rec.status})"
        lines.append(f"  {rec.name}: {rec.distribution} {rec.version or '?'}{status}")
    return "\n".join(lines)


class _VersionAction(argparse.Action):
    """``--version``: like argparse's, but the plugin list is built only when asked."""

    def __init__(self, option_strings, dest=argparse.SUPPRESS, default=argparse.SUPPRESS, manager=None, help=None):
        super().__init__(option_strings, dest=dest, default=default, nargs=0, help=help)
        self.manager = manager

    def __call__(self, parser, namespace, values, option_string=None):
        print(version_text(self.manager))
        parser.exit()


def _subparser(parser: argparse.ArgumentParser, name: str | None) -> argparse.ArgumentParser | None:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            return action.choices.get(name) if name else None
    return None


_KEYWORD = re.compile(r"\b([a-z][a-z0-9_]*)=(True|NAME|\.\.\.|'[^']*'|\"[^\"]*\"|[^\s,;:)]*)")


def cli_message(text: str, parser: argparse.ArgumentParser | None) -> str:
    """``text`` with the Python keywords of the command's options written as its flags.

    Error messages are written for the Python API (``pass overwrite=True``,
    ``pass format=NAME``); on the command line the same advice is a flag.
    Only keywords that are options of ``parser`` (the command being run) are
    rewritten; the rest stays as it is.

    Examples
    --------
    >>> p = argparse.ArgumentParser()
    >>> _ = p.add_argument("--overwrite", action="store_true")
    >>> _ = p.add_argument("--format")
    >>> cli_message("out.fits: exists; pass overwrite=True to replace it", p)
    'out.fits: exists; pass --overwrite to replace it'
    >>> cli_message("two readers match; pass format=NAME (or wavelength=...)", p)
    'two readers match; pass --format FORMAT (or wavelength=...)'
    """
    if parser is None:
        return text
    flags = {a.dest: a for a in parser._actions if a.option_strings}

    def flag(match: re.Match) -> str:
        action = flags.get(match[1])
        if action is None:
            return match[0]
        option = max(action.option_strings, key=len)
        if action.nargs == 0:  # store_true and the like
            return option
        value = match[2]
        if value in ("", "...", "NAME"):
            value = action.metavar or action.dest.upper()
        return f"{option} {value}"

    return _KEYWORD.sub(flag, text)


def _print_error(text: str) -> None:
    try:
        print(f"irisplug: error: {text}", file=sys.stderr)
        sys.stderr.flush()
    except (OSError, ValueError):  # stderr closed too: nothing left to tell
        pass


def _stdout_to_devnull() -> None:
    """After a broken pipe: point stdout at /dev/null so that the interpreter's last flush cannot fail.

    This is the recipe of the Python documentation (``signal`` module, "Note on SIGPIPE").
    """
    try:
        fd = sys.stdout.fileno()
    except (AttributeError, OSError, ValueError):  # replaced (tests capture it): nothing to redirect
        return
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, fd)
    os.close(devnull)


def _plugin_of(args: argparse.Namespace | None) -> str:
    run = getattr(args, "_run", None)
    desc = getattr(run, "args", (None,))[0] if isinstance(run, functools.partial) else None
    return f" [plugin {desc.plugin!r}]" if desc is not None and getattr(desc, "plugin", None) else ""


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``irisplug`` command; returns the exit status.

    Every command runs inside one handler, so no command ends in a traceback:

    - an :class:`~irisplug.IrisplugError` prints ``irisplug: error: ...``
      with the Python keywords of its advice written as the command's flags
      (:func:`cli_message`), exit status 2;
    - a closed standard output (``irisplug formats --json | head -1``) ends
      quietly, exit status 1 (the Python documentation's recipe);
    - Ctrl-C ends with exit status 130;
    - an operating system error (disk full, permission denied) prints the file
      and the reason, exit status 1;
    - any other exception is a bug: one line names the command, its plugin
      and the exception, exit status 1 (``IRISPLUG_DEBUG=1`` shows the traceback).

    Output options are checked while parsing (:mod:`irisplug.cli.arguments`),
    before any work.
    """
    from irisplug.cli.arguments import check_existing_outputs
    from irisplug.errors import IrisplugError

    sub: argparse.ArgumentParser | None = None
    args: argparse.Namespace | None = None
    command = None
    try:
        argv = list(sys.argv[1:] if argv is None else argv)
        command = _command_of(argv)
        parser = build_parser(command=command or "")
        sub = _subparser(parser, command)
        try:
            args = parser.parse_args(argv)
        except SystemExit:  # --help, --version or a usage error: argparse has printed its text
            sys.stdout.flush()
            raise
        if getattr(args, "_run", None) is None:
            parser.print_help()
            sys.stdout.flush()
            return 0
        check_existing_outputs(sub or parser, args)
        status = args._run(args)
        sys.stdout.flush()
    except BrokenPipeError:
        _stdout_to_devnull()
        return 1
    except KeyboardInterrupt:
        _print_error("interrupted")
        return 130
    except IrisplugError as err:
        _print_error(cli_message(str(err), sub))
        return 2
    except OSError as err:
        where = f"{err.filename}: " if getattr(err, "filename", None) else ""
        _print_error(f"{where}{err.strerror or err}")
        return 1
    except Exception as err:  # noqa: BLE001 - the last line of defence: a bug, reported in one line
        if os.environ.get("IRISPLUG_DEBUG"):
            traceback.print_exc()
        _print_error(
            f"internal error in 'irisplug {command}'{_plugin_of(args)}: {type(err).__name__}: {err}; "
            "this is a bug, please report it (IRISPLUG_DEBUG=1 shows the traceback)"
        )
        return 1
    return int(status or 0)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
