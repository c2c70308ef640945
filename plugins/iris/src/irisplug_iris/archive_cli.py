"""``irisplug search`` and ``irisplug get``: commands the iris plugin contributes (``irisplug_commands``)."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from irisplug.cli.arguments import output_directory

__all__ = ["add_search_arguments", "run_search", "add_get_arguments", "run_get"]


def add_search_arguments(p: argparse.ArgumentParser) -> None:
    """Options of ``irisplug search``."""
    p.add_argument("--start", help="start of the time range (e.g. 2014-03-29 or 2014-03-29T14:00)")
    p.add_argument("--end", help="end of the time range")
    p.add_argument("--obsid", help="OBSID (observing program number)")
    p.add_argument("--text", help="free text in the planner's description")
    p.add_argument("--pointing", metavar="XMIN,XMAX,YMIN,YMAX", help="box (arcsec) holding the observation centre; write --pointing=-700,-600,-200,0 when it starts with a minus")
    p.add_argument("--product", action="append", default=None, help="required product: raster, SJI_1400, 2796 ... (repeatable)")
    p.add_argument("--json", action="store_true", help="machine-readable output")


def _row_dict(row: Any) -> dict[str, Any]:
    return {
        "obsid": int(row["OBSID"]),
        "start": row["Start Time"].isot,
        "end": row["End Time"].isot,
        "description": str(row["Description"]),
        "xcen_arcsec": float(row["xCen"].value),
        "ycen_arcsec": float(row["yCen"].value),
        "raster_fov_arcsec": str(row["Raster FOV"]),
        "sji_fov_arcsec": str(row["SJI FOV"]),
        "products": [p for p in str(row["Products"]).split(", ") if p],
        "directory": str(row["Directory"]),
        "urls": list(row["URLs"]),
    }


def run_search(args: argparse.Namespace) -> int:
    """Print the matching observations (a table, or JSON with ``--json``)."""
    from irisplug_iris.net.api import search

    if not any((args.start, args.end, args.obsid, args.text, args.pointing)):
        print("irisplug search: give at least one of --start/--end, --obsid, --text, --pointing", file=sys.stderr)
        return 2
    table = search(start=args.start, end=args.end, obsid=args.obsid, text=args.text, pointing=args.pointing, products=args.product)
    if args.json:
        json.dump([_row_dict(r) for r in table], sys.stdout, indent=2)
        print()
        return 0
    if len(table) == 0:
        print("no IRIS Level 2 observation matches")
        return 0
    print(table)
    print(f"\n{len(table)} observation(s); download one with: irisplug get <YYYYMMDD_HHMMSS_OBSID> --out DIR")
    return 0


def add_get_arguments(p: argparse.ArgumentParser) -> None:
    """Options of ``irisplug get``."""
    p.add_argument("target", help="OBSID, observation name YYYYMMDD_HHMMSS_OBSID, or an http(s) URL (file or directory/)")
    p.add_argument("--out", default=".", type=output_directory, help="directory to download into (default: current directory)")
    p.add_argument("--sji", help="comma-separated slit-jaw bands to fetch, e.g. 1400,2796 (default: all)")
    p.add_argument("--no-raster", action="store_true", help="skip the raster tarball")
    p.add_argument("--start", help="narrow an OBSID to observations after this time")
    p.add_argument("--end", help="narrow an OBSID to observations before this time")
    p.add_argument("--all", action="store_true", help="fetch every observation the OBSID matches")
    p.add_argument("--quiet", action="store_true", help="no progress bars")


def run_get(args: argparse.Namespace) -> int:
    """Download and print the local files, one a line."""
    from irisplug_iris.net.api import get

    sji = [b for b in args.sji.split(",") if b.strip()] if args.sji else None
    files = get(args.target, args.out, sji=sji, raster=not args.no_raster, start=args.start, end=args.end,
                all_matches=args.all, quiet=args.quiet or None)
    for f in files:
        print(f)
    return 0
