"""Build IUVS NDCubes: data + gwcs + extra coordinates ``time`` and ``exposure_time`` on axis 0."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from irisplug.errors import InconsistentInputError
from irisplug_iuvs.wcs import build_iuvs_wcs

__all__ = ["with_leading_axis", "make_cube", "wavelength_table", "exposure_seconds"]


def with_leading_axis(data: Any) -> Any:
    """Give a one-integration (2-D) array its leading integration axis back."""
    if data is None:
        return None
    return data[None, ...] if data.ndim == 2 else data


def wavelength_table(observation: Any, shape: tuple[int, ...], path: Path) -> np.ndarray:
    """``Observation.WAVELENGTH`` as (n_spa, n_spe) nm, checked against the data shape."""
    wl = np.asarray(observation["WAVELENGTH"], dtype=float)
    wl = wl[0] if wl.ndim == 3 else wl
    if wl.shape != tuple(shape[-2:]):
        raise InconsistentInputError(
            f"Observation.WAVELENGTH has shape {wl.shape} but the images have (spatial, spectral) {tuple(shape[-2:])}",
            path=path,
        )
    return wl


def exposure_seconds(engineering: Any | None, header: dict, n: int, path: Path) -> Any:
    """Integration time of each of ``n`` integrations as a Quantity in s.

    From ``Engineering.INT_TIME`` (ms; one row per product: each row to its
    ``NUMBER`` frames where those add up to ``n`` (dark products of 5 and 4
    frames), else spread evenly over the frames) or, without it, the primary
    ``INT_TIME`` keyword (s).
    """
    import astropy.units as u

    if engineering is not None and "INT_TIME" in engineering.colnames and len(engineering):
        ms = np.asarray(engineering["INT_TIME"], dtype=float)
        if "NUMBER" in engineering.colnames:
            counts = np.asarray(engineering["NUMBER"], dtype=np.int64)
            if counts.shape == ms.shape and (counts >= 0).all() and int(counts.sum()) == n:
                return np.repeat(ms, counts) / 1000.0 * u.s
        if n % len(ms) == 0:
            return np.repeat(ms, n // len(ms)) / 1000.0 * u.s
    if "INT_TIME" not in header:
        raise InconsistentInputError("no INT_TIME in the header nor the Engineering table", path=path)
    return np.full(n, float(header["INT_TIME"])) * u.s


def make_cube(data: Any, unit: Any, wavelength_nm: np.ndarray, times: Any, exposure: Any, *,
              meta: dict, uncertainty: Any = None, mask: Any = None) -> Any:
    """An NDCube (integration, spatial, spectral) with the 2-D wavelength table and per-integration coords."""
    import astropy.units as u

    from irisplug.model import FrameCube

    if len(times) != data.shape[0]:
        raise InconsistentInputError(
            f"{len(times)} integration times for {data.shape[0]} frames of the {meta.get('role', '')} array",
            path=meta.get("path"),
        )
    t0 = times[0]
    seconds = (times - t0).to_value(u.s)
    wcs = build_iuvs_wcs(wavelength_nm, seconds, t0)
    cube = FrameCube(data, wcs=wcs, unit=unit, uncertainty=uncertainty, mask=mask, meta=meta)
    cube.extra_coords.add("time", 0, times, physical_types="time")
    cube.extra_coords.add("exposure_time", 0, exposure, physical_types="obs.exposure")
    return cube
