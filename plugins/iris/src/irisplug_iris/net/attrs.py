"""IRIS-specific search attributes for ``Fido.search`` (``a.iris.*`` once :mod:`irisplug_iris.net` is imported).

Combine them with sunpy's generic ones: ``a.Time``, ``a.Instrument("IRIS")``, ``a.Level(2)``.

Examples
--------
>>> import astropy.units as u
>>> from irisplug_iris.net import attrs as ia
>>> ia.OBSID(3620258102).value
3620258102
>>> ia.Pointing(-100 * u.arcsec, 100 * u.arcsec, 200 * u.arcsec, 400 * u.arcsec).xmax
<Quantity 100. arcsec>
"""

from __future__ import annotations

from typing import Any

import astropy.units as u
from sunpy.net.attr import Attr, SimpleAttr

__all__ = ["OBSID", "Description", "Pointing", "Product"]


class OBSID(SimpleAttr):
    """The IRIS observing program number (``iris_obsid`` in the HCR, ``OBSID`` in the FITS headers)."""

    def __init__(self, value: int | str) -> None:
        try:
            number = int(str(value).strip())
        except ValueError as exc:
            raise ValueError(f"OBSID must be a number such as 3620258102, got {value!r}") from exc
        super().__init__(number)


class Description(SimpleAttr):
    """Free text searched in the planner's description of the observation (the HCR ``obsDesc`` filter)."""

    def __init__(self, value: str) -> None:
        super().__init__(str(value))


class Pointing(Attr):
    """Observations whose centre (``xCen``, ``yCen``, helioprojective) lies in a box.

    Parameters
    ----------
    xmin, xmax, ymin, ymax
        The box edges; numbers are arcsec, or any angle Quantity.
    """

    def __init__(self, xmin: Any, xmax: Any, ymin: Any, ymax: Any) -> None:
        super().__init__()
        self.xmin, self.xmax, self.ymin, self.ymax = (u.Quantity(v, u.arcsec).to(u.arcsec) for v in (xmin, xmax, ymin, ymax))
        if self.xmin > self.xmax or self.ymin > self.ymax:
            raise ValueError(f"Pointing box has min > max: x [{self.xmin}, {self.xmax}], y [{self.ymin}, {self.ymax}]")

    def contains(self, x: float, y: float) -> bool:
        """True when (x, y) in arcsec lies inside the box (edges included)."""
        return bool(self.xmin.value <= x <= self.xmax.value and self.ymin.value <= y <= self.ymax.value)

    def __repr__(self) -> str:
        return f"<irisplug_iris.net.attrs.Pointing(x: {self.xmin} .. {self.xmax}, y: {self.ymin} .. {self.ymax})>"

    def collides(self, other: Attr) -> bool:
        return isinstance(other, self.__class__)


class Product(SimpleAttr):
    """Which files to find and fetch: ``"raster"`` or a slit-jaw band (``"SJI_1400"``, ``1400``, ``"2796"``).

    Several products are an OR: ``Product("raster") | Product("SJI_1400")``; an
    observation is found when it has the product, and only those files are fetched.
    """

    def __init__(self, value: str | int) -> None:
        super().__init__(normalize_product(value))


def normalize_product(value: str | int) -> str:
    """``"raster"`` or ``"SJI_<band>"`` from the ways a user writes them.

    Examples
    --------
    >>> normalize_product(1400), normalize_product("sji 2796"), normalize_product("Raster")
    ('SJI_1400', 'SJI_2796', 'raster')
    """
    text = str(value).strip().replace(" ", "_").upper()
    if text in ("RASTER", "SPECTROGRAPH", "SG"):
        return "raster"
    band = text.removeprefix("SJI_").removeprefix("SJI")
    if not band.isdigit():
        raise ValueError(f"unknown IRIS product {value!r}; use 'raster' or a slit-jaw band such as 'SJI_1400' or 2796")
    return f"SJI_{int(band)}"
