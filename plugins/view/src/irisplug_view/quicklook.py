"""Raster quick-look: map, slit spectra and spectrum panels linked by the mouse and the keys.

The panels follow the users' iris_lmsalpy ``quick_look``: upper left the map
at one wavelength over the raster steps (or over time for sit-and-stare),
upper right the spectra along the slit at one step, below the spectrum at the
point. The state lives in :class:`irisplug_view.state.QuickLookState`.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from irisplug_view._figure_kit import (
    extent_of,
    help_box,
    nearest,
    new_figure,
    request_draw,
    save_figure,
    sync_timer,
    take_over_keys,
)
from irisplug_view.colormaps import display_cmap
from irisplug_view.inputs import RasterWindow, raster_windows
from irisplug_view.poi import PointOfInterest, get_pois, set_pois
from irisplug_view.scaling import histo_opt
from irisplug_view.state import HELP_TEXT, QuickLookState

__all__ = ["RasterQuickLook", "quicklook"]


class RasterQuickLook:
    """The three-panel raster viewer. Build it with :func:`quicklook`.

    Attributes
    ----------
    fig
        The matplotlib figure.
    state
        The :class:`~irisplug_view.state.QuickLookState` (what keys change).
    windows
        ``{label: RasterWindow}``.
    """

    def __init__(self, obj: Any, window: str | None = None, scan: int = 0, cutoff: float = 1e-3,
                 gamma: float = 1.0, figsize: tuple[float, float] = (11, 8), cmap: Any = None) -> None:
        self.obj = obj
        self.windows: dict[str, RasterWindow] = raster_windows(obj, scan=scan)
        if window is not None and window not in self.windows:
            from irisplug.errors import UnsupportedObjectError

            raise UnsupportedObjectError(f"no spectral window {window!r}; available: {', '.join(self.windows)}")
        self.gamma = gamma
        self.cmap = cmap
        shapes, wl_index, limits = {}, {}, {}
        for label, win in self.windows.items():
            shapes[label] = win.shape
            wl_index[label] = nearest(win.wavelength, win.rest_wavelength())
            plane = win.array()[:, :, wl_index[label]]
            # small maps: clip at least 3 pixels at each end so one hot pixel does not set the scale
            limits[label] = histo_opt(plane, cutoff=max(cutoff, min(3.0 / plane.size, 0.05)))
        self.state = QuickLookState(shapes, wl_index, limits)
        if window is not None:
            self.state.window = self.state.labels.index(window)
        self.state.pois = [p for p in get_pois(obj) if p.kind == "raster"]
        self.fig = new_figure(figsize)
        self._timer = None
        self._build()
        take_over_keys(self.fig, self._on_key)
        self.fig.canvas.mpl_connect("motion_notify_event", self._on_motion)
        self.fig.canvas.mpl_connect("button_press_event", self._on_click)

    # -- layout --------------------------------------------------------------
    @property
    def win(self) -> RasterWindow:
        return self.windows[self.state.label]

    def _build(self) -> None:
        from astropy.wcs.wcsapi import SlicedLowLevelWCS
        from matplotlib.colors import PowerNorm

        fig, st, win = self.fig, self.state, self.win
        fig.clf()
        data = win.array()
        n_step, n_y, _ = win.shape
        wl = win.wavelength
        lo, hi = st.contrast[st.label].limits
        cmap = display_cmap(self.windows[st.label].cube, self.cmap)
        self._lat = win.lonlat(np.full(n_y, n_step // 2), np.arange(n_y))[1]
        ylo, yhi = extent_of(self._lat)
        gs = fig.add_gridspec(2, 2, height_ratios=(1.6, 1), hspace=0.35, wspace=0.3)
        if win.sit_and_stare:
            t = _seconds(win.times, n_step)
            self.ax_map = fig.add_subplot(gs[0, 0])
            self._map_extent = (*extent_of(t), ylo, yhi)
            self._t = t
            self.im_map = self.ax_map.imshow(data[:, :, st.w].T, origin="lower", aspect="auto", cmap=cmap,
                                             extent=self._map_extent, norm=PowerNorm(self.gamma, lo, hi),
                                             interpolation="nearest")
            self.ax_map.set_xlabel("time since first exposure [s]")
            self.ax_map.set_ylabel("Solar Y [arcsec]")
        else:
            low = getattr(win.cube.wcs, "low_level_wcs", win.cube.wcs)
            from irisplug_view._celestial import linear_celestial_wcs

            map_wcs = linear_celestial_wcs(SlicedLowLevelWCS(low, (slice(None), slice(None), 0)), n_y, n_step)
            self.ax_map = fig.add_subplot(gs[0, 0], projection=map_wcs, slices=("y", "x"))
            self._map_extent = None
            self.im_map = self.ax_map.imshow(data[:, :, st.w].T, origin="lower", aspect="auto", cmap=cmap,
                                             norm=PowerNorm(self.gamma, lo, hi), interpolation="nearest")
            _label_celestial(self.ax_map)
        self.ax_slit = fig.add_subplot(gs[0, 1])
        self._slit_extent = (*extent_of(wl), ylo, yhi)
        self.im_slit = self.ax_slit.imshow(data[st.x], origin="lower", aspect="auto", cmap=cmap,
                                           extent=self._slit_extent, norm=PowerNorm(self.gamma, lo, hi),
                                           interpolation="nearest")
        self.ax_slit.set_xlabel("wavelength [Å]")
        self.ax_slit.set_ylabel("Solar Y [arcsec]")
        self.ax_spec = fig.add_subplot(gs[1, :])
        (self.line_spec,) = self.ax_spec.plot(wl, data[st.x, st.y], color="k", lw=1, drawstyle="steps-mid")
        self.ax_spec.set_xlabel("wavelength [Å]")
        self.ax_spec.set_ylabel(f"intensity [{_unit(win)}]")
        self.ax_spec.set_xlim(wl[0], wl[-1])
        for ax in (self.ax_slit, self.ax_spec):
            ax.ticklabel_format(axis="x", useOffset=False)
        self.vline_spec = self.ax_spec.axvline(wl[st.w], color="tab:red", lw=0.8)
        self.vline_slit = self.ax_slit.axvline(wl[st.w], color="w", lw=0.6, ls=":")
        self.hline_slit = self.ax_slit.axhline(self._lat[st.y], color="w", lw=0.6, ls=":")
        (self.mark_map,) = self.ax_map.plot([], [], "+", color="w", ms=12, mew=1.2)
        (self.mark_poi,) = self.ax_map.plot([], [], "o", mfc="none", mec="cyan", ms=7)
        self.colorbar = fig.colorbar(self.im_map, ax=self.ax_map, fraction=0.046, pad=0.02)
        self.help = help_box(fig, HELP_TEXT)
        if self._map_extent is None:
            self._map_full = ((-0.5, n_step - 0.5), (-0.5, n_y - 0.5))
        else:
            self._map_full = (self._map_extent[:2], self._map_extent[2:])
        self._full = {"map": self._map_full,
                      "slit": (self.ax_slit.get_xlim(), self.ax_slit.get_ylim()),
                      "spectrum": (self.ax_spec.get_xlim(), None)}
        self._built_label = st.label
        self._apply_zoom()
        self.redraw(draw=False)

    def _map_xy(self, step: float, y: float) -> tuple[float, float]:
        """Map-panel data coordinates of array pixel (step, y)."""
        if self._map_extent is None:
            return step, y
        return float(self._t[int(step)]), float(self._lat[int(y)])

    def _apply_zoom(self) -> None:
        zoom = self.state.zoom[self.state.label]
        for name, ax in (("map", self.ax_map), ("slit", self.ax_slit), ("spectrum", self.ax_spec)):
            lim = zoom.get(name) or self._full[name]
            ax.set_xlim(lim[0])
            if lim[1] is not None:
                ax.set_ylim(lim[1])
            elif name == "spectrum":
                ax.relim()
                ax.autoscale_view(scalex=False)

    def _capture_zoom(self) -> None:
        zoom = self.state.zoom.setdefault(self._built_label, {})
        for name, ax in (("map", self.ax_map), ("slit", self.ax_slit)):
            lim = (tuple(ax.get_xlim()), tuple(ax.get_ylim()))
            if not np.allclose(np.ravel(lim), np.ravel(self._full[name])):
                zoom[name] = lim

    # -- drawing -------------------------------------------------------------
    def redraw(self, draw: bool = True) -> None:
        """Update every panel from the state."""
        st, win = self.state, self.win
        data = win.array()
        wl = win.wavelength
        lo, hi = st.contrast[st.label].limits
        self.im_map.set_data(data[:, :, st.w].T)
        self.im_slit.set_data(data[st.x])
        for im in (self.im_map, self.im_slit):
            im.norm.vmin, im.norm.vmax = lo, hi
        spec = data[st.x, st.y]
        self.line_spec.set_ydata(spec)
        self.vline_spec.set_xdata([wl[st.w]] * 2)
        self.vline_slit.set_xdata([wl[st.w]] * 2)
        self.hline_slit.set_ydata([self._lat[st.y]] * 2)
        mx, my = self._map_xy(st.x, st.y)
        self.mark_map.set_data([mx], [my])
        pts = [self._map_xy(p.step, p.y) for p in st.pois if p.window == st.label]
        self.mark_poi.set_data([p[0] for p in pts], [p[1] for p in pts])
        if "spectrum" not in st.zoom[st.label] and np.isfinite(spec).any():
            pad = 0.05 * (np.nanmax(spec) - np.nanmin(spec) or 1)
            self.ax_spec.set_ylim(np.nanmin(spec) - pad, np.nanmax(spec) + pad)
        lon, lat = win.lonlat(st.x, st.y)
        when = _time_str(win.times, st.x)
        self.ax_map.set_title(f"{st.label}  {wl[st.w]:.2f} Å (λ {st.w})", fontsize=9)
        self.ax_slit.set_title(f"slit spectra, step {st.x}{when}", fontsize=9)
        self.ax_spec.set_title(f"spectrum at step {st.x}, y {st.y}  ({float(lon):.1f}\", {float(lat):.1f}\")"
                               + ("" if st.follow_mouse else "  [frozen]"), fontsize=9)
        self.help.set_visible(st.help_visible)
        if draw:
            request_draw(self.fig)

    # -- points of interest ---------------------------------------------------
    def make_poi(self, label: str) -> PointOfInterest:
        """A point of interest at the current position in window ``label``."""
        from irisplug.model import colormap

        st, win = self.state, self.windows[label]
        x = min(st.x, win.shape[0] - 1)
        y = min(st.y, win.shape[1] - 1)
        w = st.wavelength_index[label]
        data = win.array()
        lon, lat = win.lonlat(x, y)
        return PointOfInterest(
            kind="raster", window=label, step=x, y=y, wavelength_index=w, wavelength=float(win.wavelength[w]),
            lon=float(lon), lat=float(lat), time=_time_str(win.times, x, bare=True) or None,
            limits=st.contrast[label].limits, unit=_unit(win), map=data[:, :, w].copy(),
            slit_spectra=data[x].copy(), spectrum=data[x, y].copy(), wavelengths=win.wavelength.copy(),
            colormap=colormap(win.cube),
        )

    # -- events ----------------------------------------------------------------
    def _on_key(self, event: Any) -> bool:
        st = self.state
        if event.key in ("n", "m", "N", "M"):
            self._capture_zoom()
        action = st.handle_key(event.key)
        if action is None:
            return False
        if action in ("poi_add", "poi_add_all"):
            labels = [st.label] if action == "poi_add" else st.labels
            st.pois.extend(self.make_poi(label) for label in labels)
            st.poi_index = len(st.pois) - 1
            set_pois(self.obj, st.pois)
        elif action == "poi_erase":
            set_pois(self.obj, st.pois)
        elif action == "animate":
            self._toggle_timer()
        elif action == "speed" and self._timer is not None:
            self._timer.interval = st.interval_ms
        elif action == "quit":
            self._toggle_timer()
            import matplotlib.pyplot as plt

            plt.close(self.fig)
            return True
        if st.label != self._built_label:
            self._build()
        elif action == "reset":
            self._apply_zoom()
        self.redraw()
        return True

    def _toggle_timer(self) -> None:
        self._timer = sync_timer(self.fig, self._timer, self.state.playing, self.state.interval_ms, self.step_animation)

    def step_animation(self) -> None:
        """One animation frame (called by the timer)."""
        self.state.tick()
        self.redraw()

    def _panel(self, ax: Any) -> str | None:
        return {self.ax_map: "map", self.ax_slit: "slit", self.ax_spec: "spectrum"}.get(ax)

    def _on_motion(self, event: Any) -> None:
        panel = self._panel(event.inaxes)
        if panel is None or event.xdata is None:
            return
        st = self.state
        st.focus = panel
        if not st.follow_mouse:
            return
        if panel == "map":
            if self._map_extent is None:
                st.x, st.y = round(event.xdata), round(event.ydata)
            else:
                st.x, st.y = nearest(self._t, event.xdata), nearest(self._lat, event.ydata)
        elif panel == "slit":
            st.y = nearest(self._lat, event.ydata)
            st.wavelength_index[st.label] = nearest(self.win.wavelength, event.xdata)
        else:
            st.wavelength_index[st.label] = nearest(self.win.wavelength, event.xdata)
        st.clamp()
        self.redraw()

    def _on_click(self, event: Any) -> None:
        if self._panel(event.inaxes) is not None and event.button == 1 and not _toolbar_busy(self.fig):
            self.state.follow_mouse = not self.state.follow_mouse
            self.redraw()

    def savefig(self, path: Any, **kw: Any) -> None:
        """Save the figure (``dpi`` etc. passed to matplotlib); a path is written all or nothing."""
        save_figure(self.fig, path, **kw)


def _toolbar_busy(fig: Any) -> bool:
    tb = getattr(getattr(fig.canvas, "manager", None), "toolbar", None)
    return bool(getattr(tb, "mode", ""))


def celestial_grid(ax: Any, **kw: Any) -> None:
    """Draw the Solar X/Y coordinate grid (only the helioprojective coordinates)."""
    for coord in ax.coords:
        if getattr(coord, "coord_type", "") in ("longitude", "latitude"):
            coord.grid(draw_grid=True, **kw)


def _label_celestial(ax: Any) -> None:
    """Label helioprojective axes Solar X / Solar Y in arcsec."""
    import astropy.units as u

    for coord in ax.coords:
        kind = getattr(coord, "coord_type", "")
        if kind == "longitude":
            coord.set_axislabel("Solar X [arcsec]")
        elif kind == "latitude":
            coord.set_axislabel("Solar Y [arcsec]")
        else:  # e.g. the exposure time of a per-exposure WCS: not an axis of the image
            coord.set_ticks_visible(False)
            coord.set_ticklabel_visible(False)
            coord.set_axislabel("")
            continue
        coord.set_format_unit(u.arcsec, decimal=True)


def _seconds(times: Any, n: int) -> np.ndarray:
    if times is None:
        return np.arange(n, dtype=float)
    try:
        return np.asarray((times - times[0]).to_value("s"), dtype=float)
    except Exception:  # noqa: BLE001
        return np.arange(n, dtype=float)


def _time_str(times: Any, i: int, bare: bool = False) -> str:
    if times is None:
        return ""
    try:
        s = times[int(i)].isot[:19]
    except Exception:  # noqa: BLE001
        return ""
    return s if bare else f"  {s}"


def _unit(win: RasterWindow) -> str:
    unit = getattr(win.cube, "unit", None)
    return "" if unit is None else unit.to_string()


def quicklook(obj: Any, *, window: str | None = None, scan: int = 0, out: Any = None, cutoff: float = 1e-3,
              gamma: float = 1.0, figsize: tuple[float, float] = (11, 8), cmap: Any = None, dpi: float = 100,
              show: bool = False) -> RasterQuickLook:
    """Open the three-panel raster quick-look (and save it to ``out`` if given).

    Parameters
    ----------
    obj
        An Observation, a RasterSequence or a raster cube (step, y, wavelength).
    window
        Spectral window shown first (``n``/``m`` move through the others).
    scan
        Raster scan of a sequence to show.
    out
        Save the figure there (PNG, PDF, ...).
    cutoff, gamma
        ``histo_opt`` cut-off fraction and display gamma.
    show
        Call ``plt.show()`` (interactive backends).

    Returns
    -------
    RasterQuickLook
        With ``.fig`` and ``.state``.

    Examples
    --------
    >>> ql = quicklook(obs, window="Si IV 1403", out="ql.png")  # doctest: +SKIP
    >>> ql.state.x, ql.state.y  # doctest: +SKIP
    (4, 54)
    """
    ql = RasterQuickLook(obj, window=window, scan=scan, cutoff=cutoff, gamma=gamma, figsize=figsize, cmap=cmap)
    if out is not None:
        ql.savefig(out, dpi=dpi)
    if show:
        import matplotlib.pyplot as plt

        plt.show()
    return ql
