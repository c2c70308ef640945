"""Publication figures (build_figure style): spectroheliograms, SJI with raster contours,
fitted parameter maps, spectrum time series, and :func:`show_poi`.

Every function returns the matplotlib figure and saves it when ``out`` is given.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from irisplug.errors import UnsupportedObjectError
from irisplug_view._figure_kit import extent_of, nearest, save_figure
from irisplug_view.colormaps import display_cmap
from irisplug_view.inputs import kind_of, raster_windows, sji_frames
from irisplug_view.scaling import histo_opt

__all__ = ["spectroheliogram", "sji_with_contour", "parameter_maps", "spectrum_timeseries", "show_poi"]


def _finish(fig: Any, out: Any, dpi: float) -> Any:
    if out is not None:
        save_figure(fig, out, dpi=dpi, bbox_inches="tight")
    return fig


def _wavelength_index(win: Any, wavelength: Any) -> int:
    """The window's pixel nearest to ``wavelength`` (Quantity or Å), by the model's rule.

    A wavelength outside the window by more than half a pixel raises
    ``irisplug.errors.WavelengthOutOfRangeError``, as
    ``cube.spectroheliogram`` does; None gives the window's rest (or brightest) wavelength.
    """
    if wavelength is None:
        return nearest(win.wavelength, win.rest_wavelength())
    from irisplug.model import wavelength_index

    meta = getattr(win.cube, "meta", None) or {}
    return wavelength_index(win.wavelength, wavelength, window=win.label, path=meta.get("FILENAME"))


def spectroheliogram(obj: Any, *, window: str | None = None, wavelength: Any = None, scan: int = 0,
                     grid: bool = True, cutoff: float = 1e-3, gamma: float = 1.0, cmap: Any = None,
                     figsize: tuple[float, float] = (5, 6), out: Any = None, dpi: float = 150) -> Any:
    """The raster map at one wavelength with Solar X/Y axes and a coordinate grid.

    Parameters
    ----------
    obj
        Observation / RasterSequence / raster cube.
    window
        Spectral window label (default: the first).
    wavelength
        Å (float or Quantity); default the line named by the window (Si IV 1403 → 1402.77 Å).
        The nearest pixel is drawn.

    Raises
    ------
    irisplug.errors.WavelengthOutOfRangeError
        ``wavelength`` is outside the window by more than half a pixel (the
        error ``cube.spectroheliogram`` raises for it).

    Examples
    --------
    >>> fig = spectroheliogram(obs, window="Si IV 1403", wavelength=1402.77, out="map.png")  # doctest: +SKIP
    """
    import matplotlib.pyplot as plt
    from astropy.wcs.wcsapi import SlicedLowLevelWCS
    from matplotlib.colors import PowerNorm

    from irisplug_view._celestial import celestial_axes

    win = next(iter(raster_windows(obj, window, scan).values()))
    w = _wavelength_index(win, wavelength)
    data = win.array()[:, :, w]
    low = getattr(win.cube.wcs, "low_level_wcs", win.cube.wcs)
    fig = plt.figure(figsize=figsize)
    ax, image = celestial_axes(fig, 111, SlicedLowLevelWCS(low, (slice(None), slice(None), w)), data)
    lo, hi = histo_opt(data, cutoff=cutoff)
    im = ax.imshow(image, origin="lower", cmap=display_cmap(win.cube, cmap), norm=PowerNorm(gamma, lo, hi),
                   aspect="auto", interpolation="nearest")
    if grid:
        from irisplug_view.quicklook import celestial_grid

        celestial_grid(ax, color="w", ls=":", alpha=0.7)
    ax.set_title(f"{win.label}  {win.wavelength[w]:.2f} Å" + _when(win.times), fontsize=9)
    fig.colorbar(im, ax=ax, label=f"intensity [{win.cube.unit}]", fraction=0.05, pad=0.03)
    return _finish(fig, out, dpi)


def _when(times: Any) -> str:
    try:
        return f"\n{times[0].isot[:19]} – {times[-1].isot[11:19]}"
    except Exception:  # noqa: BLE001
        return ""


def _nearest_frame(frames: Any, times: Any) -> int:
    sji_t = frames.times
    if sji_t is None or times is None:
        return 0
    mid = times[0] + (times[-1] - times[0]) / 2
    return int(np.argmin(np.abs((sji_t - mid).to_value("s"))))


def sji_with_contour(sji: Any, raster: Any, *, window: str | None = None, sji_window: str | None = None,
                     wavelength: Any = None, frame: int | None = None, scan: int = 0, levels: Any = None,
                     cutoff: float = 1e-3, gamma: float = 1.0, show_slit: bool = True,
                     figsize: tuple[float, float] = (6, 6), out: Any = None, dpi: float = 150) -> Any:
    """A slit-jaw frame with raster-map contours placed through world coordinates.

    The raster map's pixels are converted to helioprojective lon/lat with the
    raster's WCS and back to SJI pixels with the frame's WCS, so a different
    pointing, roll or scale is taken into account. The frame defaults to the
    one closest in time to the middle of the raster. ``show_slit`` also draws
    the slit positions (the raster steps) as dotted lines.

    Examples
    --------
    >>> fig = sji_with_contour(obs, obs, window="Si IV 1403", sji_window="SJI_1400")  # doctest: +SKIP
    """
    import matplotlib.pyplot as plt
    from matplotlib.colors import PowerNorm

    from irisplug_view._celestial import world_to_pixel_arcsec

    frames = sji_frames(sji, sji_window)
    win = next(iter(raster_windows(raster, window, scan).values()))
    w = _wavelength_index(win, wavelength)
    i = _nearest_frame(frames, win.times) if frame is None else frame
    fwcs = frames.frame_wcs(i)
    image = frames.frame(i)
    fig = plt.figure(figsize=figsize)
    ax = fig.add_subplot(111, projection=fwcs)
    from irisplug_view.quicklook import _label_celestial

    _label_celestial(ax)
    lo, hi = histo_opt(image, cutoff=cutoff)
    ax.imshow(image, origin="lower", cmap=display_cmap(frames.cube), norm=PowerNorm(gamma, lo, hi), interpolation="nearest")
    n_step, n_y, _ = win.shape
    step, y = np.meshgrid(np.arange(n_step), np.arange(n_y), indexing="ij")
    lon, lat = win.lonlat(step, y)
    px, py = world_to_pixel_arcsec(fwcs, lon, lat)
    data = win.array()[:, :, w]
    if levels is None:
        finite = data[np.isfinite(data)]
        levels = np.percentile(finite, [70, 90, 98]) if finite.size else 3
    cs = ax.contour(px, py, np.nan_to_num(data, nan=np.nanmin(data) if np.isfinite(data).any() else 0),
                    levels=levels, colors=["cyan", "yellow", "magenta"][: np.size(levels)] if np.ndim(levels) else None,
                    linewidths=0.8)
    if show_slit:
        for s in range(n_step):
            ax.plot(px[s], py[s], ls=":", color="w", lw=0.5, alpha=0.6)
    ax.set_xlim(-0.5, image.shape[1] - 0.5)
    ax.set_ylim(-0.5, image.shape[0] - 0.5)
    t = frames.times
    when = f" {t[i].isot[:19]}" if t is not None else ""
    ax.set_title(f"{frames.label} frame {i}{when}\ncontours: {win.label} {win.wavelength[w]:.2f} Å", fontsize=9)
    fig.cs = cs
    return _finish(fig, out, dpi)


#: name parts of velocity-unit maps that are never negative (widths, a Lorentzian's half-width ``gamma``,
#: errors, non-thermal velocity)
_POSITIVE_VELOCITIES = ("err", "fwhm", "vnt", "nonthermal", "non_thermal", "width", "sigma", "std", "gamma")


def _is_signed_velocity(name: str, cube: Any) -> bool:
    """A Doppler (line-of-sight) velocity map: diverging colours centred on zero.

    Widths, FWHM, non-thermal velocities and uncertainties in km/s are
    positive quantities and keep a sequential map.
    """
    lowered = name.lower()
    if any(part in lowered for part in _POSITIVE_VELOCITIES):
        return False
    return _is_velocity(name, cube)


def _is_velocity(name: str, cube: Any) -> bool:
    import astropy.units as u

    unit = getattr(cube, "unit", None)
    try:
        if unit is not None and unit.physical_type == u.km.physical_type / u.s.physical_type:
            return True
    except Exception:  # noqa: BLE001
        pass
    if unit is not None and (unit / (u.km / u.s)).decompose().physical_type == "dimensionless":
        return True
    return any(k in name.lower() for k in ("velocity", "doppler", "vel"))


def _doppler(cube: Any, rest: float) -> Any:
    """A line-centre map in a wavelength unit as a Doppler velocity map in km/s: v = c (λ - λ0) / λ0."""
    import astropy.units as u
    from astropy.constants import c
    from ndcube import NDCube

    lam = (np.asarray(cube.data, dtype=float) * cube.unit).to_value(u.AA)
    v = (c.to_value(u.km / u.s)) * (lam - rest) / rest
    return NDCube(v, wcs=cube.wcs, unit=u.km / u.s, meta={"name": "Doppler velocity", "rest_wavelength_AA": rest})


def _resolve_keys(keys: Any, maps: dict[str, Any]) -> list[str]:
    """The map names ``keys`` ask for, in their order: a full name, or a parameter name without its component.

    ``"velocity"`` selects every ``<component>.velocity`` (one panel per
    component, in the fit's order); a full name such as ``"si_iv_1403.velocity"`` that one map.

    Raises
    ------
    UnsupportedObjectError
        A key names no map; the message lists the maps there are.

    Examples
    --------
    >>> _resolve_keys(["velocity"], {"a.intensity": 0, "a.velocity": 0, "b.velocity": 0})
    ['a.velocity', 'b.velocity']
    """
    keys = [keys] if isinstance(keys, str) else list(keys)
    chosen: list[str] = []
    missing = []
    for key in keys:
        found = [key] if key in maps else [name for name in maps if name.rsplit(".", 1)[-1] == key]
        if not found:
            missing.append(key)
        chosen += [name for name in found if name not in chosen]
    if missing:
        raise UnsupportedObjectError(f"no map {', '.join(map(repr, missing))}; available: {', '.join(maps)} "
                                     "(a key is a full name or the part after the component's dot)")
    return chosen


def parameter_maps(obj: Any, *, keys: Any = None, scan: int = 0, rest_wavelength: float | None = None,
                   velocity_limit: float | None = None, ncols: int | None = None,
                   cutoff: float = 1e-3, panel_size: tuple[float, float] = (4, 4.5), out: Any = None,
                   dpi: float = 150) -> Any:
    """Fitted parameter maps, one panel each; velocities on a diverging map centred on zero.

    Parameters
    ----------
    obj
        An NDCollection / mapping of 2-D NDCubes (as the fit plugin returns), a list of
        them (one per raster scan; ``scan`` picks one) or one 2-D NDCube.
    keys
        Which maps to show (default all): full names (``"si_iv_1403.velocity"``)
        or parameter names, which select that parameter of every component
        (``"velocity"``).
    rest_wavelength
        Å. Line-centre maps in a wavelength unit (``centroid``, ``center``,
        ``line_center``, ``position``) are shown as Doppler velocity
        ``c (λ - λ0) / λ0`` in km/s instead.
    velocity_limit
        Symmetric colour limit in the map's unit; default the 99th percentile of ``|v|``.

    Examples
    --------
    >>> fig = parameter_maps(irisplug.fit(obs["Si IV 1403"]), keys=["velocity"])  # doctest: +SKIP
    """
    import matplotlib.pyplot as plt
    from matplotlib.colors import TwoSlopeNorm

    from irisplug_view._celestial import celestial_axes

    if isinstance(obj, (list, tuple)) and kind_of(obj) == "maps":
        if not 0 <= scan < len(obj):
            raise UnsupportedObjectError(f"scan {scan} out of range: {len(obj)} collections of maps")
        obj = obj[scan]
    if kind_of(obj) == "map":
        maps = {str(getattr(obj, "meta", {}).get("name", "map") if isinstance(getattr(obj, "meta", None), dict) else "map"): obj}
    elif kind_of(obj) == "maps":
        maps = {str(k): obj[k] for k in obj.keys()}
    else:
        raise UnsupportedObjectError(f"parameter maps need 2-D NDCubes or a collection of them, got {type(obj).__name__}")
    if keys is not None:
        maps = {name: maps[name] for name in _resolve_keys(keys, maps)}
    if rest_wavelength is not None:
        import astropy.units as u

        converted = {}
        for name, cube in maps.items():
            unit = getattr(cube, "unit", None)
            if unit is not None and unit.physical_type == u.AA.physical_type and any(
                    k in name.lower() for k in ("centroid", "center", "centre", "position")):
                converted[f"Doppler velocity (from {name}, λ0 = {float(rest_wavelength):.3f} Å)"] = _doppler(cube, float(rest_wavelength))
            else:
                converted[name] = cube
        maps = converted
    n = len(maps)
    ncols = ncols or min(n, 3)
    nrows = -(-n // ncols)
    fig = plt.figure(figsize=(panel_size[0] * ncols, panel_size[1] * nrows))
    for k, (name, cube) in enumerate(maps.items()):
        data = np.asarray(cube.data, dtype=float)
        ax, image = celestial_axes(fig, (nrows, ncols, k + 1), cube.wcs, data)
        if _is_signed_velocity(name, cube):
            finite = np.abs(data[np.isfinite(data)])
            vlim = velocity_limit or (float(np.percentile(finite, 99)) if finite.size else 0.0) or 1.0
            im = ax.imshow(image, origin="lower", cmap="RdBu_r", norm=TwoSlopeNorm(0.0, -vlim, vlim), aspect="auto",
                           interpolation="nearest")
            label = f"{name} [{cube.unit}]"
            name = f"{name} (red: + = redshift, away)"
        else:
            lo, hi = histo_opt(data, cutoff=cutoff)
            im = ax.imshow(image, origin="lower", cmap="viridis", vmin=lo, vmax=hi, aspect="auto", interpolation="nearest")
            label = f"{name} [{cube.unit}]"
        fig.colorbar(im, ax=ax, label=label, fraction=0.05, pad=0.03)
        ax.set_title(name, fontsize=9)
    fig.subplots_adjust(wspace=0.7, hspace=0.35, left=0.1, right=0.93)
    return _finish(fig, out, dpi)


def _series(obj: Any, window: str | None, y: int | None, position: int | None) -> tuple[Any, np.ndarray, np.ndarray, np.ndarray, int, str]:
    """(window, time s since first, spectra (time, wl), wavelengths, y, description) at one slit pixel."""
    win = next(iter(raster_windows(obj, window).values()))
    n_step, n_y, _ = win.shape
    y = n_y // 2 if y is None else int(y)
    if not 0 <= y < n_y:
        raise UnsupportedObjectError(f"y = {y} is outside the slit (0..{n_y - 1}) of window {win.label!r}")
    spectra, times = [], []
    if win.sit_and_stare or position is None:
        scans = range(len(win.cubes)) if win.sit_and_stare else [win.scan]
        for s in scans:
            win.scan = s
            spectra.append(win.array()[:, y, :])
            times.append(_seconds_abs(win.times, n_step))
        what = f"y = {y}" + (" (sit-and-stare)" if win.sit_and_stare else f", all steps of scan {win.scan}")
    else:
        if not 0 <= position < n_step:
            raise UnsupportedObjectError(f"raster position {position} outside 0..{n_step - 1}")
        for s in range(len(win.cubes)):
            win.scan = s
            spectra.append(win.array()[position : position + 1, y, :])
            times.append(_seconds_abs(win.times, n_step)[position : position + 1])
        what = f"y = {y}, raster position {position}"
    win.scan = 0
    t = np.concatenate(times)
    return win, t - t[0], np.concatenate(spectra), win.wavelength, y, what


def _seconds_abs(times: Any, n: int) -> np.ndarray:
    if times is None:
        return np.arange(n, dtype=float)
    return np.asarray((times - times[0]).to_value("s") + times[0].unix, dtype=float)


def spectrum_timeseries(obj: Any, *, window: str | None = None, y: int | None = None, position: int | None = None,
                        normalise: bool = False, gamma: float = 0.4, cmap: str = "gist_heat",
                        figsize: tuple[float, float] = (9, 4.5), out: Any = None, dpi: float = 150) -> Any:
    """Spectra at one slit pixel over time (sit-and-stare) or at one raster position over the scans.

    Intensities below zero are clipped and shown with ``gamma`` (0.4 as in the
    IRISreader tutorials); ``normalise`` divides each spectrum by its maximum.

    Examples
    --------
    >>> fig = spectrum_timeseries(sns, window="Mg II k 2796", y=20)  # doctest: +SKIP
    """
    import matplotlib.pyplot as plt
    from matplotlib.colors import PowerNorm

    win, t, spectra, wl, y, what = _series(obj, window, y, position)
    spectra = np.clip(np.nan_to_num(spectra, nan=0.0), 0, None)
    if normalise:
        peak = spectra.max(axis=1, keepdims=True)
        spectra = spectra / np.where(peak > 0, peak, 1)
    fig, ax = plt.subplots(figsize=figsize)
    hi = float(np.percentile(spectra, 99.5)) or 1.0
    t_ext = extent_of(t) if t.size > 1 else (-0.5, 0.5)
    im = ax.imshow(spectra.T, origin="lower", aspect="auto", cmap=cmap, norm=PowerNorm(gamma, 0, hi),
                   extent=(*t_ext, *extent_of(wl)), interpolation="nearest")
    ax.set_xlabel("time since first exposure [s]")
    ax.set_ylabel("wavelength [Å]")
    ax.ticklabel_format(axis="y", useOffset=False)
    ax.set_title(f"{win.label}: {what}", fontsize=9)
    fig.colorbar(im, ax=ax, label="normalised intensity" if normalise else f"intensity [{win.cube.unit}]")
    return _finish(fig, out, dpi)


def show_poi(poi: Any, *, show_XY_map: bool = False, show_SlitSpectra: bool = False,
             show_Spectra: bool = False, show_SJI_slit: bool = True, colorbar1: bool = True,
             colorbar2: bool = False, cmap: Any = None, out: Any = None, dpi: float = 120) -> Any:
    """Draw a saved point of interest again (iris_lmsalpy ``show_poi`` options).

    ``show_XY_map`` / ``show_SlitSpectra`` / ``show_Spectra`` show only that
    panel (default: all three); ``show_SJI_slit`` draws the slit on SJI
    points; ``colorbar1`` / ``colorbar2`` toggle the map / slit-spectra colour bars.
    A list of points shows the first; pass ``poi=pois[i]`` for another.

    Examples
    --------
    >>> fig = show_poi(load_pois("poi.json")[1], show_XY_map=True)  # doctest: +SKIP
    """
    import matplotlib.pyplot as plt

    from irisplug_view.poi import PointOfInterest

    if isinstance(poi, list):
        if not poi:
            raise UnsupportedObjectError("no points of interest to show")
        poi = poi[0]
    if not isinstance(poi, PointOfInterest):
        raise UnsupportedObjectError(f"show_poi needs a PointOfInterest, got {type(poi).__name__}")
    cmap = display_cmap(None, cmap or poi.colormap)
    lo, hi = poi.limits or (None, None)
    if poi.kind == "sji":
        fig, ax = plt.subplots(figsize=(6, 6))
        im = ax.imshow(poi.map, origin="lower", cmap=cmap, vmin=lo, vmax=hi, interpolation="nearest")
        ax.plot([poi.x], [poi.y], "+", color="cyan", ms=14)
        if show_SJI_slit and poi.slit_x is not None:
            ax.axvline(poi.slit_x, color="w", ls="--", lw=1)
        if colorbar1:
            fig.colorbar(im, ax=ax, label=poi.unit)
        ax.set_xlabel("x [pixel]")
        ax.set_ylabel("y [pixel]")
        ax.set_title(f"{poi.window} frame {poi.step} ({poi.x}, {poi.y})  {poi.time or ''}", fontsize=9)
        return _finish(fig, out, dpi)
    panels = [p for p, on in (("map", show_XY_map), ("slit", show_SlitSpectra), ("spec", show_Spectra)) if on]
    panels = panels or ["map", "slit", "spec"]
    fig = plt.figure(figsize=(5 * min(len(panels), 2), 4 * (1 + (len(panels) == 3))))
    grid = {1: [(1, 1, 1)], 2: [(1, 2, 1), (1, 2, 2)], 3: [(2, 2, 1), (2, 2, 2), (2, 1, 2)]}[len(panels)]
    wl = poi.wavelengths
    for spec, name in zip(grid, panels, strict=True):
        ax = fig.add_subplot(*spec)
        if name == "map":
            im = ax.imshow(poi.map.T, origin="lower", aspect="auto", cmap=cmap, vmin=lo, vmax=hi, interpolation="nearest")
            ax.plot([poi.step], [poi.y], "+", color="w", ms=12)
            ax.set_xlabel("raster step / exposure")
            ax.set_ylabel("y along the slit [pixel]")
            ax.set_title(f"XY map {poi.window} {poi.wavelength:.2f} Å", fontsize=9)
            if colorbar1:
                fig.colorbar(im, ax=ax, label=poi.unit)
        elif name == "slit":
            im = ax.imshow(poi.slit_spectra, origin="lower", aspect="auto", cmap=cmap, vmin=lo, vmax=hi,
                           extent=(*extent_of(wl), -0.5, poi.slit_spectra.shape[0] - 0.5), interpolation="nearest")
            ax.axhline(poi.y, color="w", ls=":", lw=0.8)
            ax.axvline(poi.wavelength, color="w", ls=":", lw=0.8)
            ax.set_xlabel("wavelength [Å]")
            ax.set_ylabel("y along the slit [pixel]")
            ax.set_title(f"slit spectra, step {poi.step}", fontsize=9)
            if colorbar2:
                fig.colorbar(im, ax=ax, label=poi.unit)
        else:
            ax.plot(wl, poi.spectrum, color="k", lw=1, drawstyle="steps-mid")
            ax.axvline(poi.wavelength, color="tab:red", lw=0.8)
            ax.set_xlabel("wavelength [Å]")
            ax.ticklabel_format(axis="x", useOffset=False)
            ax.set_ylabel(f"intensity [{poi.unit}]")
            where = f" ({poi.lon:.1f}\", {poi.lat:.1f}\")" if poi.lon is not None else ""
            ax.set_title(f"spectrum at step {poi.step}, y {poi.y}{where}", fontsize=9)
    fig.tight_layout()
    return _finish(fig, out, dpi)
