"""Where the spectrograph slit lies in a slit-jaw frame.

Two sources, both the data's own coordinates:

* the SJI cube's per-frame slit pixel column (``SLTPX1IX`` in the L2
  auxiliary table; extra coordinate ``slit_x`` / ``"slit x position"``);
* the raster's world coordinates: the helioprojective lon/lat of the slit
  ends at the raster exposure closest in time to the frame, put into the
  frame with its WCS (works for cropped files and rolled pointings).
"""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["SlitTrack"]


class SlitTrack:
    """Slit segments for the frames of an SJI cube.

    Parameters
    ----------
    frames
        :class:`~irisplug_view.inputs.SJIFrames`.
    raster
        Optional :class:`~irisplug_view.inputs.RasterWindow` (all its scans are used).
    max_dt
        Seconds: frames farther than this from every raster exposure get no
        slit (default: 2 raster step cadences, at least 30 s).

    Examples
    --------
    >>> track = SlitTrack(frames, raster_window)  # doctest: +SKIP
    >>> track.segment(10)  # doctest: +SKIP
    (array([54.1, 54.3]), array([-0.5, 108.5]))
    """

    def __init__(self, frames: Any, raster: Any = None, max_dt: float | None = None) -> None:
        self.frames = frames
        self.max_dt = max_dt
        self._ends: list[tuple[float, np.ndarray, np.ndarray]] = []
        if raster is not None:
            self._from_raster(raster)

    def _from_raster(self, win: Any) -> None:
        scan0 = win.scan
        try:
            for s in range(len(win.cubes)):
                win.scan = s
                times = win.times
                n_step, n_y, _ = win.shape
                if times is None:
                    continue
                steps = np.repeat(np.arange(n_step), 2)
                ys = np.tile([0.0, n_y - 1.0], n_step)
                lon, lat = win.lonlat(steps, ys)
                unix = np.asarray(times.unix, dtype=float)
                for k in range(n_step):
                    self._ends.append((float(unix[k]), lon[2 * k : 2 * k + 2], lat[2 * k : 2 * k + 2]))
        finally:
            win.scan = scan0
        if self.max_dt is None and len(self._ends) > 1:
            cadence = float(np.median(np.diff(sorted(e[0] for e in self._ends))))
            self.max_dt = max(30.0, 2 * cadence)

    @property
    def has_raster(self) -> bool:
        return bool(self._ends)

    def segment(self, i: int) -> tuple[np.ndarray, np.ndarray] | None:
        """(x, y) pixel end points of the slit in frame ``i``, or None when unknown."""
        from irisplug_view._celestial import world_to_pixel_arcsec

        x = self.frames.slit_x(i)
        ny = self.frames.shape[1]
        if x is not None:
            return np.array([x, x]), np.array([-0.5, ny - 0.5])
        times = self.frames.times
        if not self._ends or times is None:
            return None
        t = float(times[i].unix)
        t_exp, lon, lat = min(self._ends, key=lambda e: abs(e[0] - t))
        if self.max_dt is not None and abs(t_exp - t) > self.max_dt:
            return None  # no raster exposure near this frame: the slit may be elsewhere
        px, py = world_to_pixel_arcsec(self.frames.frame_wcs(i), lon, lat)
        return np.asarray(px, float), np.asarray(py, float)
