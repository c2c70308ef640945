"""``irisplug fit PATH --window ... --template ... --out FILE``."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from irisplug.cli.arguments import nonnegative_int, output_file

__all__ = ["add_arguments", "run"]


def _output_suffixes() -> list[str]:
    """``.npz`` and the extensions of the installed writers (``irisplug formats``)."""
    import irisplug

    writers = irisplug.get_plugin_manager().contributions("writer").values()
    return [".npz", *(ext for w in writers for ext in getattr(w, "extensions", ()))]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Declare the options of ``irisplug fit``."""
    parser.add_argument("path", nargs="?", help="file, directory or archive readable by irisplug.read")
    parser.add_argument("--window", help="spectral window label, as the reader names it (the observation's keys)")
    parser.add_argument("--template", default=None,
                        help="template name (see --list-templates); 'peak' fits the brightest feature")
    profile = parser.add_mutually_exclusive_group()
    profile.add_argument("--lorentz", action="store_true", help="Lorentzian instead of Gaussian components")
    profile.add_argument("--voigt", action="store_true",
                         help="Voigt instead of Gaussian components (adds a gamma = Lorentzian HWHM parameter)")
    parser.add_argument("--engine", default="auto", choices=["auto", "numba", "numpy"])
    parser.add_argument("--raster", type=nonnegative_int, default=None,
                        help="fit only this raster file of the sequence (0 is the first)")
    parser.add_argument("--photon-noise", action="store_true",
                        help="weight by photon + read noise uncertainties attached at read (IRIS: "
                             "irisplug.read(..., uncertainty=True)); chi-square and errors then absolute")
    parser.add_argument("--out", type=output_file(_output_suffixes),
                        help="output file (.npz, or any extension an installed writer takes: .fits, .asdf, ...); "
                             "checked before anything is fitted")
    parser.add_argument("--overwrite", action="store_true", help="replace existing output files")
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    parser.add_argument("--list-templates", action="store_true", help="list the built-in templates and exit")


def _save(maps: Any, out: Path, overwrite: bool) -> list[Path]:
    """Write one collection; ``.npz`` is written here, other formats go through irisplug.write
    (one file per map when no writer accepts an NDCollection)."""
    import numpy as np

    import irisplug

    if out.suffix == ".npz":
        with irisplug.atomic_path(out, overwrite=overwrite) as tmp, open(tmp, "wb") as fh:
            np.savez_compressed(fh, **{k: np.asarray(v.data) for k, v in maps.items()})
        return [out]
    try:
        irisplug.write(maps, out, overwrite=overwrite)
        return [out]
    except (irisplug.UnsupportedObjectError, irisplug.UnknownFormatError):
        # no writer takes a whole NDCollection: one file per map, ``stem.<map>.ext``
        written = []
        for key, cube in maps.items():
            target = out.with_name(f"{out.stem}.{key}{out.suffix}")
            irisplug.write(cube, target, overwrite=overwrite)
            written.append(target)
        return written


def run(args: argparse.Namespace) -> int:
    """Run ``irisplug fit``; returns the exit status."""
    import numpy as np

    import irisplug
    from irisplug_fit.cube import fit_any
    from irisplug_fit.line_templates import template_descriptors
    from irisplug_fit.status import Status

    if args.list_templates:
        descs = template_descriptors()
        if not descs:
            print("no line templates installed (instrument plugins contribute them); use --template peak")
        for name in sorted(descs):
            d = descs[name]
            print(f"{name:22s} {', '.join(d.windows):28s} {d.description} [plugin {d.plugin}]")
        return 0
    if not args.path:
        raise irisplug.errors.InvalidArgumentError("give a PATH to fit (or --list-templates)")
    obj = irisplug.read(args.path, uncertainty=True) if args.photon_noise else irisplug.read(args.path)
    if args.window is not None and hasattr(obj, "keys") and not hasattr(obj, "wcs"):
        if args.window not in obj:
            raise irisplug.UnsupportedObjectError(f"no window {args.window!r}; windows: {', '.join(obj.keys())}",
                                                  path=args.path)
        obj = obj[args.window]
    if args.raster is not None and hasattr(obj, "data") and isinstance(obj.data, list):
        if args.raster >= len(obj.data):
            raise irisplug.errors.InvalidArgumentError(
                f"--raster {args.raster}: the sequence has {len(obj.data)} raster file(s) (0 to {len(obj.data) - 1})",
                path=args.path)
        obj = obj.data[args.raster]
    result = fit_any(obj, args.template, window=args.window, lorentz=args.lorentz, voigt=args.voigt,
                     engine=args.engine,
                     progress=not args.quiet)
    collections = result if isinstance(result, list) else [result]
    for i, maps in enumerate(collections):
        st = np.asarray(maps["status"].data).ravel()
        counts = ", ".join(f"{Status(k).name.lower()} {n}" for k, n in enumerate(np.bincount(st, minlength=7)) if n)
        print(f"raster {i}: {st.size} spectra: {counts}")
    if args.out:
        out = Path(args.out)
        written = []
        for i, maps in enumerate(collections):
            target = out if len(collections) == 1 else out.with_name(f"{out.stem}_r{i:03d}{out.suffix}")
            written += _save(maps, target, args.overwrite)
        for p in written:
            print(f"wrote {p}")
    return 0
