"""Animations to MP4 (ffmpeg from imageio-ffmpeg) or GIF (pillow), with progress bars.

* :func:`spectrum_movie` – the spectrum at one slit pixel evolving in time
  (sit-and-stare) or at one raster position over the scans, normalised to
  its maximum by default (the IRISreader ``animate_spectrum`` recipe);
* :func:`sji_movie` – slit-jaw frames with ``histo_opt`` limits fixed over the movie;
* :func:`raster_position_movie` – slit spectra (y, wavelength) at one raster position over the scans.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import numpy as np

from irisplug.errors import InvalidArgumentError, IrisplugError, UnsupportedObjectError
from irisplug_view._figure_kit import extent_of
from irisplug_view.colormaps import display_cmap
from irisplug_view.inputs import kind_of, raster_windows, sji_frames
from irisplug_view.scaling import histo_opt

__all__ = ["MovieWriterUnavailableError", "movie_writer", "available_writers", "spectrum_movie", "sji_movie",
           "raster_position_movie", "movie"]


class MovieWriterUnavailableError(IrisplugError, RuntimeError):
    """No movie writer can produce the requested file type; the message lists those that can."""


def _ffmpeg_exe() -> str | None:
    try:
        import imageio_ffmpeg

        return imageio_ffmpeg.get_ffmpeg_exe()
    except Exception:  # noqa: BLE001 - not installed or no binary for this platform
        return shutil.which("ffmpeg")


def _pillow() -> bool:
    try:
        import PIL  # noqa: F401
    except ImportError:
        return False
    return True


def available_writers() -> dict[str, str]:
    """File suffix → writer that can write it here.

    Examples
    --------
    >>> ".gif" in available_writers()
    True
    """
    out = {}
    if _ffmpeg_exe():
        out.update({".mp4": "ffmpeg", ".mov": "ffmpeg", ".avi": "ffmpeg"})
    if _pillow():
        out[".gif"] = "pillow"
    return out


def movie_writer(path: Any, fps: float = 10) -> Any:
    """A matplotlib movie writer for ``path`` (by suffix).

    Raises
    ------
    MovieWriterUnavailableError
        The suffix has no writer here; the message lists the available ones.
    """
    import matplotlib
    from matplotlib.animation import FFMpegWriter, PillowWriter

    if isinstance(fps, bool) or not isinstance(fps, (int, float, np.number)) or not np.isfinite(fps) or fps <= 0:
        raise InvalidArgumentError(f"fps={fps!r}: the frame rate must be a finite number > 0", path=path)
    suffix = Path(path).suffix.lower()
    writers = available_writers()
    if suffix not in writers:
        have = ", ".join(f"{s} ({w})" for s, w in writers.items()) or "none (install imageio-ffmpeg or pillow)"
        need = "ffmpeg (pip install imageio-ffmpeg)" if suffix in (".mp4", ".mov", ".avi") else "a writer for this type"
        raise MovieWriterUnavailableError(f"cannot write {suffix or 'files without suffix'} movies: needs {need}; available: {have}", path=path)
    if writers[suffix] == "ffmpeg":
        matplotlib.rcParams["animation.ffmpeg_path"] = _ffmpeg_exe()
        return FFMpegWriter(fps=fps, codec="libx264", extra_args=["-pix_fmt", "yuv420p"])
    return PillowWriter(fps=fps)


def _write(fig: Any, path: Any, n: int, update: Any, fps: float, dpi: float, desc: str, quiet: bool | None,
           overwrite: bool) -> Path:
    import matplotlib.pyplot as plt

    import irisplug
    from irisplug.atomic import atomic_path

    path = Path(path)
    writer = movie_writer(path, fps)
    try:
        with atomic_path(path, overwrite=overwrite) as tmp:
            tmp = Path(tmp)
            target = tmp if tmp.suffix.lower() == path.suffix.lower() else tmp.with_name(tmp.name + path.suffix)
            with writer.saving(fig, str(target), dpi):
                for i in irisplug.progress(range(n), total=n, desc=desc, quiet=quiet):
                    update(i)
                    writer.grab_frame()
            if target != tmp:
                target.replace(tmp)
    finally:
        plt.close(fig)
    return path


def spectrum_movie(obj: Any, out: Any, *, window: str | None = None, y: int | None = None, position: int | None = None,
                   normalise: bool = True, fps: float = 10, dpi: float = 100, quiet: bool | None = None,
                   overwrite: bool = False) -> Path:
    """The spectrum at slit pixel ``y`` over time, one frame per exposure (normalised by default).

    Sit-and-stare: every exposure. Raster: ``position`` picks one raster
    position and the frames are its exposures in successive scans.

    Examples
    --------
    >>> spectrum_movie(sns, "spec.gif", window="Mg II k 2796", y=20)  # doctest: +SKIP
    """
    import matplotlib.pyplot as plt

    from irisplug_view.figures import _series

    win, t, spectra, wl, y, what = _series(obj, window, y, position)
    if normalise:
        peak = np.fmax.reduce(spectra, axis=1, keepdims=True)  # NaN (no warning) for an all-missing exposure
        spectra = spectra / np.where(np.isfinite(peak) & (peak > 0), peak, 1)
    fig, ax = plt.subplots(figsize=(8, 4.5))
    (line,) = ax.plot(wl, spectra[0], color="k", lw=1, drawstyle="steps-mid")
    ax.set_xlim(wl[0], wl[-1])
    ax.ticklabel_format(axis="x", useOffset=False)
    ax.set_ylim(-0.05, 1.2) if normalise else ax.set_ylim(np.nanmin(spectra), np.nanmax(spectra) * 1.1)
    ax.set_xlabel("wavelength [Å]")
    ax.set_ylabel("normalised intensity" if normalise else f"intensity [{win.cube.unit}]")
    title = ax.set_title("")

    def update(i: int) -> None:
        line.set_ydata(spectra[i])
        title.set_text(f"{win.label}: {what}  t = {t[i]:.1f} s  ({i + 1}/{len(t)})")

    return _write(fig, out, len(t), update, fps, dpi, f"spectrum movie {win.label}", quiet, overwrite)


def sji_movie(obj: Any, out: Any, *, window: str | None = None, frames: Any = None, cutoff: float = 1e-3,
              gamma: float = 1.0, fps: float = 10, dpi: float = 100, show_slit: bool = True, quiet: bool | None = None,
              overwrite: bool = False) -> Path:
    """A slit-jaw movie with fixed ``histo_opt`` limits (median over up to 10 frames) and the IRIS colour map.

    Examples
    --------
    >>> sji_movie(obs, "sji.mp4", window="SJI_1400")  # doctest: +SKIP
    """
    import matplotlib.pyplot as plt
    from matplotlib.colors import PowerNorm

    from irisplug_view.quicklook import _label_celestial

    sji = sji_frames(obj, window)
    n = sji.shape[0]
    idx = list(range(n)) if frames is None else list(frames)
    sample = np.unique(np.linspace(0, n - 1, min(n, 10)).astype(int))
    lims = np.median([histo_opt(sji.frame(i), cutoff=cutoff) for i in sample], axis=0)
    fig = plt.figure(figsize=(6, 6.3))
    ax = fig.add_subplot(111, projection=sji.frame_wcs(idx[0]))
    _label_celestial(ax)
    im = ax.imshow(sji.frame(idx[0]), origin="lower", cmap=display_cmap(sji.cube), norm=PowerNorm(gamma, *lims),
                   interpolation="nearest")
    from irisplug_view.sji_viewer import _raster_for_slit
    from irisplug_view.slit_track import SlitTrack

    track = SlitTrack(sji, _raster_for_slit(obj))
    (slit,) = ax.plot([], [], color="w", ls="--", lw=0.8, visible=False)
    title = ax.set_title("", fontsize=9)
    times = sji.times

    def update(k: int) -> None:
        i = idx[k]
        im.set_data(sji.frame(i))
        seg = track.segment(i) if show_slit else None
        slit.set_visible(seg is not None)
        if seg is not None:
            slit.set_data(*seg)
        title.set_text(f"{sji.label} frame {i}" + (f"  {times[i].isot[:19]}" if times is not None else ""))

    return _write(fig, out, len(idx), update, fps, dpi, f"SJI movie {sji.label}", quiet, overwrite)


def raster_position_movie(obj: Any, out: Any, *, window: str | None = None, position: int = 0, cutoff: float = 1e-3,
                          gamma: float = 1.0, fps: float = 5, dpi: float = 100, quiet: bool | None = None,
                          overwrite: bool = False) -> Path:
    """Slit spectra (y vs wavelength) at one raster position, one frame per raster scan.

    Keeping the position fixed removes the apparent motion of a multi-step
    raster (the IRISreader ``animate(raster_pos=...)`` recipe). For
    sit-and-stare data every exposure is a frame.

    Examples
    --------
    >>> raster_position_movie(obs, "pos3.gif", window="Si IV 1403", position=3)  # doctest: +SKIP
    """
    import matplotlib.pyplot as plt
    from matplotlib.colors import PowerNorm

    win = next(iter(raster_windows(obj, window).values()))
    n_step, n_y, _ = win.shape
    if win.sit_and_stare:
        images = [(0, i) for i in range(n_step)]
    else:
        if not 0 <= position < n_step:
            raise UnsupportedObjectError(f"raster position {position} outside 0..{n_step - 1} of window {win.label!r}")
        images = [(s, position) for s in range(len(win.cubes))]

    def image(k: int) -> np.ndarray:
        win.scan = images[k][0]
        return win.array()[images[k][1]]

    lo, hi = histo_opt(image(0), cutoff=cutoff)
    fig, ax = plt.subplots(figsize=(6, 6))
    im = ax.imshow(image(0), origin="lower", aspect="auto", cmap=display_cmap(win.cube), norm=PowerNorm(gamma, lo, hi),
                   extent=(*extent_of(win.wavelength), -0.5, n_y - 0.5), interpolation="nearest")
    ax.set_xlabel("wavelength [Å]")
    ax.set_ylabel("y along the slit [pixel]")
    fig.colorbar(im, ax=ax, label=f"intensity [{win.cube.unit}]")
    title = ax.set_title("", fontsize=9)

    def update(k: int) -> None:
        im.set_data(image(k))
        t = win.times
        when = f"  {t[images[k][1]].isot[:19]}" if t is not None else ""
        title.set_text(f"{win.label} scan {images[k][0]} position {images[k][1]}{when}")

    try:
        return _write(fig, out, len(images), update, fps, dpi, f"raster position {position}", quiet, overwrite)
    finally:
        win.scan = 0


def movie(obj: Any, out: Any = None, *, kind: str | None = None, **kw: Any) -> Path:
    """Write a movie of ``obj``: ``kind`` = ``"sji"``, ``"spectrum"`` or ``"raster-position"``.

    The default is an SJI movie for slit-jaw cubes (and observations that
    have one), a spectrum movie for sit-and-stare rasters and a
    raster-position movie for rasters.

    Examples
    --------
    >>> irisplug.view(obs, viewer="movie", out="obs.mp4")  # doctest: +SKIP
    """
    if out is None:
        raise UnsupportedObjectError("movie needs out= (a .mp4 or .gif path)")
    movie_writer(out, kw.get("fps", 10))  # a bad frame rate or file type is refused before any frame is drawn
    k = kind_of(obj)
    if kind is None:
        window = kw.get("window")
        if k == "sji" or (k == "observation" and window is not None and window in obj and kind_of(obj[window]) == "sji"):
            kind = "sji"
        elif k in ("raster", "observation"):
            try:
                win = next(iter(raster_windows(obj, kw.get("window")).values()))
                kind = "spectrum" if win.sit_and_stare else "raster-position"
            except UnsupportedObjectError:
                kind = "sji"
        else:
            raise UnsupportedObjectError(f"no movie for {type(obj).__name__}; movies: sji, spectrum, raster-position")
    makers = {"sji": sji_movie, "spectrum": spectrum_movie, "raster-position": raster_position_movie}
    if kind not in makers:
        raise UnsupportedObjectError(f"unknown movie kind {kind!r}; available: {', '.join(makers)}")
    return makers[kind](obj, out, **kw)
