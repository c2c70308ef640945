"""Read SPICE level 2 FITS rasters with sunraster and hand them over in irisplug's model contract.

sunraster's ``read_spice_l2_fits`` gives one 4-D ``SpectrogramCube`` per
window, array axes (time, wavelength, slit, slit step), with a degenerate
time axis whose world time varies along the slit steps (``PC4_1``). The
model contract (``irisplug.model.Kind.SPECTRAL_CUBE``) wants 3-D cubes with
array axes (step, slit, wavelength). So each window becomes an NDCube with:

- the data transposed to (step, slit, wavelength) and the FITS WCS reordered
  to match (``WCS.sub``: wavelength, latitude, longitude; the time axis
  dropped from the WCS);
- each step's time and exposure time as per-exposure coordinates
  (``irisplug.model.attach_exposure_coords``), so exposure normalisation
  and the viewers find them;
- the data-quality meta keys: SPICE L2 marks missing pixels with NaN, which
  every plugin treats as missing, so no ``missing_value``; no level or
  instrumental width is set that the file does not state;
- the description keys (``irisplug.model.with_description``): the SPICE
  observation ID ``SPIOBSID`` as ``observation_id``, the study type and
  start as what ``print(obs)`` lists.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import numpy as np

from irisplug import CorruptFileError, MissingKeywordError

__all__ = ["identify", "read_spice_l2", "to_model_cube", "intensity_map"]

#: the 4-D WCS keywords of the file: the cube gets its own 3-D WCS
_WCS_KEY = re.compile(r"^(NAXIS\d*|CTYPE\d|CUNIT\d|CRVAL\d|CDELT\d|CRPIX\d|CNAME\d|PC\d_\d)$")

#: primary header keywords a SPICE L2 file has (sunraster needs SPIOBSID, XPOSURE, BUNIT, EXTNAME)
#: what print(obs) lists, to_xarray carries (irisplug.model.description)
SUMMARY_KEYS = ("TELESCOP", "INSTRUME", "STUDYTYP", "DATE-BEG", "XPOSURE")
REQUIRED = ("SPIOBSID", "XPOSURE", "BUNIT", "EXTNAME", "CTYPE1", "CTYPE2", "CTYPE3", "CTYPE4")


def identify(info: Any) -> bool:
    """A FITS file whose primary header says INSTRUME = 'SPICE', LEVEL = 'L2'."""
    header = info.fits_header()
    if header is None:
        return False
    return str(header.get("INSTRUME", "")).strip() == "SPICE" and str(header.get("LEVEL", "")).strip() == "L2"


def _check(path: Path) -> None:
    from astropy.io import fits

    try:
        header = fits.getheader(path)
    except OSError as exc:
        raise CorruptFileError(f"not a readable FITS file ({exc})", path=path, plugin="spice") from exc
    for key in REQUIRED:
        if key not in header:
            raise MissingKeywordError(f"primary header keyword {key} is missing", path=path, plugin="spice")
    ctypes = [str(header[f"CTYPE{i}"]).strip() for i in range(1, 5)]
    if ctypes[:3] != ["HPLN-TAN", "HPLT-TAN", "WAVE"]:
        raise CorruptFileError(f"axes {ctypes}: expected HPLN-TAN, HPLT-TAN, WAVE, time", path=path, plugin="spice")


def to_model_cube(window: Any, name: str) -> Any:
    """One sunraster SPICE window (time, wavelength, slit, step) as a model spectral cube (step, slit, wavelength).

    Examples
    --------
    >>> cube = to_model_cube(spice_window, "WINDOW0_76.52")  # doctest: +SKIP
    >>> irisplug.model.kind_of(cube).kind  # doctest: +SKIP
    <Kind.SPECTRAL_CUBE: 'spectral-cube'>
    """
    import astropy.units as u
    from astropy.time import Time
    from ndcube import NDCube

    from irisplug.model import attach_exposure_coords, with_description

    full = window.wcs.low_level_wcs if hasattr(window.wcs, "low_level_wcs") else window.wcs
    if window.data.ndim != 4 or window.data.shape[0] != 1:
        raise CorruptFileError(f"window {name}: expected data (1, wavelength, slit, step), got {window.data.shape}",
                               plugin="spice")
    _, _, ny, nx = window.data.shape
    # each step's time: the WCS time axis (relative to DATEREF) at the step, middle of the slit
    steps = np.arange(nx, dtype=float)
    world = full.pixel_to_world_values(steps, np.full(nx, (ny - 1) / 2), np.zeros(nx), np.zeros(nx))
    seconds = np.asarray(world[3], dtype=float) * u.Unit(full.world_axis_units[3]).to(u.s)
    meta = dict(window.meta.items()) if hasattr(window.meta, "items") else {}
    times = Time(meta.get("DATEREF") or meta["DATE-OBS"], scale="utc") + seconds * u.s
    exposure = np.full(nx, float(meta["XPOSURE"])) * u.s
    spatial = full.deepcopy()
    pc = np.array(spatial.wcs.get_pc())
    pc[3, :3] = 0.0  # the step times are kept as per-exposure coordinates: uncouple time to drop its axis
    spatial.wcs.pc = pc
    wcs = spatial.sub([3, 2, 1])  # FITS axes (wavelength, latitude, longitude) = array axes (step, slit, wavelength)
    data = np.moveaxis(np.asarray(window.data[0]), (0, 1, 2), (2, 1, 0))
    mask = None if window.mask is None else np.moveaxis(np.asarray(window.mask)[0], (0, 1, 2), (2, 1, 0))
    keep = {k: v for k, v in meta.items() if isinstance(v, (str, int, float)) and not _WCS_KEY.match(str(k))}
    keep["window"] = name
    with_description(keep, observation_id=meta.get("SPIOBSID"), description=f"SPICE {meta.get('STUDYTYP', '')}".strip(),
                     summary_keys=SUMMARY_KEYS)
    cube_meta = attach_exposure_coords(keep, {"time": times, "exposure_time": exposure})
    return NDCube(data, wcs=wcs, unit=window.unit, mask=mask, meta=cube_meta)


def read_spice_l2(paths: list[Path], *, windows: list[str] | None = None) -> Any:
    """Read SPICE L2 files: an Observation of window name -> spectral cube (one file) or NDCubeSequence (several).

    Raises
    ------
    irisplug.MissingKeywordError, irisplug.CorruptFileError
        Naming the file and the keyword or problem.
    """
    from ndcube import NDCubeSequence
    from sunraster.instr.spice import read_spice_l2_fits

    from irisplug.model import Observation

    per_window: dict[str, list[Any]] = {}
    for path in paths:
        path = Path(path)
        _check(path)
        read = read_spice_l2_fits([str(path)], windows=windows)
        items = read.items() if hasattr(read, "items") else [(read.meta.get("EXTNAME"), read)]
        for name, window in items:
            per_window.setdefault(str(name), []).append(to_model_cube(window, str(name)))
    out = {name: cubes[0] if len(cubes) == 1 else NDCubeSequence(cubes) for name, cubes in per_window.items()}
    first = out[next(iter(out))]
    meta = dict((first.data[0] if isinstance(first, NDCubeSequence) else first).meta)
    return Observation(out, meta={k: meta[k] for k in ("INSTRUME", "SPIOBSID", "DATE-BEG", "STUDYTYP", "observation_id",
                                                        "description", "summary_keys") if k in meta})


def intensity_map(cube: Any) -> Any:
    """The raster's line intensity (sum over wavelength) as a sunpy Map with the raster's celestial WCS.

    The co-aligners work on images with a celestial FITS WCS; this is the
    raster image of one window (longitude along the steps, latitude along
    the slit), dated at the middle step.

    Examples
    --------
    >>> m = intensity_map(obs["WINDOW0_76.52"])  # doctest: +SKIP
    >>> irisplug.coalign(m, aia_map, method="fft")  # doctest: +SKIP
    """
    import sunpy.map
    from astropy.time import Time

    from irisplug.model import extra_coord

    low = cube.wcs.low_level_wcs if hasattr(cube.wcs, "low_level_wcs") else cube.wcs
    header = dict(low.sub([3, 2]).to_header())  # (longitude, latitude) = array (slit, step) after transposing
    times = Time(extra_coord(cube, "time"))
    header["DATE-OBS"] = times[len(times) // 2].isot
    for key in ("DSUN_OBS", "HGLN_OBS", "HGLT_OBS", "RSUN_REF", "TELESCOP", "INSTRUME"):
        if key in cube.meta:
            header[key] = cube.meta[key]
    with np.errstate(invalid="ignore"):
        data = np.nansum(np.where(np.asarray(cube.mask, bool) if cube.mask is not None else False, np.nan,
                                  np.asarray(cube.data, float)), axis=2)
    return sunpy.map.Map(data.T, header)
