"""The kinds of object plugins exchange, and :func:`kind_of`, the one classifier every plugin uses.

A reader returns, and a calibrator, fitter, viewer or co-aligner accepts,
objects of these kinds. They are told apart by their world coordinates
(physical types and which array axis carries them), never by an
instrument's labels:

============================  =======================================================
kind                          what it is
============================  =======================================================
``Kind.SPECTRAL_CUBE``        3-D NDCube, array axes (step, slit, wavelength): the
                              last axis spectral only, axis 1 spatial (the wavelength
                              may also vary along it: a curved slit image), axis 0
                              spatial or time (a raster scan or a sit-and-stare series)
``Kind.RASTER_SEQUENCE``      NDCubeSequence of spectral cubes (the files of a window)
``Kind.IMAGE_CUBE``           3-D NDCube, array axes (time, y, x): no spectral axis,
                              axes 1 and 2 spatial (slit-jaw-like frames)
``Kind.IMAGE_SEQUENCE``       NDCubeSequence of image cubes
``Kind.IMAGE``                a sunpy Map, or a 2-D NDCube with two spatial axes
``Kind.SPECTRA``              1-D or 2-D NDCube whose last array axis is spectral (and
                              only that): one spectrum, or the spectra along the slit of
                              one exposure (axis 0 position or time, with or without
                              world coordinates)
``Kind.DETECTOR_ARRAY``       NDCube whose WCS has no spatial or spectral world axis:
                              raw detector frames (pixel coordinates, maybe a time axis),
                              taken by calibration steps only
``Kind.OBSERVATION``          mapping label -> cubes / sequences of one observation
                              (an :class:`~irisplug.model.Observation`)
``Kind.FIT_RESULTS``          a collection (NDCollection / mapping) of 2-D images,
                              or a list of them (one per raster)
============================  =======================================================

:func:`kind_of` returns a :class:`Classified`: its ``kind`` (None when the
object is none of these) and a ``reason`` saying why, which dispatch shows
when no plugin accepts an object. :func:`accepting` builds the ``accepts``
callable of a descriptor from kinds; it returns a :class:`Verdict` (true or
false, with the reason).

Examples
--------
>>> import numpy as np, ndcube
>>> from astropy.wcs import WCS
>>> w = WCS(naxis=3); w.wcs.ctype = ["WAVE", "HPLT-TAN", "HPLN-TAN"]; w.wcs.cunit = ["Angstrom", "deg", "deg"]
>>> cube = ndcube.NDCube(np.zeros((4, 5, 6)), wcs=w)
>>> kind_of(cube).kind
<Kind.SPECTRAL_CUBE: 'spectral-cube'>
>>> w.wcs.ctype = ["HPLN-TAN", "HPLT-TAN", "WAVE"]; w.wcs.cunit = ["deg", "deg", "Angstrom"]
>>> print(kind_of(ndcube.NDCube(np.zeros((4, 5, 6)), wcs=w)).reason)
3-D cube whose spectral world axis is on array axis 0; the model wants it last: (step, slit, wavelength)
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Protocol, runtime_checkable

__all__ = [
    "Kind",
    "Classified",
    "Verdict",
    "kind_of",
    "is_sunpy_map",
    "accepting",
    "SpectralCube",
    "SPECTRAL_TYPES",
    "SPATIAL_PREFIXES",
]

#: UCD physical types of a spectral axis (astropy's ``world_axis_physical_types``)
SPECTRAL_TYPES = ("em.wl", "em.freq", "em.energy", "em.wavenumber", "spect.dopplerVeloc")
#: prefixes of spatial physical types (``custom:pos.helioprojective.lon`` included)
SPATIAL_PREFIXES = ("pos.", "custom:pos.")


class Kind(StrEnum):
    """The kinds of object of the model contract."""

    SPECTRAL_CUBE = "spectral-cube"
    RASTER_SEQUENCE = "raster-sequence"
    IMAGE_CUBE = "image-cube"
    IMAGE_SEQUENCE = "image-sequence"
    IMAGE = "image"
    SPECTRA = "spectra"
    DETECTOR_ARRAY = "detector-array"
    OBSERVATION = "observation"
    FIT_RESULTS = "fit-results"


@dataclass(frozen=True)
class Classified:
    """What :func:`kind_of` found: ``kind`` (None: not a model object), why, and the kinds inside a container.

    True when ``kind`` is not None.
    """

    kind: Kind | None
    reason: str
    parts: frozenset[Kind] = field(default_factory=frozenset)

    def __bool__(self) -> bool:
        return self.kind is not None


@dataclass(frozen=True)
class Verdict:
    """The answer of an ``accepts`` callable: true or false, with the reason dispatch reports.

    Examples
    --------
    >>> v = Verdict(False, "a 2-D image; this viewer takes spectral cubes")
    >>> bool(v), v.reason
    (False, 'a 2-D image; this viewer takes spectral cubes')
    """

    ok: bool
    reason: str = ""

    def __bool__(self) -> bool:
        return self.ok


@runtime_checkable
class SpectralCube(Protocol):
    """What a spectral cube offers: NDCube's data, WCS, unit, mask, meta and axis physical types."""

    data: Any
    wcs: Any
    unit: Any
    mask: Any
    meta: Any

    @property
    def array_axis_physical_types(self) -> list[tuple[str, ...]]: ...


def _is_spectral(t: str) -> bool:
    return any(t == s or t.startswith(s + ".") or t.startswith("custom:" + s) for s in SPECTRAL_TYPES)


def _is_spatial(t: str) -> bool:
    return t.startswith(SPATIAL_PREFIXES)


def _is_time(t: str) -> bool:
    return t == "time" or t.startswith("time.") or t == "custom:time"


def _axis_types(obj: Any) -> list[tuple[str, ...]] | None:
    try:
        types = obj.array_axis_physical_types
    except Exception:  # noqa: BLE001 - no WCS, or a WCS that cannot say: not a model cube
        return None
    return [tuple(str(t) for t in axis) for axis in types]


def is_sunpy_map(obj: Any) -> bool:
    """True when ``obj`` is a sunpy Map, without importing ``sunpy.map``.

    A Map exists only once ``sunpy.map`` is imported, so the answer is "no"
    when it is not (importing it, ~1.5 s with the scipy modules it brings,
    only to answer "no" is what this avoids).

    Examples
    --------
    >>> is_sunpy_map(42)
    False
    """
    import sys

    sunpy_map = sys.modules.get("sunpy.map")
    return sunpy_map is not None and isinstance(obj, sunpy_map.GenericMap)


def _classify_cube(obj: Any) -> Classified:
    """An NDCube-like object: decide by the number of axes and their physical types."""
    name = type(obj).__name__
    if getattr(obj, "wcs", None) is None:
        return Classified(None, f"{name} has no WCS (world coordinates are part of the model contract)")
    types = _axis_types(obj)
    if types is None:
        return Classified(None, f"{name}'s WCS gives no physical types per array axis")
    ndim = len(types)
    spectral = [i for i, t in enumerate(types) if any(_is_spectral(x) for x in t)]
    spatial = [i for i, t in enumerate(types) if any(_is_spatial(x) for x in t)]
    timed = [i for i, t in enumerate(types) if any(_is_time(x) for x in t)]
    shown = "; ".join(f"axis {i}: {', '.join(t) or 'none'}" for i, t in enumerate(types))
    if not spectral and not spatial:
        return Classified(Kind.DETECTOR_ARRAY, f"{ndim}-D detector array (no spatial or spectral world axis)")
    if ndim == 3:
        if spectral:
            if 2 not in spectral or 0 in spectral:
                where = ", ".join(map(str, spectral))
                return Classified(None, f"3-D cube whose spectral world axis is on array axis {where}; the model "
                                        "wants it last: (step, slit, wavelength)")
            if not all(_is_spectral(x) for x in types[2]):
                return Classified(None, f"3-D cube whose last array axis mixes spectral and other world axes ({shown})")
            if 1 not in spatial:
                return Classified(None, f"3-D spectral cube whose array axis 1 is not spatial ({shown}); "
                                        "the model wants (step, slit, wavelength)")
            if 0 not in spatial and 0 not in timed:
                return Classified(None, f"3-D spectral cube whose array axis 0 is neither spatial nor time ({shown})")
            return Classified(Kind.SPECTRAL_CUBE, "3-D cube (step, slit, wavelength)")
        if 1 in spatial and 2 in spatial:
            if 0 not in timed and 0 not in spatial:
                return Classified(None, f"3-D cube whose array axis 0 is neither time nor spatial ({shown}); "
                                        "an image cube is (time, y, x)")
            return Classified(Kind.IMAGE_CUBE, "3-D cube (time, y, x)")
        return Classified(None, f"3-D cube with no spectral axis and array axes 1, 2 not both spatial ({shown})")
    if ndim == 2:
        if spectral:
            # the last array axis purely spectral; axis 0 may carry the wavelength too where it varies with the
            # position or time (a wavelength table per slit position: one frame of a 3-D spectral cube)
            if (1 in spectral and all(_is_spectral(x) for x in types[1])
                    and (0 not in spectral or 0 in spatial or 0 in timed)):
                return Classified(Kind.SPECTRA, "2-D spectra (position or time, wavelength)")
            return Classified(None, f"2-D cube whose spectral world axis is not the last array axis alone, nor "
                                    f"shared only with a spatial or time axis 0 ({shown})")
        if spatial == [0, 1]:
            return Classified(Kind.IMAGE, "2-D image with spatial axes")
        return Classified(None, f"2-D cube whose axes are not both spatial ({shown})")
    if ndim == 1:
        if spectral == [0]:
            return Classified(Kind.SPECTRA, "1-D spectrum")
        return Classified(None, f"1-D cube without a spectral axis ({shown})")
    return Classified(None, f"{ndim}-D cube: the model has 1-D spectra, 2-D images and 3-D cubes ({shown})")


def _classify_sequence(obj: Any) -> Classified:
    cubes = list(obj.data)
    if not cubes:
        return Classified(None, "an empty NDCubeSequence")
    inner = [_classify_cube(c) for c in cubes]
    kinds = {c.kind for c in inner}
    if kinds == {Kind.SPECTRAL_CUBE}:
        return Classified(Kind.RASTER_SEQUENCE, f"sequence of {len(cubes)} spectral cubes", frozenset(kinds))
    if kinds == {Kind.IMAGE_CUBE}:
        return Classified(Kind.IMAGE_SEQUENCE, f"sequence of {len(cubes)} image cubes", frozenset(kinds))
    first_bad = next((c for c in inner if c.kind is None), inner[0])
    return Classified(None, f"NDCubeSequence of mixed or unknown cubes: {first_bad.reason}")


def _deferred_kind(item: Any) -> Kind | None:
    """The kind of a not yet built observation window, from its summary (no data read)."""
    kind = item.summary.get("kind")
    if kind == "spectrograph":
        return Kind.RASTER_SEQUENCE
    if kind == "slit-jaw":
        return Kind.IMAGE_CUBE
    return None


def _mapping_items(obj: Any) -> Iterable[Any]:
    from irisplug.model.observation import Deferred, Observation

    if isinstance(obj, Observation):
        for item in obj._items.values():  # same package: read deferred windows' summaries without building them
            yield _deferred_kind(item) if isinstance(item, Deferred) else item
        return
    yield from obj.values()


def _classify_mapping(obj: Any) -> Classified:
    name = type(obj).__name__
    kinds: set[Kind] = set()
    unknown: list[str] = []
    try:
        items = list(_mapping_items(obj))
    except Exception as exc:  # noqa: BLE001 - an odd mapping is simply not a model object
        return Classified(None, f"{name}: its values cannot be listed ({exc})")
    if not items:
        return Classified(None, f"an empty {name}")
    for item in items:
        if isinstance(item, Kind):
            kinds.add(item)
            continue
        c = kind_of(item)
        if c.kind is None:
            unknown.append(c.reason)
        elif c.kind is Kind.DETECTOR_ARRAY and len(getattr(item, "shape", getattr(item.data, "shape", ()))) == 2:
            kinds.add(Kind.IMAGE)  # a 2-D map in pixel coordinates (fit results of plain arrays)
        else:
            kinds.add(c.kind)
    if kinds and kinds <= {Kind.IMAGE}:
        if unknown:
            return Classified(None, f"{name} of images and other objects: {unknown[0]}")
        return Classified(Kind.FIT_RESULTS, f"collection of {len(items)} 2-D images", frozenset(kinds))
    cubes = {Kind.SPECTRAL_CUBE, Kind.RASTER_SEQUENCE, Kind.IMAGE_CUBE, Kind.IMAGE_SEQUENCE, Kind.DETECTOR_ARRAY,
             Kind.SPECTRA}
    if kinds & cubes:
        return Classified(Kind.OBSERVATION, f"observation with {', '.join(sorted(k.value for k in kinds))}",
                          frozenset(kinds))
    return Classified(None, f"{name} holds no spectral or image cube" + (f" ({unknown[0]})" if unknown else ""))


def kind_of(obj: Any) -> Classified:
    """The kind of ``obj`` in the model contract, or None with the reason.

    Parameters
    ----------
    obj
        Anything a reader returns or a plugin is handed.

    Returns
    -------
    Classified
        ``kind`` (a :class:`Kind` or None), ``reason`` and, for containers,
        ``parts`` (the kinds inside).

    Examples
    --------
    >>> kind_of(42).kind is None, kind_of(42).reason
    (True, 'int is not an NDCube, NDCubeSequence, sunpy Map or collection of them')
    """
    from ndcube import NDCube, NDCubeSequence

    if isinstance(obj, NDCubeSequence):
        return _classify_sequence(obj)
    if isinstance(obj, NDCube):
        return _classify_cube(obj)
    if is_sunpy_map(obj):
        return Classified(Kind.IMAGE, "sunpy Map")
    if isinstance(obj, Mapping) or (hasattr(obj, "keys") and hasattr(obj, "values") and not hasattr(obj, "wcs")):
        return _classify_mapping(obj)
    if isinstance(obj, (list, tuple)) and obj:
        inner = [kind_of(o) for o in obj]
        if all(c.kind in (Kind.FIT_RESULTS, Kind.IMAGE) for c in inner) and any(c.kind is Kind.FIT_RESULTS for c in inner):
            return Classified(Kind.FIT_RESULTS, f"list of {len(obj)} fit-result collections", frozenset({Kind.IMAGE}))
        return Classified(None, f"a {type(obj).__name__} of {len(obj)} objects that are not fit-result collections")
    return Classified(None, f"{type(obj).__name__} is not an NDCube, NDCubeSequence, sunpy Map or collection of them")


def accepting(*kinds: Kind, what: str = "", containing: Iterable[Kind] = ()) -> Callable[[Any], Verdict]:
    """An ``accepts`` callable for a descriptor: true for objects of ``kinds``.

    Parameters
    ----------
    *kinds
        The kinds the contribution takes.
    what
        Names the contribution in the reason (``"the raster viewer"``).
    containing
        For ``Kind.OBSERVATION`` (and other containers): at least one of these
        kinds must be inside.

    Examples
    --------
    >>> accepts = accepting(Kind.SPECTRAL_CUBE, what="this fitter")
    >>> v = accepts(42)
    >>> bool(v), v.reason
    (False, 'int is not an NDCube, NDCubeSequence, sunpy Map or collection of them; this fitter takes spectral-cube')
    """
    wanted = tuple(Kind(k) for k in kinds)
    inside = frozenset(Kind(k) for k in containing)
    who = what or "it"
    names = ", ".join(k.value for k in wanted)

    def accepts(obj: Any) -> Verdict:
        c = kind_of(obj)
        if c.kind is None:
            return Verdict(False, f"{c.reason}; {who} takes {names}")
        if c.kind not in wanted:
            return Verdict(False, f"a {c.kind.value} ({c.reason}); {who} takes {names}")
        if inside and c.parts and not (c.parts & inside):
            holds = ", ".join(sorted(k.value for k in c.parts))
            return Verdict(False, f"a {c.kind.value} holding {holds}; {who} needs one holding "
                                  f"{', '.join(sorted(k.value for k in inside))}")
        return Verdict(True, c.reason)

    accepts.__qualname__ = f"accepting({names})"
    return accepts
