"""The cubes of the data model: spectrograph rasters, slit-jaw images, 2-D images.

Array axes: :class:`RasterCube` (exposure / raster step, position along the
slit, wavelength); :class:`SJICube` (frame, y, x); :class:`ImageCube` any
2-D image cut from them (a spectroheliogram, one slit-jaw frame).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from ndcube import NDCube
from sunraster import SpectrogramCube

from irisplug.model._exposures import EXPOSURE_COORDS, exposure_values, extra_coord
from irisplug.model.operations import world_object_keys

__all__ = ["RasterCube", "SJICube", "ImageCube", "ExposureCubeMixin"]


def _relabel_sky(cube: Any, objs: tuple[Any, ...], pixel_corners: bool) -> tuple[Any, ...]:
    """``objs`` (ndcube's ``axis_world_coords`` of ``cube.wcs``) with each SkyCoord in its exposures' frames.

    ndcube cuts the world values out of a grid, so the WCS cannot tell which
    exposure a value belongs to; the SkyCoord is computed again through
    ``wcs.pixel_to_world`` on the grid of the pixel axes it depends on.
    """
    from astropy.coordinates import SkyCoord

    if not any(isinstance(o, SkyCoord) for o in objs):
        return objs
    if _per_exposure_base(cube.wcs) is None:
        return objs
    low = cube.wcs.low_level_wcs
    corr = np.asarray(low.axis_correlation_matrix)
    cel = [i for i, t in enumerate(low.world_axis_physical_types) if "pos.helioprojective" in t]
    if not cel:
        return objs
    pix_axes = np.flatnonzero(corr[cel].any(axis=0))
    shape = cube.data.shape[::-1]
    ranges = []
    for p in range(low.pixel_n_dim):
        if p in pix_axes:
            ranges.append(np.arange(shape[p] + 1) - 0.5 if pixel_corners else np.arange(shape[p]))
        else:
            ranges.append(np.zeros(1))
    grid = np.meshgrid(*ranges, indexing="ij")
    world = cube.wcs.pixel_to_world(*grid)
    world = world if isinstance(world, (list, tuple)) else [world]
    sky = next(w for w in world if isinstance(w, SkyCoord))
    keep = tuple(slice(None) if p in pix_axes else 0 for p in range(low.pixel_n_dim))
    sky = sky[keep].transpose() if sky.ndim > 1 else sky[keep]
    return tuple(sky if isinstance(o, SkyCoord) else o for o in objs)


def _per_exposure_base(wcs: Any) -> Any:
    """The :class:`~irisplug.model.wcs.PerExposureWCS` under ndcube's and astropy's wrappers (sliced, resampled by
    ``rebin``), or None."""
    from irisplug.model.wcs import PerExposureWCS

    low = getattr(wcs, "low_level_wcs", wcs)
    for _ in range(16):
        if isinstance(low, PerExposureWCS):
            return low
        inner = getattr(low, "_wcs", None)
        if inner is None:
            return None
        low = getattr(inner, "low_level_wcs", inner)
    return None


def _counted_from_the_start(item: Any, shape: tuple[int, ...]) -> Any:
    """``item`` with negative integer indices and slice bounds counted from the start of their axis.

    ndcube (2.4) hands the item to astropy's ``sanitize_slices`` without the
    array's shape, which refuses negative values ("its size is not known").
    Items with an Ellipsis, arrays and stepped slices pass unchanged.

    Raises
    ------
    IndexOutOfRangeError
        An integer index outside its axis.
    """
    import operator

    from irisplug.errors import IndexOutOfRangeError

    items = item if isinstance(item, tuple) else (item,)
    if any(i is Ellipsis for i in items) or len(items) > len(shape):
        return item
    out = []
    for axis, (index, n) in enumerate(zip(items, shape, strict=False)):
        if isinstance(index, slice) and index.step in (None, 1):
            start, stop, _ = index.indices(n)
            index = slice(None if index.start is None else start, None if index.stop is None else max(stop, start))
        elif isinstance(index, int | np.integer) and not isinstance(index, bool | np.bool_):
            i = operator.index(index)
            if not -n <= i < n:
                raise IndexOutOfRangeError(f"index {i} is out of range for axis {axis} of size {n}")
            index = i % n
        out.append(index)
    return tuple(out) if isinstance(item, tuple) else out[0]


class PerExposureCoordsMixin:
    """``axis_world_coords`` whose SkyCoords carry each exposure's obstime and observer."""

    def __getitem__(self, item: Any) -> Any:
        """As ``NDCube.__getitem__``; negative indices count from the end, and a failed slice leaves the cube whole.

        ndcube (2.4) takes a sliceable meta (the per-exposure values) off the
        cube before slicing and puts it back only when slicing succeeds: one
        failed ``cube[...]`` used to leave the cube without its meta.

        Examples
        --------
        >>> sji[-1].data.shape == sji.data.shape[1:]  # doctest: +SKIP
        True
        """
        item = _counted_from_the_start(item, tuple(self.data.shape))  # type: ignore[attr-defined]
        meta = self.meta  # type: ignore[attr-defined]
        try:
            return super().__getitem__(item)  # type: ignore[misc]
        except BaseException:
            if meta is not None and self.meta is None:  # type: ignore[attr-defined]
                self.meta = meta  # type: ignore[attr-defined]
            raise

    def explode_along_axis(self, axis: int) -> Any:
        """As ``NDCube.explode_along_axis``, each part keeping its slice of the meta.

        ndcube (2.4) sets every part's meta to None, so the parts of a
        slit-jaw cube lost their exposure's time and exposure time
        (``part.time`` raised) and the window and missing-value keys, while
        ``cube[i]`` keeps them; each part here is ``cube[..., i, ...]``.

        Examples
        --------
        >>> frames = sji.explode_along_axis(0)  # doctest: +SKIP
        >>> frames[3].time == sji[3].time  # doctest: +SKIP
        True
        """
        from ndcube import NDCubeSequence

        ndim = self.data.ndim  # type: ignore[attr-defined]
        axis = int(axis) + ndim if axis < 0 else int(axis)
        parts = []
        for i in range(self.data.shape[axis]):  # type: ignore[attr-defined]
            item = [slice(None)] * ndim
            item[axis] = i
            parts.append(self[tuple(item)])
        return NDCubeSequence(parts, meta=self.meta)  # type: ignore[attr-defined]

    def rebin(self, bin_shape: Any, operation: Any = np.mean, *args: Any, **kwargs: Any) -> Any:
        """As ``NDCube.rebin``; binning exposures (axis 0) bins their per-exposure values too.

        A bin's ``time`` is the mean of its exposures' midpoints and its
        ``exposure_time`` the data's ``operation`` over theirs (the mean for the
        default mean, the total for ``np.sum``), so ``normalize_exposure`` of the
        binned cube gives DN/s; other per-exposure values (``raster_position``,
        ``repeat``) are kept where they are equal within every bin and dropped
        otherwise. ndcube (2.4) keeps every exposure's value beside the binned
        data (8 times for 4 bins), and its extra coordinates give the first
        exposure's time of each bin.

        Examples
        --------
        >>> sji.rebin((2, 1, 1)).exposure_times  # doctest: +SKIP
        """
        out = super().rebin(bin_shape, operation, *args, **kwargs)  # type: ignore[misc]
        shape = np.atleast_1d(np.round(np.asarray(bin_shape)).astype(int))
        values = exposure_values(self)
        if shape.size == 0 or shape[0] == 1 or not values:
            return out
        from irisplug.model._exposures import attach_exposure_coords, rebinned_exposure_values
        from irisplug.model.frame_cube import rebin_frame_coords

        out.meta = attach_exposure_coords(out.meta, rebinned_exposure_values(values, int(shape[0]), operation))
        rebin_frame_coords(out, self, int(shape[0]), operation)
        return out

    def axis_world_coords(self, *axes: Any, pixel_corners: bool = False, wcs: Any = None) -> Any:
        """As ``NDCube.axis_world_coords``; a SkyCoord has the obstime and observer of each exposure.

        A single exposure gives one frame; several give per-point ``obstime`` and
        ``observer`` arrays.

        Examples
        --------
        >>> sky, time = sji.axis_world_coords()  # doctest: +SKIP
        >>> sky.obstime[-1, 0, 0] == time[-1]  # doctest: +SKIP
        True
        """
        objs = super().axis_world_coords(*axes, pixel_corners=pixel_corners, wcs=wcs)  # type: ignore[misc]
        if wcs is not None and wcs is not self.wcs and getattr(wcs, "low_level_wcs", wcs) is not self.wcs.low_level_wcs:  # type: ignore[attr-defined]
            return objs
        return _relabel_sky(self, tuple(objs), pixel_corners)


    def reproject_to(self, target_wcs: Any, *args: Any, **kwargs: Any) -> Any:
        """As ``NDCube.reproject_to``; values of the meta tied to array axes are not carried over.

        ndcube hands the input's meta to the output unchanged, and an ``NDMeta``
        with per-axis values (the per-exposure times, exposure times, ...) refuses
        an output of another shape ("new_shape not compatible with pre-existing
        metadata"). Those values describe the input's pixels, not the target's:
        the output keeps every other meta entry, and its world coordinates are
        the target WCS's.

        Examples
        --------
        >>> sji.frame(0).reproject_to(aia_map.wcs, shape_out=aia_map.data.shape)  # doctest: +SKIP
        """
        import copy

        from ndcube import NDCube, NDMeta

        src = self
        meta = self.meta  # type: ignore[attr-defined]
        if isinstance(meta, NDMeta):
            src = copy.copy(self)
            src._meta = NDMeta({k: v for k, v in meta.items() if k not in meta.axes})  # type: ignore[attr-defined]
        return NDCube.reproject_to(src, target_wcs, *args, **kwargs)


class ExposureCubeMixin(PerExposureCoordsMixin):
    """Methods shared by cubes whose array axis 0 counts exposures.

    The per-exposure values live in the cube's ``NDMeta`` (tied to axis 0);
    they are registered as ndcube extra coordinates the first time
    ``extra_coords`` is used (building them costs more than opening a file).
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._irisplug_ready = True

    @property
    def extra_coords(self) -> Any:
        """ndcube extra coordinates: ``time``, ``exposure_time``, ``raster_position``, ``repeat`` on axis 0."""
        ec = self._extra_coords
        if self.__dict__.get("_irisplug_ready") and not self.__dict__.get("_irisplug_extra_done"):
            self._irisplug_extra_done = True
            if not ec.keys():
                from irisplug.model._exposures import add_extra_coords

                add_extra_coords(self, exposure_values(self))
        return ec

    def extra_coord(self, name: str) -> Any:
        """The per-exposure coordinate ``name`` (see :func:`irisplug.model.extra_coord`).

        Examples
        --------
        >>> cube.extra_coord("exposure_time")  # doctest: +SKIP
        <Quantity [8., 8., ...] s>
        """
        return extra_coord(self, name)

    @property
    def time(self) -> Any:
        """Midpoint time of each exposure (astropy Time; a scalar once the cube is cut to one exposure).

        sunraster's ``time`` looks only in ``extra_coords``, which ndcube
        empties when axis 0 is indexed away: ``cube[0].time`` raised
        ``ValueError`` ("Time axis not found").
        """
        return extra_coord(self, "time")

    @property
    def exposure_time(self) -> Any:
        """Exposure time of each exposure (Quantity, s; a scalar once the cube is cut to one exposure)."""
        return extra_coord(self, "exposure_time")

    @property
    def exposure_times(self) -> Any:
        """Exposure time of each exposure (Quantity, s)."""
        return extra_coord(self, "exposure_time")

    @property
    def times(self) -> Any:
        """Midpoint time of each exposure (astropy Time)."""
        return extra_coord(self, "time")

    def select_exposures(self, exposures: Any) -> Any:
        """A new cube of the exposures ``exposures`` (index array, boolean mask or slice).

        Keeps each exposure's own pointing and time.

        Examples
        --------
        >>> cube.select_exposures([0, 2])  # doctest: +SKIP
        """
        from irisplug.model.operations import select_exposures

        return select_exposures(self, exposures)

    def at_raster_position(self, position: int) -> Any:
        """The exposures taken at raster position ``position`` (IRISreader's get_raster_pos_data).

        Raises
        ------
        irisplug.errors.IndexOutOfRangeError
            No exposure at that position (an ``IrisplugError`` and an ``IndexError``).

        Examples
        --------
        >>> sji.at_raster_position(0).extra_coord("time")  # doctest: +SKIP
        """
        from irisplug.errors import IndexOutOfRangeError
        from irisplug.model._exposures import _filename

        pos = np.atleast_1d(np.asarray(extra_coord(self, "raster_position")))
        hits = np.flatnonzero(pos == position)
        if hits.size == 0:
            raise IndexOutOfRangeError(f"no exposure at raster position {position}; positions are "
                                       f"{sorted(set(pos.tolist()))}", path=_filename(self))
        return self.select_exposures(hits)

    def raster_position_steps(self, position: int) -> np.ndarray:
        """Indices of the exposures at raster position ``position`` (IRISreader's get_raster_pos_steps)."""
        pos = np.atleast_1d(np.asarray(extra_coord(self, "raster_position")))
        return np.flatnonzero(pos == position)

    def drop_empty_exposures(self) -> Any:
        """A new cube without its null exposures (exposure time 0 or every pixel missing; IRISreader keep_null=False).

        Reads the mask (lazily computed, chunk by chunk).
        """
        from irisplug.model.operations import drop_empty_exposures

        return drop_empty_exposures(self)

    def normalize_exposure(self) -> Any:
        """Data divided by each exposure's exposure time (DN -> DN/s); idempotent.

        See :func:`irisplug.model.normalize_exposure`.
        """
        from irisplug.model.operations import normalize_exposure

        return normalize_exposure(self)

    def nearest_exposure(self, time: Any) -> int:
        """Index of the exposure whose midpoint is nearest to ``time`` (astropy Time or ISO string)."""
        from astropy.time import Time

        t = np.atleast_1d(extra_coord(self, "time"))
        target = Time(time)
        return int(np.argmin(np.abs((t - target).sec)))

    def _expand_points(self, points: tuple[Any, ...]) -> tuple[Any, ...]:
        """Points whose time is None but whose celestial coordinate is given, at the first and last exposure's time.

        The celestial axes depend on the exposure axis, so such a point stands
        for "this sky position in every exposure". A point without a celestial
        coordinate (e.g. a SpectralCoord alone) is left as it is: ndcube crops
        only the axes it constrains.
        """
        keys = world_object_keys(self.wcs)
        if "time" not in keys or "celestial" not in keys:
            return points
        ti, ci = keys.index("time"), keys.index("celestial")
        t = np.atleast_1d(extra_coord(self, "time"))
        expanded = []
        for point in points:
            point = list(point)
            if len(point) == len(keys) and point[ti] is None and point[ci] is not None:
                for edge in (t[0], t[-1]):
                    q = list(point)
                    q[ti] = edge
                    expanded.append(tuple(q))
            else:
                expanded.append(tuple(point))
        return tuple(expanded)

    def _time_only_range(self, points: tuple[Any, ...]) -> tuple[int, int] | None:
        """``(first, last)`` exposure of a crop whose points give only a time; None for other crops.

        The points' exposure positions are interpolated between the exposures' midpoints and continued beyond the
        first and the last at the rate of the outermost interval (one exposure time for a single exposure), as a
        WCS extrapolates; each end is rounded to the nearest exposure, as ndcube's ``crop`` does. Points that all
        lie outside the exposures (beyond half an interval) raise :class:`irisplug.errors.CropOutOfRangeError`,
        ndcube's ``ValueError`` for the other axes; a range that overlaps them is clipped to them.
        """
        if not self._is_time_only(points):
            return None
        from astropy.time import Time

        keys = world_object_keys(self.wcs)
        ti = keys.index("time")
        t = np.atleast_1d(extra_coord(self, "time"))
        when = Time([p[ti] for p in points])
        pos = _exposure_positions((when - t[0]).sec, (t - t[0]).sec, self._single_exposure_seconds(len(t)))
        lo, hi = int(np.floor(pos.min() + 0.5)), int(np.floor(pos.max() + 0.5))
        if hi < 0 or lo > len(t) - 1:
            from irisplug.errors import CropOutOfRangeError

            raise CropOutOfRangeError(f"all the crop's times ({when.min().isot} to {when.max().isot}) lie outside "
                                      f"the exposures ({t[0].isot} to {t[-1].isot} at their midpoints)")
        return max(lo, 0), min(hi, len(t) - 1)

    def _is_time_only(self, points: tuple[Any, ...]) -> bool:
        """Whether every crop point gives a time and nothing else (world-object order, as :meth:`crop` takes)."""
        keys = world_object_keys(self.wcs)
        if "time" not in keys or not points:
            return False
        ti = keys.index("time")
        return all(len(p) == len(keys) and p[ti] is not None and all(v is None for i, v in enumerate(p) if i != ti)
                   for p in points)

    def _single_exposure_seconds(self, n: int) -> float:
        """The exposure time of a one-exposure cube in seconds (how far its time extends), else 0."""
        if n != 1:
            return 0.0
        try:
            return float(np.max(np.atleast_1d(_seconds(extra_coord(self, "exposure_time")))))
        except (KeyError, TypeError, ValueError):
            return 0.0

    def crop(self, *points: Any, wcs: Any = None, keepdims: bool = False) -> Any:
        """Crop with high-level coordinates; a ``None`` time means "every exposure".

        As ``NDCube.crop``; in addition, because the celestial axes depend
        on the exposure axis, a point whose time is ``None`` while its celestial
        coordinate is given stands for the first and the last exposure's time,
        so ``cube.crop((None, sky_lo, None), (None, sky_hi, None))`` works; a
        point with only a time crops the exposures.

        Examples
        --------
        >>> cube.crop((None, SkyCoord(...), None), (None, SkyCoord(...), None))  # doctest: +SKIP
        >>> cube.crop((SpectralCoord(1402.5, "AA"), None, None), (SpectralCoord(1403.0, "AA"), None, None))  # doctest: +SKIP
        """
        if wcs is None and points:
            span = self._time_only_range(points)
            if span is not None:
                lo, hi = span
                return self[lo : hi + 1] if keepdims or hi > lo else self[lo]
            points = self._expand_points(points)
        return super().crop(*points, wcs=wcs, keepdims=keepdims)

    def crop_by_values(self, *points: Any, units: Any = None, wcs: Any = None, keepdims: bool = False) -> Any:
        """As ``NDCube.crop_by_values`` (values in world-axis order); a ``None`` time means "every exposure".

        ndcube asks for the time of a point whose celestial values are given
        (they depend on the exposure axis) and fails on a point with only a
        time; here a ``None`` time stands for the first and the last exposure,
        and time-only points crop the exposures, as in :meth:`crop`.

        Examples
        --------
        >>> sji.crop_by_values((lon0, lat0, None), (lon1, lat1, None))  # doctest: +SKIP
        """
        if wcs is not None or not points:
            return super().crop_by_values(*points, units=units, wcs=wcs, keepdims=keepdims)  # type: ignore[misc]
        import astropy.units as u

        low = self.wcs.low_level_wcs
        types = list(low.world_axis_physical_types)
        if "time" not in types:
            return super().crop_by_values(*points, units=units, wcs=wcs, keepdims=keepdims)  # type: ignore[misc]
        ti = types.index("time")
        cel = [i for i, t in enumerate(types) if "pos." in t]
        tunit = u.Unit(low.world_axis_units[ti])

        def as_q(v: Any, j: int) -> Any:
            return v if isinstance(v, u.Quantity) or units is None else u.Quantity(v, units[j])

        if all(len(p) == len(types) and p[ti] is not None and all(v is None for i, v in enumerate(p) if i != ti)
               for p in points):
            ref = self._time_reference()
            keys = world_object_keys(self.wcs)
            return self.crop(*[tuple(ref + as_q(p[ti], ti) if k == "time" else None for k in keys) for p in points],
                             keepdims=keepdims)
        first, last = self._time_edges_values()
        expanded = []
        for p in points:
            if len(p) == len(types) and p[ti] is None and any(p[c] is not None for c in cel):
                for edge in (first, last):
                    q = [as_q(v, j) if v is not None else None for j, v in enumerate(p)]
                    q[ti] = edge * tunit
                    expanded.append(tuple(q))
            else:
                expanded.append(tuple(as_q(v, j) if v is not None else None for j, v in enumerate(p)))
        return super().crop_by_values(*expanded, wcs=wcs, keepdims=keepdims)  # type: ignore[misc]

    def _time_reference(self) -> Any:
        """The Time whose offset the low-level time values are (the WCS's reference time)."""
        return _per_exposure_base(self.wcs)._ref()

    def _time_edges_values(self) -> tuple[float, float]:
        """Low-level time values of the first and the last exposure of this cube."""
        low = self.wcs.low_level_wcs
        ti = list(low.world_axis_physical_types).index("time")
        pix = np.flatnonzero(np.asarray(low.axis_correlation_matrix)[ti])
        n = low.pixel_n_dim
        lo = [0.0] * n
        hi = [0.0] * n
        for p in pix:
            hi[p] = float(self.data.shape[n - 1 - p] - 1)
        w0 = low.pixel_to_world_values(*lo)
        w1 = low.pixel_to_world_values(*hi)
        return float(np.asarray(w0[ti])), float(np.asarray(w1[ti]))

    def crop_item(self, *points: Any, wcs: Any = None) -> tuple[slice, ...]:
        """The array slices (one per axis, start and stop set) :meth:`crop` would apply, with every axis kept.

        Used by :meth:`RasterSequence.crop` to crop all its cubes to one common box.
        """
        span = self._time_only_range(points) if wcs is None else None
        if span is not None:
            item: tuple[Any, ...] = (slice(span[0], span[1] + 1),)
        else:
            pts = self._expand_points(points) if wcs is None else points
            item = tuple(self._get_crop_item(*pts, wcs=wcs, keepdims=True))
        out = []
        for axis, n in enumerate(self.data.shape):
            s = item[axis] if axis < len(item) else slice(None)
            if isinstance(s, slice):
                start, stop, _ = s.indices(n)
                out.append(slice(start, stop))
            else:
                out.append(slice(int(s), int(s) + 1))
        return tuple(out)

    def compute(self) -> Any:
        """A copy with data and mask loaded into memory (numpy)."""
        from irisplug.model.operations import replace_arrays

        data = np.asarray(self.data.compute() if hasattr(self.data, "compute") else self.data)
        mask = (
            None
            if self.mask is None
            else np.asarray(self.mask.compute() if hasattr(self.mask, "compute") else self.mask)
        )
        return replace_arrays(self, data, mask)


_KNOWN_NAMES = {
    "_longitude_name": "custom:pos.helioprojective.lon",
    "_latitude_name": "custom:pos.helioprojective.lat",
    "_spectral_name": "em.wl",
    "_time_name": "time",
}


class RasterCube(ExposureCubeMixin, SpectrogramCube):
    """One spectral window of one raster file: axes (raster step, position along slit, wavelength).

    A sunraster ``SpectrogramCube``; data are lazy (dask) in DN with a mask
    of missing / saturated pixels; world coordinates (wavelength,
    helioprojective latitude and longitude, time) use each exposure's own
    pointing; per-exposure values are extra coordinates on axis 0.

    Examples
    --------
    >>> cube = obs[line][0]  # doctest: +SKIP
    >>> cube.spectroheliogram(1402.77 * u.AA).to_map()  # doctest: +SKIP
    """

    def __init__(
        self,
        data: Any,
        wcs: Any = None,
        unit: Any = None,
        uncertainty: Any = None,
        meta: Any = None,
        mask: Any = None,
        **kwargs: Any,
    ) -> None:
        from irisplug.model.wcs import PerExposureWCS

        low = getattr(wcs, "low_level_wcs", wcs)
        if isinstance(low, PerExposureWCS) and kwargs.get("instrument_axes") is None:
            # our own WCS: the coordinate names are known, skip sunraster's (slow) search for them
            NDCube.__init__(self, data, wcs=wcs, unit=unit, uncertainty=uncertainty, meta=meta, mask=mask, **kwargs)
            for attr, name in _KNOWN_NAMES.items():
                setattr(self, attr, name)
                setattr(self, attr.replace("_name", "_loc"), "wcs")
            self._exposure_time_name, self._exposure_time_loc = None, None
            self._irisplug_ready = True
        else:
            super().__init__(data, wcs=wcs, unit=unit, uncertainty=uncertainty, meta=meta, mask=mask, **kwargs)

    # sunraster reads the exposure time where its own tests put it: the NDMeta, tied to the exposure axis.
    # Its extra-coords route unpacks an int and raises TypeError (a plain SpectrogramCube too), and
    # slicing sets meta after __init__, so the location is answered from the meta each time.
    _EXPOSURE_KEY = "per_exposure:exposure_time"

    @property
    def _exposure_time_name(self) -> Any:
        meta = self.__dict__.get("_meta")
        if meta is not None and self._EXPOSURE_KEY in meta:
            return self._EXPOSURE_KEY
        return self.__dict__.get("_sunraster_exposure_name")

    @_exposure_time_name.setter
    def _exposure_time_name(self, value: Any) -> None:
        self.__dict__["_sunraster_exposure_name"] = value

    @property
    def _exposure_time_loc(self) -> Any:
        meta = self.__dict__.get("_meta")
        if meta is not None and self._EXPOSURE_KEY in meta:
            return "meta"
        return self.__dict__.get("_sunraster_exposure_loc")

    @_exposure_time_loc.setter
    def _exposure_time_loc(self, value: Any) -> None:
        self.__dict__["_sunraster_exposure_loc"] = value

    def spectroheliogram(self, wavelength: Any, width: Any = None) -> ImageCube:
        """The image at ``wavelength`` (nearest pixel, or the average over ``+-width/2``).

        Returns a 2-D :class:`ImageCube` (axes: raster step, position along
        slit) whose WCS keeps every step's pointing. See
        :func:`irisplug.model.maps.spectroheliogram`.

        Parameters
        ----------
        wavelength
            Quantity (e.g. ``2796.35 * u.AA``; any spectral unit) or a plain
            number in Angstrom.
        width
            Optional Quantity or number (Angstrom); pixels within
            ``wavelength +- width/2`` are averaged (masked pixels ignored).

        Raises
        ------
        irisplug.errors.WavelengthOutOfRangeError
            ``wavelength`` is outside the window by more than half a pixel (an
            ``IrisplugError`` and a ``ValueError``).

        Examples
        --------
        >>> img = obs[line][0].spectroheliogram(2796.35 * u.AA)  # doctest: +SKIP
        """
        from irisplug.model.maps import spectroheliogram

        return spectroheliogram(self, wavelength, width)

    def resample_wavelength(self, grid: Any, out: Any = None, *, quiet: bool | None = None) -> RasterCube:
        """Interpolate every spectrum onto the wavelength grid ``grid`` (see :func:`irisplug.model.resample_wavelength`)."""
        from irisplug.model.resample import resample_wavelength

        return resample_wavelength(self, grid, out=out, quiet=quiet)


class SJICube(ExposureCubeMixin, NDCube):
    """Slit-jaw images: axes (frame, y, x), lazy, DN, per-frame pointing and time.

    Examples
    --------
    >>> sji = obs[slit_jaw]  # doctest: +SKIP
    >>> sji.frame(sji.nearest_exposure("2014-03-29T14:10")).to_map()  # doctest: +SKIP
    """

    def frame(self, index: int) -> ImageCube:
        """Frame ``index`` as a 2-D :class:`ImageCube` with its exact WCS, time and exposure time.

        Its meta's ``EXPTIME`` and ``XPOSURE`` are the frame's own exposure
        time (``extra_coord(sji, "exposure_time")[index]``), which
        :meth:`ImageCube.to_map` hands to sunpy (``map.exposure_time``).

        Raises
        ------
        irisplug.errors.IndexOutOfRangeError
            ``index`` is not a frame of this cube (an ``IrisplugError`` and an ``IndexError``).

        Examples
        --------
        >>> sji.frame(0).to_map().exposure_time  # doctest: +SKIP
        <Quantity 8.00006 s>
        """
        from irisplug.model.maps import frame_image

        return frame_image(self, index)

    def nearest_frame(self, time: Any) -> ImageCube:
        """The frame nearest in time to ``time`` (e.g. a raster step's time)."""
        return self.frame(self.nearest_exposure(time))


class ImageCube(PerExposureCoordsMixin, NDCube):
    """A 2-D image cut from a raster or slit-jaw cube; ``to_map()`` makes a sunpy Map.

    Examples
    --------
    >>> m = obs[slit_jaw].frame(0).to_map()  # doctest: +SKIP
    """

    def to_map(self) -> Any:
        """A ``sunpy.map.Map`` of this image (celestial FITS WCS in its header)."""
        from irisplug.model.maps import image_to_map

        return image_to_map(self)


def is_exposure_cube(obj: Any) -> bool:
    """True for cubes with per-exposure coordinates (RasterCube, SJICube)."""
    return isinstance(obj, ExposureCubeMixin) or bool(exposure_values(obj)) if isinstance(obj, NDCube) else False


__all__ += ["is_exposure_cube", "EXPOSURE_COORDS"]


def _seconds(value: Any) -> np.ndarray:
    """A Quantity (or plain numbers taken as seconds) in seconds."""
    import astropy.units as u

    return np.asarray(u.Quantity(value, u.s).to_value(u.s), dtype=float)


def _exposure_positions(x: np.ndarray, rel: np.ndarray, single: float) -> np.ndarray:
    """Fractional exposure indices of times ``x`` (s after the first midpoint) among midpoints ``rel`` (s): linear
    between midpoints, continued beyond the ends at the outermost intervals' rates; for one exposure, ``x`` in
    units of its exposure time ``single`` (a point beyond half of it rounds to no exposure)."""
    x = np.asarray(x, dtype=float)
    n = len(rel)
    with np.errstate(divide="ignore", invalid="ignore"):
        if n == 1:
            return x / single if single > 0 else np.where(x == 0, 0.0, np.sign(x) * np.inf)
        pos = np.interp(x, rel, np.arange(n, dtype=float))
        first, last = rel[1] - rel[0], rel[-1] - rel[-2]
        below, above = x < rel[0], x > rel[-1]
        pos[below] = (x[below] - rel[0]) / first if first > 0 else -np.inf
        pos[above] = n - 1 + ((x[above] - rel[-1]) / last if last > 0 else np.inf)
    return pos
