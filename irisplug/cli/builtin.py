"""The core's own subcommands: plugins, formats, info, clean, cache (``demo`` comes from the IRIS plugin)."""

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
    # this process has read nothing yet: runtime failures show when `irisplug plugins` runs after a
    # read in the same process (``irisplug.plugin_manager.get_plugin_manager().records`` in a session)
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
    for record in irisplug.get_plugin_manager().records:
        for failure in record.failures:
            if not failure.stage.startswith(("import", "register", "contribution", "validation")):
                print(f"plugin {record.name} failed at {failure.stage}: {failure.error}", file=sys.stderr)
    if callable(getattr(obj, "info_text", None)):
        text = obj.info_text()
    elif type(obj).__module__.split(".")[0] not in ("ndcube", "sunraster") and type(obj).__str__ is not object.__str__:
        text = str(obj)  # the reader's own summary (an IUVS product's)
    else:
        from irisplug.model import summary_text

        text = summary_text(obj)  # a plain cube, sequence or collection: the reader's description keys
    print(text)
    return 0


def _add_clean(p: argparse.ArgumentParser) -> None:
    p.add_argument("directory", nargs="*", default=["."], help="directories to clean (default: the current one)")
    p.add_argument("--dry-run", action="store_true", help="list the files without removing them")


def _run_clean(args: argparse.Namespace) -> int:
    from irisplug.atomic import clean_stale_temp_files

    total = 0
    for directory in args.directory:
        for path in clean_stale_temp_files(directory, dry_run=args.dry_run):
            print(f"{'would remove' if args.dry_run else 'removed'} {path}")
            total += 1
    print(f"{total} stale temporary file(s) of interrupted writes {'found' if args.dry_run else 'removed'}")
    return 0


def _add_cache(p: argparse.ArgumentParser) -> None:
    p.add_argument("--clear", action="store_true",
                   help="remove the cached downloads, decompressed .gz copies and unpacked archives")
    from irisplug.cli.arguments import number

    p.add_argument("--older-than", type=number(float, min=0), default=0.0, metavar="DAYS",
                   help="with --clear: only the entries not used for DAYS days")
    p.add_argument("--dry-run", action="store_true", help="with --clear: list what would be removed")


def _human(nbytes: int) -> str:
    for unit, scale in (("GiB", 2**30), ("MiB", 2**20), ("KiB", 2**10)):
        if nbytes >= scale:
            return f"{nbytes / scale:.1f} {unit}"
    return f"{nbytes} B"


def _run_cache(args: argparse.Namespace) -> int:
    from irisplug import cache
    from irisplug.sources import cache_dir

    if args.clear:
        gone = cache.clear(args.older_than * 86400.0, dry_run=args.dry_run)
        for entry in gone:
            print(f"{'would remove' if args.dry_run else 'removed'} {entry.path} ({_human(entry.nbytes)})")
        print(f"{len(gone)} cache entries, {_human(sum(e.nbytes for e in gone))} "
              f"{'would be freed' if args.dry_run else 'freed'}")
        return 0
    limit = cache.max_cache_bytes()
    print(f"cache {cache_dir()}: {', '.join(cache.AREAS)} bounded to "
          f"{_human(limit) if limit else 'no bound'} (IRISPLUG_CACHE_MAX_BYTES), least recently used removed first")
    folders = cache.usage()
    width = max(map(len, folders))
    for folder, (n, size) in folders.items():
        print(f"  {folder:<{width}} {n:>6} entries {_human(size):>10}")
    return 0


#: name -> (help, add_arguments, run)
COMMANDS: dict[str, tuple[str, Callable[[argparse.ArgumentParser], None], Callable[[argparse.Namespace], int]]] = {
    "plugins": ("list installed plugins, their status and contributions", _add_plugins, _run_plugins),
    "formats": ("list the file formats that can be read and written", _add_formats, _run_formats),
    "info": ("read a file, directory or archive and describe it", _add_info, _run_info),
    "clean": ("remove temporary files that interrupted writes left behind", _add_clean, _run_clean),
    "cache": ("show what irisplug's cache holds, or clear it (--clear)", _add_cache, _run_cache),
}
