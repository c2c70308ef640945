"""Correct SHOW cubes with the calib plugin's ``dark`` and ``flat`` steps (through ``irisplug.calibrate``)."""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["calibrate_with_calib", "calib_steps_available"]


def calib_steps_available() -> bool:
    """True when calibrators named ``dark`` and ``flat`` are installed.

    Examples
    --------
    >>> isinstance(calib_steps_available(), bool)
    True
    """
    import irisplug

    have = irisplug.get_plugin_manager().contributions("calibrator")
    return "dark" in have and "flat" in have


def calibrate_with_calib(cube: Any, darks: dict, flat: np.ndarray, dark_cube: Any) -> Any:
    """``irisplug.calibrate(cube, ["dark", "flat"], ...)`` with the dark frames and the flat.

    Raises
    ------
    UnknownContributionError
        When the calib plugin's steps are not installed.
    """
    import irisplug

    return irisplug.calibrate(cube, ["dark", "flat"], dark={"darks": dark_cube}, flat={"flat": flat})
