"""Write a measured misalignment back into world coordinates.

A shift ``s = (dy, dx)`` measured for a target against a reference drawn on
the target's own pixel grid means: what the target shows at pixel ``p`` lies
at the world coordinate its old WCS gives for ``p - s``. With a rotation /
scale ``A`` about the image centre ``c`` (see :mod:`irisplug_coalign.rotation`)
the pixel map is ``M(p) = A^-1 (p - c - s) + c``. The corrected WCS is
``new(p) = old(M(p))``.

* a celestial FITS WCS (sunpy Map, 2-D or single-pointing cubes): a pure
  shift moves the pointing, ``CRVAL <- old(CRPIX - s)`` (exact at the
  reference pixel; the tangent-point move changes other pixels by far less
  than a micro-arcsecond over an IRIS field); with rotation/scale the PC
  matrix and CRPIX are composed with ``M`` exactly.
* a cube whose WCS is an :class:`irisplug.model.PerExposureWCS` (IRIS SJI
  and raster cubes): each exposure gets new pointing by the same rule
  (:mod:`irisplug_coalign.repoint`); the cube stays storable.
* any other APE-14 WCS with a frame axis: :class:`FrameOffsetWCS` wraps it
  and applies one pixel offset per frame.
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from typing import Any

import numpy as np
from astropy.wcs.wcsapi import BaseLowLevelWCS, HighLevelWCSMixin

__all__ = ["FrameOffsetWCS", "corrected_celestial_wcs", "with_wcs"]


def corrected_celestial_wcs(wcs: Any, shift: Sequence[float], matrix: np.ndarray | None = None, centre: Sequence[float] | None = None) -> Any:
    """A copy of an ``astropy.wcs.WCS`` corrected by ``shift`` (and ``matrix``).

    Parameters
    ----------
    wcs
        FITS WCS whose first two pixel axes are the image x (axis 1) and y (axis 2).
    shift
        ``(dy, dx)`` in pixels, as measured by the estimators.
    matrix
        2x2 ``A`` on ``(y, x)`` vectors (rotation x scale), or ``None``.
    centre
        ``(cy, cx)`` the rotation was measured about (0-based pixels).

    Examples
    --------
    >>> from astropy.wcs import WCS
    >>> w = WCS(naxis=2); w.wcs.ctype = ["HPLN-TAN", "HPLT-TAN"]; w.wcs.cunit = ["arcsec"] * 2
    >>> w.wcs.cdelt = [0.5, 0.5]; w.wcs.crpix = [50, 50]; w.wcs.crval = [100.0, 200.0]
    >>> new = corrected_celestial_wcs(w, (2.0, 4.0))
    >>> [round(float(v), 3) for v in new.wcs_pix2world([[49 + 4, 49 + 2]], 0)[0] * 3600]
    [100.0, 200.0]
    """
    new = copy.deepcopy(wcs)
    dy, dx = float(shift[0]), float(shift[1])
    if matrix is None:
        pix = np.array(new.wcs.crpix, float) - 1  # 0-based
        pix[0] -= dx
        pix[1] -= dy
        world = wcs.wcs_pix2world(pix[None, :], 0)[0]
        new.wcs.crval = world
        new.wcs.set()
        return new
    a_yx = np.asarray(matrix, float)
    swap = np.array([[0, 1], [1, 0]])
    a_xy = swap @ a_yx @ swap
    c_xy = np.array([centre[1], centre[0]], float)
    s_xy = np.array([dx, dy])
    n = new.wcs.naxis
    pc = new.wcs.get_pc().copy()
    ainv = np.eye(n)
    ainv[:2, :2] = np.linalg.inv(a_xy)
    pc = pc @ ainv
    crpix0 = np.array(new.wcs.crpix, float) - 1
    crpix0[:2] = a_xy @ (crpix0[:2] - c_xy) + c_xy + s_xy
    cdelt = np.array(new.wcs.get_cdelt(), float)
    new.wcs.pc = pc
    new.wcs.cdelt = cdelt
    new.wcs.crpix = crpix0 + 1
    if new.wcs.has_cd():  # pragma: no cover - IRIS/AIA headers use PC
        del new.wcs.cd
    new.wcs.set()
    return new


class FrameOffsetWCS(HighLevelWCSMixin, BaseLowLevelWCS):
    """Any low-level WCS with a pixel offset per frame (the pointing correction of a cube).

    ``pixel_to_world(x, y, f) = base.pixel_to_world(x - dx[f], y - dy[f], f)``
    with ``f`` rounded to the nearest frame.

    Parameters
    ----------
    base
        The cube's low-level WCS (FITS pixel order).
    dy, dx
        Per-frame shifts (pixels), as measured by the estimators.
    x_axis, y_axis, frame_axis
        Pixel axis indices (0-based, WCS order) of image x, image y and frame.

    Examples
    --------
    >>> from astropy.wcs import WCS
    >>> w = WCS(naxis=3); w.wcs.ctype = ["HPLN-TAN", "HPLT-TAN", "TIME"]
    >>> w.wcs.cunit = ["arcsec", "arcsec", "s"]; w.wcs.cdelt = [1, 1, 10]; w.wcs.set()
    >>> fw = FrameOffsetWCS(w, dy=[0.0, 1.0], dx=[0.0, 2.0])
    >>> new = fw.pixel_to_world_values(2.0, 1.0, 1.0)
    >>> old = w.pixel_to_world_values(0.0, 0.0, 1.0)
    >>> bool(np.allclose(new, old))
    True
    """

    def __init__(self, base: Any, dy: Sequence[float], dx: Sequence[float], *, x_axis: int = 0, y_axis: int = 1, frame_axis: int = 2) -> None:
        self._base = getattr(base, "low_level_wcs", base)
        self._dy = np.asarray(dy, float)
        self._dx = np.asarray(dx, float)
        self._ax = (int(x_axis), int(y_axis), int(frame_axis))

    @property
    def base(self) -> Any:
        """The wrapped (uncorrected) low-level WCS."""
        return self._base

    @property
    def shifts(self) -> np.ndarray:
        """``(n_frames, 2)`` array of ``(dy, dx)``."""
        return np.stack([self._dy, self._dx], axis=1)

    def _frame(self, f: Any) -> np.ndarray:
        return np.clip(np.rint(np.nan_to_num(np.asarray(f, float))), 0, len(self._dy) - 1).astype(int)

    def pixel_to_world_values(self, *pixel_arrays: Any) -> Any:
        xa, ya, fa = self._ax
        p = [np.asarray(a, float) for a in np.broadcast_arrays(*pixel_arrays)]
        k = self._frame(p[fa])
        p[xa] = p[xa] - self._dx[k]
        p[ya] = p[ya] - self._dy[k]
        return self._base.pixel_to_world_values(*p)

    def world_to_pixel_values(self, *world_arrays: Any) -> Any:
        xa, ya, fa = self._ax
        p = list(self._base.world_to_pixel_values(*world_arrays))
        if self._base.pixel_n_dim == 1:  # pragma: no cover
            p = [p]
        p = [np.asarray(a, float) for a in p]
        k = self._frame(p[fa])
        p[xa] = p[xa] + self._dx[k]
        p[ya] = p[ya] + self._dy[k]
        return tuple(p)

    # everything else is the base WCS's
    @property
    def pixel_n_dim(self) -> int:
        return self._base.pixel_n_dim

    @property
    def world_n_dim(self) -> int:
        return self._base.world_n_dim

    @property
    def world_axis_physical_types(self) -> Any:
        return self._base.world_axis_physical_types

    @property
    def world_axis_units(self) -> Any:
        return self._base.world_axis_units

    @property
    def world_axis_names(self) -> Any:
        return self._base.world_axis_names

    @property
    def pixel_axis_names(self) -> Any:
        return self._base.pixel_axis_names

    @property
    def world_axis_object_components(self) -> Any:
        return self._base.world_axis_object_components

    @property
    def world_axis_object_classes(self) -> Any:
        return self._base.world_axis_object_classes

    @property
    def axis_correlation_matrix(self) -> Any:
        m = np.array(self._base.axis_correlation_matrix, bool)
        xa, ya, fa = self._ax
        m[:, fa] |= m[:, xa] | m[:, ya]  # the frame now moves the celestial axes
        return m

    @property
    def pixel_shape(self) -> Any:
        return self._base.pixel_shape

    @property
    def pixel_bounds(self) -> Any:
        return self._base.pixel_bounds

    @property
    def serialized_classes(self) -> bool:
        return False


def with_wcs(cube: Any, wcs: Any, meta_update: dict[str, Any] | None = None) -> Any:
    """A shallow copy of an NDCube (any subclass) carrying ``wcs`` and an updated meta.

    Data, mask, unit, uncertainty and extra/global coordinates are shared
    with the input (never modified); ``meta`` is a new dict.
    """
    from astropy.wcs.wcsapi import HighLevelWCSWrapper

    new = copy.copy(cube)
    new._wcs = wcs if hasattr(wcs, "low_level_wcs") else HighLevelWCSWrapper(wcs)
    meta = dict(cube.meta) if cube.meta is not None else {}
    meta.update(meta_update or {})
    new.meta = meta
    return new
