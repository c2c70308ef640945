"""Deterministic synthetic IRIS-like cubes in memory for examples, tests and benchmarks.

(Moved here from ``irisplug_view.synthetic``, which still forwards to these.) Every
cube carries the reader's display hint ``meta["colormap"]`` as the IRIS reader sets it.

Rasters are sunraster ``SpectrogramCube`` objects with the IRIS L2 WCS layout
(FITS axes WAVE, HPLT-TAN, HPLN-TAN; array axes step, y, wavelength) and a
per-step ``time`` extra coordinate; slit-jaw cubes are NDCubes with axes
(frame, y, x), a (HPLN, HPLT, UTC time) WCS and a per-frame ``slit_x`` pixel column.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from irisplug_iris.colormaps import iris_colormap_name

__all__ = ["synthetic_raster", "synthetic_sji", "synthetic_observation", "synthetic_velocity_maps"]

_REST = {"Si IV 1403": 1402.77, "Mg II k 2796": 2796.352, "C II 1336": 1335.708}
_C_KMS = 299792.458


def _times(n: int, cadence: float, start: str) -> Any:
    import astropy.units as u
    from astropy.time import Time

    return Time(start) + np.arange(n) * cadence * u.s


def synthetic_raster(n_step: int = 8, n_y: int = 60, n_wl: int = 40, *, label: str = "Si IV 1403",
                     sit_and_stare: bool = False, step_arcsec: float = 2.0, cadence: float = 9.3,
                     start: str = "2014-03-29T14:10:00", seed: int = 0) -> Any:
    """A raster (or sit-and-stare) cube with one emission line whose Doppler shift varies across the field.

    Examples
    --------
    >>> synthetic_raster(4, 10, 12).data.shape
    (4, 10, 12)
    """
    import astropy.units as u
    from astropy.wcs import WCS
    from ndcube.extra_coords import TimeTableCoordinate
    from sunraster import SpectrogramCube

    rest = _REST.get(label, 1402.77)
    dwl = 0.0254 if rest < 2000 else 0.0255
    w = WCS(naxis=3)
    w.wcs.ctype = ["WAVE", "HPLT-TAN", "HPLN-TAN"]
    w.wcs.cunit = ["Angstrom", "arcsec", "arcsec"]
    w.wcs.cdelt = [dwl, 0.1664, 1e-10 if sit_and_stare else step_arcsec]  # IRIS sns files carry a ~0 step
    w.wcs.crpix = [n_wl / 2 + 0.5, n_y / 2 + 0.5, n_step / 2 + 0.5]
    w.wcs.crval = [rest, 280.0, 500.0]
    w.wcs.set()
    rng = np.random.default_rng(seed)
    step, y, k = np.meshgrid(np.arange(n_step), np.arange(n_y), np.arange(n_wl), indexing="ij")
    wl = rest + (k - n_wl / 2 + 0.5) * dwl
    v = 20.0 * np.sin(2 * np.pi * step / max(n_step, 2)) * np.cos(2 * np.pi * y / n_y)  # km/s
    amp = 100 + 400 * np.exp(-(((y - n_y / 2) / (n_y / 5)) ** 2))
    center = rest * (1 + v / _C_KMS)
    data = 5 + amp * np.exp(-0.5 * ((wl - center) / 0.06) ** 2) + rng.normal(0, 2, step.shape)
    data = data.astype(np.float32)
    cube = SpectrogramCube(data, w, unit=u.DN, meta={"label": label, "window": label, "rest_wavelength": rest * u.AA,
                                                      "colormap": iris_colormap_name(label)})
    cube.extra_coords.add("time", 0, TimeTableCoordinate(_times(n_step, cadence, start), names="time"))
    return cube


def synthetic_sji(n_frames: int = 20, n_y: int = 120, n_x: int = 110, *, label: str = "SJI_1400",
                  cadence: float = 18.6, start: str = "2014-03-29T14:10:00", slit_x: float | None = None,
                  seed: int = 0, dtype: Any = np.float32, slit_coord: bool = True) -> Any:
    """A slit-jaw cube: moving bright blobs on a granular background, a dark slit at ``slit_x``.

    Examples
    --------
    >>> synthetic_sji(3, 20, 30).data.shape
    (3, 20, 30)
    """
    import astropy.units as u
    from astropy.wcs import WCS
    from ndcube import NDCube

    w = WCS(naxis=3)
    w.wcs.ctype = ["HPLN-TAN", "HPLT-TAN", "UTC"]
    w.wcs.cunit = ["arcsec", "arcsec", "s"]
    w.wcs.cdelt = [0.1664, 0.1664, cadence]
    w.wcs.crpix = [n_x / 2 + 0.5, n_y / 2 + 0.5, 1]
    w.wcs.crval = [500.0, 280.0, 0.0]
    w.wcs.dateobs = start
    w.wcs.set()
    rng = np.random.default_rng(seed)
    yy, xx = np.mgrid[0:n_y, 0:n_x]
    base = rng.gamma(4.0, 10.0, (n_y, n_x)).astype(np.float32)
    slit = float(n_x // 2) if slit_x is None else float(slit_x)
    frames = np.empty((n_frames, n_y, n_x), dtype=dtype)
    for i in range(n_frames):
        cx = n_x * (0.3 + 0.4 * i / max(n_frames - 1, 1))
        blob = 600 * np.exp(-(((xx - cx) ** 2 + (yy - n_y * 0.4) ** 2) / (2 * (n_x / 12) ** 2)))
        img = base + blob
        img[:, round(slit)] *= 0.3
        frames[i] = img
    cube = NDCube(frames, wcs=w, unit=u.DN, meta={"label": label, "window": label, "colormap": iris_colormap_name(label)})
    if slit_coord:
        cube.extra_coords.add("slit_x", 0, np.full(n_frames, slit + 1.0) * u.pix)  # FITS 1-based, like SLTPX1IX
    from ndcube.extra_coords import TimeTableCoordinate

    cube.extra_coords.add("time", 0, TimeTableCoordinate(_times(n_frames, cadence, start), names="time"))
    return cube


def synthetic_observation(n_step: int = 8, n_y: int = 60, *, sit_and_stare: bool = False, n_scans: int = 2) -> Any:
    """An ``irisplug.model.Observation`` (a plain dict if the model is missing): two windows and one SJI.

    Examples
    --------
    >>> sorted(synthetic_observation(2, 10).keys())
    ['Mg II k 2796', 'SJI_1400', 'Si IV 1403']
    """
    from sunraster import RasterSequence

    out: dict[str, Any] = {}
    for label, n_wl in (("Si IV 1403", 40), ("Mg II k 2796", 50)):
        scans = [synthetic_raster(n_step, n_y, n_wl, label=label, sit_and_stare=sit_and_stare, seed=s,
                                  start=f"2014-03-29T14:{10 + s:02d}:00") for s in range(n_scans)]
        out[label] = RasterSequence(scans, common_axis=0)
    out["SJI_1400"] = synthetic_sji(10, int(n_y * 1.2), int(n_y * 1.2))
    try:
        from irisplug.model import Observation
    except ImportError:  # pragma: no cover - the core ships the model
        return out
    return Observation(out, meta={"OBSID": "synthetic", "OBS_DESC": "synthetic IRIS-like observation"})


def synthetic_velocity_maps(n_step: int = 16, n_y: int = 60) -> Any:
    """An NDCollection of 2-D maps like the fit plugin returns (intensity, Doppler velocity, width).

    Examples
    --------
    >>> sorted(synthetic_velocity_maps(4, 5).keys())
    ['intensity', 'velocity', 'width']
    """
    import astropy.units as u
    from astropy.wcs import WCS
    from ndcube import NDCollection, NDCube

    w = WCS(naxis=2)
    w.wcs.ctype = ["HPLT-TAN", "HPLN-TAN"]
    w.wcs.cunit = ["arcsec", "arcsec"]
    w.wcs.cdelt = [0.1664, 0.35]
    w.wcs.crpix = [n_y / 2 + 0.5, n_step / 2 + 0.5]
    w.wcs.crval = [280.0, 500.0]
    w.wcs.set()
    step, y = np.meshgrid(np.arange(n_step), np.arange(n_y), indexing="ij")
    v = 20.0 * np.sin(2 * np.pi * step / n_step) * np.cos(2 * np.pi * y / n_y)
    inten = 100 + 400 * np.exp(-(((y - n_y / 2) / (n_y / 5)) ** 2))
    maps = {
        "intensity": NDCube(inten.astype(float), wcs=w, unit=u.DN),
        "velocity": NDCube(v, wcs=w, unit=u.km / u.s),
        "width": NDCube(np.full_like(v, 0.06), wcs=w, unit=u.AA),
    }
    return NDCollection(list(maps.items()), aligned_axes="all")
