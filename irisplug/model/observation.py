"""All spectral windows and slit-jaw cubes of one observation.

A reader may hand over a window as :class:`Deferred`: the object is built
on first access, so opening an observation of many files costs only its
headers (and the window table comes from those headers).
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any

from irisplug.errors import UnknownWindowError

__all__ = ["Observation", "Deferred", "UnknownWindowError", "unknown_window_message"]


def unknown_window_message(unknown: Iterable[str], available: Iterable[str], where: str = "this observation") -> str:
    """The message of :class:`UnknownWindowError`: the unknown labels, close matches, and every available label.

    ``where`` names what holds the windows (an observation, the files read).

    Examples
    --------
    >>> print(unknown_window_message(["FUV 139"], ["FUV 1394", "NUV 2796"]))
    no window 'FUV 139' (did you mean 'FUV 1394'?) in this observation; available: 'FUV 1394', 'NUV 2796'
    """
    import difflib

    available = list(available)
    parts = []
    for label in unknown:
        close = difflib.get_close_matches(str(label), available, n=2, cutoff=0.6)
        close += [a for a in available if str(label).strip().casefold() in a.casefold() and a not in close][:3]
        hint = f" (did you mean {' or '.join(repr(c) for c in close)}?)" if close else ""
        parts.append(f"{label!r}{hint}")
    held = ", ".join(repr(a) for a in available) if available else "none"
    noun = "window" if len(parts) == 1 else "windows"
    return f"no {noun} {', '.join(parts)} in {where}; available: {held}"

_SUMMARY_KEYS = ("kind", "detector", "shape", "wave_min", "wave_max", "n_files")


class Deferred:
    """A window object that :class:`Observation` builds on first access.

    Parameters
    ----------
    build
        Called once, with no arguments, to make the object.
    summary
        Its row of :attr:`Observation.windows` without building it: ``kind``
        (``"spectrograph"``: a spectral world axis, ``"slit-jaw"``: an image
        of celestial axes, or ``"other"``), ``detector``, ``shape``
        (tuple; a sequence's shape starts with its number of files),
        ``wave_min``, ``wave_max`` (Angstrom) and ``n_files``.

    Examples
    --------
    >>> import numpy as np
    >>> obs = Observation({"A": Deferred(lambda: np.zeros(3), {"kind": "slit-jaw", "detector": "SJI",
    ...     "shape": (3,), "wave_min": 1390.0, "wave_max": 1406.0, "n_files": 1})})
    >>> obs.is_built("A"), obs["A"].shape, obs.is_built("A")
    (False, (3,), True)
    """

    __slots__ = ("build", "summary")

    def __init__(self, build: Callable[[], Any], summary: Mapping[str, Any]) -> None:
        missing = [k for k in _SUMMARY_KEYS if k not in summary]
        if missing:
            raise ValueError(f"Deferred summary lacks {missing}")
        self.build = build
        self.summary = dict(summary)

    def __repr__(self) -> str:
        return f"<Deferred {self.summary['kind']} {self.summary['shape']}>"


class Observation(Mapping):
    """A mapping label -> window object (RasterSequence, SJICube, ...) of one observation.

    Parameters
    ----------
    items
        Label -> object, in display order (the reader's window labels).
    windows
        An astropy Table describing them (one row per label).
    meta
        The observation's metadata: the reader's keywords, and the keys of
        :mod:`irisplug.model.description` (``observation_id``,
        ``description``, ``summary_keys``) that ``print`` and ``repr`` show.

    Examples
    --------
    >>> obs = irisplug.read(raster_dir)  # doctest: +SKIP
    >>> obs.windows["label", "detector"]  # doctest: +SKIP
    >>> obs[line], obs[slit_jaw]  # doctest: +SKIP
    """

    def __init__(self, items: Mapping[str, Any], windows: Any = None, meta: Mapping[str, Any] | None = None) -> None:
        self._items = dict(items)
        self.meta: dict[str, Any] = dict(meta or {})
        self._windows = windows
        self._lock = threading.Lock()

    def __getitem__(self, label: str) -> Any:
        try:
            item = self._items[label]
        except (KeyError, TypeError):  # TypeError: an unhashable key
            raise UnknownWindowError(unknown_window_message([label], self._items)) from None
        if isinstance(item, Deferred):
            with self._lock:
                item = self._items[label]
                if isinstance(item, Deferred):
                    item = self._items[label] = item.build()
        return item

    def __contains__(self, label: object) -> bool:
        try:
            return label in self._items  # without building a deferred window (Mapping's default would)
        except TypeError:  # an unhashable key is in no mapping
            return False

    def is_built(self, label: str) -> bool:
        """False while window ``label`` is still :class:`Deferred` (not built yet)."""
        return not isinstance(self._items[label], Deferred)

    def _is_slit_jaw(self, label: str) -> bool:
        item = self._items[label]
        if isinstance(item, Deferred):
            return item.summary["kind"] == "slit-jaw"
        return hasattr(item, "nearest_frame")

    def __iter__(self) -> Iterator[str]:
        return iter(self._items)

    def __len__(self) -> int:
        return len(self._items)

    @property
    def windows(self) -> Any:
        """astropy Table: index, label, kind, detector, shape, wavelength range, files."""
        if self._windows is None:
            self._windows = _windows_table(self._items)
        return self._windows

    def sji_frame_at(self, window: str, raster: int, step: int, sji: str | None = None) -> Any:
        """The slit-jaw frame nearest in time to step ``step`` of raster file ``raster`` of ``window``.

        Parameters
        ----------
        window
            Spectral window label (a key of the observation).
        raster, step
            Raster file index and step (exposure) index within it.
        sji
            SJI label; the first slit-jaw of the observation when None.

        Returns
        -------
        ImageCube
            The frame (``.to_map()`` makes a sunpy Map); its time is
            ``extra_coord(frame, "time")``.

        Raises
        ------
        UnknownWindowError
            ``window`` or ``sji`` is not a label of this observation, or it
            holds no slit-jaw images.
        irisplug.errors.IndexOutOfRangeError
            ``raster`` or ``step`` is out of range (negative values count from
            the end, as in Python).

        Examples
        --------
        >>> frame = obs.sji_frame_at(line, raster=2, step=4, sji=slit_jaw)  # doctest: +SKIP
        """
        from irisplug.model._exposures import check_index, extra_coord

        obj = self[window]
        cubes = obj.data if isinstance(getattr(obj, "data", None), list) else [obj]  # a sequence, or one cube
        cube = cubes[check_index(raster, len(cubes), "raster file", of=f"of window {window!r}")]
        times = extra_coord(cube, "time")
        if times.isscalar:
            times = times.reshape(1)
        t = times[check_index(step, len(times), "step", of=f"of raster file {raster} of window {window!r}")]
        labels = [k for k in self._items if self._is_slit_jaw(k)]
        if sji is None:
            if not labels:
                raise UnknownWindowError(f"this observation has no slit-jaw images (windows: {', '.join(self._items)}); "
                                         "read the slit-jaw files with the raster files")
            sji = labels[0]
        elif sji in self._items and sji not in labels:
            raise UnknownWindowError(f"{sji!r} is not a slit-jaw window; the slit-jaw windows are {labels}")
        return self[sji].nearest_frame(t)

    def map_items(self, func: Callable[[Any], Any]) -> Observation:
        """A new Observation with ``func`` applied to every window object."""
        return type(self)({k: func(self[k]) for k in self._items}, None, dict(self.meta))

    def info_text(self) -> str:
        """A printable summary: observation keywords and the window table.

        Examples
        --------
        >>> print(obs.info_text())  # doctest: +SKIP
        """
        from irisplug.model.description import observation_description, observation_id, summary_items

        lines = [f"Observation {observation_id(self) or '?'}: {observation_description(self) or ''}".rstrip()]
        title = {observation_id(self), observation_description(self)}
        lines.extend(f"  {key:9s} {value}" for key, value in summary_items(self) if str(value).strip() not in title)
        lines.append("")
        table = self.windows
        lines.extend(table.pformat(max_lines=-1, max_width=-1))
        return "\n".join(lines)

    def __repr__(self) -> str:
        from irisplug.model.description import observation_id

        return f"<Observation {observation_id(self) or '?'}: {', '.join(self._items)}>"

    __str__ = info_text


def _window_kind(cube: Any) -> str:
    """``spectrograph`` (a spectral world axis), ``slit-jaw`` (an image: celestial axes only) or ``other``."""
    types = [str(t) for t in getattr(cube.wcs, "world_axis_physical_types", ())]
    if any("em.wl" in t or "em.freq" in t or "em.energy" in t for t in types):
        return "spectrograph"
    return "slit-jaw" if any(t.startswith(("custom:pos.helioprojective", "pos.")) for t in types) else "other"


def _wave_range(cube: Any) -> tuple[float, float]:
    """A window's wavelength range (A): the reader's ``WAVEMIN``/``WAVEMAX``, else its passband, else NaN."""
    import astropy.units as u
    import numpy as np

    from irisplug.model.description import wave_unit
    from irisplug.model.levels import passband

    meta = cube.meta if isinstance(getattr(cube, "meta", None), Mapping) else {}
    try:
        lo, hi = float(meta["WAVEMIN"]), float(meta["WAVEMAX"])
        unit = wave_unit(meta)
        return float((lo * unit).to_value(u.AA, u.spectral())), float((hi * unit).to_value(u.AA, u.spectral()))
    except (KeyError, TypeError, ValueError):
        pass
    band = passband(cube)
    if band is not None:
        lo, hi = band.to_value(u.AA)
        return float(lo), float(hi)
    return np.nan, np.nan


def _windows_table(items: Mapping[str, Any]) -> Any:
    import astropy.units as u
    from astropy.table import Table

    rows = []
    for i, (label, obj) in enumerate(items.items()):
        if isinstance(obj, Deferred):
            d = obj.summary
            rows.append((i, label, d["kind"], str(d["detector"]), " x ".join(str(s) for s in d["shape"]),
                         float(d["wave_min"]), float(d["wave_max"]), int(d["n_files"])))
            continue
        from ndcube import NDCubeSequence

        cubes = obj.data if isinstance(obj, NDCubeSequence) else [obj]
        meta = cubes[0].meta or {}
        shape = tuple(cubes[0].data.shape)
        if isinstance(obj, NDCubeSequence):
            shape = (len(cubes), *shape)
        wmin, wmax = _wave_range(cubes[0])
        rows.append(
            (
                i,
                label,
                _window_kind(cubes[0]),
                str(meta.get("DETECTOR", "")),
                " x ".join(str(s) for s in shape),
                wmin,
                wmax,
                len(cubes),
            )
        )
    t = Table(
        rows=rows or None,
        names=("index", "label", "kind", "detector", "shape", "wave_min", "wave_max", "n_files"),
        dtype=(int, str, str, str, str, float, float, int),
    )
    t["wave_min"].unit = u.AA
    t["wave_max"].unit = u.AA
    t["wave_min"].format = "{:.2f}"
    t["wave_max"].format = "{:.2f}"
    return t
