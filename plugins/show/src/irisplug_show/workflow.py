"""The SHOW level-0 calibration workflow: darks per exposure time, arm A + arm B flat, corrected images.

:func:`classify_groups` sorts a file's groups by kind from their names;
:func:`calibrate_show` builds the master darks and the flat field from the
calibration groups and corrects every science group through
``irisplug.calibrate(cube, ["dark", "flat"], ...)`` (the calib plugin's
steps) or, with ``engine="local"``, with :func:`correct_cube` here.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from irisplug.errors import CalibrationError
from irisplug_show.stats import ImageStats, dark_current, flat_field

__all__ = ["classify_groups", "correct_cube", "ShowCalibration", "calibrate_show"]

_ARM = re.compile(r"WHT_ARM([AB])", re.IGNORECASE)
_DARK = re.compile(r"(^|_)DARK(_|$)", re.IGNORECASE)


def classify_groups(names: Iterable[str]) -> dict[str, list[str]]:
    """Sort group names into ``dark``, ``flat_a``, ``flat_b`` and ``science``.

    White-light groups are ``..._WHT_ARMA_...`` / ``..._WHT_ARMB_...`` (as the
    showapi example ``2017_05_01_WHT_ARMA_BLK_3A_300ms_vect``); dark groups
    have a ``DARK`` token; everything else is science.

    Examples
    --------
    >>> classify_groups(["d_DARK_vect", "2017_05_01_WHT_ARMA_BLK_3A_300ms_vect", "x_WHT_ARMB_1", "sci"])
    {'dark': ['d_DARK_vect'], 'flat_a': ['2017_05_01_WHT_ARMA_BLK_3A_300ms_vect'], 'flat_b': ['x_WHT_ARMB_1'], 'science': ['sci']}
    """
    out: dict[str, list[str]] = {"dark": [], "flat_a": [], "flat_b": [], "science": []}
    for name in names:
        arm = _ARM.search(name)
        if arm:
            out[f"flat_{arm.group(1).lower()}"].append(name)
        elif _DARK.search(name):
            out["dark"].append(name)
        else:
            out["science"].append(name)
    return out


def correct_cube(cube: Any, darks: dict[int, ImageStats], flat: np.ndarray) -> Any:
    """``(image - dark(exposure)) / flat`` as a new lazy NDCube (DN), saturated pixels and bad flat masked.

    Examples
    --------
    >>> corrected = correct_cube(coll["2023_08_01_SCI_300ms_vect"], darks, flat)  # doctest: +SKIP
    """
    import dask.array as da
    from ndcube import NDCube

    from irisplug_show.stats import _frames

    x = _frames(cube, darks, flat, mask_saturated=True)
    mask = ~da.isfinite(x)
    out = NDCube(x, wcs=cube.wcs, unit=cube.unit, mask=mask, meta={**cube.meta, "calibrated": ["dark", "flat"]})
    for name in cube.extra_coords.keys():
        values = cube.axis_world_coords(wcs=cube.extra_coords[name])[0]
        out.extra_coords.add(name, 0, values)
    return out


@dataclass
class ShowCalibration:
    """What :func:`calibrate_show` produced."""

    darks: dict[int, ImageStats]
    flat: np.ndarray
    corrected: dict[str, Any] = field(default_factory=dict)
    groups: dict[str, list[str]] = field(default_factory=dict)


def _one(kinds: dict[str, list[str]], kind: str, path: Any) -> str:
    names = kinds[kind]
    if len(names) != 1:
        raise CalibrationError(f"expected exactly one {kind} group, found {names or 'none'}; pass it by name", path=path)
    return names[0]


def calibrate_show(collection: Any, *, dark: str | None = None, arm_a: str | None = None, arm_b: str | None = None,
                   science: list[str] | None = None, engine: str = "calib") -> ShowCalibration:
    """Run the SHOW L0 calibration on a collection from the ``show-l0`` reader.

    Parameters
    ----------
    collection
        Mapping group name -> NDCube (``irisplug.read(file)`` of a multi-group file).
    dark, arm_a, arm_b
        Group names; found from the names (:func:`classify_groups`) when omitted.
    science
        Groups to correct (default: all science groups).
    engine
        ``"calib"``: through ``irisplug.calibrate(cube, ["dark", "flat"], ...)``
        (the calib plugin's steps, recorded in the provenance); ``"local"``:
        :func:`correct_cube`.

    Returns
    -------
    ShowCalibration
        Master darks by exposure time (integer µs), the flat, corrected cubes by group.

    Examples
    --------
    >>> import irisplug
    >>> result = calibrate_show(irisplug.read("show_l0.nc"))  # doctest: +SKIP
    >>> sorted(result.darks), result.flat.shape  # doctest: +SKIP
    ([100000, 300000], (640, 512))
    """
    kinds = classify_groups(collection.keys())
    path = next(iter(collection.values())).meta.get("path")
    dark = dark or _one(kinds, "dark", path)
    arm_a = arm_a or _one(kinds, "flat_a", path)
    arm_b = arm_b or _one(kinds, "flat_b", path)
    science = kinds["science"] if science is None else list(science)
    darks = dark_current(collection[dark])
    flat = flat_field(collection[arm_a], collection[arm_b], darks)
    result = ShowCalibration(darks=darks, flat=flat, groups=kinds)
    for name in science:
        cube = collection[name]
        if engine == "local":
            result.corrected[name] = correct_cube(cube, darks, flat)
        elif engine == "calib":
            from irisplug_show.calib_bridge import calibrate_with_calib

            result.corrected[name] = calibrate_with_calib(cube, darks, flat, collection[dark])
        else:
            raise ValueError(f"engine must be 'calib' or 'local', not {engine!r}")
    return result
