"""``irisplug`` command: core subcommands plus those contributed by plugins."""

from __future__ import annotations

import argparse
import functools
import sys
from collections.abc import Sequence
from typing import Any

from irisplug.cli import builtin

__all__ = ["main", "build_parser", "version_text"]


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


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``irisplug`` command; returns the exit status."""
    from irisplug.errors import IrisplugError

    try:
        argv = list(sys.argv[1:] if argv is None else argv)
        parser = build_parser(command=_command_of(argv) or "")
        args = parser.parse_args(argv)
        if getattr(args, "_run", None) is None:
            parser.print_help()
            return 0
        status = args._run(args)
    except IrisplugError as err:
        print(f"irisplug: error: {err}", file=sys.stderr)
        return 2
    return int(status or 0)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
