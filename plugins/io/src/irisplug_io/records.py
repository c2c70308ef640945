"""The record format of irisplug's own files: model objects flattened into plain records, and rebuilt.

Shared by the FITS and ASDF writers/readers of this plugin: every cube becomes
a record with its data, mask, unit, WCS description (a per-exposure WCS as
its parameters plus any slicing; a FITS WCS as header cards; a gwcs as the
object), metadata and per-exposure values, all JSON-friendly except the
arrays and the gwcs.

An ndcube ``NDCollection`` of NDCubes (e.g. the fit plugin's parameter
maps) is kind ``"collection"``: one record per member in key order
(``label`` = key, ``index`` = position) and the top-level meta
``{"meta": <collection meta or None>, "aligned_axes": [[...] per key] or None}``.

A cube's uncertainty (astropy ``StdDevUncertainty``, ``VarianceUncertainty``
or ``InverseVariance``, as CCDData's FITS files support) travels as a
second array beside the data, described in the record as
``"uncertainty": {"class": <class name>, "unit": <unit string or null>}``
(``null`` without uncertainty).

Format versions (the FITS ``IRISPLUG`` card, the ASDF ``version``):
``"1"`` had no uncertainty (its files read back with ``uncertainty=None``);
``"2"`` adds it; ASDF ``"3"`` stores each cube through ndcube's and
asdf-astropy's converters. FITS ``"3"`` (:data:`FORMAT_VERSION`) and ASDF ``"4"``
(:data:`ASDF_FORMAT_VERSION`) add to the records the cube's ndcube extra
coordinates (``extra_coords``, :mod:`irisplug_io.extra_coords`), the NDMeta
axes of its metadata (``meta_axes``), the slicing of a FITS WCS
(``wcs["slices"]``), ``"dimensionless"`` as a unit and the exact tags of
:mod:`irisplug_io.values` (tuples, bytes, numpy scalars, tables, SkyCoords,
times in their own scale): an older reader would drop or misread them, so it
refuses these files.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from irisplug_io.values import MetadataConversionWarning, decode_value, encode_value

__all__ = ["CubeRecord", "flatten", "rebuild", "encode_value", "decode_value", "uncertainty_from_spec",
           "check_format_version", "storable_records", "writable_cubes", "structure", "is_gwcs", "wcs_spec",
           "wcs_from_spec", "fits_cards", "unit_string", "unit_from_string", "MetadataConversionWarning", "FORMAT_VERSION", "ASDF_FORMAT_VERSION",
           "UNCERTAINTY_CLASSES"]

#: Format version of the FITS files written (and the newest FITS version read).
FORMAT_VERSION = "3"
#: Format version of the ASDF files written (and the newest ASDF version read).
ASDF_FORMAT_VERSION = "4"

#: Uncertainty classes the writers store, by the name files record (astropy CCDData's set).
UNCERTAINTY_CLASSES = ("StdDevUncertainty", "VarianceUncertainty", "InverseVariance")


def check_format_version(version: Any, path: Any, newest: str = FORMAT_VERSION) -> int:
    """The format version of a file as a number; refuse one written by a newer irisplug (content could be lost).

    Parameters
    ----------
    version
        The file's version (FITS ``IRISPLUG`` card, ASDF ``version``).
    path
        The file, for the error message.
    newest
        The newest version this code reads of that format (FITS: :data:`FORMAT_VERSION`,
        ASDF: :data:`ASDF_FORMAT_VERSION`).

    Raises
    ------
    CorruptFileError
        ``version`` is not a format version number this irisplug reads.

    Examples
    --------
    >>> check_format_version("1", "old.fits")
    1
    >>> check_format_version(ASDF_FORMAT_VERSION, "new.asdf", newest=ASDF_FORMAT_VERSION)
    4
    """
    from irisplug.errors import CorruptFileError

    try:
        number = int(str(version).strip())
    except ValueError:
        raise CorruptFileError(f"irisplug format version {version!r} is not a number; the file is damaged",
                               path=path) from None
    if not 1 <= number <= int(newest):
        raise CorruptFileError(
            f"written in irisplug format version {number}; this irisplug reads versions 1 to {newest}: "
            "upgrade irisplug-io to read it", path=path)
    return number


def _encode_slices(slices: list[Any]) -> list[Any]:
    return [s if isinstance(s, (int, np.integer)) and not isinstance(s, bool) else [s.start, s.stop, s.step] for s in slices]


def decode_slices(items: list[Any]) -> list[Any]:
    """The slices a record stores (an integer, or ``[start, stop, step]``), as Python ints and slices."""
    return [int(s) if not isinstance(s, list) else slice(*s) for s in items]


def is_gwcs(wcs: Any) -> bool:
    """True for a ``gwcs.WCS`` (stored by the ASDF writer only: FITS cannot describe it)."""
    return type(wcs).__module__.split(".")[0] == "gwcs"


def _whole(slices: list[Any]) -> bool:
    return all(isinstance(s, slice) and s == slice(None) for s in slices)


def wcs_spec(wcs: Any) -> dict[str, Any]:
    """Describe a cube's WCS: per-exposure parameters, FITS header cards or a gwcs, each with its slicing.

    A gwcs is kept as the object itself under ``"object"`` (the ASDF writer
    stores it with asdf's own gwcs schema; :meth:`CubeRecord.json` leaves it out).
    A sliced FITS WCS is the header of the WCS under the slicing plus
    ``"slices"`` (pixel order): exact whatever the slicing (integers on axes
    coupled through PC terms or a celestial projection included).

    Raises
    ------
    UnsupportedObjectError
        Any other WCS (e.g. ndcube's compound or resampled WCS), named in the message.

    Examples
    --------
    >>> import numpy as np
    >>> from astropy.wcs import WCS
    >>> from ndcube import NDCube
    >>> spec = wcs_spec(NDCube(np.zeros((4, 5)), wcs=WCS(naxis=2))[1:3].wcs)
    >>> spec["kind"], spec["slices"]
    ('fits', [[None, None, None], [1, 3, None]])
    """
    from irisplug.model import PerExposureWCS, unwrap_wcs

    base, slices = unwrap_wcs(wcs)
    if isinstance(base, PerExposureWCS):
        return {"kind": "per_exposure", "params": encode_value(base.to_dict()), "slices": _encode_slices(slices)}
    if is_gwcs(base):
        return {"kind": "gwcs", "object": base, "slices": _encode_slices(slices)}
    from astropy.wcs import WCS

    if isinstance(base, WCS):
        spec = {"kind": "fits", "header": {k: v for k, v in base.to_header(relax=True).items()}}
        if not _whole(slices):
            spec["slices"] = _encode_slices(slices)
        return spec
    from irisplug.errors import UnsupportedObjectError

    raise UnsupportedObjectError(f"cannot store a {type(base).__module__}.{type(base).__name__} WCS: the writers store "
                                 "FITS, per-exposure and gwcs WCSs, whole or sliced")


def fits_cards(spec: dict[str, Any]) -> dict[str, Any] | None:
    """FITS WCS cards equivalent to a ``"fits"`` spec on the sliced array, or None when none exist.

    Slices with step 1 shift the reference pixel (astropy's ``WCS.slice``);
    an integer index drops a pixel axis, which a FITS header of the remaining
    axes cannot describe exactly in general (the record keeps it exactly).

    Examples
    --------
    >>> from astropy.wcs import WCS
    >>> cards = fits_cards({"kind": "fits", "header": dict(WCS(naxis=2).to_header()), "slices": [[2, 5, None], [None, None, None]]})
    >>> cards["CRPIX1"]
    -2.0
    """
    slices = decode_slices(spec.get("slices") or [])
    if _whole(slices):
        return spec["header"]
    if not all(isinstance(s, slice) and s.step in (None, 1) and (s.start or 0) >= 0 for s in slices):
        return None
    # a range moves the reference pixel by its start (what astropy's WCS.slice does; done here because
    # astropy before 7 needs NAXISn, which a WCS's header does not hold)
    cards = dict(spec["header"])
    for axis, s in enumerate(slices, start=1):
        if s.start:
            cards[f"CRPIX{axis}"] = float(cards.get(f"CRPIX{axis}", 0.0)) - s.start
    return cards


def wcs_from_spec(spec: dict[str, Any]) -> Any:
    """Rebuild the WCS described by :func:`wcs_spec` (a gwcs spec needs its ``"object"`` back from the file).

    A spec of kind ``"object"`` holds the WCS already rebuilt under ``"object"``
    (ASDF format version 3: by the asdf converters); it is returned as is.
    """
    from irisplug.model import rewrap_wcs

    if spec["kind"] == "object":
        return spec["object"]
    if spec["kind"] == "per_exposure":
        from irisplug.model import PerExposureWCS

        return rewrap_wcs(PerExposureWCS.from_dict(decode_value(spec["params"])), decode_slices(spec["slices"]))
    if spec["kind"] == "gwcs":
        return rewrap_wcs(spec["object"], decode_slices(spec["slices"]))
    from astropy.io import fits
    from astropy.wcs import WCS

    base = WCS(fits.Header(spec["header"]))
    return rewrap_wcs(base, decode_slices(spec["slices"])) if spec.get("slices") else base


def unit_string(unit: Any) -> str:
    """How a record stores a cube's unit: ``""`` for none, ``"dimensionless"`` for astropy's dimensionless unit.

    Examples
    --------
    >>> import astropy.units as u
    >>> unit_string(None), unit_string(u.dimensionless_unscaled), unit_string(u.DN / u.s)
    ('', 'dimensionless', 'DN / s')
    """
    if unit is None:
        return ""
    return unit.to_string() or "dimensionless"  # astropy spells dimensionless as "" (which files read as no unit)


def unit_from_string(text: str | None) -> Any:
    """Inverse of :func:`unit_string` (``""`` or None: no unit)."""
    import astropy.units as u

    if not text:
        return None
    return u.dimensionless_unscaled if text == "dimensionless" else u.Unit(text)


@dataclass
class CubeRecord:
    """One cube, flattened."""

    label: str
    index: int
    cls: str
    data: Any
    mask: Any
    unit: str
    wcs: dict[str, Any]
    meta: dict[str, Any] = field(default_factory=dict)
    uncertainty: Any = None  # the cube's NDUncertainty object, checked by uncertainty_parts()
    wcs_object: Any = None  # the cube's own (high-level) WCS, for writers that store WCS objects (ASDF)
    extra_coords: dict[str, Any] | None = None  # irisplug_io.extra_coords.extra_coords_spec of the cube
    meta_axes: dict[str, list[int]] | None = None  # NDMeta axes of keys other than the per-exposure ones

    def where(self) -> str:
        """How error messages name this cube (label and index)."""
        label = f"{self.label!r} " if self.label else ""
        return f"cube {label}#{self.index} ({self.cls})" if self.index >= 0 else f"cube {label}({self.cls})"

    def uncertainty_parts(self, path: Any = None) -> tuple[Any, dict[str, Any]] | None:
        """``(array, spec)`` of the cube's uncertainty, or None without one.

        ``spec`` is ``{"class": name, "unit": unit string or None}``; the
        array is the uncertainty's own (not copied, dask stays dask).

        Raises
        ------
        UnsupportedObjectError
            The uncertainty is not one of :data:`UNCERTAINTY_CLASSES` (exactly:
            a subclass may hold more than its array), has no array, or is a scalar.

        Examples
        --------
        >>> import numpy as np
        >>> from astropy.nddata import VarianceUncertainty
        >>> from astropy.wcs import WCS
        >>> from ndcube import NDCube
        >>> cube = NDCube(np.ones(3), wcs=WCS(naxis=1), uncertainty=VarianceUncertainty(np.full(3, 0.5)))
        >>> _, _, [rec] = flatten(cube)
        >>> arr, spec = rec.uncertainty_parts()
        >>> spec
        {'class': 'VarianceUncertainty', 'unit': None}
        """
        unc = self.uncertainty
        if unc is None:
            return None
        import astropy.nddata as nddata

        from irisplug.errors import UnsupportedObjectError

        name = type(unc).__name__
        if name not in UNCERTAINTY_CLASSES or type(unc) is not getattr(nddata, name):
            raise UnsupportedObjectError(
                f"cannot store the uncertainty of {self.where()}: a {type(unc).__module__}.{name}; the writers store "
                f"only astropy's {', '.join(UNCERTAINTY_CLASSES)} (convert it, e.g. StdDevUncertainty(values, unit=...), "
                "or drop it explicitly with cube.uncertainty = None before writing)", path=path)
        array = unc.array
        if array is None or np.ndim(array) == 0:
            raise UnsupportedObjectError(
                f"cannot store the uncertainty of {self.where()}: its array is "
                f"{'missing' if array is None else 'a scalar'}; give an array (np.broadcast_to the data shape)", path=path)
        kind = np.dtype(array.dtype).kind
        if kind not in "fiu":
            raise UnsupportedObjectError(
                f"cannot store the uncertainty of {self.where()}: dtype {array.dtype} is not a real number type", path=path)
        unit = getattr(unc, "unit", None)
        return array, {"class": name, "unit": None if unit is None else unit.to_string()}

    def json(self) -> str:
        """The record without its arrays, as JSON."""
        parts = self.uncertainty_parts()
        wcs = {k: v for k, v in self.wcs.items() if k != "object"}
        return json.dumps({"label": self.label, "index": self.index, "cls": self.cls, "unit": self.unit, "wcs": wcs,
                           "meta": self.meta, "uncertainty": None if parts is None else parts[1],
                           "extra_coords": self.extra_coords, "meta_axes": self.meta_axes})


def _encode_meta(meta: Any, converted: list[str], where: str) -> dict[str, Any]:
    """A metadata mapping as a JSON dict (keys that are not strings are written as strings and reported)."""
    out = {}
    for k, v in dict(meta or {}).items():
        if not isinstance(k, str):
            converted.append(f"{where} key {k!r} ({type(k).__name__} written as str)")
        out[str(k)] = encode_value(v, converted, f"{where}[{k!r}]")
    return out


def _meta_axes(meta: Any) -> dict[str, list[int]] | None:
    """The NDMeta axes of ``meta`` (None for a plain mapping); the per-exposure keys are re-tied by the reader."""
    from ndcube import NDMeta

    if not isinstance(meta, NDMeta):
        return None
    return {str(k): np.atleast_1d(v).astype(int).tolist() for k, v in meta.axes.items()
            if not str(k).startswith("per_exposure:")}


def _cube_record(cube: Any, label: str, index: int, converted: list[str]) -> CubeRecord:
    from irisplug_io.extra_coords import extra_coords_spec

    where = f"cube {label!r} #{index}" if label else f"cube #{index}"
    meta = _encode_meta(cube.meta, converted, f"{where} meta")
    mask = cube.mask
    if mask is not None and np.ndim(mask) == 0:  # a scalar mask: True masks everything, False nothing
        mask = np.broadcast_to(np.asarray(mask, bool), np.shape(cube.data)) if bool(mask) else None
    return CubeRecord(label, index, type(cube).__name__, cube.data, mask, unit_string(cube.unit),
                      wcs_spec(cube.wcs), meta, cube.uncertainty, cube.wcs, extra_coords_spec(cube, where),
                      _meta_axes(cube.meta))


def _check_collection(obj: Any) -> None:
    """Refuse an ``NDCollection`` the writers cannot store (a subclass, non-string keys, members that are not NDCubes)."""
    from ndcube import NDCollection, NDCube

    from irisplug.errors import UnsupportedObjectError

    if type(obj) is not NDCollection:
        raise UnsupportedObjectError(
            f"cannot write a {type(obj).__name__}: it is an NDCollection subclass whose extra content would be "
            "lost; write its cubes, or a plain NDCollection of them")
    for key, item in obj.items():
        if not isinstance(key, str):
            raise UnsupportedObjectError(f"cannot write an NDCollection with the non-string key {key!r}: use string keys")
        if not isinstance(item, NDCube):
            raise UnsupportedObjectError(
                f"cannot write NDCollection member {key!r}: a {type(item).__name__}, not an NDCube; "
                "every member must be an NDCube (write nested collections or sequences separately)")


def _collection_parts(obj: Any, converted: list[str]) -> tuple[dict[str, Any], list[CubeRecord]]:
    """Top-level meta and member records of a plain ``NDCollection`` of NDCubes."""
    aligned = obj.aligned_axes
    top = {
        "meta": None if obj.meta is None else _encode_meta(obj.meta, converted, "collection meta"),
        "aligned_axes": None if aligned is None else [[int(a) for a in aligned[k]] for k in obj],
    }
    return top, [_cube_record(c, key, i, converted) for i, (key, c) in enumerate(obj.items())]


def structure(obj: Any) -> tuple[str, list[tuple[Any, str, int]]]:
    """``(kind, [(cube, label, index)])`` of what the writers store, without encoding anything.

    Raises
    ------
    UnsupportedObjectError
        ``obj`` is no cube, sequence, Observation or plain NDCollection of NDCubes.

    Examples
    --------
    >>> import numpy as np
    >>> from astropy.wcs import WCS
    >>> from ndcube import NDCube
    >>> kind, cubes = structure(NDCube(np.zeros(3), wcs=WCS(naxis=1)))
    >>> kind, [(label, index) for _, label, index in cubes]
    ('cube', [('', 0)])
    """
    from ndcube import NDCollection, NDCube, NDCubeSequence

    from irisplug.errors import UnsupportedObjectError

    if isinstance(obj, NDCube):
        return "cube", [(obj, "", 0)]
    if isinstance(obj, NDCubeSequence):
        return "sequence", [(c, "", i) for i, c in enumerate(obj.data)]
    if isinstance(obj, NDCollection):
        _check_collection(obj)
        return "collection", [(c, key, i) for i, (key, c) in enumerate(obj.items())]
    if hasattr(obj, "windows") and hasattr(obj, "items"):
        cubes = []
        for label, item in obj.items():
            if isinstance(item, NDCubeSequence):
                cubes += [(c, label, i) for i, c in enumerate(item.data)]
            else:
                cubes.append((item, label, -1))
        return "observation", cubes
    raise UnsupportedObjectError(
        f"cannot write a {type(obj).__name__}: give a cube, a sequence, an Observation or an NDCollection of NDCubes")


def _warn_converted(converted: list[str]) -> None:
    import warnings

    if converted:
        warnings.warn(MetadataConversionWarning(
            f"{len(converted)} metadata value(s) have no exact form in irisplug's files and were written as their "
            f"str(): {'; '.join(converted)}"), stacklevel=4)


def flatten(obj: Any, *, warn: bool = True) -> tuple[str, dict[str, Any], list[CubeRecord]]:
    """``(kind, top-level meta, records)`` for a cube, a sequence, an observation or an NDCollection of NDCubes.

    Parameters
    ----------
    obj
        An NDCube (any WCS :func:`wcs_spec` describes), an NDCubeSequence, an
        ``irisplug.model.Observation`` or a plain ``NDCollection`` whose members
        are all such NDCubes.
    warn
        Warn once (:class:`~irisplug_io.values.MetadataConversionWarning`, naming
        the keys) when metadata values had to be written as their ``str()``.

    Returns
    -------
    tuple
        ``(kind, meta, records)``: kind is ``"cube"``, ``"sequence"``,
        ``"observation"`` or ``"collection"``; meta is JSON-friendly;
        records are :class:`CubeRecord` (arrays not copied).

    Raises
    ------
    UnsupportedObjectError
        For anything else (e.g. a collection holding a nested collection or a
        plain array), a WCS or an extra coordinate the writers cannot store.

    Examples
    --------
    >>> import numpy as np
    >>> from astropy.wcs import WCS
    >>> from ndcube import NDCollection, NDCube
    >>> w = WCS(naxis=2)
    >>> maps = NDCollection([("a", NDCube(np.zeros((2, 3)), wcs=w)), ("b", NDCube(np.ones((2, 3)), wcs=w))],
    ...                     aligned_axes="all")
    >>> kind, meta, records = flatten(maps)
    >>> kind, meta["aligned_axes"], [r.label for r in records]
    ('collection', [[0, 1], [0, 1]], ['a', 'b'])
    """
    kind, cubes = structure(obj)
    converted: list[str] = []
    if kind == "collection":
        top, records = _collection_parts(obj, converted)
    else:
        top = {} if kind == "cube" else _encode_meta(obj.meta, converted, f"{kind} meta")
        records = [_cube_record(c, label, index, converted) for c, label, index in cubes]
    if warn:
        _warn_converted(converted)
    return kind, top, records


def storable_records(obj: Any) -> list[CubeRecord] | None:
    """The cube records of ``obj``, or None when the writers cannot store it (answers, never raises).

    Examples
    --------
    >>> import numpy as np
    >>> from ndcube import NDCollection
    >>> storable_records(NDCollection([("a", np.zeros(3))])) is None
    True
    """
    try:
        return flatten(obj, warn=False)[2]
    except Exception:  # noqa: BLE001
        return None


def writable_cubes(obj: Any) -> list[Any] | None:
    """The cubes of ``obj`` when it is an object the writers store (for ``accepts``), else None; never raises.

    Only the structure is checked: content the writers cannot store (an
    uncertainty class, a WCS, an extra coordinate) makes the writer raise an
    ``UnsupportedObjectError`` naming it, instead of a generic "no writer".

    Examples
    --------
    >>> import numpy as np
    >>> from ndcube import NDCollection
    >>> writable_cubes(NDCollection([("a", np.zeros(3))])) is None
    True
    """
    try:
        return [c for c, _, _ in structure(obj)[1]]
    except Exception:  # noqa: BLE001
        return None


def uncertainty_from_spec(spec: dict[str, Any] | None, array: Any, path: Any = None) -> Any:
    """The astropy uncertainty a record's ``"uncertainty"`` spec describes, around ``array`` (not copied).

    Raises
    ------
    CorruptFileError
        The spec names a class the writers never store, or a unit astropy cannot parse.

    Examples
    --------
    >>> import numpy as np
    >>> uncertainty_from_spec({"class": "StdDevUncertainty", "unit": "DN"}, np.ones(2))
    StdDevUncertainty([1., 1.])
    >>> uncertainty_from_spec(None, None) is None
    True
    """
    if spec is None:
        return None
    import astropy.nddata as nddata
    import astropy.units as u

    from irisplug.errors import CorruptFileError

    name = spec.get("class")
    if name not in UNCERTAINTY_CLASSES:
        raise CorruptFileError(f"uncertainty class {name!r} is not one irisplug writes ({', '.join(UNCERTAINTY_CLASSES)})",
                               path=path)
    try:
        unit = None if spec.get("unit") is None else u.Unit(spec["unit"])
    except ValueError as exc:
        raise CorruptFileError(f"uncertainty unit {spec['unit']!r} is not an astropy unit ({exc})", path=path) from exc
    return getattr(nddata, name)(array, unit=unit, copy=False)


def _record_meta(rec: dict[str, Any]) -> Any:
    """A record's metadata: per-exposure values tied to axis 0, other NDMeta keys to their axes."""
    from irisplug.model import attach_exposure_coords

    raw_meta = {k: decode_value(v) for k, v in rec["meta"].items()}
    per = {k[len("per_exposure:"):]: v for k, v in raw_meta.items() if k.startswith("per_exposure:")}
    plain = {k: v for k, v in raw_meta.items() if not k.startswith("per_exposure:")}
    axes = rec.get("meta_axes")
    if not per and axes is None:
        return plain
    meta = attach_exposure_coords(plain, per)
    for key, key_axes in (axes or {}).items():
        meta.add(key, meta[key], axes=tuple(key_axes), overwrite=True)
    return meta


def _cube_from_record(rec: dict[str, Any], data: Any, mask: Any, uncertainty: Any = None) -> Any:
    from ndcube import NDCube

    from irisplug.model import ImageCube, RasterCube, SJICube
    from irisplug_io.extra_coords import apply_extra_coords

    classes = {"RasterCube": RasterCube, "SJICube": SJICube, "ImageCube": ImageCube}
    cls = classes.get(rec["cls"], NDCube)
    cube = cls(data, wcs=wcs_from_spec(rec["wcs"]), unit=unit_from_string(rec["unit"]), mask=mask, meta=_record_meta(rec),
               uncertainty=uncertainty)
    return apply_extra_coords(cube, rec.get("extra_coords"))


def _rebuild_collection(meta: dict[str, Any], cubes: list[tuple[dict[str, Any], Any]]) -> Any:
    from ndcube import NDCollection

    items = [(rec["label"], cube) for rec, cube in sorted(cubes, key=lambda rc: rc[0]["index"])]
    aligned = meta.get("aligned_axes")
    aligned = None if aligned is None or not items else tuple(tuple(a) for a in aligned)
    coll_meta = meta.get("meta")
    coll_meta = None if coll_meta is None else {k: decode_value(v) for k, v in coll_meta.items()}
    return NDCollection(items, aligned_axes=aligned, meta=coll_meta)


def rebuild(kind: str, meta: dict[str, Any], records: list[tuple[Any, ...]]) -> Any:
    """The object :func:`flatten` was given, from ``(record json dict, data, mask[, uncertainty])`` tuples.

    ``uncertainty`` (optional, default None) is the astropy uncertainty
    object, e.g. from :func:`uncertainty_from_spec`.

    Examples
    --------
    >>> import json
    >>> kind, meta, recs = flatten(maps)  # doctest: +SKIP
    >>> back = rebuild(kind, meta, [(json.loads(r.json()), r.data, r.mask) for r in recs])  # doctest: +SKIP
    >>> list(back) == list(maps)  # doctest: +SKIP
    True
    """
    from irisplug.model import Observation, RasterSequence

    cubes = [(rec[0], _cube_from_record(*rec)) for rec in records]
    if kind == "collection":
        return _rebuild_collection(meta, cubes)
    meta = {k: decode_value(v) for k, v in meta.items()}
    if kind == "cube":
        return cubes[0][1]
    if kind == "sequence":
        return RasterSequence([c for _, c in cubes], common_axis=0, meta=meta)
    items: dict[str, Any] = {}
    for rec, cube in cubes:
        if rec["index"] < 0:
            items[rec["label"]] = cube
        else:
            items.setdefault(rec["label"], []).append(cube)
    items = {k: (RasterSequence(v, common_axis=0, meta=dict(v[0].meta)) if isinstance(v, list) else v) for k, v in items.items()}
    return Observation(items, meta=meta)
