"""``irisplug extract SOURCE... --out STORE --line "Mg II k" --grid 2794:2806:240``."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from irisplug.cli.arguments import fraction, nonnegative_int, number, output_directory, positive_int

__all__ = ["add_arguments", "run"]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Declare the options of ``irisplug extract``."""
    parser.add_argument("sources", nargs="+", help="observations: directories, archives, file lists or http(s) URLs")
    parser.add_argument("--out", required=True, type=output_directory, help="the zarr store to write (a directory, e.g. mg_k.zarr)")
    which = parser.add_mutually_exclusive_group(required=True)
    which.add_argument("--window", help='exact window label, e.g. "Mg II k 2796"')
    which.add_argument("--line", help='line name matched against window labels, e.g. "Mg II k"')
    parser.add_argument("--grid", required=True, help="common wavelength grid START:STOP:N in Angstrom")
    parser.add_argument("--box", nargs=4, type=number(float), metavar=("XMIN", "XMAX", "YMIN", "YMAX"),
                        help="keep spectra inside this helioprojective box (arcsec)")
    parser.add_argument("--time", nargs=2, metavar=("START", "END"), help="keep exposures in this time range (UTC)")
    parser.add_argument("--raster-positions", nargs="+", type=nonnegative_int, help="keep only these raster positions")
    parser.add_argument("--keep-null", action="store_true", help="keep spectra without any valid point")
    parser.add_argument("--max-missing", type=fraction, default=0.0,
                        help="drop spectra with a larger fraction of missing grid points (default 0: complete only)")
    parser.add_argument("--features", nargs="*", default=[], choices=["mgii"],
                        help="extra per-spectrum columns (mgii: Mg II h & k features, Pereira et al. 2013)")
    parser.add_argument("--scheduler", help="address of a dask.distributed scheduler (default: in-process)")
    parser.add_argument("--workers", type=positive_int, help="start a local dask cluster with this many worker processes")
    parser.add_argument("--chunk-rows", type=positive_int, default=4096, help="spectra per chunk of the store")
    parser.add_argument("--overwrite", action="store_true", help="replace an existing store")
    parser.add_argument("--quiet", action="store_true", help="no progress bar")


def run(args: argparse.Namespace) -> int:
    """Run ``irisplug extract``; returns the exit status (1 when an observation failed or no spectrum was extracted).

    The report goes to stdout; each failed observation is also written to
    stderr, with its source and the reason.
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
    return 0 if report.n_spectra and not report.failed else 1
