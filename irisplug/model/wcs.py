"""A WCS with its own pointing for every exposure (APE 14 low-level API).

Spectrographs and slit-jaw imagers record, for every exposure, where the
telescope pointed (IRIS: XCENIX, YCENIX and PCi_jIX in the auxiliary table).
One FITS WCS cannot hold that, so :class:`PerExposureWCS` keeps one FITS WCS
template (the HDU's header) and substitutes, for the exposure nearest to a
pixel's exposure coordinate, that exposure's reference values and PC matrix.
Time is a world axis too: the exposure midpoints, linear between exposures.

The class knows no instrument: the reader says which FITS axis counts
exposures and which hold longitude and latitude.
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
from astropy.wcs.wcsapi import BaseLowLevelWCS, HighLevelWCSMixin

__all__ = ["PerExposureWCS"]

_WCS_KEYS = ("CTYPE", "CUNIT", "CRPIX", "CRVAL", "CDELT", "CNAME")


def _wcs_header(header: Mapping[str, Any], naxis: int, axes: Sequence[int]) -> dict[str, Any]:
    """The WCS keywords of the FITS axes ``axes`` (1-based), renumbered 1..len(axes)."""
    out: dict[str, Any] = {"NAXIS": len(axes)}
    for new, old in enumerate(axes, start=1):
        for key in _WCS_KEYS:
            if f"{key}{old}" in header:
                out[f"{key}{new}"] = header[f"{key}{old}"]
        out[f"NAXIS{new}"] = header.get(f"NAXIS{old}", 1)
        for new2, old2 in enumerate(axes, start=1):
            out[f"PC{new}_{new2}"] = float(header.get(f"PC{old}_{old2}", 1.0 if old == old2 else 0.0))
    for key in ("DATE-OBS", "DATE_OBS", "MJD-OBS", "SPECSYS", "RESTWAV", "RESTFRQ"):
        if key in header:
            out[key.replace("DATE_OBS", "DATE-OBS")] = header[key]
    return out


def _build_wcs(hdr: Mapping[str, Any]) -> Any:
    """An ``astropy.wcs.WCS`` from WCS keywords, set directly (much faster than parsing a Header)."""
    from astropy.wcs import WCS, WcsError

    n = int(hdr["NAXIS"])
    w = WCS(naxis=n)
    w.wcs.ctype = [str(hdr.get(f"CTYPE{i}", "")) for i in range(1, n + 1)]
    w.wcs.cunit = [str(hdr.get(f"CUNIT{i}", "")) for i in range(1, n + 1)]
    w.wcs.crpix = [float(hdr.get(f"CRPIX{i}", 0.0)) for i in range(1, n + 1)]
    w.wcs.crval = [float(hdr.get(f"CRVAL{i}", 0.0)) for i in range(1, n + 1)]
    w.wcs.cdelt = [float(hdr.get(f"CDELT{i}", 1.0)) for i in range(1, n + 1)]
    w.wcs.pc = [
        [float(hdr.get(f"PC{i}_{j}", 1.0 if i == j else 0.0)) for j in range(1, n + 1)] for i in range(1, n + 1)
    ]
    w.pixel_shape = tuple(int(hdr.get(f"NAXIS{i}", 0)) or 1 for i in range(1, n + 1))
    if hdr.get("DATE-OBS"):
        w.wcs.dateobs = str(hdr["DATE-OBS"])
    try:
        w.wcs.set()
    except WcsError as exc:  # an ill-conditioned or singular transformation: the caller's keywords, not a bug here
        from irisplug.errors import InconsistentInputError

        raise InconsistentInputError(f"wcslib refuses the WCS keywords {dict(hdr)}: {exc}") from exc
    return w


class PerExposureWCS(HighLevelWCSMixin, BaseLowLevelWCS):
    """FITS WCS whose pointing changes from exposure to exposure, plus a time axis.

    Pixel axes are those of the FITS data (FITS order). World axes are the
    template's world axes followed by time (seconds after ``reference_time``).

    Parameters
    ----------
    header
        FITS header (dict-like) of the image HDU: ``NAXISn``, ``CTYPEn``,
        ``CUNITn``, ``CRPIXn``, ``CRVALn``, ``CDELTn``, ``PCi_j``.
    exposure_axis
        FITS axis number (1-based) that counts exposures.
    lon_axis, lat_axis
        FITS axis numbers of helioprojective longitude and latitude.
    crval_lon, crval_lat
        Per-exposure reference longitude / latitude, in the header's CUNIT.
    pc
        Per-exposure PC matrices, shape ``(n, k, k)`` over the template axes
        (all FITS axes when the exposure axis is spatial, else all but it);
        entries that are NaN keep the header's value.
    times
        Exposure midpoints in seconds after ``reference_time``.
    reference_time
        ISO time string (UTC).
    observer
        Optional ``(hgln_deg, hglt_deg, dsun_m)`` of the observer at ``reference_time``.
    observers
        Optional per-exposure observer positions, shape ``(n, 3)``: ``(hgln_deg,
        hglt_deg, dsun_m)`` of each exposure (an Earth-orbiting telescope: the Earth
        at each exposure's time). Without it every exposure has ``observer``.

    Notes
    -----
    For an exposure axis that is spatial (a raster's slit steps), exposure
    ``i`` has its reference pixel on that axis at ``i``: the slit position of
    step ``i`` is (``crval_lon[i]``, ``crval_lat[i]``) at the header's
    reference pixel along the slit. A zero step size (sit-and-stare) means the
    slit does not move; then the exposure coordinate maps to time only.

    Examples
    --------
    >>> hdr = {"NAXIS": 3, "NAXIS1": 4, "NAXIS2": 5, "NAXIS3": 2,
    ...        "CTYPE1": "WAVE", "CUNIT1": "Angstrom", "CRPIX1": 1, "CRVAL1": 1400, "CDELT1": 0.1,
    ...        "CTYPE2": "HPLT-TAN", "CUNIT2": "arcsec", "CRPIX2": 3, "CRVAL2": 0, "CDELT2": 0.2,
    ...        "CTYPE3": "HPLN-TAN", "CUNIT3": "arcsec", "CRPIX3": 1, "CRVAL3": 0, "CDELT3": 1.0}
    >>> w = PerExposureWCS(hdr, exposure_axis=3, lon_axis=3, lat_axis=2,
    ...                    crval_lon=[10.0, 11.0], crval_lat=[5.0, 5.0],
    ...                    times=[4.0, 14.0], reference_time="2014-03-29T14:09:38")
    >>> w.world_axis_physical_types[-1], w.pixel_n_dim, w.world_n_dim
    ('time', 3, 4)
    >>> round(float(w.pixel_to_world_values(0, 2, 1)[2]) * 3600, 6)
    11.0
    """

    def __init__(
        self,
        header: Mapping[str, Any],
        *,
        exposure_axis: int,
        lon_axis: int,
        lat_axis: int,
        crval_lon: Sequence[float],
        crval_lat: Sequence[float],
        times: Sequence[float],
        reference_time: str,
        pc: Any = None,
        observer: tuple[float, float, float] | None = None,
        observers: Any = None,
    ) -> None:
        self._header = {k: v for k, v in dict(header).items() if isinstance(v, (int, float, str, bool))}
        self._naxis = int(self._header["NAXIS"])
        self._exp = int(exposure_axis)
        self._lon = int(lon_axis)
        self._lat = int(lat_axis)
        self._crval_lon = np.asarray(crval_lon, dtype=float)
        self._crval_lat = np.asarray(crval_lat, dtype=float)
        self._times = np.asarray(times, dtype=float)
        self._n = len(self._times)
        if not (len(self._crval_lon) == len(self._crval_lat) == self._n):
            from irisplug.errors import InconsistentInputError

            raise InconsistentInputError("crval_lon, crval_lat and times need one value per exposure")
        if not np.isfinite(self._times).all():
            from irisplug.errors import InconsistentInputError

            i = int(np.flatnonzero(~np.isfinite(self._times))[0])
            raise InconsistentInputError(f"the time of exposure {i} is {float(self._times[i])!r}: exposure times must "
                                         "be finite (seconds after reference_time)")
        self._spatial_exposure = self._exp in (self._lon, self._lat)
        self._axes = [a for a in range(1, self._naxis + 1) if self._spatial_exposure or a != self._exp]
        k = len(self._axes)
        self._pc = None if pc is None else np.asarray(pc, dtype=float).reshape(self._n, k, k)
        self._reference_time = str(reference_time)
        self._observer = observer
        self._observers = None if observers is None else np.asarray(observers, dtype=float).reshape(self._n, 3)
        self._memo: dict[int, tuple[Any, np.ndarray]] = {}
        self._memo_lock = threading.Lock()
        cdelt = float(self._header.get(f"CDELT{self._exp}", 1.0)) if self._spatial_exposure else 1.0
        self._stare = self._spatial_exposure and cdelt == 0.0
        self._cache: dict[int, Any] = {}
        self._tmpl: Any = None

    @property
    def _template_wcs(self) -> Any:
        if self._tmpl is None:
            self._tmpl = self._exposure_wcs(min(self._n - 1, max(0, self._n // 2)))
        return self._tmpl

    # ---- construction helpers -------------------------------------------------------
    def __getstate__(self) -> dict[str, Any]:
        state = self.__dict__.copy()
        state["_cache"] = {}
        state["_tmpl"] = None
        state["_corr"] = None
        state["_memo"] = {}
        state.pop("_memo_lock", None)
        state.pop("_ref_time", None)
        state.pop("_own_last", None)  # a memo holding a weak reference (not picklable)
        return state

    def __setstate__(self, state: dict[str, Any]) -> None:
        state.setdefault("_observers", None)
        state["_memo"] = {}
        state["_memo_lock"] = threading.Lock()
        self.__dict__.update(state)

    def exposure_header(self, i: int) -> dict[str, Any]:
        """FITS WCS keywords (template axes) of exposure ``i`` with its own pointing.

        For a spatial exposure axis the reference pixel on that axis is put at
        pixel ``i`` (1-based ``i + 1``) so the WCS evaluates at the step itself.
        """
        hdr = _wcs_header(self._header, self._naxis, self._axes)
        pos = {old: new for new, old in enumerate(self._axes, start=1)}
        hdr[f"CRVAL{pos[self._lon]}"] = float(self._crval_lon[i])
        hdr[f"CRVAL{pos[self._lat]}"] = float(self._crval_lat[i])
        if self._spatial_exposure:
            e = pos[self._exp]
            hdr[f"CRPIX{e}"] = float(i + 1)
            if self._stare:
                hdr[f"CDELT{e}"] = 1.0  # irrelevant: the exposure axis is pinned at i below
        if self._pc is not None:
            for a in range(len(self._axes)):
                for b in range(len(self._axes)):
                    v = self._pc[i, a, b]
                    if np.isfinite(v):
                        hdr[f"PC{a + 1}_{b + 1}"] = float(v)
        # the exposure's own time: the celestial frame of this exposure has obstime = its midpoint
        hdr["DATE-OBS"] = self.exposure_time(i).isot
        return hdr

    def exposure_time(self, i: int) -> Any:
        """Midpoint (astropy Time, UTC) of exposure ``i``."""
        import astropy.units as u

        return self._ref() + float(self._times[i]) * u.s

    def exposure_observer(self, i: int) -> tuple[float, float, float] | None:
        """``(hgln_deg, hglt_deg, dsun_m)`` of the observer at exposure ``i`` (None when unknown)."""
        if self._observers is not None:
            return tuple(float(v) for v in self._observers[i])  # type: ignore[return-value]
        return self._observer

    def _exposure_wcs(self, i: int) -> Any:
        w = self._cache.get(i)
        if w is None:
            w = _build_wcs(self.exposure_header(i))
            obs = self.exposure_observer(i)
            if obs is not None:
                w.wcs.aux.hgln_obs, w.wcs.aux.hglt_obs, w.wcs.aux.dsun_obs = obs
            self._cache[i] = w
        return w

    # ---- pixel <-> exposure index -----------------------------------------------------
    def _index(self, p: np.ndarray) -> np.ndarray:
        return np.clip(np.rint(np.nan_to_num(p, nan=0.0)), 0, self._n - 1).astype(int)

    def _time_of(self, p: np.ndarray) -> np.ndarray:
        if self._n == 1:
            return np.full_like(p, self._times[0], dtype=float)
        idx = np.arange(self._n, dtype=float)
        out = np.interp(p, idx, self._times)
        lo, hi = p < 0, p > self._n - 1
        out[lo] = self._times[0] + (p[lo]) * (self._times[1] - self._times[0])
        out[hi] = self._times[-1] + (p[hi] - (self._n - 1)) * (self._times[-1] - self._times[-2])
        return out

    def _pixel_of_time(self, t: np.ndarray) -> np.ndarray:
        if self._n == 1 or not np.all(np.diff(self._times) > 0):
            return np.zeros_like(t, dtype=float)
        idx = np.arange(self._n, dtype=float)
        out = np.interp(t, self._times, idx)
        lo, hi = t < self._times[0], t > self._times[-1]
        out[lo] = (t[lo] - self._times[0]) / (self._times[1] - self._times[0])
        out[hi] = self._n - 1 + (t[hi] - self._times[-1]) / (self._times[-1] - self._times[-2])
        return out

    # ---- APE 14 low-level API ---------------------------------------------------------
    @property
    def pixel_n_dim(self) -> int:
        return self._naxis

    @property
    def world_n_dim(self) -> int:
        return len(self._axes) + 1

    @property
    def world_axis_physical_types(self) -> list[str]:
        return [*self._template_types(), "time"]

    def _template_types(self) -> list[str]:
        """Physical types of the template axes; from CTYPE for the common ones (no WCS build)."""
        known = {"WAVE": "em.wl", "HPLN": "custom:pos.helioprojective.lon", "HPLT": "custom:pos.helioprojective.lat"}
        ctypes = [str(self._header.get(f"CTYPE{a}", "")).split("-")[0].strip() for a in self._axes]
        if all(c in known for c in ctypes):
            return [known[c] for c in ctypes]
        return list(self._template_wcs.world_axis_physical_types)

    @property
    def world_axis_units(self) -> list[str]:
        return [*self._template_wcs.world_axis_units, "s"]

    @property
    def world_axis_names(self) -> list[str]:
        return [*self._template_wcs.world_axis_names, "time"]

    @property
    def pixel_shape(self) -> tuple[int, ...] | None:
        shape = tuple(int(self._header.get(f"NAXIS{i}", 0)) for i in range(1, self._naxis + 1))
        return shape if all(shape) else None

    @property
    def pixel_bounds(self) -> None:
        return None

    @property
    def axis_correlation_matrix(self) -> np.ndarray:
        if self.__dict__.get("_corr") is None:
            self._corr = self._correlation()
        return self._corr.copy()

    def _correlation(self) -> np.ndarray:
        k = len(self._axes)
        hdr = _wcs_header(self._header, self._naxis, self._axes)
        pc = np.array([[abs(float(hdr[f"PC{a + 1}_{b + 1}"])) for b in range(k)] for a in range(k)])
        if self._pc is not None:
            pc = np.maximum(pc, np.nanmax(np.abs(np.nan_to_num(self._pc, nan=0.0)), axis=0))
        # |PC| below 1e-10 is rounding noise (e.g. 1e-16 in down-sampled aux tables)
        tmpl = (pc > 1e-10) | np.eye(k, dtype=bool)
        types = self._template_types()
        cel = [j for j, t in enumerate(types) if "pos." in t]
        # celestial world axes come together; each depends on the pixels either depends on
        if cel:
            tmpl[cel] = tmpl[cel].any(axis=0)
        m = np.zeros((self.world_n_dim, self.pixel_n_dim), dtype=bool)
        for j, old in enumerate(self._axes):
            m[:k, old - 1] = tmpl[:, j]
        # pointing changes with the exposure: celestial axes depend on the exposure axis
        m[cel, self._exp - 1] = True
        m[-1, self._exp - 1] = True
        return m

    @property
    def serialized_classes(self) -> bool:
        return False

    def _helioprojective(self) -> bool:
        """True when the template's celestial frame is helioprojective (then frames follow the exposures)."""
        if "_hpc" not in self.__dict__:
            from sunpy.coordinates import Helioprojective

            cls = self._template_wcs.world_axis_object_classes.get("celestial")
            self._hpc = bool(cls) and isinstance(cls[2].get("frame"), Helioprojective)
        return self._hpc

    @property
    def world_axis_object_components(self) -> list[tuple[Any, ...]]:
        comps = list(self._template_wcs.world_axis_object_components)
        if self._helioprojective():
            # a SkyCoord is read in the frame of its own obstime (the exposure it belongs to), not
            # transformed to one reference frame: see _own_frame
            comps = [(key, i, self._lon_value if i == 0 else self._lat_value) if key == "celestial" else (key, i, a)
                     for key, i, a in comps]
        return [*comps, ("time", 0, self._time_to_value)]

    @property
    def world_axis_object_classes(self) -> dict[str, tuple[Any, ...]]:
        from astropy.time import Time

        classes = dict(self._template_wcs.world_axis_object_classes)
        if self._helioprojective():
            from astropy.coordinates import SkyCoord
            from sunpy.coordinates import Helioprojective

            _, args, kwargs = classes["celestial"][:3]
            kwargs = dict(kwargs)
            # a frame with default attributes: SkyCoord.transform_to keeps the coordinate's own obstime and
            # observer (astropy merges them), so high_level_objects_to_values hands it over unchanged
            kwargs["frame"] = Helioprojective(rsun=kwargs["frame"].rsun)
            classes["celestial"] = (SkyCoord, args, kwargs, self._celestial_object)
        classes["time"] = (Time, (), {}, self._value_to_time)
        return classes

    # ---- celestial frames that follow the exposures ------------------------------------
    def exposure_frame(self, i: int) -> Any:
        """The celestial frame of exposure ``i``: its obstime (midpoint) and its observer."""
        from astropy.wcs.utils import wcs_to_celestial_frame

        return wcs_to_celestial_frame(self._exposure_wcs(int(i)))

    def _observer_coords(self, obstime: Any, lon: Any, lat: Any, dist: Any) -> Any:
        import astropy.units as u
        from astropy.coordinates import SkyCoord
        from sunpy.coordinates import HeliographicStonyhurst

        return SkyCoord(np.asarray(lon) * u.deg, np.asarray(lat) * u.deg, np.asarray(dist) * u.m,
                        frame=HeliographicStonyhurst, obstime=obstime)

    def _frame_of_exposures(self, idx: np.ndarray) -> Any:
        """Helioprojective frame whose obstime / observer are those of exposure ``idx`` (any shape)."""
        import astropy.units as u
        from sunpy.coordinates import Helioprojective

        uniq = np.unique(idx)
        if uniq.size == 1:
            return self.exposure_frame(int(uniq[0]))
        rsun = self.exposure_frame(int(uniq[0])).rsun
        obstime = self._ref() + self._times[idx] * u.s
        obs = None
        if self._observers is not None:
            o = self._observers[idx]
            obs = self._observer_coords(obstime, o[..., 0], o[..., 1], o[..., 2])
        elif self._observer is not None:
            obs = self._observer_coords(self._ref(), *self._observer)
        return Helioprojective(obstime=obstime, observer=obs, rsun=rsun)

    def _remember(self, lon: np.ndarray, pe: np.ndarray) -> None:
        """Note the exposure pixel of each value of ``lon`` (an array just computed): which exposure it belongs to,
        or between which two it lies (a pixel of a cube binned along its exposures: ndcube's resampled WCS)."""
        with self._memo_lock:
            for key in [k for k, (ref, _) in self._memo.items() if ref() is None]:
                del self._memo[key]
            while len(self._memo) >= 8:
                self._memo.pop(next(iter(self._memo)))
            self._memo[id(lon)] = (weakref.ref(lon), pe)

    def _recall(self, lon: Any) -> np.ndarray | None:
        """The exposure pixels :meth:`_remember` noted for ``lon``, or None."""
        with self._memo_lock:
            hit = self._memo.get(id(lon))
        if hit is None or hit[0]() is not lon:
            return None
        return hit[1]

    def _celestial_object(self, lon: Any, lat: Any, *args: Any, **kwargs: Any) -> Any:
        """The SkyCoord of world values: in the frame of the exposure each value belongs to.

        ``pixel_to_world_values`` notes the exposure of every value it returns, so
        astropy's ``pixel_to_world`` (also through ``SlicedLowLevelWCS``) labels each
        point with its exposure's obstime and observer: one frame when all points
        come from one exposure, else per-point arrays. Values computed elsewhere
        (e.g. cut out of a grid) get the frame of the middle exposure; the cubes'
        ``axis_world_coords`` relabels them.
        """
        import astropy.units as u
        from astropy.coordinates import SkyCoord

        pe = self._recall(lon)
        if pe is None:
            frame = self._frame_of_exposures(np.array(min(self._n - 1, max(0, self._n // 2))))
        else:
            pe = np.asarray(pe, dtype=float)
            idx = self._index(pe)
            between = np.isfinite(pe) & (pe != idx)
            frame = self._frame_between_exposures(pe, idx) if between.any() else self._frame_of_exposures(idx)
        kwargs.pop("frame", None)
        unit = kwargs.pop("unit", u.deg)
        return SkyCoord(lon, lat, *args, unit=unit, frame=frame, **kwargs)

    def _frame_between_exposures(self, pe: np.ndarray, idx: np.ndarray) -> Any:
        """Helioprojective frame at fractional exposure pixels ``pe``: the time there (the exposure times
        interpolated, as the WCS's time axis gives it; a pixel of exposures binned by two is their mean time) and the
        observer interpolated to it."""
        import astropy.units as u
        from sunpy.coordinates import Helioprojective

        rsun = self.exposure_frame(int(np.ravel(idx)[0])).rsun
        obstime = self._ref() + self._time_of(np.atleast_1d(pe).ravel()).reshape(np.shape(pe)) * u.s
        return Helioprojective(obstime=obstime, observer=self.observer_at(obstime), rsun=rsun)

    def observer_at(self, obstime: Any) -> Any:
        """The observer (HGS SkyCoord) at ``obstime`` (Time, any shape): interpolated between exposures."""
        if self._observers is None:
            if self._observer is None:
                return None
            return self._observer_coords(self._ref(), *self._observer)
        rel = np.atleast_1d((obstime - self._ref()).sec).astype(float)
        shape = np.shape((obstime - self._ref()).sec)
        order = np.argsort(self._times)
        comp = [np.interp(rel.ravel(), self._times[order], self._observers[order, j]).reshape(shape) for j in range(3)]
        return self._observer_coords(obstime, *comp)

    def _own_frame(self, sc: Any) -> Any:
        """``sc`` as helioprojective coordinates seen by this WCS's observer at ``sc``'s own obstime."""
        import astropy.units as u
        from sunpy.coordinates import Helioprojective

        last = self.__dict__.get("_own_last")
        if last is not None and last[0]() is sc:
            return last[1]
        frame = sc.frame if hasattr(sc, "frame") else sc
        out = frame
        if isinstance(frame, Helioprojective):
            if frame.obstime is not None and (self._observer is not None or self._observers is not None):
                ours = self.observer_at(frame.obstime)
                theirs = frame.observer
                same = False
                if theirs is not None and not isinstance(theirs, str):
                    try:
                        same = bool(np.all(np.abs((theirs.lon - ours.lon).to_value(u.deg)) < 1e-9)
                                    and np.all(np.abs((theirs.lat - ours.lat).to_value(u.deg)) < 1e-9)
                                    and np.all(np.abs((theirs.radius - ours.radius).to_value(u.m)) < 1.0))
                    except (ValueError, u.UnitsError):
                        same = False
                if not same:
                    out = sc.transform_to(Helioprojective(obstime=frame.obstime, observer=ours, rsun=frame.rsun)).frame
        else:
            obstime = frame.obstime if getattr(frame, "obstime", None) is not None else self._ref()
            out = sc.transform_to(Helioprojective(obstime=obstime, observer=self.observer_at(obstime))).frame
        try:
            self._own_last = (weakref.ref(sc), out)
        except TypeError:
            pass
        return out

    def _lon_value(self, sc: Any) -> Any:
        return self._own_frame(sc).spherical.lon.degree

    def _lat_value(self, sc: Any) -> Any:
        return self._own_frame(sc).spherical.lat.degree

    def _ref(self) -> Any:
        ref = self.__dict__.get("_ref_time")
        if ref is None:
            from astropy.time import Time

            ref = self._ref_time = Time(self._reference_time, scale="utc")
        return ref

    def _value_to_time(self, value: Any, *args: Any, **kwargs: Any) -> Any:
        import astropy.units as u
        from astropy.time import Time

        if isinstance(value, Time):
            return value

        return self._ref() + np.asarray(value, dtype=float) * u.s

    def _time_to_value(self, time: Any) -> Any:
        import astropy.units as u

        return (time - self._ref()).to_value(u.s)

    def pixel_to_world_values(self, *pixel_arrays: Any) -> Any:
        pix = np.broadcast_arrays(*[np.asarray(p, dtype=float) for p in pixel_arrays])
        shape = pix[0].shape
        flat = [p.ravel() for p in pix]
        pe = flat[self._exp - 1]
        idx = self._index(pe)
        k = len(self._axes)
        out = [np.empty(pe.shape, dtype=float) for _ in range(k)]
        for i in np.unique(idx):
            sel = idx == i
            w = self._exposure_wcs(int(i))
            args = []
            for old in self._axes:
                p = flat[old - 1][sel]
                if old == self._exp and self._stare:
                    p = np.full_like(p, float(i))
                args.append(p)
            res = w.pixel_to_world_values(*args)
            res = res if isinstance(res, (list, tuple)) else (res,)
            for j in range(k):
                out[j][sel] = res[j]
        out.append(self._time_of(pe))
        result = tuple(o.reshape(shape) for o in out)
        lon = self._lon_world_index()
        if lon is not None:
            self._remember(result[lon], pe.reshape(shape).copy())
        return result

    def _lon_world_index(self) -> int | None:
        if "_lonw" not in self.__dict__:
            types = self._template_types()
            self._lonw = types.index("custom:pos.helioprojective.lon") if "custom:pos.helioprojective.lon" in types else None
        return self._lonw

    def world_to_pixel_values(self, *world_arrays: Any) -> Any:
        wv = np.broadcast_arrays(*[np.asarray(w, dtype=float) for w in world_arrays])
        shape = wv[0].shape
        flat = [w.ravel() for w in wv]
        k = len(self._axes)
        p_time = self._pixel_of_time(flat[k])
        pix = [np.full(p_time.shape, np.nan) for _ in range(self._naxis)]
        pe = p_time.copy()
        idx = self._index(pe)
        iterations = 4 if self._spatial_exposure and not self._stare else 1
        for _ in range(iterations):
            for i in np.unique(idx):
                sel = idx == i
                res = self._exposure_wcs(int(i)).world_to_pixel_values(*[f[sel] for f in flat[:k]])
                res = res if isinstance(res, (list, tuple)) else (res,)
                for j, old in enumerate(self._axes):
                    pix[old - 1][sel] = res[j]
            if not (self._spatial_exposure and not self._stare):
                break
            pe = pix[self._exp - 1]
            new = self._index(pe)
            if np.array_equal(new, idx):
                break
            idx = new
        if not self._spatial_exposure or self._stare:
            pix[self._exp - 1] = p_time
        out = tuple(p.reshape(shape) for p in pix)
        return out[0] if self._naxis == 1 else out

    # ---- conveniences -------------------------------------------------------------------
    @property
    def n_exposures(self) -> int:
        """Number of exposures."""
        return self._n

    @property
    def exposure_axis(self) -> int:
        """FITS axis number (1-based) counting exposures."""
        return self._exp

    @property
    def is_sit_and_stare(self) -> bool:
        """True when the exposure axis is spatial but the slit does not move (zero step)."""
        return self._stare

    def exposure_wcs(self, i: int) -> Any:
        """An independent ``astropy.wcs.WCS`` (template axes) for exposure ``i``."""
        return self._exposure_wcs(int(i)).deepcopy()

    def to_dict(self) -> dict[str, Any]:
        """Everything needed to rebuild this WCS (JSON/ASDF friendly).

        Examples
        --------
        >>> PerExposureWCS.from_dict(w.to_dict())  # doctest: +SKIP
        """
        return {
            "header": dict(self._header),
            "exposure_axis": self._exp,
            "lon_axis": self._lon,
            "lat_axis": self._lat,
            "crval_lon": self._crval_lon.tolist(),
            "crval_lat": self._crval_lat.tolist(),
            "times": self._times.tolist(),
            "reference_time": self._reference_time,
            "pc": None if self._pc is None else self._pc.tolist(),
            "observer": None if self._observer is None else list(self._observer),
            "observers": None if self._observers is None else self._observers.tolist(),
        }

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> PerExposureWCS:
        """Rebuild from :meth:`to_dict` output."""
        obs = d.get("observer")
        return cls(
            d["header"],
            exposure_axis=d["exposure_axis"],
            lon_axis=d["lon_axis"],
            lat_axis=d["lat_axis"],
            crval_lon=d["crval_lon"],
            crval_lat=d["crval_lat"],
            times=d["times"],
            reference_time=d["reference_time"],
            pc=d.get("pc"),
            observer=None if obs is None else tuple(obs),
            observers=d.get("observers"),
        )

    def with_pointing(self, crval_lon: Sequence[float], crval_lat: Sequence[float], pc: Any = None) -> PerExposureWCS:
        """A copy with new per-exposure pointing (e.g. after co-alignment); everything else unchanged.

        Parameters
        ----------
        crval_lon, crval_lat
            One reference longitude / latitude per exposure, in the header's
            CUNIT of the longitude / latitude axis (IRIS: arcsec), like the
            constructor's.
        pc
            New per-exposure PC matrices, shape ``(n_exposures, k, k)`` over the
            template axes (NaN keeps the header's value), or None to keep the
            current ones.

        Returns
        -------
        PerExposureWCS
            A new WCS; this one is not changed.

        Examples
        --------
        >>> hdr = {"NAXIS": 3, "NAXIS1": 4, "NAXIS2": 4, "NAXIS3": 2,
        ...        "CTYPE1": "HPLN-TAN", "CUNIT1": "arcsec", "CRPIX1": 2, "CRVAL1": 0, "CDELT1": 0.5,
        ...        "CTYPE2": "HPLT-TAN", "CUNIT2": "arcsec", "CRPIX2": 2, "CRVAL2": 0, "CDELT2": 0.5,
        ...        "CTYPE3": "TIME", "CUNIT3": "s", "CRPIX3": 1, "CRVAL3": 0, "CDELT3": 10}
        >>> w = PerExposureWCS(hdr, exposure_axis=3, lon_axis=1, lat_axis=2, crval_lon=[10.0, 11.0],
        ...                    crval_lat=[5.0, 5.0], times=[0.0, 10.0], reference_time="2014-03-29T14:09:38")
        >>> moved = w.with_pointing([10.5, 11.5], [4.0, 4.0])
        >>> [round(float(v) * 3600, 6) for v in moved.pixel_to_world_values(1, 1, 1)[:2]]
        [11.5, 4.0]
        >>> round(float(w.pixel_to_world_values(1, 1, 1)[0]) * 3600, 6)  # the original is unchanged
        11.0
        """
        lon = np.asarray(crval_lon, dtype=float).ravel()
        lat = np.asarray(crval_lat, dtype=float).ravel()
        if not (len(lon) == len(lat) == self._n):
            raise ValueError(f"crval_lon and crval_lat need one value per exposure ({self._n})")
        d = self.to_dict()
        d["crval_lon"] = lon.tolist()
        d["crval_lat"] = lat.tolist()
        if pc is not None:
            k = len(self._axes)
            d["pc"] = np.asarray(pc, dtype=float).reshape(self._n, k, k).tolist()
        return PerExposureWCS.from_dict(d)

    def subset(self, exposures: Any, header_updates: Mapping[str, Any] | None = None) -> PerExposureWCS:
        """The WCS of the exposures ``exposures`` (an index array or slice), renumbered from 0.

        Used to split a cube by raster position or drop empty exposures
        without losing each exposure's own pointing and time.
        """
        sel = np.arange(self._n)[exposures]
        d = self.to_dict()
        d["crval_lon"] = self._crval_lon[sel].tolist()
        d["crval_lat"] = self._crval_lat[sel].tolist()
        d["times"] = self._times[sel].tolist()
        d["pc"] = None if self._pc is None else self._pc[sel].tolist()
        d["observers"] = None if self._observers is None else self._observers[sel].tolist()
        hdr = dict(d["header"])
        hdr[f"NAXIS{self._exp}"] = len(sel)
        hdr.update(header_updates or {})
        d["header"] = hdr
        return PerExposureWCS.from_dict(d)

    def __repr__(self) -> str:
        types = ", ".join(self.world_axis_physical_types)
        return f"<PerExposureWCS {self._n} exposures on FITS axis {self._exp}; world: {types}>"


def join_exposures(
    parts: Sequence[tuple[PerExposureWCS, Any]], header_updates: Mapping[str, Any] | None = None
) -> PerExposureWCS:
    """One :class:`PerExposureWCS` holding selected exposures of several WCSs, in order.

    Parameters
    ----------
    parts
        ``(wcs, exposures)`` pairs; ``exposures`` indexes that WCS's exposures.
        All must share axes and reference time (one observation).
    header_updates
        FITS keywords to change in the template (e.g. ``CDELT3 = 0`` when the
        joined exposures are all at one slit position).

    Examples
    --------
    >>> joined = join_exposures([(w, [0]), (w, [1])])  # doctest: +SKIP
    """
    from astropy.time import Time

    first = parts[0][0]
    ref = Time(first._reference_time, scale="utc")
    lon, lat, times, pcs, observers = [], [], [], [], []
    for w, exposures in parts:
        sel = np.arange(w._n)[exposures]
        lon.append(w._crval_lon[sel])
        lat.append(w._crval_lat[sel])
        shift = (
            0.0
            if w._reference_time == first._reference_time
            else float((Time(w._reference_time, scale="utc") - ref).sec)
        )
        times.append(w._times[sel] + shift)
        observers.append(w._observers[sel] if w._observers is not None
                         else np.tile(np.asarray(w._observer if w._observer is not None else (np.nan,) * 3, float), (len(sel), 1)))
        if first._pc is not None:
            pcs.append(w._pc[sel] if w._pc is not None else np.full((len(sel), *first._pc.shape[1:]), np.nan))
    d = first.to_dict()
    d["crval_lon"] = np.concatenate(lon).tolist()
    d["crval_lat"] = np.concatenate(lat).tolist()
    d["times"] = np.concatenate(times).tolist()
    d["pc"] = np.concatenate(pcs).tolist() if pcs else None
    joined_obs = np.concatenate(observers)
    d["observers"] = joined_obs.tolist() if any(w._observers is not None for w, _ in parts) and np.isfinite(joined_obs).all() else None
    hdr = dict(d["header"])
    hdr[f"NAXIS{first._exp}"] = len(d["times"])
    hdr.update(header_updates or {})
    d["header"] = hdr
    return PerExposureWCS.from_dict(d)


__all__ += ["join_exposures"]
