"""2-D images from exposure cubes (spectroheliograms, slit-jaw frames) and sunpy Maps of them."""

from __future__ import annotations

from typing import Any

import numpy as np

from irisplug.errors import WavelengthOutOfRangeError
from irisplug.model._exposures import _filename, attach_exposure_coords, check_index, exposure_values

__all__ = ["spectroheliogram", "frame_image", "image_to_map", "wavelength_index", "image_exposure_time",
           "WavelengthOutOfRangeError"]

#: exposure times of the steps of one image agreeing within this fraction make one exposure time of the image
EXPOSURE_TIME_RTOL = 0.01


def _angstrom(value: Any, what: str) -> float:
    """``value`` (a Quantity of any spectral unit, or a plain number in Angstrom) in Angstrom."""
    import astropy.units as u

    if isinstance(value, u.Quantity):
        try:
            return float(value.to_value(u.AA, equivalencies=u.spectral()))
        except u.UnitConversionError:
            from irisplug.errors import InvalidArgumentError

            raise InvalidArgumentError(f"{what} {value} is not a wavelength, frequency or energy") from None
    try:
        return float(value)
    except (TypeError, ValueError):
        from irisplug.errors import InvalidArgumentError

        raise InvalidArgumentError(f"{what} must be a Quantity or a number in Angstrom, got {value!r}") from None


def wavelength_index(waves: Any, wavelength: Any, *, window: str | None = None, path: Any = None) -> int:
    """Index of the pixel of ``waves`` nearest to ``wavelength``; refuses a wavelength outside the window.

    The one rule for every image cut at a wavelength (the model's
    :func:`spectroheliogram`, the viewers' figures): a wavelength beyond the
    first or the last pixel's centre by more than half a pixel is not in the
    window.

    Parameters
    ----------
    waves
        The window's pixel wavelengths (1-D, Angstrom; increasing or decreasing).
    wavelength
        Quantity (any spectral unit) or a plain number in Angstrom.
    window
        The window's label, for the message.
    path
        The file concerned, if any (``err.path``).

    Raises
    ------
    WavelengthOutOfRangeError
        ``wavelength`` lies outside the window by more than half a pixel.

    Examples
    --------
    >>> import numpy as np
    >>> waves = 1398.0 + 0.025 * np.arange(10)
    >>> wavelength_index(waves, 1398.05), wavelength_index(waves, 1398.23)
    (2, 9)
    >>> wavelength_index(waves, 1398.5, window="FUV 1398")
    Traceback (most recent call last):
    ...
    irisplug.errors.WavelengthOutOfRangeError: 1398.500 A lies outside window 'FUV 1398' (pixels 1398.000-1398.225 A; up to half a pixel, 0.013 A, beyond either end is accepted)
    """
    waves = np.asarray(waves, dtype=float).reshape(-1)
    target = _angstrom(wavelength, "wavelength")
    lo, hi = float(np.nanmin(waves)), float(np.nanmax(waves))
    step = abs(float(waves[1] - waves[0])) if waves.size > 1 else 0.0
    if not (np.isfinite(target) and lo - step / 2 <= target <= hi + step / 2):
        name = f"window {window!r}" if window else "this window"
        raise WavelengthOutOfRangeError(
            f"{target:.3f} A lies outside {name} (pixels {lo:.3f}-{hi:.3f} A; up to half a pixel, {step / 2:.3f} A, "
            "beyond either end is accepted)", path=path)
    return int(np.nanargmin(np.abs(waves - target)))


def image_exposure_time(exposure_time: Any) -> float | None:
    """The exposure time (s) of an image made of exposures with these exposure times, or None when there is none.

    One exposure: its own. Several (a spectroheliogram's raster steps): their
    mean when the non-zero ones agree within ``EXPOSURE_TIME_RTOL`` (null
    exposures, 0 s, hold no data and are left out; all null gives 0); None
    when they differ more (automatic exposure control), since no single value
    turns such an image into a rate. A plain number is taken in seconds.

    Examples
    --------
    >>> import astropy.units as u
    >>> image_exposure_time(8.00006 * u.s), image_exposure_time([8.0, 0.0, 8.02] * u.s)
    (8.00006, 8.01)
    >>> image_exposure_time([8.0, 4.0] * u.s) is None
    True
    """
    import astropy.units as u

    if exposure_time is None:
        return None
    values = np.atleast_1d(u.Quantity(exposure_time, u.s).to_value(u.s)).astype(float).reshape(-1)
    values = values[np.isfinite(values)]
    if values.size == 0:
        return None
    exposed = values[values > 0]
    if exposed.size == 0:
        return 0.0
    if exposed.max() - exposed.min() > EXPOSURE_TIME_RTOL * exposed.max():
        return None
    return float(exposed.mean()) if exposed.size > 1 else float(exposed[0])


def _set_exposure_keys(meta: Any, exposure_time: Any) -> None:
    """``EXPTIME`` and ``XPOSURE`` (sunpy's ``exposure_time``) of ``meta`` set from the image's own exposure times.

    Removed when the image has no single exposure time, so that no file's
    average survives in them.
    """
    value = image_exposure_time(exposure_time)
    for key in ("EXPTIME", "XPOSURE"):
        if value is None:
            meta.pop(key, None)
        else:
            meta[key] = value


def _spectral_values(cube: Any) -> np.ndarray:
    """Wavelength of each pixel of the last array axis, in Angstrom."""
    import astropy.units as u

    (wave,) = cube.axis_world_coords("em.wl")
    return np.asarray(u.Quantity(wave).to_value(u.AA)).reshape(-1)


def spectroheliogram(cube: Any, wavelength: Any, width: Any = None) -> Any:
    """The raster image at ``wavelength`` as a 2-D :class:`ImageCube` (axes: raster step, slit).

    Parameters
    ----------
    cube
        A RasterCube (axes step, slit, wavelength).
    wavelength
        Quantity (any spectral unit), e.g. ``2796.35 * u.AA``, or a plain
        number in Angstrom.
    width
        Optional Quantity or number (Angstrom): average the pixels within
        ``wavelength +- width / 2`` (masked pixels ignored; at least the
        nearest pixel) instead of taking the nearest pixel.

    Returns
    -------
    ImageCube
        Its meta holds the steps' per-exposure values, ``WAVELNTH`` (the
        nearest pixel's wavelength) and ``EXPTIME``/``XPOSURE`` (see
        :func:`image_exposure_time`: absent when the steps' exposure times differ).

    Raises
    ------
    WavelengthOutOfRangeError
        The wavelength lies outside the window by more than half a pixel
        (an ``IrisplugError`` and a ``ValueError``).

    Examples
    --------
    >>> img = spectroheliogram(obs[line][0], 2796.35 * u.AA)  # doctest: +SKIP
    >>> img.to_map().peek()  # doctest: +SKIP
    """
    from irisplug.model.cubes import ImageCube
    from irisplug.model.levels import window_label

    waves = _spectral_values(cube)
    k = wavelength_index(waves, wavelength, window=window_label(cube), path=_filename(cube))
    target = _angstrom(wavelength, "wavelength")
    step = abs(waves[1] - waves[0]) if waves.size > 1 else 0.0
    sliced = cube[:, :, k]
    if width is None:
        data, mask = sliced.data, sliced.mask
    else:
        half = _angstrom(width, "width") / 2
        sel = np.flatnonzero(np.abs(waves - target) <= max(half, step / 2))
        if sel.size == 0:
            sel = np.array([k])
        block = cube.data[:, :, sel.min() : sel.max() + 1]
        bad = cube.mask[:, :, sel.min() : sel.max() + 1] if cube.mask is not None else ~np.isfinite(block)
        good = ~bad
        total = (block * good).sum(axis=2)
        count = good.sum(axis=2)
        data = total / np.maximum(count, 1)
        mask = count == 0
    values = exposure_values(sliced)
    meta = attach_exposure_coords(dict(cube.meta or {}), values)
    meta["WAVELNTH"], meta["WAVEUNIT"] = float(waves[k]), "Angstrom"  # the image's wavelength, not the window's
    _set_exposure_keys(meta, values.get("exposure_time"))
    return ImageCube(data, wcs=sliced.wcs, unit=cube.unit, mask=mask, meta=meta)


def frame_image(cube: Any, index: int) -> Any:
    """Slit-jaw frame ``index`` as a 2-D :class:`ImageCube` with its exact WCS.

    Its meta holds the frame's per-exposure values, and ``EXPTIME`` and
    ``XPOSURE`` are the frame's own exposure time (not the file's average).

    Raises
    ------
    irisplug.errors.IndexOutOfRangeError
        ``index`` is not a frame of ``cube``.
    """
    from irisplug.model.cubes import ImageCube

    index = check_index(index, int(cube.data.shape[0]), "frame", path=_filename(cube))
    sliced = cube[index]
    values = exposure_values(sliced)
    meta = attach_exposure_coords(dict(cube.meta or {}), values)
    _set_exposure_keys(meta, values.get("exposure_time"))
    return ImageCube(sliced.data, wcs=sliced.wcs, unit=cube.unit, mask=sliced.mask, meta=meta)


def _observer_keys(base: Any, exposure: int | None = None) -> dict[str, Any]:
    """HGLN_OBS, HGLT_OBS, DSUN_OBS of exposure ``exposure`` (the WCS's reference observer when None)."""
    obs = getattr(base, "_observer", None) if exposure is None else base.exposure_observer(exposure)
    return {} if obs is None else {"HGLN_OBS": obs[0], "HGLT_OBS": obs[1], "DSUN_OBS": obs[2]}


def image_to_map(img: Any) -> Any:
    """A ``sunpy.map.Map`` of a 2-D image cut from a per-exposure cube.

    A slit-jaw frame keeps its exact FITS WCS; a raster spectroheliogram
    (x along the raster steps, y along the slit) gets the exact WCS of its
    middle step extended with the header's step size (a Map has one WCS; the
    cube keeps every step's own pointing).

    The map's date is the exposure's midpoint (a spectroheliogram: its middle
    step's); its ``EXPTIME`` and ``XPOSURE`` (sunpy's ``exposure_time``)
    are the image's own exposure time from its per-exposure values (see
    :func:`image_exposure_time`): a frame's own, a spectroheliogram's steps'
    common one, or none when they differ.

    Raises
    ------
    UnsupportedObjectError
        For a sit-and-stare image (slit position x time is not a map).

    Examples
    --------
    >>> obs[slit_jaw].frame(3).to_map()  # doctest: +SKIP
    """
    import sunpy.map
    from astropy.time import Time

    from irisplug.errors import UnsupportedObjectError
    from irisplug.model.description import fits_keyword_items, wave_unit
    from irisplug.model.operations import unwrap_wcs
    from irisplug.model.wcs import PerExposureWCS

    base, slices = unwrap_wcs(img.wcs)
    if not isinstance(base, PerExposureWCS):
        return sunpy.map.Map(np.asarray(img.data), img.wcs.low_level_wcs)
    data = np.asarray(img.data, dtype=float)
    mask = None if img.mask is None else np.asarray(img.mask)
    if mask is not None and mask.shape == data.shape:
        data = np.where(mask, np.nan, data)
    meta = dict(img.meta or {})
    times = exposure_values(img).get("time")
    e = base.exposure_axis - 1
    if not isinstance(slices[e], slice):  # one exposure: its exact FITS WCS
        k = int(np.arange(base.n_exposures)[slices[e]])
        header = base.exposure_header(k)
        for j, old in enumerate(base._axes, start=1):
            s = slices[old - 1]
            if isinstance(s, slice) and s.start:
                header[f"CRPIX{j}"] -= s.start
        header.update({"NAXIS": 2, "NAXIS1": data.shape[1], "NAXIS2": data.shape[0]})
        date = Time(times).utc.isot if times is not None else header["DATE-OBS"]
    else:
        if base.is_sit_and_stare:
            raise UnsupportedObjectError("a sit-and-stare image is slit position x time, not a map of the Sun")
        # array axes of img: (step, slit) -> map data (slit rows, step columns). The WCS is that of
        # the middle step (exact there), extended along the steps with the header's step size.
        data = data.T
        ny, nx = data.shape
        steps = np.arange(base.n_exposures)[slices[e]]
        k = int(steps[len(steps) // 2])
        h3 = base.exposure_header(k)
        pos = {old: new for new, old in enumerate(base._axes, start=1)}
        a_lon, a_lat = pos[base._lon], pos[base._lat]
        ys = slices[base._lat - 1]
        y0 = (ys.start or 0) if isinstance(ys, slice) else 0
        header = {
            "NAXIS": 2,
            "NAXIS1": nx,
            "NAXIS2": ny,
            "CTYPE1": h3[f"CTYPE{a_lon}"],
            "CTYPE2": h3[f"CTYPE{a_lat}"],
            "CUNIT1": h3.get(f"CUNIT{a_lon}", "arcsec"),
            "CUNIT2": h3.get(f"CUNIT{a_lat}", "arcsec"),
            "CRPIX1": float(len(steps) // 2 + 1),
            "CRPIX2": float(h3[f"CRPIX{a_lat}"]) - y0,
            "CRVAL1": h3[f"CRVAL{a_lon}"],
            "CRVAL2": h3[f"CRVAL{a_lat}"],
            "CDELT1": h3[f"CDELT{a_lon}"],
            "CDELT2": h3[f"CDELT{a_lat}"],
            "PC1_1": h3[f"PC{a_lon}_{a_lon}"],
            "PC1_2": h3[f"PC{a_lon}_{a_lat}"],
            "PC2_1": h3[f"PC{a_lat}_{a_lon}"],
            "PC2_2": h3[f"PC{a_lat}_{a_lat}"],
        }
        t = Time(times) if times is not None else Time(base._reference_time)
        date = t[len(t) // 2].utc.isot if t.ndim else t.utc.isot
    header.update(_observer_keys(base, k))
    header.setdefault("RSUN_REF", 695700000.0)  # nominal solar radius (IAU 2015 B3), m
    # the reader's standard and summary keywords (TELESCOP/INSTRUME pick sunpy's map class); the WCS, observer,
    # date and wavelength computed here win over the meta's. The model knows no instrument: nothing is invented.
    for key, value in fits_keyword_items(img):
        header.setdefault(key, value)
    header["DATE-OBS"] = date
    # the image's own exposure time (a frame's, or the steps' common one), never the file's average;
    # sunpy's exposure_time reads XPOSURE, then EXPTIME
    values = exposure_values(img)
    if "exposure_time" in values:
        _set_exposure_keys(header, values["exposure_time"])
    if "WAVELNTH" in header:
        header["WAVEUNIT"] = wave_unit(meta).to_string()
    header["BUNIT"] = str(img.unit) if img.unit is not None else ""
    return sunpy.map.Map(data, header)
