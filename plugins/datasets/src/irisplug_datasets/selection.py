"""What a dataset holds: the window, the common wavelength grid, the spectra kept and the extra columns."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

__all__ = ["Selection", "parse_grid"]

_FEATURE_SETS = ("mgii",)


def parse_grid(grid: Any) -> tuple[float, float, int]:
    """``(start, stop, n)`` in Angstrom from ``"start:stop:n"``, a 3-tuple whose ``n`` is an int, or a uniform array / Quantity.

    Examples
    --------
    >>> parse_grid("2794:2806:121")
    (2794.0, 2806.0, 121)
    >>> parse_grid(np.linspace(2794, 2806, 5))
    (2794.0, 2806.0, 5)
    >>> parse_grid((2794.0, 2800.0, 2806.0))  # three wavelengths, not (start, stop, n)
    (2794.0, 2806.0, 3)
    """
    if isinstance(grid, str):
        parts = grid.split(":")
        if len(parts) != 3:
            raise ValueError(f"grid {grid!r} must be START:STOP:N (Angstrom)")
        start, stop, n = float(parts[0]), float(parts[1]), int(parts[2])
    elif isinstance(grid, (tuple, list)) and len(grid) == 3 and isinstance(grid[2], (int, np.integer)) \
            and not isinstance(grid[2], bool):
        start, stop, n = float(grid[0]), float(grid[1]), int(grid[2])
    else:
        import astropy.units as u

        g = np.asarray(u.Quantity(grid, u.AA).to_value(u.AA), dtype=float).reshape(-1)
        if g.size < 2 or not np.allclose(np.diff(g), g[1] - g[0], rtol=1e-9, atol=0):
            raise ValueError("the wavelength grid must have at least two uniformly spaced values")
        start, stop, n = float(g[0]), float(g[-1]), int(g.size)
    if n < 2 or not stop > start:
        raise ValueError(f"grid {start}:{stop}:{n} needs stop > start and at least 2 points")
    return start, stop, n


@dataclass(frozen=True)
class Selection:
    """The spectra a dataset holds.

    Parameters
    ----------
    grid
        Common wavelength grid ``(start, stop, n)`` in Angstrom (vacuum, as the
        reader's wavelength axis); ``"start:stop:n"`` and arrays are accepted.
    window
        Exact window label (e.g. ``"Mg II k 2796"``).
    line
        Or a line name matched case-insensitively against the spectrograph
        window labels (e.g. ``"Mg II k"``); among several matches the one
        covering most of the grid is taken.
    box
        ``(x_min, x_max, y_min, y_max)`` helioprojective arcsec: keep spectra whose pixel lies inside.
    time_range
        ``(start, end)`` ISO times (UTC): keep exposures whose midpoint lies inside.
    raster_positions
        Keep only exposures at these raster positions.
    drop_null
        Drop spectra without any valid point on the grid (missing exposures,
        zero exposure time, fill rows).
    max_missing_fraction
        Drop spectra with a larger fraction of missing grid points (masked
        pixels: missing or saturated, or grid points outside the window).
        ``0`` keeps only complete spectra.
    features
        Extra per-spectrum columns: ``("mgii",)`` adds the Mg II h & k
        features of the ``mgii`` fitter (``irisplug_fit.mgii_features``) (needs irisplug-fit).

    Examples
    --------
    >>> s = Selection(grid="2794:2806:121", line="Mg II k")
    >>> Selection.from_json(s.to_json()) == s
    True
    """

    grid: Any
    window: str | None = None
    line: str | None = None
    box: tuple[float, float, float, float] | None = None
    time_range: tuple[str, str] | None = None
    raster_positions: tuple[int, ...] | None = None
    drop_null: bool = True
    max_missing_fraction: float = 0.0
    features: tuple[str, ...] = field(default_factory=tuple)

    def __post_init__(self) -> None:
        set_ = object.__setattr__
        set_(self, "grid", parse_grid(self.grid))
        if (self.window is None) == (self.line is None):
            raise ValueError("give exactly one of window= (a label) or line= (e.g. 'Mg II k')")
        if self.box is not None:
            box = tuple(float(v) for v in self.box)
            if len(box) != 4 or not (box[0] < box[1] and box[2] < box[3]):
                raise ValueError(f"box {self.box!r} must be (x_min, x_max, y_min, y_max) with min < max")
            set_(self, "box", box)
        if self.time_range is not None:
            from astropy.time import Time

            t0, t1 = (Time(t).utc.isot for t in self.time_range)
            set_(self, "time_range", (t0, t1))
        if self.raster_positions is not None:
            set_(self, "raster_positions", tuple(sorted(int(p) for p in self.raster_positions)))
        if not 0.0 <= float(self.max_missing_fraction) <= 1.0:
            raise ValueError("max_missing_fraction must lie in [0, 1]")
        set_(self, "max_missing_fraction", float(self.max_missing_fraction))
        feats = tuple(self.features or ())
        unknown = [f for f in feats if f not in _FEATURE_SETS]
        if unknown:
            raise ValueError(f"unknown feature set(s) {unknown}; known: {list(_FEATURE_SETS)}")
        set_(self, "features", feats)

    @property
    def wavelength(self) -> np.ndarray:
        """The grid (Angstrom)."""
        start, stop, n = self.grid
        return np.linspace(start, stop, n)

    def to_json(self) -> str:
        """A canonical JSON text (stored in the dataset; equal selections give equal texts)."""
        return json.dumps(asdict(self), sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> Selection:
        """The selection stored by :meth:`to_json`."""
        d = json.loads(text)
        for key in ("grid", "box", "time_range", "raster_positions", "features"):
            if d.get(key) is not None:
                d[key] = tuple(d[key])
        return cls(**d)
