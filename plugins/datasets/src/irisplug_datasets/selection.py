"""What a dataset holds: the window, the common wavelength grid, the spectra kept and the extra columns."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np

__all__ = ["Selection", "parse_grid", "parse_time"]

_FEATURE_SETS = ("mgii",)


def _bad(message: str) -> Exception:
    from irisplug.errors import InconsistentInputError

    return InconsistentInputError(message)


def parse_grid(grid: Any) -> tuple[float, float, int]:
    """``(start, stop, n)`` in Angstrom from ``"start:stop:n"``, a 3-tuple whose ``n`` is an int, or a uniform array / Quantity.

    Raises
    ------
    InconsistentInputError
        (also a ``ValueError``) a text that is not ``START:STOP:N`` with finite numbers and an integer
        ``N`` (``"1e3"`` is refused), ``stop <= start``, fewer than 2 points, or a non-uniform array.

    Examples
    --------
    >>> parse_grid("2794:2806:121")
    (2794.0, 2806.0, 121)
    >>> parse_grid(np.linspace(2794, 2806, 5))
    (2794.0, 2806.0, 5)
    >>> parse_grid((2794.0, 2800.0, 2806.0))  # three wavelengths, not (start, stop, n)
    (2794.0, 2806.0, 3)
    >>> parse_grid("2806:2794:10")
    Traceback (most recent call last):
    ...
    irisplug.errors.InconsistentInputError: grid 2806.0:2794.0:10 needs stop > start and at least 2 points
    """
    if isinstance(grid, str):
        parts = grid.split(":")
        try:
            if len(parts) != 3:
                raise ValueError
            start, stop, n = float(parts[0]), float(parts[1]), int(parts[2].strip())
        except ValueError:
            raise _bad(f"grid {grid!r} must be START:STOP:N: wavelengths in Angstrom and an integer number "
                       "of points, e.g. 2794:2806:240") from None
    elif isinstance(grid, (tuple, list)) and len(grid) == 3 and isinstance(grid[2], (int, np.integer)) \
            and not isinstance(grid[2], bool):
        try:
            start, stop, n = float(grid[0]), float(grid[1]), int(grid[2])
        except (TypeError, ValueError):
            raise _bad(f"grid {grid!r} must be (start, stop, n): wavelengths in Angstrom and a count") from None
    else:
        import astropy.units as u

        try:
            g = np.asarray(u.Quantity(grid, u.AA).to_value(u.AA), dtype=float).reshape(-1)
        except (TypeError, ValueError, u.UnitsError) as err:
            raise _bad(f"grid {grid!r} is not wavelengths ({err}); give START:STOP:N or a uniform array") from None
        if g.size < 2 or not np.allclose(np.diff(g), g[1] - g[0], rtol=1e-9, atol=0):
            raise _bad("the wavelength grid must have at least two uniformly spaced values")
        start, stop, n = float(g[0]), float(g[-1]), int(g.size)
    if not (np.isfinite(start) and np.isfinite(stop)):
        raise _bad(f"grid {start}:{stop}:{n} must have finite wavelengths")
    if n < 2 or not stop > start:
        raise _bad(f"grid {start}:{stop}:{n} needs stop > start and at least 2 points")
    return start, stop, n


def parse_time(value: Any) -> Any:
    """``value`` as an astropy ``Time`` in UTC: ISO text, a ``Time`` in any scale, a ``datetime`` (aware or naive = UTC), a ``numpy.datetime64``.

    Raises
    ------
    InconsistentInputError
        (also a ``ValueError``) a value astropy cannot read as one instant.

    Examples
    --------
    >>> from astropy.time import Time
    >>> parse_time(Time("2014-03-29T14:10:35", scale="tai")).isot
    '2014-03-29T14:10:00.000'
    >>> parse_time("yesterday")
    Traceback (most recent call last):
    ...
    irisplug.errors.InconsistentInputError: time 'yesterday' is not a time astropy can read (an ISO time such as 2014-03-29T14:09:38, an astropy Time, a datetime)
    """
    from astropy.time import Time

    try:
        t = Time(value)
        if t.shape != ():
            raise ValueError("not one instant")
        return t.utc
    except (TypeError, ValueError) as err:
        raise _bad(f"time {value!r} is not a time astropy can read (an ISO time such as 2014-03-29T14:09:38, "
                   f"an astropy Time, a datetime)") from err


def _canonical_time(t: Any) -> str:
    """ISO UTC text with nanosecond precision, trailing zeros after the milliseconds dropped (stable JSON)."""
    t = t.utc.copy()
    t.precision = 9
    text = t.isot
    head, frac = text.split(".")
    return f"{head}.{frac.rstrip('0').ljust(3, '0')}"


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
        ``(start, end)``: keep exposures whose midpoint lies inside (both ends included). Each is
        anything :func:`parse_time` reads (ISO text taken as UTC, an astropy ``Time`` in any scale,
        a ``datetime``); stored as UTC ISO text. ``start`` must not be after ``end``.
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
            raise _bad("give exactly one of window= (a label) or line= (e.g. 'Mg II k')")
        if self.box is not None:
            try:
                box = tuple(float(v) for v in self.box)
            except (TypeError, ValueError):
                box = ()
            if len(box) != 4 or not (box[0] < box[1] and box[2] < box[3]):
                raise _bad(f"box {self.box!r} must be (x_min, x_max, y_min, y_max) with min < max")
            set_(self, "box", box)
        if self.time_range is not None:
            if isinstance(self.time_range, str) or len(self.time_range) != 2:
                raise _bad(f"time_range {self.time_range!r} must be (start, end)")
            t0, t1 = (parse_time(t) for t in self.time_range)
            if t0 > t1:
                raise _bad(f"time_range starts after it ends ({_canonical_time(t0)} > {_canonical_time(t1)} UTC); "
                           "give (start, end)")
            set_(self, "time_range", (_canonical_time(t0), _canonical_time(t1)))
        if self.raster_positions is not None:
            set_(self, "raster_positions", tuple(sorted(int(p) for p in self.raster_positions)))
        if not 0.0 <= float(self.max_missing_fraction) <= 1.0:
            raise _bad("max_missing_fraction must lie in [0, 1]")
        set_(self, "max_missing_fraction", float(self.max_missing_fraction))
        feats = tuple(self.features or ())
        unknown = [f for f in feats if f not in _FEATURE_SETS]
        if unknown:
            raise _bad(f"unknown feature set(s) {unknown}; known: {list(_FEATURE_SETS)}")
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
