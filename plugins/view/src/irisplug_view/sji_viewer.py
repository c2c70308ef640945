"""Slit-jaw image viewer: frames with a time slider, animation, slit overlay, histo_opt contrast.

Keys follow iris_lmsalpy's ``SJI.quick_look``: space start/stop, -/+ speed,
left/right previous/next frame, u/i/o/p contrast, v/V slit line (thin/thick,
press again to hide), a add a point of interest, e/r/t erase / return / go
to a point, h reset the zoom, H reset zoom and contrast, ? or / help, q quit.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from irisplug_view._figure_kit import help_box, new_figure, request_draw, save_figure, sync_timer, take_over_keys
from irisplug_view.colormaps import display_cmap
from irisplug_view.inputs import SJIFrames, sji_frames, world_arcsec
from irisplug_view.poi import PointOfInterest, get_pois, set_pois
from irisplug_view.scaling import ContrastLimits, histo_opt
from irisplug_view.slit_track import SlitTrack

__all__ = ["SJIState", "SJIViewer", "sji_viewer", "SJI_HELP"]

SJI_HELP = """\
space      start/stop the animation        -/+  slower/faster
left/right previous/next frame (alt: 5 frames)
u/i        lower/raise the lower limit     o/p  lower/raise the upper limit
v / V      slit line thin / thick (again: hide)
a          add a point of interest (this frame, the pixel under the mouse or the centre)
e/r/t      erase the current point / return to the previous / go to the next
h / H      reset zoom / zoom and contrast
? or /     this help                       q    quit"""


@dataclass
class SJIState:
    """State of the slit-jaw viewer (no drawing).

    Examples
    --------
    >>> s = SJIState(n_frames=10, limits=(0, 100))
    >>> s.handle_key("right"), s.frame
    ('frame', 1)
    """

    n_frames: int
    limits: tuple[float, float]
    frame: int = 0
    playing: bool = False
    interval_ms: int = 100
    slit_width: float = 0.0
    help_visible: bool = False
    closed: bool = False
    zoom: Any = None
    pois: list = field(default_factory=list)
    poi_index: int | None = None
    contrast: ContrastLimits | None = None

    def __post_init__(self) -> None:
        if self.contrast is None:
            self.contrast = ContrastLimits(*self.limits)

    def set_frame(self, i: int) -> None:
        self.frame = int(i) % self.n_frames

    def tick(self) -> None:
        self.set_frame(self.frame + 1)

    def goto_poi(self, index: int) -> None:
        if self.pois:
            self.poi_index = index % len(self.pois)
            self.set_frame(self.pois[self.poi_index].step)

    def handle_key(self, key: str | None) -> str | None:
        """Apply a key; returns the action name or None. ``"poi_add"`` needs the viewer."""
        if key in ("left", "right", "alt+left", "alt+right"):
            n = 5 if key.startswith("alt+") else 1
            self.set_frame(self.frame + (n if key.endswith("right") else -n))
            return "frame"
        if key in ContrastLimits.KEYS:
            self.contrast.apply(key)
            return "contrast"
        if key == " ":
            self.playing = not self.playing
            return "animate"
        if key in ("-", "+"):
            self.interval_ms = int(min(max(self.interval_ms * (1.5 if key == "-" else 1 / 1.5), 10), 5000))
            return "speed"
        if key in ("v", "V"):
            width = 1.0 if key == "v" else 3.0
            self.slit_width = 0.0 if self.slit_width == width else width
            return "slit"
        if key == "a":
            return "poi_add"
        if key == "e":
            if self.pois:
                i = len(self.pois) - 1 if self.poi_index is None else self.poi_index
                del self.pois[i]
                self.poi_index = None if not self.pois else min(i, len(self.pois) - 1)
            return "poi_erase"
        if key == "r":
            self.goto_poi((self.poi_index if self.poi_index is not None else 0) - 1)
            return "poi_goto"
        if key == "t":
            self.goto_poi(self.poi_index + 1 if self.poi_index is not None else 0)
            return "poi_goto"
        if key in ("h", "H"):
            self.zoom = None
            if key == "H":
                self.contrast.reset()
            return "reset"
        if key in ("?", "/"):
            self.help_visible = not self.help_visible
            return "help"
        if key == "q":
            self.closed, self.playing = True, False
            return "quit"
        return None


class SJIViewer:
    """Interactive slit-jaw viewer; build it with :func:`sji_viewer`."""

    def __init__(self, obj: Any, window: str | None = None, cutoff: float = 1e-3, gamma: float = 1.0,
                 cmap: Any = None, figsize: tuple[float, float] = (7, 7.5), show_slit: bool = True,
                 slit_from: Any = None) -> None:
        from matplotlib.colors import PowerNorm
        from matplotlib.widgets import Slider

        self.obj = obj
        self.frames: SJIFrames = sji_frames(obj, window)
        self.slit = SlitTrack(self.frames, _raster_for_slit(obj if slit_from is None else slit_from))
        n = self.frames.shape[0]
        self.state = SJIState(n_frames=n, limits=histo_opt(self.frames.frame(0), cutoff=cutoff))
        self.state.slit_width = 1.0 if show_slit else 0.0
        self.state.pois = [p for p in get_pois(obj) if p.kind == "sji"]
        self.fig = new_figure(figsize)
        if self.frames.on_sky:
            self.ax = self.fig.add_axes([0.14, 0.2, 0.78, 0.72], projection=self.frames.frame_wcs(0))
            from irisplug_view.quicklook import _label_celestial

            _label_celestial(self.ax)
        else:  # a detector's frames (SHOW): no sky to draw on, its own pixel axes
            self.ax = self.fig.add_axes([0.14, 0.2, 0.78, 0.72])
            self.ax.set(xlabel=self.frames.axis_label(2), ylabel=self.frames.axis_label(1))
        lo, hi = self.state.contrast.limits
        self.im = self.ax.imshow(self.frames.frame(0), origin="lower", cmap=display_cmap(self.frames.cube, cmap),
                                 norm=PowerNorm(gamma, lo, hi), interpolation="nearest")
        (self.slit_line,) = self.ax.plot([], [], color="w", ls="--", lw=1, visible=False)
        (self.mark_poi,) = self.ax.plot([], [], "o", mfc="none", mec="cyan", ms=8)
        self.full = (self.ax.get_xlim(), self.ax.get_ylim())
        ax_s = self.fig.add_axes([0.14, 0.06, 0.78, 0.04])
        class _Slider(Slider):
            drawon = False  # while built: its initial set_val is, on Agg (saving a file), a full draw that savefig repeats

        self.slider = _Slider(ax_s, "frame", 0, n - 1, valinit=0, valstep=1)
        self.slider.drawon = True
        self.slider.on_changed(self._on_slider)
        self.help = help_box(self.fig, SJI_HELP)
        self._timer = None
        self._mouse = None
        take_over_keys(self.fig, self._on_key)
        self.fig.canvas.mpl_connect("motion_notify_event", self._on_motion)
        self.redraw(draw=False)

    def redraw(self, draw: bool = True) -> None:
        st = self.state
        self.im.set_data(self.frames.frame(st.frame))
        self.im.norm.vmin, self.im.norm.vmax = st.contrast.limits
        seg = self.slit.segment(st.frame) if st.slit_width > 0 else None
        self.slit_line.set_visible(seg is not None)
        if seg is not None:
            self.slit_line.set_data(*seg)
            self.slit_line.set_linewidth(st.slit_width)
        pts = [(p.x, p.y) for p in st.pois if p.step == st.frame]
        self.mark_poi.set_data([p[0] for p in pts], [p[1] for p in pts])
        if int(self.slider.val) != st.frame:
            self.slider.eventson = False
            self.slider.set_val(st.frame)
            self.slider.eventson = True
        times = self.frames.times
        when = f"  {times[st.frame].isot[:19]}" if times is not None else ""
        self.ax.set_title(f"{self.frames.label}  frame {st.frame}/{st.n_frames - 1}{when}", fontsize=9)
        self.help.set_visible(st.help_visible)
        if draw:
            request_draw(self.fig)

    def make_poi(self) -> PointOfInterest:
        from irisplug.model import colormap

        st = self.state
        ny, nx = self.frames.shape[1:]
        x, y = self._mouse if self._mouse is not None else (nx // 2, ny // 2)
        lon, lat = world_arcsec(self.frames.frame_wcs(st.frame), x, y) if self.frames.on_sky else (np.nan, np.nan)
        times = self.frames.times
        return PointOfInterest(kind="sji", window=self.frames.label, step=st.frame, y=int(y), x=int(x),
                               lon=float(lon), lat=float(lat), limits=st.contrast.limits,
                               time=times[st.frame].isot if times is not None else None,
                               slit_x=self.frames.slit_x(st.frame), map=self.frames.frame(st.frame),
                               unit=str(getattr(self.frames.cube, "unit", "") or ""),
                               colormap=colormap(self.frames.cube))

    def _on_key(self, event: Any) -> bool:
        st = self.state
        action = st.handle_key(event.key)
        if action is None:
            return False
        if action == "poi_add":
            st.pois.append(self.make_poi())
            st.poi_index = len(st.pois) - 1
            set_pois(self.obj, st.pois)
        elif action == "poi_erase":
            set_pois(self.obj, st.pois)
        elif action == "animate":
            self._toggle_timer()
        elif action == "speed" and self._timer is not None:
            self._timer.interval = st.interval_ms
        elif action == "reset":
            self.ax.set_xlim(self.full[0])
            self.ax.set_ylim(self.full[1])
        elif action == "quit":
            self._toggle_timer()
            import matplotlib.pyplot as plt

            plt.close(self.fig)
            return True
        self.redraw()
        return True

    def _toggle_timer(self) -> None:
        self._timer = sync_timer(self.fig, self._timer, self.state.playing, self.state.interval_ms, self.step_animation)

    def step_animation(self) -> None:
        """Next frame; within a zoomed slider range it loops there (the "mini-loop")."""
        lo, hi = self.slider.ax.get_xlim()
        lo, hi = max(int(np.ceil(lo)), 0), min(int(np.floor(hi)), self.state.n_frames - 1)
        nxt = self.state.frame + 1
        self.state.set_frame(lo if nxt > hi or nxt < lo else nxt)
        self.redraw()

    def _on_slider(self, value: float) -> None:
        self.state.set_frame(int(value))
        self.redraw()

    def _on_motion(self, event: Any) -> None:
        if event.inaxes is self.ax and event.xdata is not None:
            self._mouse = (round(event.xdata), round(event.ydata))

    def savefig(self, path: Any, **kw: Any) -> None:
        """Save the figure (``dpi`` etc. passed to matplotlib); a path is written all or nothing."""
        save_figure(self.fig, path, **kw)


def _raster_for_slit(obj: Any) -> Any:
    """The first spectral window of an Observation / raster (for the slit position), or None."""
    from irisplug.errors import UnsupportedObjectError
    from irisplug_view.inputs import kind_of, raster_windows

    if obj is None or kind_of(obj) not in ("observation", "raster"):
        return None
    try:
        return next(iter(raster_windows(obj).values()))
    except UnsupportedObjectError:
        return None


def sji_viewer(obj: Any, *, window: str | None = None, frame: int = 0, out: Any = None, cutoff: float = 1e-3,
               gamma: float = 1.0, cmap: Any = None, show_slit: bool = True, slit_from: Any = None, dpi: float = 100,
               show: bool = False) -> SJIViewer:
    """Open the slit-jaw viewer (and save frame ``frame`` to ``out`` if given).

    Parameters
    ----------
    obj
        An SJI cube (frame, y, x) or an Observation (``window`` picks the ``SJI_*`` label).
    cutoff, gamma
        ``histo_opt`` cut-off fraction (each end) and display gamma.
    show_slit
        Draw the slit: from the cube's per-frame slit position (``SLTPX1IX``),
        else from the world coordinates of the raster exposure closest in time
        (the Observation's first spectral window, or ``slit_from``).
    slit_from
        An Observation / RasterSequence / raster cube giving the slit position.

    Examples
    --------
    >>> v = sji_viewer(obs, window="SJI_1400", out="sji.png")  # doctest: +SKIP
    >>> v.state.frame  # doctest: +SKIP
    0
    """
    v = SJIViewer(obj, window=window, cutoff=cutoff, gamma=gamma, cmap=cmap, show_slit=show_slit, slit_from=slit_from)
    if frame:
        v.state.set_frame(frame)
        v.redraw(draw=False)
    if out is not None:
        v.savefig(out, dpi=dpi)
    if show:
        import matplotlib.pyplot as plt

        plt.show()
    return v
