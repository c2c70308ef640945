"""Points of interest: stored on the object, saved/loaded as JSON or ASDF (never pickle).

A point keeps what the quick-look showed when it was added (the map, the slit
spectra, the spectrum, limits, coordinates), so :func:`irisplug_view.figures.show_poi`
can draw it again without the data files.
"""

from __future__ import annotations

import json
import os
from collections.abc import MutableMapping
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any

import numpy as np

from irisplug.errors import CorruptFileError, UnsupportedObjectError

__all__ = ["PointOfInterest", "get_pois", "add_poi", "set_pois", "save_pois", "load_pois", "META_KEY"]

#: where the points live in an object's ``meta``
META_KEY = "points_of_interest"
_ARRAYS = ("map", "slit_spectra", "spectrum", "wavelengths")


@dataclass
class PointOfInterest:
    """One point a user marked in a quick-look.

    ``kind`` is ``"raster"`` (step, y, wavelength in window ``window``) or
    ``"sji"`` (frame, y, x). Coordinates: array indices plus helioprojective
    ``lon``/``lat`` in arcsec and the UTC ``time`` (ISO) where known.

    Examples
    --------
    >>> p = PointOfInterest("raster", "Si IV 1403", step=3, y=40, wavelength_index=10, wavelength=1402.8)
    >>> PointOfInterest.from_dict(p.to_dict()) == p
    True
    """

    kind: str
    window: str
    step: int = 0
    y: int = 0
    wavelength_index: int | None = None
    wavelength: float | None = None
    x: int | None = None
    lon: float | None = None
    lat: float | None = None
    time: str | None = None
    limits: tuple[float, float] | None = None
    unit: str = ""
    slit_x: float | None = None
    #: the colour map the window was shown with (the reader's ``meta["colormap"]``), if any
    colormap: str | None = None
    map: np.ndarray | None = field(default=None, compare=False)
    slit_spectra: np.ndarray | None = field(default=None, compare=False)
    spectrum: np.ndarray | None = field(default=None, compare=False)
    wavelengths: np.ndarray | None = field(default=None, compare=False)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dict (arrays as nested lists, NaN as None)."""
        out = asdict(self)
        for key in _ARRAYS:
            value = out[key]
            if value is not None:
                arr = np.asarray(value, dtype=float)
                out[key] = np.where(np.isfinite(arr), arr, np.nan).tolist()
                out[key] = _nan_to_none(out[key])
        if out["limits"] is not None:
            out["limits"] = [float(v) for v in out["limits"]]
        return out

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> PointOfInterest:
        names = {f.name for f in fields(cls)}
        kw = {k: v for k, v in d.items() if k in names}
        for key in _ARRAYS:
            if kw.get(key) is not None:
                kw[key] = np.array(_none_to_nan(kw[key]), dtype=float)
        if kw.get("limits") is not None:
            kw["limits"] = tuple(float(v) for v in kw["limits"])
        return cls(**kw)


def _nan_to_none(x: Any) -> Any:
    if isinstance(x, list):
        return [_nan_to_none(v) for v in x]
    return None if isinstance(x, float) and not np.isfinite(x) else x


def _none_to_nan(x: Any) -> Any:
    if isinstance(x, list):
        return [_none_to_nan(v) for v in x]
    return np.nan if x is None else x


def get_pois(obj: Any) -> list[PointOfInterest]:
    """The points of interest stored on ``obj`` (``obj.meta["points_of_interest"]`` or attribute).

    Examples
    --------
    >>> class Obj: meta = {}
    >>> get_pois(Obj())
    []
    """
    meta = getattr(obj, "meta", None)
    if isinstance(meta, MutableMapping) and META_KEY in meta:
        return list(meta[META_KEY])
    return list(getattr(obj, "irisplug_points_of_interest", []))


def set_pois(obj: Any, pois: list[PointOfInterest]) -> None:
    """Store ``pois`` on ``obj``: in its ``meta`` mapping if it has one, else as an attribute."""
    meta = getattr(obj, "meta", None)
    if isinstance(meta, MutableMapping):
        meta[META_KEY] = list(pois)
        return
    try:
        obj.irisplug_points_of_interest = list(pois)
    except AttributeError as err:
        raise UnsupportedObjectError(f"cannot store points of interest on {type(obj).__name__}: no meta mapping, no attributes") from err


def add_poi(obj: Any, poi: PointOfInterest) -> None:
    """Append one point to those stored on ``obj``."""
    set_pois(obj, [*get_pois(obj), poi])


def save_pois(pois: list[PointOfInterest] | Any, path: str | os.PathLike, *, overwrite: bool = False) -> Path:
    """Write points of interest (or those stored on an object) to ``.json`` or ``.asdf``.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> p = PointOfInterest("sji", "SJI_1400", step=2, y=5, x=7)
    >>> out = save_pois([p], pathlib.Path(tempfile.mkdtemp()) / "poi.json")
    >>> load_pois(out) == [p]
    True
    """
    from irisplug.atomic import atomic_path

    if not isinstance(pois, list):
        pois = get_pois(pois)
    path = Path(path)
    records = [p.to_dict() for p in pois]
    suffix = path.suffix.lower()
    if suffix not in (".json", ".asdf"):
        raise UnsupportedObjectError(f"points of interest are saved as .json or .asdf, not {suffix!r}", path=path)
    with atomic_path(path, overwrite=overwrite) as tmp:
        if suffix == ".json":
            Path(tmp).write_text(json.dumps({"irisplug_points_of_interest": records}, indent=1))
        else:
            import asdf

            for r in records:  # ASDF stores arrays natively
                for key in _ARRAYS:
                    if r[key] is not None:
                        r[key] = np.array(_none_to_nan(r[key]), dtype=float)
            asdf.AsdfFile({"irisplug_points_of_interest": records}).write_to(tmp)
    return path


def load_pois(path: str | os.PathLike) -> list[PointOfInterest]:
    """Read points saved by :func:`save_pois`.

    Raises
    ------
    CorruptFileError
        The file is not a points-of-interest file.
    """
    path = Path(path)
    try:
        if path.suffix.lower() == ".asdf":
            import asdf

            with asdf.open(path, lazy_load=False, memmap=False) as af:
                records = [dict(r) for r in af.tree["irisplug_points_of_interest"]]
                for r in records:
                    for key in _ARRAYS:
                        if r.get(key) is not None:
                            r[key] = np.asarray(r[key]).tolist()
        else:
            records = json.loads(path.read_text())["irisplug_points_of_interest"]
        return [PointOfInterest.from_dict(r) for r in records]
    except (KeyError, ValueError, TypeError) as err:
        raise CorruptFileError(f"not an irisplug points-of-interest file ({err})", path=path) from err
