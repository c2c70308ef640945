"""A spectral cube without solar coordinates (a planetary spectrograph's bins, a detector array) on its own axes.

The raster quick-look draws maps on the sky; a cube whose spatial axis is not
helioprojective (MAVEN IUVS: integration, spatial bin, wavelength, with a
wavelength table per bin) has no sky to draw on. This viewer shows it on its
world coordinates: the mean over wavelength for every exposure and spatial
pixel, one exposure's spectra against each pixel's own wavelengths, and those
spectra as lines.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from typing import Any

import numpy as np

__all__ = ["SpectralCubeView", "spectral_cube_view", "spectral_cubes", "iter_spectral_cubes"]


def iter_spectral_cubes(obj: Any) -> Iterator[tuple[str, Any]]:
    """``(label, cube)`` of the spectral cubes (exposure, spatial, wavelength) of ``obj``, built one at a time: a
    cube, the first cube of a sequence, every spectral cube of an Observation or collection.

    Examples
    --------
    >>> list(iter_spectral_cubes(42))
    []
    """
    from ndcube import NDCube, NDCubeSequence

    from irisplug.model import Kind, kind_of, window_label

    def one(value: Any) -> Any:
        kind = kind_of(value).kind
        if kind is Kind.SPECTRAL_CUBE and isinstance(value, NDCube):
            return value
        if kind is Kind.RASTER_SEQUENCE and isinstance(value, NDCubeSequence):
            return value.data[0]
        return None

    cube = one(obj)
    if cube is not None:
        yield window_label(obj) or "spectra", cube
        return
    if hasattr(obj, "keys") and not hasattr(obj, "wcs"):
        for key in obj.keys():
            found = one(obj[key])
            if found is not None:
                yield str(key), found


def spectral_cubes(obj: Any) -> dict[str, Any]:
    """The spectral cubes of ``obj`` by label (:func:`iter_spectral_cubes`, all of them built).

    Examples
    --------
    >>> spectral_cubes(42)
    {}
    """
    return dict(iter_spectral_cubes(obj))


def _axis_name(cube: Any, axis: int) -> str:
    from irisplug.model import axis_name

    types = [str(t) for t in cube.array_axis_physical_types[axis] if "em.wl" not in str(t)]
    own = next((t for t in types if not t.startswith("time")), None)
    return axis_name(own).replace("_", " ") if own else f"array axis {axis}"


class SpectralCubeView:
    """The figure of one spectral cube: ``.fig``, the panels ``.ax_mean``, ``.ax_spectra``, ``.ax_lines``.

    Parameters are those of :func:`spectral_cube_view`.
    """

    def __init__(self, obj: Any, window: str | None = None, exposure: int = 0, figsize: tuple[float, float] = (11, 8),
                 cmap: Any = None, max_lines: int = 20) -> None:
        import astropy.units as u

        from irisplug.errors import UnsupportedObjectError
        from irisplug.model import observation_id, wavelength_axes
        from irisplug_view._figure_kit import new_figure
        from irisplug_view.colormaps import display_cmap
        from irisplug_view.inputs import _float_array, step_times

        # only the cube shown is built (an observation builds its windows on first access)
        found = next(((label, c) for label, c in iter_spectral_cubes(obj) if window is None or label == window), None)
        if found is None and window is not None:
            names = ", ".join(spectral_cubes(obj))
            raise UnsupportedObjectError(f"no spectral cube {window!r}; available: {names or 'none'}")
        if found is None:
            raise UnsupportedObjectError(f"{type(obj).__name__} holds no spectral cube (exposure, spatial, wavelength)")
        self.label, cube = found
        n_exp, n_y, n_w = cube.data.shape
        if not -n_exp <= exposure < n_exp:
            raise UnsupportedObjectError(f"exposure {exposure} out of range: {self.label!r} has {n_exp}")
        self.exposure = exposure % n_exp
        data = _float_array(cube, (slice(None),) * 3)
        # every pixel's own wavelength (IUVS: a table per spatial bin), in angstrom, shape (spatial, wavelength); ndcube
        # gives it over the array axes it depends on, in order
        along = wavelength_axes(cube)
        if along not in ((2,), (1, 2)):
            raise UnsupportedObjectError(f"{self.label!r}: its wavelength depends on array axes {list(along)}; this "
                                         "viewer draws one wavelength table per spatial pixel (axes 1 and 2)")
        wl = u.Quantity(cube.axis_world_coords_values("em.wl")[0]).to_value(u.AA, u.spectral())
        self.wavelength = np.broadcast_to(np.asarray(wl, dtype=float), (n_y, n_w))
        times = step_times(cube)
        unit = "" if cube.unit is None else cube.unit.to_string()
        spatial = _axis_name(cube, 1)
        self.fig = fig = new_figure(figsize)
        gs = fig.add_gridspec(2, 2, height_ratios=(1.3, 1), hspace=0.35, wspace=0.3)
        cmap = display_cmap(cube, cmap)
        with warnings.catch_warnings():  # all-NaN spectra (missing data) give NaN means, drawn blank
            warnings.simplefilter("ignore", RuntimeWarning)
            mean = np.nanmean(data, axis=2)
        self.ax_mean = fig.add_subplot(gs[0, 0])
        if times is not None and np.ndim(times) == 1 and len(times) == n_exp:
            x = np.asarray((times - times[0]).to_value(u.s), dtype=float)
            xlabel = f"time since {times[0].utc.isot} [s]"
        else:
            x, xlabel = np.arange(n_exp, dtype=float), "exposure"
        self.im_mean = self.ax_mean.pcolormesh(x, np.arange(n_y), mean.T, shading="nearest", cmap=cmap)
        self.ax_mean.axvline(x[self.exposure], color="w", lw=0.8, ls=":")
        self.ax_mean.set(xlabel=xlabel, ylabel=spatial, title="mean over wavelength")
        fig.colorbar(self.im_mean, ax=self.ax_mean, fraction=0.046, pad=0.02, label=unit)
        self.ax_spectra = fig.add_subplot(gs[0, 1])
        rows = np.broadcast_to(np.arange(n_y)[:, None], (n_y, n_w))
        self.im_spectra = self.ax_spectra.pcolormesh(self.wavelength, rows, data[self.exposure], shading="nearest",
                                                     cmap=cmap)
        self.ax_spectra.set(xlabel="wavelength [Å]", ylabel=spatial, title=f"exposure {self.exposure}")
        fig.colorbar(self.im_spectra, ax=self.ax_spectra, fraction=0.046, pad=0.02, label=unit)
        self.ax_lines = fig.add_subplot(gs[1, :])
        shown = np.unique(np.linspace(0, n_y - 1, min(n_y, max_lines)).round().astype(int))
        for j in shown:  # every spectrum against its own wavelengths
            self.ax_lines.plot(self.wavelength[j], data[self.exposure, j], color="0.6", lw=0.6, drawstyle="steps-mid")
        mid = n_y // 2
        self.ax_lines.plot(self.wavelength[mid], data[self.exposure, mid], color="k", lw=1.2, drawstyle="steps-mid",
                           label=f"{spatial} {mid}")
        self.ax_lines.legend(loc="upper right")
        self.ax_lines.set(xlabel="wavelength [Å]", ylabel=f"{unit}",
                          title=f"exposure {self.exposure}: {len(shown)} of {n_y} spectra")
        for ax in (self.ax_spectra, self.ax_lines):
            ax.ticklabel_format(axis="x", useOffset=False)
        oid = observation_id(cube)
        fig.suptitle(f"{oid}  {self.label}" if oid else self.label, fontsize=10)

    def savefig(self, path: Any, **kw: Any) -> None:
        """Save the figure (``dpi`` etc. passed to matplotlib); a path is written all or nothing."""
        from irisplug_view._figure_kit import save_figure

        save_figure(self.fig, path, **kw)


def spectral_cube_view(obj: Any, *, window: str | None = None, exposure: int = 0, out: Any = None,
                       figsize: tuple[float, float] = (11, 8), cmap: Any = None, dpi: float = 100,
                       show: bool = False) -> SpectralCubeView:
    """Show a spectral cube without solar coordinates on its own world axes (and save it to ``out`` if given).

    Parameters
    ----------
    obj
        A spectral cube (exposure, spatial, wavelength), a sequence of them,
        or an Observation / collection holding them (an IUVS product).
    window
        Which cube of a collection (default: the first spectral one, e.g.
        IUVS ``radiance``).
    exposure
        The exposure whose spectra are drawn (negative counts from the end).
    out
        Save the figure there (PNG, PDF, ...).
    show
        Call ``plt.show()`` (interactive backends).

    Returns
    -------
    SpectralCubeView
        With ``.fig`` and its three panels.

    Raises
    ------
    UnsupportedObjectError
        No spectral cube in ``obj``, or ``window``/``exposure`` not in it.

    Examples
    --------
    >>> import numpy as np, astropy.units as u, matplotlib
    >>> matplotlib.use("Agg")
    >>> from astropy.wcs import WCS
    >>> from ndcube import NDCube
    >>> w = WCS(naxis=3); w.wcs.ctype = ["WAVE", "SOLX", "UTC"]; w.wcs.cunit = ["nm", "arcsec", "s"]
    >>> w.wcs.crval, w.wcs.cdelt, w.wcs.crpix = [120.0, 0.0, 0.0], [0.5, 1.0, 2.0], [1, 1, 1]
    >>> w.wcs.mjdref = [60000.0, 0.0]
    >>> view = spectral_cube_view(NDCube(np.ones((3, 4, 10)), wcs=w, unit=u.R))
    >>> view.wavelength.shape, round(float(view.wavelength[0, 1]), 9)
    ((4, 10), 1205.0)
    """
    v = SpectralCubeView(obj, window=window, exposure=exposure, figsize=figsize, cmap=cmap)
    if out is not None:
        v.savefig(out, dpi=dpi)  # SpectralCubeView.savefig: save_figure, all or nothing
    if show:
        import matplotlib.pyplot as plt

        plt.show()
    return v
