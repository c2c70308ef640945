"""Fast slit-jaw movie player: precomputed uint8 LUT frames blitted into a matplotlib canvas.

Matplotlib is slow when every frame goes through normalisation, colour
mapping, resampling and a canvas redraw (even ``draw_artist`` of an RGBA
``imshow`` costs ~100 ms at 1000x1000 on a loaded machine). Here each frame
is scaled once to uint8 indices (``histo_opt`` limits, 1 byte per pixel kept
in memory); per frame the indices are mapped to the axes' screen pixels by
precomputed nearest-neighbour row/column maps (recomputed after every full
draw, so window size and zoom are honoured), turned into RGBA by one lookup
in a 256-entry table that already holds the colour map and the gamma curve
(one RGBA pixel = one uint32, so the lookup is a single ``take``), written
into the Agg canvas buffer and blitted (``canvas.blit``): on Agg-based
interactive backends (QtAgg, TkAgg) this pushes just the axes to the screen.
The frame number goes to the window title, so no text is rendered per frame.
"""

from __future__ import annotations

import time
from typing import Any

import numpy as np

from irisplug_view.colormaps import display_cmap
from irisplug_view.inputs import sji_frames
from irisplug_view.scaling import gamma_lut, histo_opt, scale_to_index

__all__ = ["SJIPlayer"]


class SJIPlayer:
    """Play an SJI cube fast (off-screen on Agg, or in any interactive backend).

    Parameters
    ----------
    obj
        SJI cube (frame, y, x) or Observation (``window`` picks the label).
    cutoff, gamma
        ``histo_opt`` cut-off and display gamma (in the lookup table).
    limits
        Fixed ``(vmin, vmax)``; default: the median ``histo_opt`` limits of up to 10 frames.
    dpi
        The figure is sized so one data pixel is one screen pixel at this dpi.

    Examples
    --------
    >>> player = SJIPlayer(sji)  # doctest: +SKIP
    >>> player.prepare(); fps = player.play()  # doctest: +SKIP
    """

    def __init__(self, obj: Any, *, window: str | None = None, cutoff: float = 1e-3, gamma: float = 1.0,
                 limits: tuple[float, float] | None = None, cmap: Any = None, dpi: float = 100,
                 quiet: bool | None = None) -> None:
        self.frames = sji_frames(obj, window)
        n = self.frames.shape[0]
        if limits is None:
            sample = np.unique(np.linspace(0, n - 1, min(n, 10)).astype(int))
            lims = np.array([histo_opt(self.frames.frame(i), cutoff=cutoff) for i in sample])
            limits = (float(np.median(lims[:, 0])), float(np.median(lims[:, 1])))
        self.limits = limits
        self.lut = gamma_lut(display_cmap(self.frames.cube, cmap), gamma, 256)
        self.dpi = dpi
        self.quiet = quiet
        self.index: np.ndarray | None = None
        self.fig = None
        self.frame = 0
        # the frame number goes to the window title on interactive backends (no text to draw per frame)
        self._titles = True

    def prepare(self) -> None:
        """Scale every frame to uint8 LUT indices once (with a progress bar)."""
        import irisplug

        n, ny, nx = self.frames.shape
        self.index = np.empty((n, ny, nx), dtype=np.uint8)
        for i in irisplug.progress(range(n), total=n, desc=f"scaling {self.frames.label}", quiet=self.quiet):
            scale_to_index(self.frames.frame(i), *self.limits, out=self.index[i])

    def rgba(self, i: int) -> np.ndarray:
        """RGBA uint8 image of frame ``i`` (one table lookup)."""
        if self.index is None:
            self.prepare()
        return np.take(self.lut, self.index[i], axis=0)

    def _setup(self) -> None:
        import matplotlib.pyplot as plt

        _, ny, nx = self.frames.shape
        self.fig = plt.figure(figsize=(nx / self.dpi, ny / self.dpi), dpi=self.dpi)
        self.ax = self.fig.add_axes([0, 0, 1, 1])
        self.ax.set_axis_off()
        self.im = self.ax.imshow(self.index[0] if self.index is not None else self.rgba(0), origin="lower",
                                 interpolation="nearest", cmap=self._cmap_from_lut(), vmin=0, vmax=255)
        self._lut32 = np.ascontiguousarray(self.lut).view(np.uint32).ravel()  # one RGBA pixel = one uint32
        self.fig.canvas.mpl_connect("draw_event", self._geometry)
        self.fig.canvas.draw()

    def _geometry(self, event: Any = None) -> None:
        """After every full draw: the canvas buffer and nearest-neighbour maps display pixel → data pixel.

        This honours the axes size and any zoom (``xlim``/``ylim``) the user set.
        """
        buf = np.asarray(self.fig.canvas.buffer_rgba())
        height = buf.shape[0]
        box = self.ax.bbox
        x0, x1 = round(box.x0), round(box.x1)
        y0, y1 = round(box.y0), round(box.y1)
        (xa, xb), (ya, yb) = self.ax.get_xlim(), self.ax.get_ylim()
        cols = xa + (np.arange(x0, x1) + 0.5 - box.x0) / box.width * (xb - xa)
        ydisp = height - np.arange(height - y1, height - y0) - 0.5  # buffer rows run top → bottom
        rows = ya + (ydisp - box.y0) / box.height * (yb - ya)
        ny, nx = self.frames.shape[1:]
        self._ci = np.clip(np.floor(cols + 0.5).astype(np.intp), 0, nx - 1)
        self._ri = np.clip(np.floor(rows + 0.5).astype(np.intp), 0, ny - 1)
        self._identity = (self._ci.size == nx and self._ri.size == ny and (self._ci == np.arange(nx)).all()
                          and (self._ri == np.arange(ny)[::-1]).all())
        self._buf = buf
        self._buf32 = buf.view(np.uint32)[..., 0]
        self._region = (slice(height - y1, height - y0), slice(x0, x1))

    def show_frame(self, i: int) -> None:
        """Draw frame ``i``: LUT lookup into the axes' pixels of the canvas buffer, then blit.

        ``set_data`` keeps the image artist current, so a full redraw (resize,
        ``savefig``) shows the same frame; between full draws only the axes
        region is rewritten and blitted.
        """
        if self.fig is None:
            self._setup()
        if self._identity:  # buffer rows run top → bottom, data rows bottom → top
            rows = self.index[i][::-1]
        else:  # the maps already give buffer order
            rows = self.index[i].take(self._ri, axis=0).take(self._ci, axis=1)
        self._buf32[self._region] = self._lut32.take(rows)
        self.im.set_data(self.index[i])  # cheap: marks the artist stale, no drawing
        self.frame = i
        manager = getattr(self.fig.canvas, "manager", None)
        if manager is not None and self._titles:
            manager.set_window_title(f"{self.frames.label} frame {i}")
        self.fig.canvas.blit(self.ax.bbox)
        self.fig.canvas.flush_events()

    def _cmap_from_lut(self) -> Any:
        """The LUT as a colour map, so a full redraw of the image artist gives the same colours."""
        from matplotlib.colors import ListedColormap

        return ListedColormap(self.lut / 255.0)

    def play(self, n_frames: int | None = None, loops: int = 1) -> float:
        """Show frames as fast as possible; returns the achieved frames per second."""
        if self.index is None:
            self.prepare()
        if self.fig is None:
            self._setup()
        n = self.frames.shape[0] if n_frames is None else n_frames
        t0 = time.perf_counter()
        for _ in range(loops):
            for i in range(n):
                self.show_frame(i % self.frames.shape[0])
        return loops * n / (time.perf_counter() - t0)

    def animate(self, interval_ms: int = 33) -> Any:
        """A blitting ``FuncAnimation`` for interactive backends (keep a reference to it)."""
        from matplotlib.animation import FuncAnimation

        if self.fig is None:
            self._setup()

        def update(i: int) -> tuple:
            self.show_frame(i)
            return ()

        if self.index is None:
            self.prepare()

        return FuncAnimation(self.fig, update, frames=self.frames.shape[0], interval=interval_ms, blit=False)

    def close(self) -> None:
        import matplotlib.pyplot as plt

        if self.fig is not None:
            plt.close(self.fig)
            self.fig = None
