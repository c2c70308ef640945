"""The core's own subcommands: plugins, formats, info (``demo`` comes from the IRIS plugin)."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable
from typing import Any

__all__ = ["COMMANDS"]


def _add_plugins(p: argparse.ArgumentParser) -> None:
    p.add_argument("--all", action="store_true", help="also list each contribution's details and failure tracebacks")
    p.add_argument("--json", action="store_true", help="machine-readable output")


def _run_plugins(args: argparse.Namespace) -> int:
    from irisplug.plugin_manager import get_plugin_manager

    pm = get_plugin_manager()
    records = pm.records
    if args.json:
        data: dict[str, Any] = {
            "plugins": [r.as_dict() for r in records],
            "clashes": [str(c) for c in pm.clashes],
        }
        if args.all:
            for entry, record in zip(data["plugins"], records, strict=True):
                entry["details"] = {
                    kind: [pm.contributions(kind)[n].summary() for n in names if n in pm.contributions(kind)]
                    for kind, names in record.contributions.items()
                }
        json.dump(data, sys.stdout, indent=2, default=str)
        print()
        return 0
    if not records:
        print("no plugins installed (entry point group 'irisplug')")
    for r in records:
        print(f"{r.name:<12} {r.distribution} {r.version:<8} {r.status}")
        for kind, names in r.contributions.items():
            if names:
                print(f"    {kind + 's':<12} {', '.join(names)}")
        for f in r.failures:
            print(f"    FAILED at {f.stage}: {f.error}")
            if args.all and f.traceback:
                print("      " + f.traceback.replace("\n", "\n      "))
    for c in pm.clashes:
        print(f"name clash: {c}")
    return 0


def _add_formats(p: argparse.ArgumentParser) -> None:
    p.add_argument("--json", action="store_true", help="machine-readable output")


def _run_formats(args: argparse.Namespace) -> int:
    from irisplug.plugin_manager import get_plugin_manager

    pm = get_plugin_manager()
    rows = []
    for kind in ("reader", "writer"):
        for name, d in sorted(pm.contributions(kind).items()):
            rows.append(
                {
                    "kind": kind,
                    "name": name,
                    "plugin": d.plugin,
                    "patterns": list(getattr(d, "patterns", ())),
                    "extensions": list(getattr(d, "extensions", ())),
                    "description": d.description,
                }
            )
    if args.json:
        json.dump(rows, sys.stdout, indent=2)
        print()
        return 0
    if not rows:
        print("no readers or writers installed")
    for row in rows:
        ext = ", ".join(row["extensions"] or row["patterns"])
        print(f"{row['kind']:<7} {row['name']:<16} {row['plugin']:<10} {ext:<30} {row['description']}")
    return 0


def _add_info(p: argparse.ArgumentParser) -> None:
    p.add_argument("path", nargs="+", help="file(s), directory or archive")
    p.add_argument("--format", default=None, help="reader name (see `irisplug formats`)")


def _run_info(args: argparse.Namespace) -> int:
    import irisplug
    from irisplug.sources import resolve_sources

    paths = resolve_sources(args.path)
    obj = irisplug.read(args.path, format=args.format)
    reader = args.format
    for p in paths:
        if reader is not None:
            break
        try:
            reader = irisplug.choose_reader(p).name
        except irisplug.UnknownFormatError:
            continue
    print(f"reader: {reader}   files: {len(paths)}   object: {type(obj).__name__}")
    text = obj.info_text() if callable(getattr(obj, "info_text", None)) else str(obj)
    print(text)
    return 0


#: name -> (help, add_arguments, run)
COMMANDS: dict[str, tuple[str, Callable[[argparse.ArgumentParser], None], Callable[[argparse.Namespace], int]]] = {
    "plugins": ("list installed plugins, their status and contributions", _add_plugins, _run_plugins),
    "formats": ("list the file formats that can be read and written", _add_formats, _run_formats),
    "info": ("read a file, directory or archive and describe it", _add_info, _run_info),
}
