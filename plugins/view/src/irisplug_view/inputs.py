"""Turn what ``irisplug.read`` (or sunraster / ndcube / irispy) returns into what the viewers draw.

The viewers never depend on one reader: they work on any NDCube whose WCS
has helioprojective and wavelength (rasters) or helioprojective and time
(slit-jaw images) world axes, and on mappings / NDCubeSequences of those.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from irisplug.errors import UnsupportedObjectError

__all__ = [
    "RasterWindow",
    "SJIFrames",
    "raster_windows",
    "sji_frames",
    "kind_of",
    "world_arcsec",
    "step_times",
    "wavelength_varies",
]

def _types(wcs: Any) -> list[str]:
    return [str(t) for t in wcs.world_axis_physical_types]


def _is_sequence(obj: Any) -> bool:
    from ndcube import NDCubeSequence

    return isinstance(obj, NDCubeSequence)


#: the core's kinds (irisplug.model.Kind values) -> what the viewers call them
_ROLES = {
    "spectral-cube": "raster",
    "raster-sequence": "raster",
    "image-cube": "sji",
    "image": "map",
    "fit-results": "maps",
    "observation": "observation",
}


def _is_poi(obj: Any) -> bool:
    from irisplug_view.poi import PointOfInterest

    return isinstance(obj, PointOfInterest) or (
        isinstance(obj, list) and bool(obj) and all(isinstance(p, PointOfInterest) for p in obj))


def kind_of(obj: Any) -> str | None:
    """What the viewers see in ``obj``: ``"raster"``, ``"sji"``, ``"observation"``, ``"map"``, ``"maps"``, ``"poi"`` or None.

    The classification is the core's :func:`irisplug.model.kind_of` (world
    coordinates' physical types and axis order); only points of interest,
    this plugin's own objects, are recognised here.

    Examples
    --------
    >>> kind_of(42) is None
    True
    """
    if _is_poi(obj):
        return "poi"
    from irisplug.model import kind_of as model_kind_of

    kind = model_kind_of(obj).kind
    return None if kind is None else _ROLES.get(kind.value)


def _to_angstrom(values: np.ndarray, unit: str) -> np.ndarray:
    import astropy.units as u

    return (np.asarray(values) * u.Unit(unit)).to_value(u.AA, equivalencies=u.spectral())


def world_arcsec(wcs: Any, *pixel: Any) -> tuple[np.ndarray, np.ndarray]:
    """Helioprojective (lon, lat) in arcsec of pixel coordinates (WCS pixel order).

    Examples
    --------
    >>> from astropy.wcs import WCS
    >>> w = WCS(naxis=2); w.wcs.ctype = ["HPLN-TAN", "HPLT-TAN"]; w.wcs.cunit = ["arcsec"] * 2
    >>> w.wcs.cdelt = [1, 1]; w.wcs.crpix = [1, 1]
    >>> [round(float(v), 9) + 0.0 for v in world_arcsec(w, 0, 0)]
    [0.0, 0.0]
    """
    import astropy.units as u

    wcs = getattr(wcs, "low_level_wcs", wcs)
    types = _types(wcs)
    units = list(wcs.world_axis_units)
    world = wcs.pixel_to_world_values(*pixel)
    if wcs.world_n_dim == 1:
        world = (world,)
    ilon = next((i for i, t in enumerate(types) if t.endswith("lon") or "lon" in t.split(".")[-1]), None)
    ilat = next((i for i, t in enumerate(types) if t.endswith("lat") or "lat" in t.split(".")[-1]), None)
    if ilon is None or ilat is None:
        raise UnsupportedObjectError(
            f"the cube has no helioprojective longitude and latitude (its world axes: {', '.join(map(str, types))}); "
            "only images with celestial coordinates can be shown on the sky"
        )
    lon = (np.asarray(world[ilon]) * u.Unit(units[ilon])).to_value(u.arcsec)
    lat = (np.asarray(world[ilat]) * u.Unit(units[ilat])).to_value(u.arcsec)
    lon = np.where(lon > 648000, lon - 1296000, lon)  # wrap 360 deg → negative arcsec
    return lon, lat


def wavelength_varies(cube: Any) -> bool:
    """True when ``cube``'s wavelengths differ between its spectra (a wavelength table per spatial pixel): one
    wavelength axis for the whole cube would misplace every other spectrum.

    Examples
    --------
    >>> import numpy as np, ndcube
    >>> from astropy.wcs import WCS
    >>> w = WCS(naxis=2); w.wcs.ctype = ["WAVE", "SOLX"]; w.wcs.cunit = ["Angstrom", "arcsec"]
    >>> wavelength_varies(ndcube.NDCube(np.zeros((3, 5)), wcs=w))
    False
    """
    from irisplug.model import varying_wavelength_axes

    return bool(varying_wavelength_axes(cube, np.ndim(cube.data) - 1))


def step_times(cube: Any) -> Any:
    """Per-exposure times along array axis 0 (astropy Time) or None when the cube has none.

    Uses ``irisplug.model.extra_coord(cube, "time")`` when the IRIS model is
    installed, then the cube's own extra/world coordinates.
    """
    try:
        from irisplug.model import extra_coord

        t = extra_coord(cube, "time")
        if t is not None:
            return t
    except Exception:  # noqa: BLE001 - model missing or no such coordinate: try the cube itself
        pass
    for wcs in (getattr(cube, "extra_coords", None), getattr(cube, "combined_wcs", None)):
        if wcs is None:
            continue
        try:
            (t,) = [c for c in cube.axis_world_coords("time", wcs=wcs)]
            t = np.atleast_1d(t)
            if len(t) == cube.data.shape[0]:
                return t
        except Exception:  # noqa: BLE001
            continue
    return None


def _label(obj: Any, default: str) -> str:
    """The window label the reader set (the model's ``window`` meta), else ``default``."""
    from irisplug.model import window_label

    label = window_label(obj)
    return label.strip() if label else default


def _float_array(cube: Any, index: Any) -> np.ndarray:
    """``cube.data[index]`` as float32 with invalid pixels as NaN.

    Invalid: masked, NaN/inf, or flagged by the data-quality levels the reader
    set in meta (``missing_value``, ``valid_min``, ``saturation_level``; see
    :mod:`irisplug.model.levels`).
    """
    from irisplug.model import invalid_mask

    data = np.array(cube.data[index], dtype=np.float32)
    bad = np.asarray(invalid_mask(cube, data))
    mask = getattr(cube, "mask", None)
    if mask is not None and np.ndim(mask) == np.ndim(cube.data):
        bad |= np.asarray(mask[index], dtype=bool)
    data[bad] = np.nan
    return data


@dataclass
class RasterWindow:
    """One spectral window ready to view: data axes (step, y, wavelength).

    ``cube`` is the NDCube the coordinates come from (the scan shown);
    ``cubes`` all scans of the window (a RasterSequence has one per raster).
    """

    label: str
    cubes: list
    scan: int = 0
    _cache: dict = field(default_factory=dict, repr=False)

    @property
    def cube(self) -> Any:
        return self.cubes[self.scan]

    @property
    def shape(self) -> tuple[int, int, int]:
        return tuple(self.cube.data.shape)  # type: ignore[return-value]

    def array(self) -> np.ndarray:
        """The scan's data in memory as float32, NaN where masked (cached)."""
        key = ("array", self.scan)
        if key not in self._cache:
            self._cache[key] = _float_array(self.cube, (slice(None),) * 3)
        return self._cache[key]

    @property
    def wavelength(self) -> np.ndarray:
        """Wavelengths in Å along the last array axis (the same for every spectrum of the cube, else refused)."""
        key = ("wl", self.scan)
        if key not in self._cache:
            cube = self.cube
            if wavelength_varies(cube):
                raise UnsupportedObjectError(f"{self.label!r}: its wavelengths differ between its spectra; one axis "
                                             "would misplace them (irisplug_view.spectral_cube_view draws each "
                                             "against its own)")
            from irisplug.model.kinds import SPECTRAL_TYPES

            types = _types(cube.wcs)
            iw = next(i for i, t in enumerate(types) if any(s in t for s in SPECTRAL_TYPES))
            n = cube.data.shape[-1]
            pix = [np.zeros(n)] * cube.wcs.pixel_n_dim
            pix = [np.arange(n, dtype=float)] + [np.zeros(n)] * (cube.wcs.pixel_n_dim - 1)
            world = cube.wcs.pixel_to_world_values(*pix)
            self._cache[key] = _to_angstrom(world[iw], cube.wcs.world_axis_units[iw])
        return self._cache[key]

    def lonlat(self, step: Any, y: Any) -> tuple[np.ndarray, np.ndarray]:
        """Helioprojective (lon, lat) arcsec of array pixels (step, y) at the first wavelength."""
        step, y = np.broadcast_arrays(np.asarray(step, float), np.asarray(y, float))
        return world_arcsec(self.cube.wcs, np.zeros_like(step), y, step)

    @property
    def sit_and_stare(self) -> bool:
        """True when the slit does not move: one raster position, else a slit track < 0.1 arcsec long."""
        n = self.shape[0]
        if n < 2:
            return True
        try:
            from irisplug.model import extra_coord

            positions = np.asarray(extra_coord(self.cube, "raster_position"))
            if positions.size == n:
                return bool(np.unique(positions).size == 1)
        except Exception:  # noqa: BLE001 - no IRIS model or no such coordinate: use the pointing
            pass
        ny = self.shape[1]
        lon, _ = self.lonlat([0, n - 1], [ny / 2, ny / 2])
        return bool(abs(lon[1] - lon[0]) < 0.1)

    @property
    def times(self) -> Any:
        key = ("times", self.scan)
        if key not in self._cache:
            self._cache[key] = step_times(self.cube)
        return self._cache[key]

    def rest_wavelength(self) -> float:
        """The rest wavelength the reader set (``irisplug.model.rest_wavelength``) if in the window, else the brightest wavelength."""
        from irisplug.model import rest_wavelength

        wl = self.wavelength
        rest = rest_wavelength(self.cube)
        ref = None if rest is None else float(rest.value)
        if ref is not None and wl.min() <= ref <= wl.max():
            return ref
        with np.errstate(all="ignore"), warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)  # wavelengths missing in every spectrum: NaN, handled
            profile = np.nanmedian(self.array().reshape(-1, wl.size), axis=0)
        if np.isfinite(profile).any():  # line not in the window: start on the brightest wavelength
            return float(wl[int(np.nanargmax(profile))])
        return float(wl[len(wl) // 2])


def _windows_from_mapping(obj: Any) -> dict[str, RasterWindow]:
    out = {}
    for key in obj.keys():
        value = obj[key]
        if kind_of(value) == "raster":
            cubes = list(value.data) if _is_sequence(value) else [value]
            out[str(key)] = RasterWindow(str(key), cubes)
    return out


def raster_windows(obj: Any, window: str | None = None, scan: int = 0) -> dict[str, RasterWindow]:
    """The spectral windows of ``obj`` as :class:`RasterWindow` by label.

    Parameters
    ----------
    obj
        An Observation / mapping of windows, a RasterSequence, or one raster cube.
    window
        Keep only this label (error listing the labels when absent).
    scan
        Which raster scan of a sequence to show first.

    Raises
    ------
    UnsupportedObjectError
        ``obj`` holds no spectral window, or ``window`` is not one of them.

    Examples
    --------
    >>> raster_windows(obj, line)  # doctest: +SKIP
    """
    kind = kind_of(obj)
    if kind == "observation":
        wins = _windows_from_mapping(obj)
    elif kind == "raster" and _is_sequence(obj):
        wins = {_label(obj, "spectrum"): RasterWindow(_label(obj, "spectrum"), list(obj.data))}
    elif kind == "raster":
        wins = {_label(obj, "spectrum"): RasterWindow(_label(obj, "spectrum"), [obj])}
    else:
        raise UnsupportedObjectError(
            f"cannot show {type(obj).__name__} as a raster: expected an Observation, a RasterSequence "
            "or a 3-D NDCube with axes (step, y, wavelength)"
        )
    if not wins:
        raise UnsupportedObjectError(f"{type(obj).__name__} holds no spectral window to show")
    for w in wins.values():
        if not 0 <= scan < len(w.cubes):
            raise UnsupportedObjectError(f"scan {scan} out of range: window {w.label!r} has {len(w.cubes)} raster scans")
        w.scan = scan
    if window is not None:
        if window not in wins:
            raise UnsupportedObjectError(f"no spectral window {window!r}; available: {', '.join(wins)}")
        return {window: wins[window]}
    return wins


@dataclass
class SJIFrames:
    """A slit-jaw cube ready to view: data axes (frame, y, x)."""

    label: str
    cube: Any
    _cache: dict = field(default_factory=dict, repr=False)

    @property
    def shape(self) -> tuple[int, int, int]:
        return tuple(self.cube.data.shape)  # type: ignore[return-value]

    def frame(self, i: int) -> np.ndarray:
        """Frame ``i`` as float32 with masked/fill pixels as NaN."""
        return _float_array(self.cube, int(i))

    @property
    def on_sky(self) -> bool:
        """True when the frames have helioprojective longitude and latitude (else they are drawn on pixel axes)."""
        types = _types(getattr(self.cube.wcs, "low_level_wcs", self.cube.wcs))
        return all(any("helioprojective" in t and t.endswith(w) for t in types) for w in ("lon", "lat"))

    def axis_label(self, axis: int) -> str:
        """What array axis ``axis`` of the frames is, from its own physical type (``heightrow``), for a pixel axis."""
        from irisplug.model import axis_name

        types = [str(t) for t in self.cube.array_axis_physical_types[axis] if not str(t).startswith("time")]
        name = axis_name(types[0]).replace("_", " ") if types else f"array axis {axis}"
        return f"{name} [pixel]"

    def frame_wcs(self, i: int) -> Any:
        """A plain 2-D celestial WCS of frame ``i`` (the cube's WCS at that frame, see ``linear_celestial_wcs``)."""
        from astropy.wcs.wcsapi import SlicedLowLevelWCS

        from irisplug_view._celestial import linear_celestial_wcs

        key = ("wcs", int(i))
        if key not in self._cache:
            low = getattr(self.cube.wcs, "low_level_wcs", self.cube.wcs)
            sliced = SlicedLowLevelWCS(low, (int(i), slice(None), slice(None)))
            self._cache[key] = linear_celestial_wcs(sliced, self.shape[2], self.shape[1])
        return self._cache[key]

    @property
    def times(self) -> Any:
        if "times" not in self._cache:
            self._cache["times"] = step_times(self.cube)
        return self._cache["times"]

    def slit_x(self, i: int) -> float | None:
        """Slit column (pixel x) in frame ``i``, from the cube's own per-frame coordinates.

        Reads the per-exposure ``SLTPX1IX`` value (extra coordinate ``"slit x
        position"`` / ``"slit_x"`` / ``"sltpx1ix"`` or the same in meta). IRIS
        stores the slit position in detector-frame pixels; a value outside the
        frame (cropped cubes, zero = no data) gives None.
        """
        for name in ("slit_x", "slit x position", "sltpx1ix", "SLTPX1IX"):
            values = None
            try:
                from irisplug.model import extra_coord

                values = extra_coord(self.cube, name)
            except Exception:  # noqa: BLE001
                try:
                    values = self.cube.axis_world_coords(name, wcs=self.cube.extra_coords)[0]
                except Exception:  # noqa: BLE001
                    values = None
            if values is None:
                meta = getattr(self.cube, "meta", None) or {}
                try:
                    values = meta.get(name)
                except Exception:  # noqa: BLE001
                    values = None
            if values is None:
                continue
            arr = np.atleast_1d(getattr(values, "value", values)).astype(float)
            x = arr[i] if arr.size == self.shape[0] else arr[0] if arr.size == 1 else np.nan
            x = float(x) - 1.0  # FITS 1-based pixel → 0-based
            if np.isfinite(x) and 0 <= x <= self.shape[2] - 1:
                return x
            return None
        return None


def sji_frames(obj: Any, window: str | None = None) -> SJIFrames:
    """The image cube in ``obj`` (a (time, y, x) cube, or an Observation holding such windows).

    Raises
    ------
    UnsupportedObjectError
        No slit-jaw cube, or ``window`` is not one of the SJI labels (they are listed).

    Examples
    --------
    >>> sji_frames(obs, "slit-jaw 1").label  # doctest: +SKIP
    'slit-jaw 1'
    """
    kind = kind_of(obj)
    if kind == "sji":
        return SJIFrames(window if window is not None else _label(obj, "images"), obj)
    if kind == "observation":
        found = {str(k): obj[k] for k in obj.keys() if kind_of(obj[k]) == "sji"}
        if not found:
            raise UnsupportedObjectError(f"{type(obj).__name__} holds no slit-jaw cube; windows: {', '.join(map(str, obj.keys()))}")
        if window is None:
            window = next(iter(found))
        if window not in found:
            raise UnsupportedObjectError(f"no slit-jaw window {window!r}; available: {', '.join(found)}")
        return SJIFrames(window, found[window])
    raise UnsupportedObjectError(
        f"cannot show {type(obj).__name__} as slit-jaw images: expected an image cube (time, y, x) or an Observation"
    )
