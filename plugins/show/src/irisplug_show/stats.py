"""SHOW L0 image statistics, on top of the calib plugin's master-dark statistics.

The statistics showapi computes (``SHOWLevel0.average_images``: per-pixel
average, standard deviation with 1/n normalisation, standard error
``std/sqrt(n-1)``, median of each frame) are the calib plugin's
``MasterDark``; this module only gives them the SHOW vocabulary (integer
microsecond keys as showapi) so nothing is computed twice in irisplug.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from irisplug.errors import UnknownContributionError

__all__ = ["calib", "exposure_us", "image_statistics", "dark_current"]


def calib() -> Any:
    """The calib plugin's public top level, ``irisplug_calib`` (an optional dependency).

    Only its public names are used (``master_darks``, ``make_flat``), never
    its private modules.

    Raises
    ------
    UnknownContributionError
        When the calib plugin is not installed.

    Examples
    --------
    >>> calib().__name__  # doctest: +SKIP
    'irisplug_calib'
    """
    try:
        import irisplug_calib
    except ImportError as exc:
        raise UnknownContributionError(
            "the SHOW statistics and calibration use the calib plugin (irisplug-calib); install it"
        ) from exc
    return irisplug_calib


def exposure_us(cube: Any) -> np.ndarray:
    """Exposure time of each frame as integer microseconds (the showapi key).

    Examples
    --------
    >>> exposure_us(cube)  # doctest: +SKIP
    array([100000, 100000, ..., 300000])
    """
    import astropy.units as u

    exp = cube.axis_world_coords(wcs=cube.extra_coords["exposure_time"])[0]
    return np.rint(np.atleast_1d(exp.to_value(u.us))).astype("int64")


def image_statistics(cube: Any, *, exclude_saturated: str | None = "pixels") -> Any:
    """Average, standard deviation, standard error and per-frame median of a single-exposure stack.

    Parameters
    ----------
    cube
        An NDCube (frame, heightrow, pixelrow) of one exposure time, e.g. a
        science group or a corrected cube.
    exclude_saturated
        ``"pixels"`` (default): pixels >= 16383 DN do not contribute;
        ``"frames"``: drop frames with any saturated pixel; None: keep all.

    Returns
    -------
    irisplug_calib.MasterDark
        ``.mean``, ``.std``, ``.error``, ``.median`` (one per frame), ``.count`` (dask-backed).

    Raises
    ------
    InconsistentInputError
        The stack holds several exposure times (use :func:`dark_current`).

    Examples
    --------
    >>> s = image_statistics(coll["2023_08_01_SCI_300ms_vect"])  # doctest: +SKIP
    >>> s.mean.shape, s.median.shape  # doctest: +SKIP
    ((640, 512), (4,))
    """
    from irisplug.errors import InconsistentInputError

    darkset = calib().master_darks(cube, exclude_saturated=exclude_saturated)
    if len(darkset.darks) != 1:
        raise InconsistentInputError(
            f"the stack holds {len(darkset.darks)} exposure times / gain states; statistics need one",
            path=cube.meta.get("path"),
        )
    return darkset.darks[0]


def dark_current(cube: Any, *, exclude_saturated: str | None = "pixels", compute: bool = True) -> Any:
    """Master darks of a dark group, one per exposure time (showapi ``make_dark_current``).

    With ``compute`` (default) the statistics are computed once, in one dask
    pass, and held as numpy arrays: every later use (flat, each science group)
    then reuses them instead of re-reading the dark frames.

    Returns
    -------
    irisplug_calib.DarkSet
        ``.find(seconds)`` gives the MasterDark of an exposure time; pass it to
        ``irisplug.calibrate(cube, ["dark"], darks=...)``.

    Examples
    --------
    >>> darks = dark_current(coll["2023_08_01_DARK_vect"])  # doctest: +SKIP
    >>> darks.exposure_times()  # doctest: +SKIP
    [0.1, 0.3]
    """
    darkset = calib().master_darks(cube, exclude_saturated=exclude_saturated)
    if not compute:
        return darkset
    import dataclasses

    import dask

    names = ("mean", "std", "error", "median", "count")
    values = dask.compute(*[getattr(d, n) for d in darkset.darks for n in names])
    it = iter(values)
    darks = tuple(dataclasses.replace(d, **{n: np.asarray(next(it)) for n in names}) for d in darkset.darks)
    return dataclasses.replace(darkset, darks=darks)
