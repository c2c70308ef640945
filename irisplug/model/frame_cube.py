"""An NDCube whose array axis 0 counts frames (exposures, integrations) with per-frame extra coordinates.

Readers of instruments whose frames carry their own time, exposure time,
gain or temperatures keep those as ndcube extra coordinates on array axis 0
(``cube.extra_coords.add(name, 0, values)``). Binning frames with ndcube's
``rebin`` keeps the first frame's value of each bin for a lookup table (an
8-frame cube of 0.1 s and 0.3 s exposures binned into one reported 0.1 s,
and its exposure-normalised DN/s came out twice too high). :class:`FrameCube`
bins them with the data instead: see :meth:`FrameCube.rebin`.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from ndcube import NDCube

__all__ = ["FrameCube", "frame_coords", "rebin_frame_coords", "binned_frame_values"]


def frame_coords(cube: Any) -> dict[str, tuple[Any, str | None]]:
    """The extra coordinates on array axis 0 alone: name -> ``(values, physical type)``.

    Examples
    --------
    >>> import astropy.units as u
    >>> from astropy.wcs import WCS
    >>> cube = FrameCube(np.zeros((2, 3)), wcs=WCS(naxis=2))
    >>> cube.extra_coords.add("exposure_time", 0, [0.1, 0.3] * u.s, physical_types="obs.exposure")
    >>> frame_coords(cube)["exposure_time"][1]
    'obs.exposure'
    """
    ec = getattr(cube, "extra_coords", None)
    if ec is None or ec.is_empty:
        return {}
    last = cube.data.ndim - 1  # ExtraCoords maps pixel axes: array axis 0 is the last pixel axis
    out: dict[str, tuple[Any, str | None]] = {}
    for key in ec.keys():
        sub = ec[key]
        if tuple(int(m) for m in sub.mapping) == (last,):
            ptype = sub.wcs.world_axis_physical_types[0]
            out[key] = (cube.axis_world_coords(wcs=sub)[0], None if ptype == "custom:CUSTOM" else ptype)
    return out


def rebin_frame_coords(out: Any, source: Any, bin_size: int, operation: Any = np.mean) -> None:
    """Replace ``out``'s axis-0 extra coordinates (ndcube's rebin of ``source``) by ``source``'s binned ones.

    Each is binned by :func:`binned_frame_values` and left out where a bin
    has none (a bin of high- and low-gain frames has no gain).
    """
    coords = frame_coords(source)
    if not coords:
        return
    ec = out.extra_coords
    ec._lookup_tables = [lt for lt in ec._lookup_tables if not set(lt[1].wcs.world_axis_names) & set(coords)]
    for name, (value, ptype) in coords.items():
        binned = binned_frame_values(name, value, bin_size, operation, ptype)
        if binned is not None:
            ec.add(name, 0, binned, **({"physical_types": ptype} if ptype else {}))


def binned_frame_values(name: str, value: Any, bin_size: int, operation: Any = np.mean,
                        physical_type: str | None = None) -> Any:
    """One per-frame value (a Time, a Quantity or an array along the frames) binned ``bin_size`` frames at a time,
    or None where a bin has no such value.

    Times: each bin's mean. The exposure time (named ``exposure_time`` or typed ``obs.exposure``): the data's
    ``operation`` over the bin. Quantities with a unit: the mean. Anything else (flags, counts, indices): each
    bin's value where it is equal within every bin, else None.

    Examples
    --------
    >>> import astropy.units as u
    >>> binned_frame_values("exposure_time", [8, 8, 4, 4] * u.s, 2, np.sum)
    <Quantity [16.,  8.] s>
    >>> binned_frame_values("raster_position", np.array([0, 1, 0, 1]), 2) is None
    True
    """
    import astropy.units as u
    from astropy.time import Time

    if isinstance(value, Time):
        binned = value[0] + (value - value[0]).to_value(u.s).reshape(-1, bin_size).mean(axis=1) * u.s
        binned.format = value.format
        return binned
    q = value if isinstance(value, u.Quantity) else None
    groups = (q.value if q is not None else np.asarray(value)).reshape(-1, bin_size)
    if q is not None and (name == "exposure_time" or physical_type == "obs.exposure"):
        return np.asarray(operation(groups, axis=1), dtype=float) * q.unit
    if q is not None and q.unit != u.one:
        return groups.mean(axis=1) * q.unit
    if not (groups == groups[:, :1]).all():
        return None
    return groups[:, 0] * q.unit if q is not None else groups[:, 0]


class FrameCube(NDCube):
    """An ``NDCube`` whose array axis 0 counts frames with per-frame extra coordinates.

    Everything is ndcube's but :meth:`rebin`, which bins those coordinates
    with the frames (see :func:`rebin_frame_coords`).

    Examples
    --------
    >>> import astropy.units as u
    >>> from astropy.wcs import WCS
    >>> cube = FrameCube(np.ones((4, 3)), wcs=WCS(naxis=2), unit=u.DN)
    >>> cube.extra_coords.add("exposure_time", 0, [0.1, 0.1, 0.3, 0.3] * u.s, physical_types="obs.exposure")
    >>> binned = cube.rebin((4, 1))
    >>> binned.axis_world_coords("obs.exposure", wcs=binned.extra_coords)[0]
    <Quantity [0.2] s>
    """

    def rebin(self, bin_shape: Any, operation: Any = np.mean, *args: Any, **kwargs: Any) -> Any:
        """As ``NDCube.rebin``; binning frames (axis 0) bins their extra coordinates too (times: the mean;
        exposure time: ``operation``, so ``exposure-norm`` of the result gives DN/s; see
        :func:`rebin_frame_coords`)."""
        out = super().rebin(bin_shape, operation, *args, **kwargs)
        shape = np.atleast_1d(np.round(np.asarray(bin_shape)).astype(int))
        if shape.size and shape[0] != 1:
            rebin_frame_coords(out, self, int(shape[0]), operation)
        return out
