"""What the calibration steps accept, decided by the core's model contract (:func:`irisplug.model.kind_of`).

Each function returns an :class:`irisplug.model.Verdict`; ``irisplug.calibrate``
reports its reason when a step refuses an object.

Examples
--------
>>> v = cubes(42)
>>> bool(v), v.reason.startswith("int is not")
(False, True)
"""

from __future__ import annotations

from typing import Any

from irisplug.model import Kind, Verdict, accepting

__all__ = ["cubes", "cubes_or_maps", "maps"]

_CUBES = accepting(Kind.SPECTRAL_CUBE, Kind.RASTER_SEQUENCE, Kind.IMAGE_CUBE, Kind.IMAGE_SEQUENCE, Kind.IMAGE,
                   Kind.SPECTRA, Kind.DETECTOR_ARRAY, Kind.OBSERVATION, what="this calibration step")


def _is_map(obj: Any) -> bool:
    from irisplug_calib._common import is_map

    return is_map(obj)


def cubes(obj: Any) -> Verdict:
    """Cubes, sequences and observations of any kind (raw detector arrays included); not sunpy Maps."""
    if _is_map(obj):
        return Verdict(False, "a sunpy Map; this calibration step takes cubes (NDCube, sequences, observations)")
    return _CUBES(obj)


def cubes_or_maps(obj: Any) -> Verdict:
    """What :func:`cubes` takes, and sunpy Maps."""
    return Verdict(True, "sunpy Map") if _is_map(obj) else cubes(obj)


def maps(obj: Any) -> Verdict:
    """sunpy Maps only."""
    if _is_map(obj):
        return Verdict(True, "sunpy Map")
    return Verdict(False, f"a {type(obj).__name__}; this step takes a sunpy Map")
