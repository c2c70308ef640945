"""The SHOW level-0 calibration workflow: darks per exposure time, arm A + arm B flat, corrected images.

:func:`classify_groups` sorts a file's groups by kind from their names;
:func:`calibrate_show` builds the master darks and the flat field from the
calibration groups (calib plugin: ``master_darks``, ``make_flat``) and corrects
every science group through ``irisplug.calibrate(cube, ["dark", "flat"], ...)``,
which records each step in the provenance.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from irisplug.errors import CalibrationError
from irisplug_show.stats import calib, dark_current

__all__ = ["classify_groups", "ShowCalibration", "calibrate_show"]

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


@dataclass
class ShowCalibration:
    """What :func:`calibrate_show` produced.

    Attributes
    ----------
    darks : irisplug_calib.DarkSet
        Master darks per exposure time.
    flat : irisplug_calib.FlatField
        ``.flat`` (NaN where masked), ``.error``, ``.mask``, ``.normalisation``.
    corrected : dict
        Group name -> corrected NDCube (lazy, DN, provenance in ``irisplug.history``).
    groups : dict
        :func:`classify_groups` of the collection.
    """

    darks: Any
    flat: Any
    corrected: dict[str, Any] = field(default_factory=dict)
    groups: dict[str, list[str]] = field(default_factory=dict)


def _one(kinds: dict[str, list[str]], kind: str, path: Any) -> str:
    names = kinds[kind]
    if len(names) != 1:
        raise CalibrationError(f"expected exactly one {kind} group, found {names or 'none'}; pass it by name", path=path)
    return names[0]


def calibrate_show(collection: Any, *, dark: str | None = None, arm_a: str | None = None, arm_b: str | None = None,
                   science: list[str] | None = None, exclude_saturated: str | None = "pixels") -> ShowCalibration:
    """Run the SHOW L0 calibration on a collection from the ``show-l0`` reader.

    Parameters
    ----------
    collection
        Mapping group name -> NDCube (``irisplug.read(file)`` of a multi-group file).
    dark, arm_a, arm_b
        Group names; found from the names (:func:`classify_groups`) when omitted.
    science
        Groups to correct (default: all science groups).
    exclude_saturated
        How saturated pixels are kept out of the darks and the flat (see
        :func:`~irisplug_show.stats.image_statistics`).

    Returns
    -------
    ShowCalibration

    Raises
    ------
    CalibrationError
        A calibration group is missing or ambiguous; a science exposure time has
        no dark (the calib step then fits offset + rate*t per pixel, with a warning).

    Examples
    --------
    >>> import irisplug
    >>> result = calibrate_show(irisplug.read("show_l0.nc"))  # doctest: +SKIP
    >>> result.darks.exposure_times(), result.flat.flat.shape  # doctest: +SKIP
    ([0.1, 0.3], (640, 512))
    """
    import irisplug

    kinds = classify_groups(collection.keys())
    path = next(iter(collection.values())).meta.get("path")
    dark = dark or _one(kinds, "dark", path)
    arm_a = arm_a or _one(kinds, "flat_a", path)
    arm_b = arm_b or _one(kinds, "flat_b", path)
    science = kinds["science"] if science is None else list(science)
    darks = dark_current(collection[dark], exclude_saturated=exclude_saturated)
    flat = calib().make_flat(collection[arm_a], collection[arm_b], darks=darks)
    result = ShowCalibration(darks=darks, flat=flat, groups=kinds)
    for name in irisplug.progress(science, desc="SHOW science groups", quiet=len(science) < 4):
        result.corrected[name] = irisplug.calibrate(collection[name], ["dark", "flat"], dark={"darks": darks},
                                                    flat={"flat": flat})
    return result
