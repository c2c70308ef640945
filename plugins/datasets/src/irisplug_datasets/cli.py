"""``irisplug extract SOURCE... --out STORE --line "Mg II k" --grid 2794:2806:240``."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from irisplug.cli.arguments import fraction, nonnegative_int, number, output_directory, positive_int

__all__ = ["add_arguments", "run", "grid_value", "time_value", "scheduler_address"]

_SCHEDULER_PROTOCOLS = ("tcp", "tls", "ws", "wss", "ucx")


def grid_value(value: str) -> str:
    """An argparse ``type`` for ``--grid``: ``START:STOP:N`` with finite wavelengths, ``STOP > START``, an integer ``N >= 2``.

    Examples
    --------
    >>> grid_value("2794:2806:240")
    '2794:2806:240'
    >>> try:
    ...     grid_value("2794:2806:1e3")
    ... except argparse.ArgumentTypeError as err:
    ...     print(err)
    grid '2794:2806:1e3' must be START:STOP:N: wavelengths in Angstrom and an integer number of points, e.g. 2794:2806:240
    """
    from irisplug_datasets.selection import parse_grid

    try:
        parse_grid(value)
    except ValueError as err:
        raise argparse.ArgumentTypeError(str(err)) from None
    return value


def time_value(value: str) -> str:
    """An argparse ``type`` for ``--time``: a time astropy reads (ISO, UTC), e.g. ``2014-03-29T14:09:38``.

    Examples
    --------
    >>> try:
    ...     time_value("yesterday")
    ... except argparse.ArgumentTypeError as err:
    ...     print(str(err).split(" (")[0])
    time 'yesterday' is not a time astropy can read
    """
    from irisplug_datasets.selection import parse_time

    try:
        parse_time(value)
    except ValueError as err:
        raise argparse.ArgumentTypeError(str(err)) from None
    return value


def scheduler_address(value: str) -> str:
    """An argparse ``type`` for ``--scheduler``: ``[PROTOCOL://]HOST:PORT`` (tcp, tls, ws, wss, ucx) or ``inproc://...``.

    Only the form is checked; whether a scheduler listens there is found when connecting.

    Examples
    --------
    >>> scheduler_address("tcp://127.0.0.1:8786")
    'tcp://127.0.0.1:8786'
    >>> try:
    ...     scheduler_address("not-an-address")
    ... except argparse.ArgumentTypeError as err:
    ...     print(err)
    'not-an-address' is not a scheduler address: give [PROTOCOL://]HOST:PORT, e.g. tcp://127.0.0.1:8786
    """
    scheme, sep, loc = value.partition("://")
    if not sep:
        scheme, loc = "tcp", value
    if scheme == "inproc" and loc:
        return value
    host, colon, port = loc.rpartition(":")
    host = host.strip("[]")
    if scheme not in _SCHEDULER_PROTOCOLS or not colon or not host or not port.isdigit() \
            or not 0 < int(port) < 65536:
        raise argparse.ArgumentTypeError(
            f"{value!r} is not a scheduler address: give [PROTOCOL://]HOST:PORT, e.g. tcp://127.0.0.1:8786")
    return value


class _BoxAction(argparse.Action):
    """``--box XMIN XMAX YMIN YMAX``: refuses min >= max while parsing (a usage error naming the option)."""

    def __call__(self, parser: argparse.ArgumentParser, namespace: argparse.Namespace, values: Any,
                 option_string: str | None = None) -> None:
        x0, x1, y0, y1 = values
        if not (x0 < x1 and y0 < y1):
            raise argparse.ArgumentError(self, f"needs XMIN < XMAX and YMIN < YMAX, got {x0:g} {x1:g} {y0:g} {y1:g}")
        setattr(namespace, self.dest, values)


class _TimeRangeAction(argparse.Action):
    """``--time START END``: refuses a START after END while parsing (a usage error naming the option)."""

    def __call__(self, parser: argparse.ArgumentParser, namespace: argparse.Namespace, values: Any,
                 option_string: str | None = None) -> None:
        from irisplug_datasets.selection import parse_time

        start, end = values
        if parse_time(start) > parse_time(end):
            raise argparse.ArgumentError(self, f"START {start!r} is after END {end!r}; give START END")
        setattr(namespace, self.dest, values)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Declare the options of ``irisplug extract``."""
    parser.add_argument("sources", nargs="+", help="observations: directories, archives, file lists or http(s) URLs")
    parser.add_argument("--out", required=True, type=output_directory, help="the zarr store to write (a directory, e.g. mg_k.zarr)")
    which = parser.add_mutually_exclusive_group(required=True)
    which.add_argument("--window", help='exact window label, e.g. "Mg II k 2796"')
    which.add_argument("--line", help='line name matched against window labels, e.g. "Mg II k"')
    parser.add_argument("--grid", required=True, type=grid_value,
                        help="common wavelength grid START:STOP:N in Angstrom (N an integer >= 2, STOP > START)")
    parser.add_argument("--box", nargs=4, type=number(float), action=_BoxAction,
                        metavar=("XMIN", "XMAX", "YMIN", "YMAX"),
                        help="keep spectra inside this helioprojective box (arcsec; XMIN < XMAX, YMIN < YMAX)")
    parser.add_argument("--time", nargs=2, type=time_value, action=_TimeRangeAction, metavar=("START", "END"),
                        help="keep exposures whose midpoint is in this time range (ISO, UTC; START <= END)")
    parser.add_argument("--raster-positions", nargs="+", type=nonnegative_int, help="keep only these raster positions")
    parser.add_argument("--keep-null", action="store_true", help="keep spectra without any valid point")
    parser.add_argument("--max-missing", type=fraction, default=0.0,
                        help="drop spectra with a larger fraction of missing grid points (default 0: complete only)")
    parser.add_argument("--features", nargs="*", default=[], choices=["mgii"],
                        help="extra per-spectrum columns (mgii: Mg II h & k features, Pereira et al. 2013)")
    parser.add_argument("--scheduler", type=scheduler_address,
                        help="address of a running dask.distributed scheduler, [PROTOCOL://]HOST:PORT "
                             "(default: in-process)")
    parser.add_argument("--workers", type=positive_int, help="start a local dask cluster with this many worker processes")
    parser.add_argument("--chunk-rows", type=positive_int, default=4096, help="spectra per chunk of the store")
    parser.add_argument("--overwrite", action="store_true", help="replace an existing store")
    parser.add_argument("--quiet", action="store_true", help="no progress bar")


#: the selection's keywords as the command line calls them (in messages)
_FLAGS = {"time_range": "--time", "raster_positions": "--raster-positions", "drop_null": "--keep-null not given",
          "max_missing_fraction": "--max-missing", "box": "--box"}


def run(args: argparse.Namespace) -> int:
    """Run ``irisplug extract``; returns the exit status (1 when an observation failed or no spectrum was extracted).

    The report goes to stdout; each failed observation is also written to
    stderr, with its source and the reason, and so is a failed download of an
    observation that was extracted all the same (a warning); when no spectrum
    was kept, stderr says how many exposures and spectra each selection rule
    removed.
    """
    from irisplug_datasets.build import build_dataset

    client: Any = None
    cluster: Any = None
    try:
        if args.scheduler or args.workers:
            from distributed import Client

            import irisplug

            if args.scheduler:
                client = Client(args.scheduler)
            else:  # worker processes of one thread, distributed's self-monitoring made light (irisplug.cluster)
                cluster = irisplug.local_cluster(args.workers, threads_per_worker=1)
                client = Client(cluster)
        report = build_dataset(
            args.sources, args.out, grid=args.grid, window=args.window, line=args.line, box=args.box,
            time_range=args.time, raster_positions=args.raster_positions, drop_null=not args.keep_null,
            max_missing_fraction=args.max_missing, features=tuple(args.features or ()), client=client,
            scheduler=None if client is not None else "local", chunk_rows=args.chunk_rows,
            overwrite=args.overwrite, quiet=True if args.quiet else None)
    finally:
        if client is not None:
            client.close()
        if cluster is not None:
            cluster.close()
    print(report)
    for entry in report.failed:  # also on stderr, where scripts and users look for errors
        print(f"irisplug extract: error: {entry['source']}: {entry['reason']}", file=sys.stderr)
    for entry in report.entries:
        if entry["status"] == "ok" and entry.get("failed_downloads"):
            print(f"irisplug extract: warning: {entry['source']}: {entry['reason']}", file=sys.stderr)
    if not report.n_spectra:  # say why the exit status is 1 when nothing failed
        print(f"irisplug extract: error: {report.empty_reason(_FLAGS)}", file=sys.stderr)
    return 0 if report.n_spectra and not report.failed else 1
