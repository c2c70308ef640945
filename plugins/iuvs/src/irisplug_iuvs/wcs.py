"""The world coordinates of IUVS arrays (integration, spatial, spectral).

IUVS wavelengths differ per spatial bin (``Observation.WAVELENGTH`` has shape
(n_spatial, n_spectral)), so the wavelength is a 2-D lookup table on the
(spatial, spectral) pixel axes: a gwcs with an ``astropy`` ``Tabular2D``
model. At integer pixels the table values come back exactly.
"""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["build_iuvs_wcs"]


def _tabular1d(values: np.ndarray) -> Any:
    from astropy.modeling.models import Shift, Tabular1D

    if len(values) < 2:  # a one-point table cannot interpolate
        return Shift(float(values[0]) if len(values) else 0.0)
    return Tabular1D(points=np.arange(len(values), dtype=float), lookup_table=np.asarray(values, float),
                     method="linear", bounds_error=False, fill_value=np.nan)


def build_iuvs_wcs(wavelength_nm: np.ndarray, seconds: np.ndarray, reference_time: Any) -> Any:
    """A gwcs for an IUVS cube of numpy shape (n_int, n_spa, n_spe).

    Parameters
    ----------
    wavelength_nm
        Per-pixel wavelengths, shape (n_spa, n_spe), in nm.
    seconds
        Time of each integration in seconds after ``reference_time``, shape (n_int,).
    reference_time
        `astropy.time.Time` of the time axis zero.

    Returns
    -------
    gwcs.WCS
        Pixel axes (spectral, spatial, integration) in WCS order; world axes
        wavelength (nm), spatial bin (pix) and time (s after reference).

    Examples
    --------
    >>> import numpy as np
    >>> from astropy.time import Time
    >>> w = build_iuvs_wcs(np.array([[100., 101., 102.], [100.5, 101.5, 102.5]]), np.array([0., 1.]),
    ...                    Time("2023-01-14T07:19:07"))
    >>> [float(v) for v in w.pixel_to_world_values(2, 1, 1)]
    [102.5, 1.0, 1.0]
    """
    import astropy.units as u
    from astropy.modeling.models import Identity, Mapping, Tabular2D
    from gwcs import WCS
    from gwcs import coordinate_frames as cf

    wl = np.asarray(wavelength_nm, dtype=float)
    n_spa, n_spe = wl.shape
    method = "linear" if min(n_spa, n_spe) >= 2 else "nearest"
    wl_model = Tabular2D(
        points=(np.arange(n_spe, dtype=float), np.arange(n_spa, dtype=float)),
        lookup_table=wl.T,
        method=method,
        bounds_error=False,
        fill_value=np.nan,
    )
    transform = Mapping((0, 1, 1, 2)) | (wl_model & Identity(1) & _tabular1d(np.asarray(seconds, float)))
    pixel = cf.CoordinateFrame(
        naxes=3, axes_type=("PIXEL",) * 3, axes_order=(0, 1, 2), unit=(u.pix,) * 3,
        axes_names=("spectral_pixel", "spatial_bin", "integration"), name="detector",
    )
    spectral = cf.SpectralFrame(axes_order=(0,), unit=(u.nm,), axes_names=("wavelength",), name="wavelength")
    spatial = cf.CoordinateFrame(
        naxes=1, axes_type=("SPATIAL",), axes_order=(1,), unit=(u.pix,), axes_names=("spatial_bin",),
        axis_physical_types=("custom:pos.iuvs.spatial_bin",), name="spatial",
    )
    temporal = cf.TemporalFrame(reference_time, axes_order=(2,), unit=(u.s,), axes_names=("time",), name="time")
    world = cf.CompositeFrame([spectral, spatial, temporal], name="world")
    return WCS(forward_transform=transform, input_frame=pixel, output_frame=world)
