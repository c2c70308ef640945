"""Flat fields from one illumination set or from two (SHOW arm A + arm B).

SHOW (seed document, ``SHOWLevel0.make_flat_field``): the dark-subtracted
mean images of the arm-A and arm-B white-light sets are summed (which removes
the interference modulation), normalised by their 98th percentile, and pixels
below 0.2 are bad (they would need a correction of 5 or more).

Examples
--------
>>> import numpy as np
>>> ff = make_flat(np.full((3, 4, 4), 50.0), np.full((3, 4, 4), 50.0))
>>> float(ff.flat[0, 0]), int(ff.mask.sum())
(1.0, 0)
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from irisplug.errors import CalibrationError
from irisplug_calib._common import as_float, is_dask
from irisplug_calib.dark import DarkSet, check_shape, dark_for_frames, stack_and_times

__all__ = ["FlatField", "make_flat", "illumination_mean"]


@dataclass(frozen=True)
class FlatField:
    """A normalised flat field.

    Attributes
    ----------
    flat
        Relative response (1 = typical), NaN where masked.
    error
        1-sigma uncertainty of ``flat`` (from the frame-to-frame scatter).
    mask
        True where the response is below the threshold or undefined.
    normalisation
        The value the summed image was divided by (its ``percentile``-th percentile).
    source
        Provenance (number of frames per set, percentile, threshold).
    """

    flat: np.ndarray
    error: np.ndarray
    mask: np.ndarray
    normalisation: float
    source: dict[str, Any] = field(default_factory=dict)

    @property
    def shape(self) -> tuple[int, ...]:
        """Image shape."""
        return tuple(self.flat.shape)


def illumination_mean(frames: Any, darks: DarkSet | None = None, **kw: Any) -> tuple[np.ndarray, np.ndarray, int]:
    """Mean of a set of illuminated frames after subtracting each frame's dark; and its standard error.

    ``frames`` is a (frame, y, x) array or cube; ``kw`` go to the exposure-time
    lookup (``exposure_times``, ``gain``, ``exposure_unit``) when ``darks`` is given.
    """
    if darks is not None:
        data, times, gains = stack_and_times(
            frames, kw.get("exposure_times"), kw.get("gain"), kw.get("exposure_unit", "s")
        )
        check_shape(data.shape, darks.shape, "the dark")
        dark, _, _ = dark_for_frames(darks, times, gains, fallback=kw.get("fallback", "linear"))
        data = as_float(data) - dark
    else:
        data = as_float(getattr(frames, "data", frames))
        if data.ndim == 2:
            data = data[None]
    if is_dask(data):
        data = data.compute()
    n = data.shape[0]
    with warnings.catch_warnings(), np.errstate(invalid="ignore"):
        warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN pixels are reported by make_flat
        mean = np.nanmean(data, axis=0)
        std = np.nanstd(data, axis=0)
    error = std / np.sqrt(max(n - 1, 1))
    return mean, error, n


def make_flat(
    set_a: Any,
    set_b: Any = None,
    *,
    darks: DarkSet | None = None,
    percentile: float = 98.0,
    threshold: float = 0.2,
    **kw: Any,
) -> FlatField:
    """Build a flat field from one or two sets of illuminated frames.

    Parameters
    ----------
    set_a, set_b
        (frame, y, x) arrays or cubes; with two sets (SHOW arm A and arm B)
        their dark-subtracted means are summed.
    darks
        Master darks subtracted from every frame (same exposure time).
    percentile
        The summed image is divided by this percentile of its valid pixels.
    threshold
        Pixels whose normalised response is below this are masked.
    **kw
        ``exposure_times``, ``gain``, ``exposure_unit``, ``fallback`` for the dark lookup.

    Returns
    -------
    FlatField

    Raises
    ------
    CalibrationError
        The flat has no valid pixel (all masked, non-finite or a non-positive percentile).
    InconsistentInputError
        The two sets (or a set and the darks) differ in image shape.

    Examples
    --------
    >>> import numpy as np
    >>> a = np.ones((2, 3, 3)) * np.array([1.0, 2.0, 0.1])
    >>> ff = make_flat(a, percentile=100)
    >>> ff.flat[0].tolist(), ff.mask[0].tolist()
    ([0.5, 1.0, nan], [False, False, True])
    """
    mean_a, err_a, n_a = illumination_mean(set_a, darks, **kw)
    total, err2 = mean_a, err_a**2
    source: dict[str, Any] = {"frames_a": n_a, "percentile": percentile, "threshold": threshold}
    if set_b is not None:
        mean_b, err_b, n_b = illumination_mean(set_b, darks, **kw)
        check_shape(mean_b.shape, mean_a.shape, "illumination set B")
        total = mean_a + mean_b
        err2 = err2 + err_b**2
        source["frames_b"] = n_b
    finite = np.isfinite(total)
    if not finite.any():
        raise CalibrationError("the flat field has no valid pixel: every summed pixel is NaN or infinite")
    norm = float(np.nanpercentile(total[finite], percentile))
    if not norm > 0:
        raise CalibrationError(
            f"the flat field has no valid pixel: its {percentile}th percentile is {norm} (no illumination?)"
        )
    flat = total / norm
    error = np.sqrt(err2) / norm
    with np.errstate(invalid="ignore"):
        mask = ~np.isfinite(flat) | (flat < threshold)
    if mask.all():
        raise CalibrationError(f"the flat field has no valid pixel: every pixel is below the threshold {threshold}")
    flat = np.where(mask, np.nan, flat)
    return FlatField(flat=flat, error=error, mask=mask, normalisation=norm, source=source)
