"""``irisplug search`` and ``irisplug get``: commands the iris plugin contributes (``irisplug_commands``)."""

from __future__ import annotations

import argparse
import json
import math
import sys
from typing import Any

from irisplug.cli.arguments import output_directory

__all__ = ["add_search_arguments", "run_search", "add_get_arguments", "run_get"]


def _usage_type(parse: Any, name: str) -> Any:
    """An argparse ``type=`` from a parser raising :class:`~irisplug.errors.IrisplugError`: its message as argparse's."""

    def check(value: str) -> Any:
        from irisplug.errors import IrisplugError

        try:
            return parse(value)
        except IrisplugError as err:
            raise argparse.ArgumentTypeError(err.message) from None

    check.__name__ = name
    return check


def _time(value: str) -> str:
    """A time astropy parses (kept as given; the search parses it again)."""
    from astropy.time import Time

    from irisplug.errors import InvalidArgumentError

    try:
        Time(value)
    except (TypeError, ValueError):
        raise InvalidArgumentError(f"{value!r} is not a time; give e.g. 2014-03-29 or 2014-03-29T14:00") from None
    return value


def _obsid(value: str) -> int:
    from irisplug_iris.net.api import parse_obsid

    return parse_obsid(value)


def _pointing(value: str) -> tuple[float, float, float, float]:
    from irisplug_iris.net.api import parse_pointing

    return parse_pointing(value)


def _product(value: str) -> str:
    from irisplug_iris.net.api import normalize_products

    return normalize_products([value])[0]


def _bands(value: str) -> list[str]:
    from irisplug.errors import InvalidArgumentError
    from irisplug_iris.net.api import normalize_products

    bands = normalize_products([b for b in value.split(",") if b.strip()])
    if not bands or "raster" in bands:
        raise InvalidArgumentError(f"{value!r} is not a list of slit-jaw bands; give e.g. 1400,2796")
    return bands


def _target(value: str) -> str:
    """An OBSID, a valid observation name or an http(s) URL."""
    from irisplug.errors import InvalidArgumentError
    from irisplug_iris.net.api import parse_observation_name

    text = value.strip()
    if text.lower().startswith(("http://", "https://")) or text.isdigit() or parse_observation_name(text) is not None:
        return text
    raise InvalidArgumentError(f"{value!r} is neither an OBSID, an observation name (YYYYMMDD_HHMMSS_OBSID) nor an http(s) URL")


time_type = _usage_type(_time, "time")
obsid_type = _usage_type(_obsid, "OBSID")
pointing_type = _usage_type(_pointing, "pointing")
product_type = _usage_type(_product, "product")
bands_type = _usage_type(_bands, "bands")
target_type = _usage_type(_target, "target")


def _check_range(args: argparse.Namespace, command: str) -> str | None:
    """A usage error when ``--start`` is after ``--end`` (both given); None when the range is fine."""
    if not (args.start and args.end):
        return None
    from astropy.time import Time

    if Time(args.end) < Time(args.start):
        return f"irisplug {command}: error: argument --end: {args.end!r} is before --start {args.start!r}"
    return None


def add_search_arguments(p: argparse.ArgumentParser) -> None:
    """Options of ``irisplug search``."""
    from irisplug.cli.arguments import positive_int

    p.add_argument("--start", type=time_type, help="start of the time range (e.g. 2014-03-29 or 2014-03-29T14:00)")
    p.add_argument("--end", type=time_type, help="end of the time range")
    p.add_argument("--obsid", type=obsid_type, help="OBSID (observing program number)")
    p.add_argument("--text", help="free text in the planner's description")
    p.add_argument("--pointing", type=pointing_type, metavar="XMIN,XMAX,YMIN,YMAX", help="box (arcsec) holding the observation centre; write --pointing=-700,-600,-200,0 when it starts with a minus")
    p.add_argument("--product", type=product_type, action="append", default=None, help="required product: raster, SJI_1400, 2796 ... (repeatable)")
    p.add_argument("--max-rows", type=positive_int, default=None, help="most rows to return (default: IRISPLUG_IRIS_MAX_ROWS or 5000); reaching it is a warning")
    p.add_argument("--json", action="store_true", help="machine-readable output")


def _finite(value: float) -> float | None:
    return value if math.isfinite(value) else None  # JSON has no NaN


def _row_dict(row: Any) -> dict[str, Any]:
    return {
        "obsid": int(row["OBSID"]),
        "start": row["Start Time"].isot,
        "end": row["End Time"].isot,
        "description": str(row["Description"]),
        "xcen_arcsec": _finite(float(row["xCen"].value)),
        "ycen_arcsec": _finite(float(row["yCen"].value)),
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
    problem = _check_range(args, "search")
    if problem:
        print(problem, file=sys.stderr)
        return 2
    table = search(start=args.start, end=args.end, obsid=args.obsid, text=args.text, pointing=args.pointing,
                   products=args.product, max_rows=args.max_rows)
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
    p.add_argument("target", type=target_type, help="OBSID, observation name YYYYMMDD_HHMMSS_OBSID, or an http(s) URL (file or directory/)")
    p.add_argument("--out", default=".", type=output_directory, help="directory to download into (default: current directory)")
    p.add_argument("--sji", type=bands_type, help="comma-separated slit-jaw bands to fetch, e.g. 1400,2796 (default: all)")
    p.add_argument("--no-raster", action="store_true", help="skip the raster tarball")
    p.add_argument("--start", type=time_type, help="narrow an OBSID to observations after this time")
    p.add_argument("--end", type=time_type, help="narrow an OBSID to observations before this time")
    p.add_argument("--all", action="store_true", help="fetch every observation the OBSID matches")
    p.add_argument("--quiet", action="store_true", help="no progress bars")


def run_get(args: argparse.Namespace) -> int:
    """Download and print the local files, one a line."""
    from irisplug_iris.net.api import get

    problem = _check_range(args, "get")
    if problem:
        print(problem, file=sys.stderr)
        return 2
    files = get(args.target, args.out, sji=args.sji, raster=not args.no_raster, start=args.start, end=args.end,
                all_matches=args.all, quiet=args.quiet or None)
    for f in files:
        print(f)
    return 0
