"""Write per-frame shifts into a cube's coordinates: new pointing, or a pixel-offset wrapper.

A per-frame shift ``s_f = (dy_f, dx_f)`` (pixels) means: what frame ``f``
shows at pixel ``p`` lies at the world coordinate the old WCS gives for
``p - s_f`` (see :mod:`irisplug_coalign.wcs_correction`).

* The cube's WCS (under any ndcube slicing) is an
  :class:`irisplug.model.PerExposureWCS` (IRIS SJI and raster cubes): every
  exposure gets a new reference longitude / latitude, the OLD world
  coordinate of that exposure at ``reference pixel - s_f`` -- the rule of
  :func:`~irisplug_coalign.wcs_correction.corrected_celestial_wcs` applied
  exposure by exposure. It is exact at the reference pixel; elsewhere it
  differs from ``old(p - s_f)`` only because the gnomonic (TAN) tangent
  point moves with the pointing: of order ``|shift| * r**2`` with ``r`` the
  distance from the reference pixel in radians, about 2e-8 arcsec for a
  1-arcsec shift at 200 arcsec from the reference pixel. The result is a
  PerExposureWCS again, so the cube can be written (FITS / ASDF) and read
  back. Exposures outside the cube's slice keep their pointing.
* Any other WCS: :class:`~irisplug_coalign.wcs_correction.FrameOffsetWCS`
  wraps it (generic APE-14 path; not storable by the IRIS writers).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

__all__ = ["repointed_exposure_wcs", "shift_frames"]


def _deg_to(value_deg: float, unit: str) -> float:
    import astropy.units as u

    return float((value_deg * u.deg).to_value(u.Unit(unit or "deg")))


def _template_axes(base: Any) -> list[int]:
    """FITS axis numbers of the per-exposure FITS WCS of ``base``.

    All axes when the exposure axis is spatial (raster steps), else all but
    the exposure axis (slit-jaw frames).
    """
    d = base.to_dict()
    spatial = d["exposure_axis"] in (d["lon_axis"], d["lat_axis"])
    return [a for a in range(1, base.pixel_n_dim + 1) if spatial or a != d["exposure_axis"]]


def repointed_exposure_wcs(base: Any, dy: Sequence[float], dx: Sequence[float], *, x_axis: int, y_axis: int) -> Any:
    """A new PerExposureWCS with each exposure's pointing moved by its pixel shift.

    Parameters
    ----------
    base
        An unsliced :class:`irisplug.model.PerExposureWCS`.
    dy, dx
        One shift per exposure of ``base`` (pixels along ``y_axis`` / ``x_axis``;
        zero leaves an exposure unchanged).
    x_axis, y_axis
        Pixel axes (0-based, FITS order) of ``base`` the shifts are along.

    Returns
    -------
    PerExposureWCS
        Exposure ``f`` has reference value ``old_f(CRPIX_f - s_f)`` (its own
        old WCS, header CUNIT); PC matrices, times and everything else as in ``base``.

    Examples
    --------
    >>> from irisplug.model import PerExposureWCS
    >>> hdr = {"NAXIS": 3, "NAXIS1": 9, "NAXIS2": 9, "NAXIS3": 2,
    ...        "CTYPE1": "HPLN-TAN", "CUNIT1": "arcsec", "CRPIX1": 5, "CRVAL1": 0, "CDELT1": 0.5,
    ...        "CTYPE2": "HPLT-TAN", "CUNIT2": "arcsec", "CRPIX2": 5, "CRVAL2": 0, "CDELT2": 0.5,
    ...        "CTYPE3": "TIME", "CUNIT3": "s", "CRPIX3": 1, "CRVAL3": 0, "CDELT3": 10}
    >>> w = PerExposureWCS(hdr, exposure_axis=3, lon_axis=1, lat_axis=2, crval_lon=[10.0, 11.0],
    ...                    crval_lat=[5.0, 5.0], times=[0.0, 10.0], reference_time="2014-03-29T14:09:38")
    >>> new = repointed_exposure_wcs(w, dy=[0.0, 2.0], dx=[0.0, 4.0], x_axis=0, y_axis=1)
    >>> [round(v, 4) for v in new.to_dict()["crval_lon"]], [round(v, 4) for v in new.to_dict()["crval_lat"]]
    ([10.0, 9.0], [5.0, 4.0])
    """
    d = base.to_dict()
    n = base.n_exposures
    dy = np.broadcast_to(np.asarray(dy, float), (n,))
    dx = np.broadcast_to(np.asarray(dx, float), (n,))
    exp_ax, lon_ax, lat_ax = d["exposure_axis"], d["lon_axis"], d["lat_axis"]
    axes = _template_axes(base)
    pos = {fits_ax: j for j, fits_ax in enumerate(axes)}
    header = d["header"]
    lon = np.array(d["crval_lon"], float)
    lat = np.array(d["crval_lat"], float)
    for f in np.flatnonzero((dy != 0) | (dx != 0)):
        shift = {x_axis + 1: dx[f], y_axis + 1: dy[f]}
        if base.is_sit_and_stare:  # the exposure axis is pinned: no shift along it
            shift[exp_ax] = 0.0
        w = base.exposure_wcs(int(f))
        hdr = base.exposure_header(int(f))
        pix = np.array([float(hdr[f"CRPIX{j + 1}"]) - 1.0 for j in range(len(axes))])
        for fits_ax, s in shift.items():
            if fits_ax not in pos:
                raise ValueError(f"pixel axis {fits_ax - 1} is not an image axis of this PerExposureWCS")
            pix[pos[fits_ax]] -= s
        world = w.wcs_pix2world(pix[None, :], 0)[0]
        old = w.wcs.crval
        for fits_ax, arr in ((lon_ax, lon), (lat_ax, lat)):
            j = pos[fits_ax]
            delta = (world[j] - old[j] + 180.0) % 360.0 - 180.0  # degrees, no wrap at 0/360
            arr[f] += _deg_to(delta, str(header.get(f"CUNIT{fits_ax}", "deg")))
    return base.with_pointing(lon, lat)


def shift_frames(wcs: Any, dy: Sequence[float], dx: Sequence[float], *, x_axis: int = 0, y_axis: int = 1, frame_axis: int = 2) -> Any:
    """The WCS of a cube whose frame ``f`` is shifted by ``(dy[f], dx[f])`` pixels.

    Parameters
    ----------
    wcs
        The cube's WCS (``cube.wcs``, possibly sliced by ndcube).
    dy, dx
        One shift per frame of the cube (pixels along its y / x pixel axes).
    x_axis, y_axis, frame_axis
        Pixel axes (0-based, WCS order) of the cube's WCS: image x, image y,
        frame (for a raster, x and frame are both the step axis).

    Returns
    -------
    object
        A (re-sliced) :class:`irisplug.model.PerExposureWCS` with new
        per-exposure pointing when the cube has one (storable), else a
        :class:`~irisplug_coalign.wcs_correction.FrameOffsetWCS` around ``wcs``.

    Examples
    --------
    >>> from astropy.wcs import WCS
    >>> w = WCS(naxis=3); w.wcs.ctype = ["HPLN-TAN", "HPLT-TAN", "TIME"]; w.wcs.set()
    >>> type(shift_frames(w, dy=[0.0, 1.0], dx=[0.0, 2.0])).__name__
    'FrameOffsetWCS'
    """
    from irisplug.model import PerExposureWCS, rewrap_wcs, unwrap_wcs
    from irisplug_coalign.wcs_correction import FrameOffsetWCS

    base, slices = unwrap_wcs(wcs)
    kept = [i for i, s in enumerate(slices) if isinstance(s, slice)]  # sliced pixel axis -> base pixel axis
    if isinstance(base, PerExposureWCS) and max(x_axis, y_axis, frame_axis) < len(kept):
        bx, by, bf = kept[x_axis], kept[y_axis], kept[frame_axis]
        frames_sel = slices[bf]
        image_axes = {bx + 1, by + 1} <= set(_template_axes(base))
        if image_axes and bf == base.exposure_axis - 1 and frames_sel.step in (None, 1):
            original = np.arange(base.n_exposures)[frames_sel]  # cube frame -> exposure of base
            if len(original) == len(np.atleast_1d(dy)) == len(np.atleast_1d(dx)):
                full_dy = np.zeros(base.n_exposures)
                full_dx = np.zeros(base.n_exposures)
                full_dy[original] = dy
                full_dx[original] = dx
                new = repointed_exposure_wcs(base, full_dy, full_dx, x_axis=bx, y_axis=by)
                return rewrap_wcs(new, slices)
    return FrameOffsetWCS(wcs, dy=dy, dx=dx, x_axis=x_axis, y_axis=y_axis, frame_axis=frame_axis)
