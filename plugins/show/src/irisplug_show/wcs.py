"""The world coordinates of a SHOW L0 image stack (time, heightrow, pixelrow)."""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["build_show_wcs"]


def build_show_wcs(seconds: np.ndarray, reference_time: Any) -> Any:
    """A gwcs: time (a lookup table over frames, s after ``reference_time``) and the two detector indices.

    Parameters
    ----------
    seconds
        Frame times in seconds after ``reference_time``.
    reference_time
        `astropy.time.Time` of the first frame.

    Examples
    --------
    >>> from astropy.time import Time
    >>> w = build_show_wcs(np.array([0.0, 0.35, 0.7]), Time("2023-08-01T18:00:00"))
    >>> [float(v) for v in w.pixel_to_world_values(5, 7, 2)]
    [5.0, 7.0, 0.7]
    """
    import astropy.units as u
    from astropy.modeling.models import Identity, Shift, Tabular1D
    from gwcs import WCS
    from gwcs import coordinate_frames as cf

    seconds = np.asarray(seconds, dtype=float)
    if len(seconds) >= 2:
        tmodel = Tabular1D(points=np.arange(len(seconds), dtype=float), lookup_table=seconds, method="linear",
                           bounds_error=False, fill_value=np.nan)
    else:
        tmodel = Shift(float(seconds[0]) if len(seconds) else 0.0)
    transform = Identity(2) & tmodel
    pixel = cf.CoordinateFrame(naxes=3, axes_type=("PIXEL",) * 3, axes_order=(0, 1, 2), unit=(u.pix,) * 3,
                               axes_names=("pixelrow", "heightrow", "frame"), name="detector")
    detector = cf.CoordinateFrame(
        naxes=2, axes_type=("SPATIAL", "SPATIAL"), axes_order=(0, 1), unit=(u.pix, u.pix),
        axes_names=("pixelrow", "heightrow"),
        axis_physical_types=("custom:pos.show.pixelrow", "custom:pos.show.heightrow"), name="detector_index",
    )
    temporal = cf.TemporalFrame(reference_time, axes_order=(2,), unit=(u.s,), axes_names=("time",), name="time")
    return WCS(forward_transform=transform, input_frame=pixel,
               output_frame=cf.CompositeFrame([detector, temporal], name="world"))
