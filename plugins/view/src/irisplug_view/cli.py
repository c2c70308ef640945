"""``irisplug quicklook`` and ``irisplug movie``: headless figures and movies from files."""

from __future__ import annotations

import argparse
from typing import Any

from irisplug.cli.arguments import nonnegative_int, output_file, positive_float

__all__ = ["add_quicklook_arguments", "run_quicklook", "add_movie_arguments", "run_movie"]


def _image_suffixes() -> list[str]:
    """The file types matplotlib's ``savefig`` writes here (png, pdf, svg, ...)."""
    from matplotlib.backend_bases import FigureCanvasBase

    return [f".{ext}" for ext in FigureCanvasBase.get_supported_filetypes()]


def _movie_suffixes() -> list[str]:
    """The movie types a writer is installed for (.gif with pillow, .mp4 with ffmpeg)."""
    from irisplug_view.movies import available_writers

    return list(available_writers())


def add_quicklook_arguments(parser: argparse.ArgumentParser) -> None:
    """Declare the options of ``irisplug quicklook``."""
    parser.add_argument("path", nargs="+", help="files any reader takes (IRIS L2, IUVS L1B, ...), a directory or an archive")
    parser.add_argument("--out", required=True, type=output_file(_image_suffixes),
                        help="output image (.png, .pdf, .svg, ...: the types matplotlib writes)")
    parser.add_argument("--window", help="spectral window or SJI label (default: the first)")
    parser.add_argument("--scan", type=nonnegative_int, default=0, help="raster scan to show (0 is the first)")
    parser.add_argument("--dpi", type=positive_float, default=100)


def add_movie_arguments(parser: argparse.ArgumentParser) -> None:
    """Declare the options of ``irisplug movie``."""
    parser.add_argument("path", nargs="+", help="IRIS L2 files, a directory or an archive")
    parser.add_argument("--out", required=True, type=output_file(_movie_suffixes),
                        help="output movie (.mp4 with ffmpeg, .gif with pillow)")
    parser.add_argument("--window", help="spectral window or SJI label")
    parser.add_argument("--kind", choices=("sji", "spectrum", "raster-position"), help="what to animate")
    parser.add_argument("--y", type=nonnegative_int, help="slit pixel for spectrum movies")
    parser.add_argument("--position", type=nonnegative_int, help="raster position")
    parser.add_argument("--fps", type=positive_float, default=10, help="frames per second (> 0)")
    parser.add_argument("--overwrite", action="store_true", help="replace an existing movie")


def _read(paths: list[str]) -> Any:
    import irisplug

    return irisplug.read(paths[0] if len(paths) == 1 else paths)


def _headless() -> None:
    import matplotlib

    matplotlib.use("Agg")


def run_quicklook(args: argparse.Namespace) -> int:
    """Save the raster quick-look, the SJI viewer figure for slit-jaw input, or the spectral-cube figure for spectral
    cubes without solar coordinates (IUVS)."""
    _headless()
    from irisplug_view.accepts import raster_quicklook, spectral_cube
    from irisplug_view.inputs import kind_of, raster_windows
    from irisplug_view.quicklook import quicklook
    from irisplug_view.sji_viewer import sji_viewer
    from irisplug_view.spectral_cube import spectral_cube_view

    obj = _read(args.path)
    kind = kind_of(obj)
    # by what the named window is (the model's kinds), not by its label
    is_sji = kind == "sji" or (kind == "observation" and args.window in obj and kind_of(obj[args.window]) == "sji")
    if not is_sji and kind == "observation":
        try:
            raster_windows(obj)
        except Exception:  # noqa: BLE001 - an observation with only SJI windows
            is_sji = True
    if is_sji:
        sji_viewer(obj, window=args.window if kind != "sji" else None, out=args.out, dpi=args.dpi)
    elif not raster_quicklook(obj) and spectral_cube(obj):  # spectral cubes off the Sun (IUVS): on their own axes
        spectral_cube_view(obj, window=args.window, out=args.out, dpi=args.dpi)
    else:
        quicklook(obj, window=args.window, scan=args.scan, out=args.out, dpi=args.dpi)
    print(args.out)
    return 0


def run_movie(args: argparse.Namespace) -> int:
    _headless()
    from irisplug_view.movies import movie

    obj = _read(args.path)
    kw: dict[str, Any] = {"fps": args.fps, "overwrite": args.overwrite}
    if args.window:
        kw["window"] = args.window
    if args.y is not None:
        kw["y"] = args.y
    if args.position is not None:
        kw["position"] = args.position
    print(movie(obj, args.out, kind=args.kind, **kw))
    return 0
