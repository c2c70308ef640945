"""The spectext plugin: a reader, a writer and nothing from irisplug but its public API.

Examples
--------
>>> import irisplug  # doctest: +SKIP
>>> cube = irisplug.read("quiet_sun.spectext")  # doctest: +SKIP
>>> cube.wcs.world_axis_physical_types  # doctest: +SKIP
['em.wl']
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import irisplug
from irisplug import CorruptFileError, MissingKeywordError, ReaderDescriptor, UnsupportedObjectError, WriterDescriptor

MAGIC = "# SPECTEXT 1"
REQUIRED = ("WAVE-START", "WAVE-STEP", "WAVE-UNIT", "BUNIT")


def identify(info: irisplug.FileInfo) -> bool:
    """A spectext file starts with the magic line."""
    return info.head(len(MAGIC)) == MAGIC.encode()


def _parse(path: Path) -> tuple[dict[str, str], list[float]]:
    lines = path.read_text().splitlines()
    if not lines or lines[0].strip() != MAGIC:
        raise CorruptFileError(f"first line must be {MAGIC!r}", path=path, plugin="spectext")
    header: dict[str, str] = {}
    values: list[float] = []
    for number, line in enumerate(lines[1:], start=2):
        if line.startswith("#"):
            key, sep, value = line[1:].partition("=")
            if not sep:
                raise CorruptFileError(f"line {number}: header lines are '# KEY = value'", path=path)
            header[key.strip()] = value.strip()
        elif line.strip():
            try:
                values.append(float(line))
            except ValueError:
                raise CorruptFileError(f"line {number}: {line!r} is not a number", path=path) from None
    for key in REQUIRED:
        if key not in header:
            raise MissingKeywordError(f"header keyword {key} is missing", path=path, plugin="spectext")
    return header, values


def read_spectext(paths: list[Path], **kwargs: Any) -> Any:
    """Read spectext files: one file gives an NDCube, several an NDCubeSequence."""
    import astropy.units as u
    import numpy as np
    from astropy.wcs import WCS
    from ndcube import NDCube, NDCubeSequence

    from irisplug.model import with_description

    cubes = []
    for path in paths:
        header, values = _parse(Path(path))
        wcs = WCS(naxis=1)
        wcs.wcs.ctype = ["WAVE"]
        wcs.wcs.cunit = [header["WAVE-UNIT"]]
        wcs.wcs.crpix = [1]
        wcs.wcs.crval = [float(header["WAVE-START"])]
        wcs.wcs.cdelt = [float(header["WAVE-STEP"])]
        # what the core shows of it (print, to_xarray): the file's name identifies a one-spectrum file
        meta = with_description(dict(header), observation_id=Path(path).stem, summary_keys=tuple(header))
        cubes.append(NDCube(np.array(values), wcs=wcs, unit=u.Unit(header["BUNIT"]), meta=meta))
    return cubes[0] if len(cubes) == 1 else NDCubeSequence(cubes)


def accepts(obj: Any) -> bool:
    """Only 1-D cubes with a linear spectral axis."""
    from ndcube import NDCube

    return isinstance(obj, NDCube) and obj.data.ndim == 1


def write_spectext(cube: Any, path: Path, **kwargs: Any) -> None:
    """Write a 1-D NDCube (the core makes this atomic).

    The format has one column: a cube with an uncertainty is refused rather
    than written without it (irisplug's rule: nothing silently dropped).
    """
    import numpy as np

    if getattr(cube, "uncertainty", None) is not None:
        raise UnsupportedObjectError("the spectext format has no uncertainty column; "
                                     "set cube.uncertainty = None to write the values alone", path=path)

    wcs = cube.wcs.low_level_wcs
    start = wcs.pixel_to_world_values(0)
    step = wcs.pixel_to_world_values(1) - start
    unit = wcs.world_axis_units[0]
    lines = [MAGIC]
    for key, value in cube.meta.items():
        if key not in REQUIRED and isinstance(value, str):
            lines.append(f"# {key} = {value}")
    lines += [f"# WAVE-START = {float(start)!r}", f"# WAVE-STEP = {float(step)!r}", f"# WAVE-UNIT = {unit}"]
    lines.append(f"# BUNIT = {cube.unit.to_string()}")
    lines += [repr(float(v)) for v in np.asarray(cube.data)]
    Path(path).write_text("\n".join(lines) + "\n")


@irisplug.hookimpl
def irisplug_readers() -> list[ReaderDescriptor]:
    """The spectext reader."""
    return [
        ReaderDescriptor(
            name="spectext",
            read=read_spectext,
            identify=identify,
            patterns=("*.spectext",),
            extensions=(".spectext",),
            description="one spectrum as text (example third-party plugin)",
        )
    ]


@irisplug.hookimpl
def irisplug_writers() -> list[WriterDescriptor]:
    """The spectext writer."""
    return [
        WriterDescriptor(
            name="spectext",
            write=write_spectext,
            extensions=(".spectext",),
            accepts=accepts,
            description="one spectrum as text",
        )
    ]
