"""Per-pixel viewing geometry of IUVS products from the ``PixelGeometry`` and ``SpacecraftGeometry`` tables."""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["pixel_geometry", "app_flipped", "CENTRE"]

#: index of the pixel centre on the last axis of the PIXEL_CORNER_* columns (0-3 are the corners)
CENTRE = 4

_CORNER = {"lat": "PIXEL_CORNER_LAT", "lon": "PIXEL_CORNER_LON", "ra": "PIXEL_CORNER_RA", "dec": "PIXEL_CORNER_DEC",
           "tangent_altitude": "PIXEL_CORNER_MRH_ALT", "tangent_altitude_rate": "PIXEL_CORNER_MRH_ALT_RATE",
           "line_of_sight": "PIXEL_CORNER_LOS"}
_PER_BIN = {"solar_zenith_angle": ("PIXEL_SOLAR_ZENITH_ANGLE", "deg"), "emission_angle": ("PIXEL_EMISSION_ANGLE", "deg"),
            "zenith_angle": ("PIXEL_ZENITH_ANGLE", "deg"), "phase_angle": ("PIXEL_PHASE_ANGLE", "deg"),
            "local_time": ("PIXEL_LOCAL_TIME", "h")}


def pixel_geometry(product: Any, *, corners: bool = False) -> dict[str, Any]:
    """Geometry of every (integration, spatial bin) of an IUVS product, as Quantities.

    Parameters
    ----------
    product
        An `~irisplug_iuvs.product.IUVSProduct` with a ``PixelGeometry`` table.
    corners
        Also return the four corners: arrays (n_int, n_spa, 4) under ``"<name>_corners"``.

    Returns
    -------
    dict of str to astropy.units.Quantity
        ``lat``, ``lon``, ``ra``, ``dec`` (deg), ``tangent_altitude`` (km, 0 on
        the disk), ``tangent_altitude_rate``, ``line_of_sight`` (km) at the
        pixel centre, and ``solar_zenith_angle``, ``emission_angle``,
        ``zenith_angle``, ``phase_angle`` (deg), ``local_time`` (h); each of
        shape (n_int, n_spa). NaN is the files' fill (off-disk pixels).

    Raises
    ------
    IUVSMissingTableError
        The product has no ``PixelGeometry`` table.

    Examples
    --------
    >>> geo = pixel_geometry(irisplug.read(l1b_file))  # doctest: +SKIP
    >>> geo["lat"].shape, geo["local_time"].unit  # doctest: +SKIP
    ((2, 133), Unit("h"))
    """
    import astropy.units as u

    from irisplug_iuvs.errors import IUVSMissingTableError

    table = product.tables.get("PixelGeometry")
    if table is None:
        raise IUVSMissingTableError("no PixelGeometry table: the product has no pixel geometry",
                                    path=product.meta.get("path"))
    out: dict[str, Any] = {}
    for name, col in _CORNER.items():
        values = u.Quantity(table[col])
        out[name] = values[..., CENTRE]
        if corners:
            out[f"{name}_corners"] = values[..., :CENTRE]
    for name, (col, unit) in _PER_BIN.items():
        column = table[col]
        out[name] = u.Quantity(column) if column.unit is not None else np.asarray(column) * u.Unit(unit)
    return out


def app_flipped(product: Any) -> bool:
    """True when the articulated payload platform is flipped, so images read mirrored.

    PyUVS's test: ``dot(VX_INSTRUMENT_INERTIAL, V_SPACECRAFT_RATE_INERTIAL) > 0``
    at the last integration (``SpacecraftGeometry``); such images are shown
    ``fliplr``.

    Examples
    --------
    >>> app_flipped(irisplug.read(l1b_file))  # doctest: +SKIP
    False
    """
    from irisplug_iuvs.errors import IUVSMissingTableError

    geo = product.tables.get("SpacecraftGeometry")
    if geo is None:
        raise IUVSMissingTableError("no SpacecraftGeometry table", path=product.meta.get("path"))
    vx = np.asarray(geo["VX_INSTRUMENT_INERTIAL"], dtype=float)[-1]
    rate = np.asarray(geo["V_SPACECRAFT_RATE_INERTIAL"], dtype=float)[-1]
    return bool(np.sign(np.dot(vx, rate)) > 0)
