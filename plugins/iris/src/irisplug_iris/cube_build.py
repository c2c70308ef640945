"""Build the cubes of IRIS Level 2 windows from what :mod:`irisplug_iris.reader` collected at open.

Imported when a window is first built (it needs astropy, sunpy, ndcube, dask), not when a file is opened:
opening checks headers and the auxiliary table only (:mod:`irisplug_iris.reader`).
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

import numpy as np

__all__ = ["build_window", "build_sji_cube"]


#: instrumental FWHM (Angstrom) per spectrograph detector: FUV short 0.0286, FUV long 0.0318
#: (iris_lmsalpy's values), NUV 0.0546 (the IRIS instrument paper, De Pontieu et al. 2014, Sol. Phys. 289, 2733)
_INSTRUMENTAL_FWHM_AA = {"FUV1": 0.0286, "FUV2": 0.0318, "NUV": 0.0546}


def _quality_meta(meta: dict[str, Any], detector: str, *, label: str | None = None, twave: Any = None,
                  window: str | None = None) -> dict[str, Any]:
    """``meta`` with the model's data-quality keys (see irisplug.model.levels) for an IRIS L2 window.

    ``window``: the window's key in the observation (the model's ``window`` meta; for a spectral window the same
    as ``label``).

    A spectral window ``label`` gets the rest wavelength of its line, a slit-jaw (``twave`` = ``TWAVE1``) the
    range of its passband (:mod:`irisplug_iris.window_facts`).

    Level 2 marks missing pixels with -200 DN (ITN 26); dark-subtracted data never go below about
    -20 DN while fill smeared by the level-2 resampling is seen near -200, so below -100 DN is not data.
    """
    import astropy.units as u

    from irisplug.model import with_levels
    from irisplug_iris.colormaps import iris_colormap_name
    from irisplug_iris.window_facts import sji_passband_range, window_rest_wavelength

    fwhm = _INSTRUMENTAL_FWHM_AA.get(detector)
    rest = None if label is None else window_rest_wavelength(label)
    band = None if twave is None else sji_passband_range(twave)
    return with_levels(meta, missing_value=-200.0 * u.DN, valid_min=-100.0 * u.DN,
                       instrumental_fwhm=None if fwhm is None else fwhm * u.AA,
                       rest_wavelength=None if rest is None else rest * u.AA,
                       passband=None if band is None else list(band) * u.AA,
                       colormap=_window_colormap(label, twave, iris_colormap_name), window=window)


def _window_colormap(label: str | None, twave: Any, name_for: Any) -> str | None:
    """sunpy's IRIS colour map for a slit-jaw passband (``TWAVE1``) or a spectral window's label, or None."""
    try:
        wavelength = None if twave is None else float(twave)
    except (TypeError, ValueError):
        wavelength = None
    if wavelength is None and not label:
        return None
    name = name_for(label, wavelength)
    return None if name == "gray" else name


@functools.lru_cache(maxsize=8)
def _earth_observer(time_iso: str) -> tuple[float, float, float]:
    """Earth's (HGLN, HGLT in deg, distance in m) at ``time_iso``; IRIS orbits the Earth."""
    import astropy.units as u
    from sunpy.coordinates import get_earth

    e = get_earth(time_iso)
    return (float(e.lon.to_value(u.deg)), float(e.lat.to_value(u.deg)), float(e.radius.to_value(u.m)))


def _earth_observers(startobs: str, mid: np.ndarray) -> np.ndarray:
    """Earth's (HGLN, HGLT in deg, distance in m) at each exposure midpoint (s after ``startobs``), shape (n, 3).

    Remembered for the last few (``startobs``, midpoints, solar-system ephemeris) in the process (read-only
    arrays): the windows of one file share their exposure times, and sunpy computes each time's position
    separately (~75 ms for a 320-step raster on the 2-core VM, most of building a window).
    """
    from astropy.coordinates import solar_system_ephemeris

    mid = np.asarray(mid, dtype=float)
    if mid.size == 0:
        return np.zeros((0, 3))
    return _earth_observers_cached(startobs, mid.tobytes(), str(solar_system_ephemeris.get()))


@functools.lru_cache(maxsize=16)
def _earth_observers_cached(startobs: str, mid_bytes: bytes, ephemeris: str) -> np.ndarray:
    import astropy.units as u
    from sunpy.coordinates import get_earth

    mid = np.frombuffer(mid_bytes, dtype=float)
    e = get_earth(_start_time(startobs) + mid * u.s)
    out = np.stack([np.atleast_1d(e.lon.to_value(u.deg)), np.atleast_1d(e.lat.to_value(u.deg)),
                    np.atleast_1d(e.radius.to_value(u.m))], axis=1)
    out.flags.writeable = False
    return out


def _exposure_coords(times: np.ndarray, exp: np.ndarray, startobs: str, nrasterp: int, first_index: int) -> dict[str, Any]:
    import astropy.units as u
    from astropy.time import Time

    n = len(times)
    t0 = _start_time(startobs)
    gidx = first_index + np.arange(n)
    nr = max(1, int(nrasterp or 1))
    return {
        # elapsed seconds added in TAI, whose days all have 86400 s: a UTC day with a leap second has 86401
        "time": Time(t0.tai.jd1, t0.tai.jd2 + np.asarray(times) / 86400.0, format="jd", scale="tai",
                     precision=3).utc.copy(format="isot"),
        "exposure_time": exp * u.s,
        "raster_position": (gidx % nr).astype(np.int64),
        "repeat": (gidx // nr).astype(np.int64),
    }


@functools.lru_cache(maxsize=8)
def _start_time(startobs: str) -> Any:
    from astropy.time import Time

    return Time(startobs, scale="utc")


def _image(path: Path, hdr: dict[str, Any], offset: int, lazy: bool) -> tuple[Any, Any]:
    from irisplug_iris.decode import eager_image, lazy_image

    return lazy_image(path, offset, hdr) if lazy else eager_image(path, offset, hdr)


def _cube_parts(r: dict[str, Any], lazy: bool, lon_axis: int, first_index: int) -> tuple[Any, Any, Any, dict, dict]:
    """WCS (per exposure), data, mask, exposure coordinates and quality metadata of one file's window.

    ``lon_axis``: the FITS axis along which longitude varies (3, the raster step; 1, the slit-jaw's x);
    ``first_index``: the global index of the file's first exposure.
    """
    from irisplug.model.wcs import PerExposureWCS

    wcs = PerExposureWCS(
        {**r["hdr"], "DATE-OBS": r["startobs"]},
        exposure_axis=3, lon_axis=lon_axis, lat_axis=2, crval_lon=r["x"], crval_lat=r["y"], pc=r["pc"],
        times=r["mid"], reference_time=r["startobs"], observer=_earth_observer(r["startobs"]),
        observers=_earth_observers(r["startobs"], r["mid"]),
    )
    data, mask = _image(r["path"], r["hdr"], r["offset"], lazy)
    coords = _exposure_coords(r["mid"], r["exp"], r["startobs"], r["nrasterp"], first_index)
    return wcs, data, mask, coords, _quality_meta(dict(r["meta"]), **r["quality"])


def _build_raster_cube(r: dict[str, Any], lazy: bool) -> Any:
    import astropy.units as u

    from irisplug.model import RasterCube, attach_exposure_coords

    wcs, data, mask, coords, meta = _cube_parts(r, lazy, lon_axis=3, first_index=r["first_index"])
    return RasterCube(data, wcs=wcs, unit=u.DN, mask=mask, meta=attach_exposure_coords(meta, coords))


def build_window(recipes: list[dict[str, Any]], lazy: bool, keep_null: bool, uncertainty: bool = False) -> Any:
    """The RasterSequence of one spectral window over the raster files (None if ``keep_null`` drops every exposure)."""
    from irisplug.model import RasterSequence

    cubes = [_build_raster_cube(r, lazy) for r in recipes]
    if uncertainty:
        from irisplug_iris.noise import photon_noise

        cubes = [photon_noise(c) for c in cubes]
    if not keep_null:
        cubes = [c for c in (c.drop_empty_exposures() for c in cubes) if c is not None]
        if not cubes:
            return None
    return RasterSequence(cubes, common_axis=0, meta={k: v for k, v in cubes[0].meta.items() if not str(k).startswith("per_exposure:")})


def build_sji_cube(r: dict[str, Any], lazy: bool, keep_null: bool, uncertainty: bool = False) -> Any:
    import astropy.units as u

    from irisplug.model import SJICube, attach_exposure_coords

    wcs, data, mask, coords, meta = _cube_parts(r, lazy, lon_axis=1, first_index=0)
    for name, values in r["slit"].items():
        coords[name] = values * u.pix
    if r["deconvolved"]:
        meta["DECONVOLVED"] = True
    cube = SJICube(data, wcs=wcs, unit=u.DN, mask=mask, meta=attach_exposure_coords(meta, coords))
    if uncertainty:
        from irisplug_iris.noise import photon_noise

        cube = photon_noise(cube)
    return cube if keep_null else cube.drop_empty_exposures()
