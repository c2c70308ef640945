"""2-D images from exposure cubes (spectroheliograms, slit-jaw frames) and sunpy Maps of them."""

from __future__ import annotations

from typing import Any

import numpy as np

from irisplug.model._exposures import attach_exposure_coords, exposure_values

__all__ = ["spectroheliogram", "frame_image", "image_to_map"]


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
        Quantity, e.g. ``2796.35 * u.AA``.
    width
        Optional Quantity: average the pixels within ``wavelength +- width / 2``
        (masked pixels ignored) instead of taking the nearest pixel.

    Raises
    ------
    ValueError
        The wavelength lies outside the window.

    Examples
    --------
    >>> img = spectroheliogram(obs[line][0], 2796.35 * u.AA)  # doctest: +SKIP
    >>> img.to_map().peek()  # doctest: +SKIP
    """
    import astropy.units as u

    from irisplug.model.cubes import ImageCube

    waves = _spectral_values(cube)
    target = u.Quantity(wavelength).to_value(u.AA, equivalencies=u.spectral())
    lo, hi = min(waves[0], waves[-1]), max(waves[0], waves[-1])
    step = abs(waves[1] - waves[0]) if waves.size > 1 else 0.0
    if not lo - step / 2 <= target <= hi + step / 2:
        raise ValueError(f"{target:.3f} A lies outside this window ({lo:.3f}-{hi:.3f} A)")
    k = int(np.argmin(np.abs(waves - target)))
    sliced = cube[:, :, k]
    if width is None:
        data, mask = sliced.data, sliced.mask
    else:
        half = u.Quantity(width).to_value(u.AA) / 2
        sel = np.flatnonzero(np.abs(waves - target) <= max(half, step / 2))
        block = cube.data[:, :, sel.min() : sel.max() + 1]
        bad = cube.mask[:, :, sel.min() : sel.max() + 1] if cube.mask is not None else ~np.isfinite(block)
        good = ~bad
        total = (block * good).sum(axis=2)
        count = good.sum(axis=2)
        data = total / np.maximum(count, 1)
        mask = count == 0
    meta = attach_exposure_coords(dict(cube.meta or {}), exposure_values(sliced))
    meta["WAVELNTH"], meta["WAVEUNIT"] = float(waves[k]), "Angstrom"  # the image's wavelength, not the window's
    return ImageCube(data, wcs=sliced.wcs, unit=cube.unit, mask=mask, meta=meta)


def frame_image(cube: Any, index: int) -> Any:
    """Slit-jaw frame ``index`` as a 2-D :class:`ImageCube` with its exact WCS."""
    from irisplug.model.cubes import ImageCube

    sliced = cube[index]
    meta = attach_exposure_coords(dict(cube.meta or {}), exposure_values(sliced))
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
    if "WAVELNTH" in header:
        header["WAVEUNIT"] = wave_unit(meta).to_string()
    header["BUNIT"] = str(img.unit) if img.unit is not None else ""
    return sunpy.map.Map(data, header)
