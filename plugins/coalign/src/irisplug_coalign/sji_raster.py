"""Raster (spectrograph) against slit-jaw images: nearest frames, slit positions, synthetic SJI.

1. For every raster step, the SJI frame nearest in time.
2. The slit of that step placed on the frame from the data's own world
   coordinates (raster pixel -> helioprojective lon/lat -> SJI frame pixel).
3. A synthetic slit-jaw image from the spectra: the raster integrated over
   the SJI passband (NaN, masked pixels and the reader's declared fill values ignored).
4. The SJI frames sampled along the slits (linear interpolation) and
   compared with the synthetic image; the world offset ``(dlon, dlat)`` that
   maximises their correlation is the raster's pointing error relative to the
   SJI (grid search, then Nelder-Mead).

The passband ``(min, max)`` comes from the slit-jaw cube's metadata (the
documented key ``passband`` the reader sets, :func:`irisplug.model.passband`)
or from ``passband=``; the method knows no instrument's filters.
"""

from __future__ import annotations

from typing import Any

import numpy as np

import irisplug
from irisplug.errors import InconsistentInputError, UnsupportedObjectError
from irisplug_coalign import images
from irisplug_coalign.jitter import slit_columns

__all__ = ["is_raster", "is_raster_sequence", "is_sji", "accepts", "nearest_frames", "slit_positions",
           "synthetic_sji", "coalign_raster_to_sji", "MAX_UNCERTAINTY_PX"]

#: ranks (nearest frames in time) sampled for every pixel at each trial offset; pixels with no valid
#: value on any of them are sampled on the later frames one rank at a time, with exact transforms
_FIRST_RANKS = 4
#: at most this many (pixel, rank) position models (12 floats each, ~100 MB): a raster of more pixels
#: samples fewer ranks at once
_MAX_MODELLED = 2**20
#: largest search box (arcsec, ``max_offset``) whose positions are interpolated; the model's error grows
#: with the cube of the box (<= 1e-8 px at 5 arcsec, ~2e-6 px at 30): a larger box is transformed exactly
_MODEL_MAX_OFFSET = 30.0


def is_raster(obj: Any) -> bool:
    """A spectral cube of the model contract: (raster step, slit position, wavelength)."""
    from irisplug.model import Kind, kind_of

    return kind_of(obj).kind is Kind.SPECTRAL_CUBE


def is_sji(obj: Any) -> bool:
    """An image cube of the model contract: ``(time, y, x)`` without spectral axis."""
    return images.is_frame_cube(obj)


def accepts(target: Any, reference: Any) -> Any:
    """The ``sji-raster`` co-aligner's ``accepts``: a spectral cube or raster sequence against an image cube (a Verdict)."""
    from irisplug.model import Kind, Verdict, accepting

    t = accepting(Kind.SPECTRAL_CUBE, Kind.RASTER_SEQUENCE, what="the raster target")(target)
    r = accepting(Kind.IMAGE_CUBE, what="the slit-jaw reference")(reference)
    if t and r:
        return Verdict(True, "spectral cube or raster sequence against image cube")
    return Verdict(False, "; ".join(f"{who}: {v.reason}" for who, v in (("target", t), ("reference", r)) if not v))


def _sji_band(sji: Any, passband: Any) -> tuple[float, float]:
    """``(min, max)`` Angstrom: ``passband=`` as a pair, else the reader's ``passband`` metadata.

    A single number (a nominal wavelength such as 1400) selects the reader's passband that contains it.
    """
    from irisplug.model import passband as meta_passband

    if passband is not None and not np.isscalar(passband):
        lo, hi = (float(getattr(v, "value", v)) for v in passband)
        if not lo < hi:
            raise InconsistentInputError(f"passband={passband!r}: expected (min, max) in Angstrom with min < max")
        return lo, hi
    band = meta_passband(sji)
    if band is None:
        raise InconsistentInputError("the slit-jaw cube has no passband metadata ('passband', set by its reader): "
                                     "pass passband=(min, max) in Angstrom")
    lo, hi = (float(v) for v in band.value)
    if passband is not None and not lo <= float(getattr(passband, "value", passband)) <= hi:
        raise InconsistentInputError(f"passband={passband!r} is outside the slit-jaw's passband {lo:.1f}-{hi:.1f} A "
                                     "(from its metadata): pass passband=(min, max) in Angstrom")
    return lo, hi


def _raster_world(raster: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Wavelength (A) per wavelength pixel; lon, lat (arcsec) per (step, y) at mid-window.

    From the low-level WCS (world values and units): the high-level objects (SkyCoord with an
    observer, SpectralCoord) hold the same numbers and cost ~0.1 s per raster to build.
    """
    import astropy.units as u

    nstep, ny, nw = raster.data.shape
    low = raster.wcs.low_level_wcs
    types = [str(t) for t in low.world_axis_physical_types]
    units = [u.Unit(un) for un in low.world_axis_units]
    spec = next((i for i, (t, un) in enumerate(zip(types, units, strict=True))
                 if t.startswith("em.") and un.physical_type == "length"), None)
    lon = next((i for i, t in enumerate(types) if t.endswith(".lon") or t.endswith(".ra")), None)
    lat = next((i for i, t in enumerate(types) if t.endswith(".lat") or t.endswith(".dec")), None)
    if spec is None:
        raise UnsupportedObjectError("raster WCS has no wavelength axis")
    if lon is None or lat is None:
        raise UnsupportedObjectError(f"raster WCS has no celestial longitude and latitude (world axes {types})")
    wpix = np.arange(nw, dtype=float)
    wl = (np.asarray(low.pixel_to_world_values(wpix, np.zeros(nw), np.zeros(nw))[spec], dtype=float) * units[spec]).to_value(u.AA)
    step, yy = np.meshgrid(np.arange(nstep, dtype=float), np.arange(ny, dtype=float), indexing="ij")
    world = low.pixel_to_world_values(np.full(step.shape, nw / 2), yy, step)
    lon_v = u.Quantity(np.asarray(world[lon], dtype=float), units[lon])
    lon_v = ((lon_v + 180 * u.deg) % (360 * u.deg) - 180 * u.deg) if np.any(np.abs(lon_v) >= 180 * u.deg) else lon_v
    return wl, lon_v.to_value(u.arcsec), (np.asarray(world[lat], dtype=float) * units[lat]).to_value(u.arcsec)


def synthetic_sji(raster: Any, band: tuple[float, float]) -> np.ndarray:
    """The raster integrated over the wavelength band: a ``(step, y)`` image.

    Examples
    --------
    >>> synth = synthetic_sji(raster_cube, (1356.55, 1415.43))  # doctest: +SKIP
    """
    return _synthetic_sji(raster, band, _raster_world(raster)[0])


def _synthetic_sji(raster: Any, band: tuple[float, float], wl: np.ndarray) -> np.ndarray:
    """:func:`synthetic_sji` with the raster's wavelengths ``wl`` (A) already known."""
    sel = (wl >= band[0]) & (wl <= band[1])
    if not sel.any():
        raise InconsistentInputError(f"raster window {wl.min():.1f}-{wl.max():.1f} A does not overlap the SJI passband {band[0]:.1f}-{band[1]:.1f} A")
    from irisplug.model import invalid_mask

    data = np.asarray(raster.data[:, :, sel], dtype=float)
    # NaN, the reader's fill value and saturation; not valid_min: spectra at a smeared fill edge still
    # carry the line (on the IRIS test raster, also dropping points below valid_min moved the best offset
    # from 0.5 to 3.7 arcsec, against the slit-jaw pointing that agrees within 0.5 arcsec)
    bad = np.asarray(invalid_mask(raster, data, levels=("missing_value", "saturation_level")))
    mask = getattr(raster, "mask", None)
    if mask is not None and np.ndim(mask) == 3:  # the reader's mask: fill, saturated and missing pixels
        bad |= np.asarray(mask[:, :, sel], dtype=bool)
    data = np.where(bad, np.nan, data)
    import warnings

    with np.errstate(invalid="ignore"), warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # all-missing spectra give NaN, handled by the caller
        return np.nanmean(data, axis=2) * sel.sum()


def _times(obj: Any, n: int) -> Any:
    try:
        return images.frame_times(obj)
    except Exception:  # noqa: BLE001
        from astropy.time import Time

        date = (obj.meta or {}).get("DATE-OBS") or (obj.meta or {}).get("DATE_OBS")
        if date is None:
            raise InconsistentInputError(f"{type(obj).__name__}: no per-step times to match SJI frames") from None
        return Time([date] * n)


def nearest_frames(raster: Any, sji: Any) -> np.ndarray:
    """For every raster step, the index of the SJI frame nearest in time."""
    rt = _times(raster, raster.data.shape[0])
    st = images.frame_times(sji)
    d = np.abs((rt[:, None] - st[None, :]).to_value("s"))
    return np.argmin(d, axis=1)


def slit_positions(raster: Any, sji: Any, offset: tuple[float, float] = (0.0, 0.0)) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """SJI pixel ``(x, y)`` of every raster (step, y) pixel on its nearest frame; and the frames.

    ``offset`` (arcsec, lon/lat) is added to the raster's world coordinates.
    """
    from irisplug_coalign.offset_positions import OffsetPositions

    _, lon, lat = _raster_world(raster)
    frames = nearest_frames(raster, sji)
    px = np.empty_like(lon)
    py = np.empty_like(lat)
    for k in np.unique(frames):
        _, wcs = images.frame_pixels(sji, int(k))
        rows = frames == k
        px[rows], py[rows] = OffsetPositions(wcs, lon[rows], lat[rows], 0.0).exact(offset)
    return px, py, frames


def _pixel_scale(wcs: Any, shape: tuple[int, ...]) -> float:
    """Arcsec per pixel along x at the image centre: the angle between the world points of pixels ``x +- 0.5``."""
    from irisplug_coalign.offset_positions import lon_lat_axes

    low = getattr(wcs, "low_level_wcs", wcs)
    i_lon, i_lat = lon_lat_axes(low)
    cy, cx = (shape[0] - 1) / 2, (shape[1] - 1) / 2
    world = low.pixel_to_world_values(np.array([cx - 0.5, cx + 0.5]), np.array([cy, cy]))
    import astropy.units as u

    units = low.world_axis_units
    lon = (np.asarray(world[i_lon]) * u.Unit(units[i_lon])).to_value(u.rad)
    lat = (np.asarray(world[i_lat]) * u.Unit(units[i_lat])).to_value(u.rad)
    # haversine: exact for a pixel-sized angle
    h = np.sin((lat[1] - lat[0]) / 2) ** 2 + np.cos(lat[0]) * np.cos(lat[1]) * np.sin((lon[1] - lon[0]) / 2) ** 2
    return float((2 * np.arcsin(np.sqrt(h)) * u.rad).to_value(u.arcsec))


#: least pixels in each half of a split for the halves' agreement (fewer: that split is not made)
_MIN_HALF = 25
#: least correlation of a half with the SJI at its own optimum for its split to count: a half without
#: structure of its own (a quiet patch) measures nothing, its optimum wanders whatever the full raster's error
_MIN_HALF_CORRELATION = 0.5
#: largest uncertainty (SJI pixels) of an sji-raster offset: half the distance between the offsets of two
#: independent halves (each has half the pixels, so the full offset's error is about half their difference)
MAX_UNCERTAINTY_PX = 2.0


def _independent_halves(pixels: np.ndarray, refine: Any) -> dict[str, list[list[float]]]:
    """The offset measured on two independent halves of the raster, split along the slit and across the steps.

    Parameters
    ----------
    pixels
        ``(step, y)`` boolean: the raster pixels the full measurement used.
    refine
        ``refine(half) -> ((dlon, dlat), correlation)``: the measurement on the pixels of the boolean
        ``(step, y)`` array ``half`` (arcsec) and its correlation there.

    Returns
    -------
    dict
        ``{"slit": [[dlon, dlat, correlation], [...]], "steps": [...]}``: lower/upper half along the
        slit, first/last steps; a split is left out when a half has fewer than ``_MIN_HALF`` pixels
        or the raster has a single step (sit-and-stare).
    """
    step, row = np.nonzero(pixels)
    out: dict[str, list[list[float]]] = {}
    for name, coord, axis in (("slit", row, 1), ("steps", step, 0)):
        if coord.size == 0 or pixels.shape[axis] < 2:
            continue
        cut = np.median(coord)
        lower = np.zeros(pixels.shape, bool)
        lower[step, row] = coord < cut if np.any(coord < cut) else coord <= cut
        upper = pixels & ~lower
        if min(lower.sum(), upper.sum()) < _MIN_HALF:
            continue
        out[name] = [[*(float(v) for v in xy), float(peak)] for xy, peak in (refine(half) for half in (lower, upper))]
    return out


def _raster_confidence(synth: np.ndarray, sampled: np.ndarray, grid_corr: np.ndarray, best: float,
                       halves: dict[str, list[list[float]]], grid_vs_refined_arcsec: tuple[float, float],
                       scale: float) -> dict[str, Any]:
    """Confidence figures of a raster-to-SJI optimum (see :mod:`irisplug_coalign.confidence`).

    Parameters
    ----------
    synth, sampled
        The synthetic SJI and the SJI sampled at the optimum, ``(step, y)``.
    grid_corr
        Correlations of the grid search (-1: too few common pixels).
    best
        Correlation at the optimum.
    halves
        :func:`_independent_halves`.
    grid_vs_refined_arcsec
        Grid optimum minus refined optimum (recorded, not scored).
    scale
        SJI arcsec per pixel.

    Returns
    -------
    dict
        The figures and the score. ``agreement_px`` is the largest distance (SJI pixels) between the
        offsets of two halves whose correlations both reach ``_MIN_HALF_CORRELATION``;
        ``uncertainty_arcsec`` is half of it, scored against :data:`MAX_UNCERTAINTY_PX`
        (``max_agreement_px`` = twice that). Without such a split the agreement is not scored
        (``None``).
    """
    from irisplug_coalign.confidence import score

    overlap = float(np.mean(np.isfinite(synth) & np.isfinite(sampled)))
    finite = grid_corr[grid_corr > -1]  # -1 marks offsets with too few common pixels
    if finite.size >= 3:
        med = float(np.median(finite))
        mad = 1.4826 * float(np.median(np.abs(finite - med)))
        sharp = (best - med) / mad if mad > 0 else (float("inf") if best > med else 0.0)
    else:
        sharp = 0.0
    apart = {name: float(np.hypot(a[0] - b[0], a[1] - b[1])) for name, (a, b) in halves.items()
             if min(a[2], b[2]) >= _MIN_HALF_CORRELATION}
    halves_arcsec = max(apart.values()) if apart else None
    figures = {"overlap": overlap, "correlation": float(best), "sharpness": float(sharp),
               "agreement_px": None if halves_arcsec is None else float(halves_arcsec / scale), "min_sharpness": None,
               "max_agreement_px": 2 * MAX_UNCERTAINTY_PX,
               "uncertainty_arcsec": None if halves_arcsec is None else halves_arcsec / 2,
               "halves_arcsec": apart, "halves_offsets_arcsec": halves,
               "grid_vs_refined_px": float(np.hypot(*grid_vs_refined_arcsec) / scale)}
    figures["score"] = score(figures, min_sharpness=None, max_disagreement=figures["max_agreement_px"])
    return figures


def is_raster_sequence(obj: Any) -> bool:
    """An NDCubeSequence of raster cubes (IRIS ``RasterSequence``)."""
    from ndcube import NDCubeSequence

    return isinstance(obj, NDCubeSequence) and len(obj.data) > 0 and all(is_raster(c) for c in obj.data)


def _coalign_sequence(seq: Any, sji: Any, **kwargs: Any) -> Any:
    """Every raster of a sequence co-aligned on its own (each scan has its own pointing error)."""
    from irisplug_coalign.align import record_key

    cubes = [coalign_raster_to_sji(c, sji, **kwargs) for c in irisplug.progress(seq.data, desc="sji-raster rasters", quiet=kwargs.get("quiet"))]
    meta = dict(seq.meta or {})
    meta[record_key] = {"method": "sji-raster", "per_raster": [c.meta[record_key] for c in cubes],
                        "offset_arcsec": [c.meta[record_key]["offset_arcsec"] for c in cubes]}
    return type(seq)(cubes, common_axis=getattr(seq, "_common_axis", None), meta=meta)


def coalign_raster_to_sji(
    raster: Any,
    sji: Any,
    *,
    passband: Any = None,
    max_offset: float = 5.0,
    slit_halfwidth: float = 2.0,
    min_confidence: float = 1.0,
    quiet: bool | None = None,
) -> Any:
    """Raster with its pointing corrected to match the slit-jaw images.

    Parameters
    ----------
    raster
        ``(step, y, wavelength)`` cube (IRIS RasterCube or NDCube).
    sji
        ``(frame, y, x)`` slit-jaw cube of the same observation.
    passband
        ``(min, max)`` Angstrom (default: the SJI's ``passband`` metadata,
        :func:`irisplug.model.passband`, which the reader sets; a single
        nominal wavelength must lie inside it).
    max_offset
        Search range in arcsec around the recorded pointing.
    slit_halfwidth
        Columns (pixels) either side of each frame's slit (``slit_x``) left out:
        the frame taken with a raster step shows the dark slit exactly where
        that step looked, so those pixels come from the next-nearest frame.
    min_confidence
        Least confidence score (:mod:`irisplug_coalign.confidence`): overlap =
        fraction of raster pixels sampled on valid SJI pixels, correlation at
        the optimum, sharpness = optimum above the grid-search correlations in
        robust sigma (recorded, not scored), agreement = distance (SJI pixels)
        between the offsets of two independent halves of the raster (along
        the slit, across the steps), half of it the offset's uncertainty
        (``uncertainty_arcsec``, at most :data:`MAX_UNCERTAINTY_PX` SJI
        pixels). Below it :class:`~irisplug_coalign.confidence.LowConfidenceError`
        is raised and the pointing is not changed; ``0`` forces.

    Returns
    -------
    object
        The raster with corrected WCS; ``meta["irisplug_coalign"]`` holds the
        offset in arcsec, the nearest SJI frame per step, the correlation and
        the confidence figures. A RasterSequence is co-aligned raster by raster
        (each scan its own offset: the pointing drifts between scans) and
        returned as a RasterSequence; its ``meta["irisplug_coalign"]`` lists
        every raster's record.
    """
    from ndcube import NDCubeSequence

    if isinstance(raster, NDCubeSequence):
        return _coalign_sequence(raster, sji, passband=passband, max_offset=max_offset, slit_halfwidth=slit_halfwidth,
                                 min_confidence=min_confidence, quiet=quiet)
    from scipy.ndimage import map_coordinates
    from scipy.optimize import minimize

    from irisplug_coalign.align import PLUGIN_VERSION, record_key
    from irisplug_coalign.repoint import shift_frames
    from irisplug_coalign.wcs_correction import with_wcs

    band = _sji_band(sji, passband)
    wl, lon, lat = _raster_world(raster)
    synth = _synthetic_sji(raster, band, wl)
    frames = nearest_frames(raster, sji)
    # The frame nearest in time shows the slit exactly where the raster step
    # looked, so the slit is masked and each raster pixel is sampled in the
    # nearest frame where that spot is valid (candidates: the nearest frames
    # and their neighbours).
    cand = np.unique(np.clip(np.concatenate([frames - 1, frames, frames + 1]), 0, sji.data.shape[0] - 1))
    slit = slit_columns(sji)
    images_k, wcs_k = {}, {}
    for k in (int(k) for k in cand):
        img, wcs_k[k] = images.frame_pixels(sji, k)  # the reader's invalid pixels are NaN
        bad = ~np.isfinite(img)
        if slit is not None and np.isfinite(slit[k]):
            cols = np.arange(img.shape[1])
            bad |= (np.abs(cols - slit[k]) <= slit_halfwidth)[None, :]
        images_k[k] = np.where(bad, np.nan, img)
    rt = _times(raster, raster.data.shape[0])
    st = images.frame_times(sji)
    keys = np.array(sorted(images_k))
    dt = np.abs((rt[:, None] - st[keys][None, :]).to_value("s"))  # (step, candidate)
    order = np.argsort(dt, axis=1, kind="stable")
    good = np.isfinite(synth)
    if good.sum() < 10:
        raise InconsistentInputError("synthetic SJI from the raster has fewer than 10 valid pixels")

    from irisplug_coalign.offset_positions import OffsetPositions

    # every raster pixel's SJI pixel position on its nearest frames as a function of the offset: exact
    # transforms at 3 x 3 offsets spanning the search box, a quadratic in between (<= 1e-8 px here;
    # see offset_positions) instead of a WCS transform per frame and trial offset
    lon_flat, lat_flat = lon.ravel(), lat.ravel()
    step_of = np.broadcast_to(np.arange(lon.shape[0])[:, None], lon.shape).ravel()
    # The first ranks (nearest frames) at once: every such frame sampled at all pixels that rank it
    # among their `first` nearest, one interpolation per frame; then each pixel takes its nearest valid value.
    first = max(1, min(len(keys), _FIRST_RANKS, _MAX_MODELLED // lon.size))
    ranked = order[step_of, :first]  # (pixel, rank) -> index into keys
    loc = np.empty(ranked.shape, dtype=np.intp)  # (pixel, rank) -> position in the concatenated samples
    blocks: list[tuple[int, OffsetPositions]] = []
    start = 0
    for i in np.unique(ranked):
        hit = ranked == i  # a frame has one rank per pixel: at most one True per row
        pts = np.flatnonzero(hit.any(axis=1))
        where = np.empty(lon.size, dtype=np.intp)
        where[pts] = start + np.arange(pts.size)
        loc[hit] = np.broadcast_to(where[:, None], hit.shape)[hit]
        k = int(keys[i])
        blocks.append((k, OffsetPositions(wcs_k[k], lon_flat[pts], lat_flat[pts],
                                          max_offset if max_offset <= _MODEL_MAX_OFFSET else 0.0)))
        start += pts.size
    exact_k = {k: OffsetPositions(w, lon_flat, lat_flat, 0.0) for k, w in wcs_k.items()}  # later ranks: exact only

    def interpolate(k: int, pos: OffsetPositions, offset: np.ndarray, exact: bool, index: Any = None) -> np.ndarray:
        x, y = (pos.exact if exact else pos)(offset, index)
        return map_coordinates(images_k[k], [y, x], order=1, mode="constant", cval=np.nan)

    def sample(offset: np.ndarray, exact: bool = False) -> np.ndarray:
        # each pixel from the nearest frame where it is valid (the slit, the frame's edge and its
        # invalid pixels are NaN); values are per point, so sampling more points changes none
        values = np.concatenate([interpolate(k, pos, offset, exact) for k, pos in blocks])[loc]
        out = values[:, 0].copy()
        for rank in range(1, first):
            missing = np.isnan(out)
            out[missing] = values[missing, rank]
        for rank in range(first, len(keys)):
            missing = np.isnan(out)
            if not missing.any():
                break
            fill = np.flatnonzero(missing)
            frame_of = order[step_of[fill], rank]  # index into keys of each missing pixel's rank-th frame
            for i in np.unique(frame_of):
                k = int(keys[i])
                idx = fill[frame_of == i]
                out[idx] = interpolate(k, exact_k[k], offset, True, idx)
        return out.reshape(lon.shape)

    def corr(offset: np.ndarray, pixels: np.ndarray = good) -> float:
        s = sample(offset)
        ok = pixels & np.isfinite(s)
        if ok.sum() < 10:
            return -1.0
        return float(np.corrcoef(synth[ok], s[ok])[0, 1])

    def refine(start: tuple[float, float], pixels: np.ndarray, xatol: float) -> tuple[np.ndarray, float]:
        simplex = [[start[0], start[1]], [start[0] + 2 * scale, start[1]], [start[0], start[1] + 2 * scale]]
        res = minimize(lambda p: -corr(p, pixels), x0=list(start), method="Nelder-Mead",
                       options={"xatol": xatol, "fatol": 1e-9, "initial_simplex": simplex})
        return np.asarray(res.x, dtype=float), -float(res.fun)

    scale = _pixel_scale(wcs_k[int(keys[0])], images_k[int(keys[0])].shape)
    grid_step = max(2 * scale, max_offset / 10)
    grid = np.arange(-max_offset, max_offset + 1e-9, grid_step)
    cands = [(corr(np.array([gx, gy])), gx, gy) for gx in irisplug.progress(grid, desc="sji-raster grid", quiet=quiet) for gy in grid]
    _, gx, gy = max(cands)
    best, peak = refine((gx, gy), good, 1e-3)
    dlon, dlat = float(best[0]), float(best[1])
    at_best = sample(np.array([dlon, dlat]), exact=True)
    used = good & np.isfinite(at_best)
    halves = _independent_halves(used, lambda pixels: refine((dlon, dlat), pixels, 1e-2))
    figures = _raster_confidence(synth, at_best, np.array([c[0] for c in cands]), peak,
                                 halves, (gx - dlon, gy - dlat), scale)
    from irisplug_coalign.confidence import gate

    gate(figures, min_confidence=min_confidence, what=f"sji-raster co-alignment of {type(raster).__name__} on the SJI",
         record={"method": "sji-raster", "offset_arcsec": [dlon, dlat], "confidence": figures})
    # pixel shift of the raster that moves its world coordinates by (dlon, dlat):
    # new(p) = old(p - s) = old(p) + offset at the raster centre
    nstep, ny, nw = raster.data.shape
    low = raster.wcs.low_level_wcs
    p0 = np.array([nw / 2, (ny - 1) / 2, (nstep - 1) / 2])
    w0 = list(low.pixel_to_world_values(*p0))
    units = list(low.world_axis_units)
    types = list(low.world_axis_physical_types)
    import astropy.units as u

    for i, t in enumerate(types):
        if t == "custom:pos.helioprojective.lon":
            w0[i] = w0[i] + (dlon * u.arcsec).to_value(units[i])
        elif t == "custom:pos.helioprojective.lat":
            w0[i] = w0[i] + (dlat * u.arcsec).to_value(units[i])
    p1 = np.array([float(v) for v in low.world_to_pixel_values(*w0)])
    s = p0 - p1  # (wave, y, step) pixel shift
    if not np.isfinite(s[2]):  # sit-and-stare: no step axis to move along
        s[2] = 0.0
    wcs = shift_frames(raster.wcs, dy=np.full(nstep, s[1]), dx=np.full(nstep, s[2]), x_axis=2, y_axis=1, frame_axis=2)
    record = {
        "method": "sji-raster", "passband_angstrom": list(band), "offset_arcsec": [dlon, dlat],
        "shift_pixels": [float(s[1]), float(s[2])], "peak": peak, "sji_frames": frames.tolist(),
        "confidence": figures,
    }
    out = with_wcs(raster, wcs, {record_key: record})
    irisplug.record_step(out, "coalign", plugin="coalign", version=PLUGIN_VERSION, params=record | {"sji_frames": "per step"})
    return out
