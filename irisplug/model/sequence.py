"""A spectral window over all raster files of an observation."""

from __future__ import annotations

from typing import Any

import numpy as np
from sunraster import RasterSequence as _SunrasterRasterSequence

from irisplug.model._exposures import exposure_values

__all__ = ["RasterSequence"]


class RasterSequence(_SunrasterRasterSequence):
    """The raster files of one spectral window: a sunraster ``RasterSequence`` of :class:`RasterCube`.

    ``seq[i]`` is raster file ``i``; ``slice_as_sns`` / ``slice_as_raster``
    work as in sunraster; axis 0 of every cube (the raster step) is the
    common axis.

    Examples
    --------
    >>> seq = obs[line]  # doctest: +SKIP
    >>> seq.at_raster_position(3)  # every repeat at step 3, one cube  # doctest: +SKIP
    """

    def __init__(self, data_list: list[Any], common_axis: int | None = 0, meta: Any = None) -> None:
        super().__init__(data_list, common_axis=common_axis, meta=meta)

    def _set_single_scan_instrument_axes_types(self) -> None:
        # Same result as sunraster's, from the cubes' WCS only: sunraster's version asks for
        # the combined WCS (extra coordinates included), which costs more than opening the files.
        if len(self.data) < 1:
            self._single_scan_instrument_axes_types = np.empty((0,), dtype=object)
            return
        cube = self.data[0]
        ndim = cube.data.ndim
        types = np.empty(ndim, dtype=object)
        if self._common_axis is not None:
            types[self._common_axis] = self._slit_step_axis_name
        low = cube.wcs.low_level_wcs
        corr = low.axis_correlation_matrix
        phys = low.world_axis_physical_types
        spectral = [i for i, t in enumerate(phys) if t == "em.wl"]
        for w in spectral:
            pix = np.flatnonzero(corr[w])
            if len(pix) == 1:
                types[ndim - 1 - pix[0]] = self._spectral_axis_name
        empty = np.array([t is None for t in types])
        if empty.sum() > 1:
            from irisplug.errors import InconsistentInputError

            raise InconsistentInputError("cannot tell the slit-step and spectral axes apart from the WCS "
                                         "(its spectral axis is coupled to another pixel axis)")
        types[empty] = self._slit_axis_name
        self._single_scan_instrument_axes_types = types

    def crop(self, *points: Any, wcses: Any = None) -> RasterSequence:
        """Crop every cube to the smallest common box holding ``points`` in each (as ``NDCubeSequence.crop``).

        Points are those of :meth:`RasterCube.crop` (world order: spectral,
        celestial, time; ``None`` where unconstrained). ndcube's own sequence
        crop fails on any axis a point leaves unconstrained (a ``slice(None)``
        start); here such an axis is kept whole.

        Examples
        --------
        >>> seq.crop((SpectralCoord(1402.5, "AA"), None, None), (SpectralCoord(1403.0, "AA"), None, None))  # doctest: +SKIP
        """
        if wcses is None:
            wcses = [None] * len(self.data)
        elif isinstance(wcses, str):
            wcses = [None if wcses == "wcs" else getattr(c, wcses) for c in self.data]
        time_only = getattr(self.data[0], "_is_time_only", None) if self.data else None
        if time_only is not None and all(w is None for w in wcses) and time_only(points):
            return self._crop_times(points)
        items = [cube.crop_item(*points, wcs=w) for cube, w in zip(self.data, wcses, strict=True)]
        starts = np.min([[s.start for s in it] for it in items], axis=0)
        stops = np.max([[s.stop for s in it] for it in items], axis=0)
        return self[(slice(None), *(slice(int(a), int(b)) for a, b in zip(starts, stops, strict=True)))]

    def _crop_times(self, points: tuple[Any, ...]) -> RasterSequence:
        """A crop by time only: each raster keeps its exposures within the points' times (the rasters' exposures
        are at other times, so no common box holds them); rasters wholly outside are left out."""
        from irisplug.errors import CropOutOfRangeError

        kept = []
        for cube in self.data:
            try:
                item = cube.crop_item(*points)
            except CropOutOfRangeError:
                continue
            kept.append(cube[item])
        if not kept:
            times = self.extra_coord("time")
            raise CropOutOfRangeError(f"all the crop's times lie outside the exposures of every raster "
                                      f"({times.min().isot} to {times.max().isot} at their midpoints)")
        return type(self)(kept, common_axis=self._common_axis, meta=self.meta)

    @property
    def index_as_cube(self) -> Any:
        """Slice the rasters as one cube along the common axis (ndcube's ``index_as_cube``), negative indices
        counted from the end of the last raster.

        ndcube hands a negative index on to the first cube, which reads it from that cube's end (the last
        exposure of raster 0 for ``[-1]``); it is turned into its place from the start here.

        Examples
        --------
        >>> seq.index_as_cube[-1]  # the last exposure of the last raster  # doctest: +SKIP
        """
        from ndcube.ndcube_sequence import _IndexAsCubeSlicer

        if self._common_axis is None:
            raise ValueError("common_axis cannot be None")
        seq = self

        class _Slicer(_IndexAsCubeSlicer):
            def __getitem__(self, item: Any) -> Any:
                return super().__getitem__(seq._from_the_start(item))

        return _Slicer(self)

    def _from_the_start(self, item: Any) -> Any:
        """``item`` of :attr:`index_as_cube` with negative integers and slice ends along the common axis counted
        from the start (``IndexOutOfRangeError`` for an integer outside)."""
        import numbers

        axis = self._common_axis
        key = list(item) if isinstance(item, tuple) else [item]
        if axis is None or len(key) <= axis:
            return item
        n = int(sum(cube.data.shape[axis] for cube in self.data))
        k = key[axis]
        if isinstance(k, numbers.Integral) and not isinstance(k, bool):
            if not -n <= k < n:
                from irisplug.errors import IndexOutOfRangeError

                raise IndexOutOfRangeError(f"index {k} along the common axis of {n} exposures")
            key[axis] = int(k) % n
        elif isinstance(k, slice) and (k.step is None or k.step == 1):
            start, stop, _ = k.indices(n)
            key[axis] = slice(start, max(start, stop))
        return tuple(key) if isinstance(item, tuple) else key[0]

    def __getitem__(self, item: Any) -> Any:
        """sunraster's slicing for every item an NDCubeSequence takes.

        sunraster's own ``__getitem__`` takes ``len(item)`` of whatever it is
        given: ``seq[0:2]`` (the first two rasters) raised ``TypeError`` and
        ``seq[0:2,]`` ``IndexError``. A raster step given as an integer still
        makes a sunraster ``SpectrogramSequence``, as in sunraster.
        """
        import numbers

        from ndcube import NDCubeSequence
        from sunraster import SpectrogramSequence

        result = NDCubeSequence.__getitem__(self, item)  # the item as given: seq[0] is the cube itself, unsliced
        key = item if isinstance(item, tuple) else (item,)
        if isinstance(result, type(self)):
            inner = key[1:]
            axis = self._common_axis
            if axis is not None and len(inner) > axis and isinstance(inner[axis], numbers.Integral):
                return SpectrogramSequence(result.data, common_axis=None, meta=result.meta)
            result._set_single_scan_instrument_axes_types()
        return result

    @property
    def celestial(self) -> Any:
        """Every raster's celestial coordinates in one SkyCoord of shape ``(files, steps, slit)``.

        ``seq.celestial[i]`` is ``seq[i].celestial``, each pixel with its own
        observer and time. (sunraster concatenates the rasters' SkyCoords,
        which astropy refuses unless their frames are equal: the rasters of a
        real sequence are observed at other times from another place, so
        ``seq.celestial``, ``str(seq)`` and a notebook showing ``seq`` raised
        ``ValueError``.)

        Raises
        ------
        irisplug.InconsistentInputError
            The rasters differ in shape (take each one's ``celestial``).
        """
        from irisplug.model._stack_coords import stack_coords

        return stack_coords([cube.celestial for cube in self.data])

    def __str__(self) -> str:
        """sunraster's summary (time range, dimensions, longitude, latitude and spectral ranges, unit).

        The ranges come from the cubes' world values: building every raster's
        SkyCoord only to take the extremes took 0.16 s per full IRIS raster.
        """
        import astropy.units as u

        name = type(self).__name__
        lines = [name, "-" * len(name)]
        if not self.data:
            return "\n".join([*lines, "(no cubes)"])
        try:  # the per-exposure times (sunraster's ``time`` goes through the combined WCS: ~0.09 s per raster)
            time = self.extra_coord("time")
            lines.append(f"Time Range: {time.min().iso} to {time.max().iso}")
        except Exception:  # noqa: BLE001 - a summary line, not a computation
            lines.append("Time Range: None")
        lines.append(f"Pixel Dimensions: {self.shape}")
        ranges: dict[str, list[Any]] = {"lon": [], "lat": [], "em.wl": []}
        for cube in self.data:
            values = cube.axis_world_coords_values()
            for field, v in zip(values._fields, values, strict=True):
                v = u.Quantity(v)
                key = "lon" if "pos" in field and field.endswith("lon") else \
                    "lat" if "pos" in field and field.endswith("lat") else "em.wl" if field.startswith("em_wl") else None
                if key == "lon" and v.unit.physical_type == "angle":
                    v = (v + 180 * u.deg) % (360 * u.deg) - 180 * u.deg  # helioprojective longitude near 0
                if key is not None and v.size:
                    ranges[key] += [np.nanmin(v), np.nanmax(v)]
        for label, key, unit in (("Longitude", "lon", u.arcsec), ("Latitude", "lat", u.arcsec),
                                 ("Spectral", "em.wl", None)):
            vals = ranges[key]
            if not vals:
                lines.append(f"{label} range: None")
                continue
            lo, hi = min(vals), max(vals)
            if unit is not None and lo.unit.is_equivalent(unit):
                lo, hi = lo.to(unit), hi.to(unit)
            lines.append(f"{label} range: {u.Quantity([lo, hi]) if lo != hi else lo}")
        lines.append(f"Data unit: {self.data[0].unit}")
        return "\n".join(lines)

    def __repr__(self) -> str:
        return f"{object.__repr__(self)}\n{self!s}"

    def extra_coord(self, name: str) -> Any:
        """A per-exposure coordinate over all cubes, concatenated in order (:func:`irisplug.model.extra_coord`).

        Raises
        ------
        irisplug.errors.UnknownCoordinateError
            The cubes have no coordinate ``name`` (the message lists theirs).
        """
        from irisplug.model._exposures import extra_coord

        return extra_coord(self, name)

    def as_cube(self) -> Any:
        """All exposures of all files in one cube (sit-and-stare view), each with its pointing."""
        from irisplug.model.join import join_cubes

        return join_cubes([(c, slice(None)) for c in self.data], stare=False)

    def raster_position_steps(self, position: int) -> list[tuple[int, np.ndarray]]:
        """``(file index, step indices)`` of every exposure at raster position ``position``."""
        out = []
        for i, c in enumerate(self.data):
            pos = np.atleast_1d(np.asarray(exposure_values(c)["raster_position"]))
            hits = np.flatnonzero(pos == position)
            if hits.size:
                out.append((i, hits))
        return out

    def at_raster_position(self, position: int) -> Any:
        """One cube of every repeat at raster position ``position``, with each exposure's time and pointing.

        This is IRISreader's ``get_raster_pos_data``: axis 0 then counts
        repeats (its extra coordinates give their times and headers' values).

        Raises
        ------
        irisplug.errors.IndexOutOfRangeError
            When no exposure is at that position (an ``IrisplugError`` and an
            ``IndexError``; the message lists the positions there are).
        """
        from irisplug.errors import IndexOutOfRangeError
        from irisplug.model._exposures import _filename
        from irisplug.model.join import join_cubes

        parts = [(self.data[i], steps) for i, steps in self.raster_position_steps(position)]
        if not parts:
            held = sorted({int(p) for c in self.data for p in np.atleast_1d(exposure_values(c)["raster_position"])})
            raise IndexOutOfRangeError(f"no exposure at raster position {position}; positions are {held}",
                                       path=_filename(self.data[0]) if self.data else None)
        return join_cubes(parts, stare=True)

    def drop_empty_exposures(self) -> RasterSequence:
        """Drop all-missing exposures in every cube, and cubes left empty (IRISreader ``keep_null=False``)."""
        kept = [c for c in (c.drop_empty_exposures() for c in self.data) if c is not None]
        if not kept:
            raise ValueError("every exposure of this window is missing")
        return type(self)(kept, common_axis=self._common_axis, meta=dict(self.meta or {}))

    def normalize_exposure(self) -> RasterSequence:
        """Every cube divided by its exposure times (DN/s); idempotent."""
        from irisplug.model.operations import normalize_exposure

        return normalize_exposure(self)
