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
``"2"`` adds it; ``"3"`` (ASDF only, :data:`ASDF_FORMAT_VERSION`) stores each
cube through ndcube's and asdf-astropy's converters. FITS files are still
written as version ``"2"`` (:data:`FORMAT_VERSION`): their layout did not change.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import numpy as np

__all__ = ["CubeRecord", "flatten", "rebuild", "encode_value", "decode_value", "uncertainty_from_spec",
           "check_format_version", "storable_records", "is_gwcs", "wcs_spec", "wcs_from_spec", "FORMAT_VERSION", "ASDF_FORMAT_VERSION",
           "UNCERTAINTY_CLASSES"]

#: Format version of the FITS files written (and the newest FITS version read).
FORMAT_VERSION = "2"
#: Format version of the ASDF files written (and the newest ASDF version read).
ASDF_FORMAT_VERSION = "3"

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
    3
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


def encode_value(value: Any) -> Any:
    """A JSON-friendly form of a metadata value (Time, Quantity, arrays kept exactly)."""
    import astropy.units as u
    from astropy.time import Time

    if isinstance(value, Time):
        t = value.utc
        return {"__time__": {"jd1": np.asarray(t.jd1).tolist(), "jd2": np.asarray(t.jd2).tolist()}, "scale": "utc"}
    if isinstance(value, u.Quantity):
        return {"__quantity__": np.asarray(value.value).tolist(), "unit": value.unit.to_string()}
    if isinstance(value, np.ndarray):
        return {"__array__": value.tolist(), "dtype": value.dtype.str}
    if isinstance(value, np.generic):
        return value.item()
    if isinstance(value, dict):
        return {str(k): encode_value(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [encode_value(v) for v in value]
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    return str(value)


def decode_value(value: Any) -> Any:
    """Inverse of :func:`encode_value`.

    A tagged value (time, quantity, array) that cannot be rebuilt raises ``ValueError`` naming the tag,
    whatever astropy or numpy raised (astropy's ``ScaleValueError`` for a damaged time scale is no ``ValueError``):
    the readers turn it into a ``CorruptFileError`` naming the file.

    Examples
    --------
    >>> decode_value({"__quantity__": [1.0, 2.0], "unit": "Angstrom"})
    <Quantity [1., 2.] Angstrom>
    >>> decode_value({"__time__": {"jd1": [2456746.0], "jd2": [0.1]}, "scale": "inf"})  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ValueError: damaged __time__ value in the irisplug records (ScaleValueError: Scale ...inf... is not in the allowed scales ...)
    """
    if isinstance(value, dict):
        tag = next((t for t in ("__time__", "__quantity__", "__array__") if t in value), None)
        if tag is not None:
            try:
                return _decode_tagged(tag, value)
            except Exception as exc:  # any failure to rebuild a stored value is damage to the records
                raise ValueError(f"damaged {tag} value in the irisplug records ({type(exc).__name__}: {exc})") from exc
        return {k: decode_value(v) for k, v in value.items()}
    if isinstance(value, list):
        return [decode_value(v) for v in value]
    return value


def _decode_tagged(tag: str, value: dict[str, Any]) -> Any:
    import astropy.units as u
    from astropy.time import Time

    if tag == "__time__":
        jd = value["__time__"]
        return Time(np.asarray(jd["jd1"]), np.asarray(jd["jd2"]), format="jd", scale=value.get("scale", "utc")).copy(format="isot")
    if tag == "__quantity__":
        return u.Quantity(value["__quantity__"], value["unit"])
    return np.asarray(value["__array__"], dtype=np.dtype(value["dtype"]))


def _encode_slices(slices: list[Any]) -> list[Any]:
    return [s if isinstance(s, (int, np.integer)) and not isinstance(s, bool) else [s.start, s.stop, s.step] for s in slices]


def decode_slices(items: list[Any]) -> list[Any]:
    """The slices a record stores (an integer, or ``[start, stop, step]``), as Python ints and slices."""
    return [int(s) if not isinstance(s, list) else slice(*s) for s in items]


def is_gwcs(wcs: Any) -> bool:
    """True for a ``gwcs.WCS`` (stored by the ASDF writer only: FITS cannot describe it)."""
    return type(wcs).__module__.split(".")[0] == "gwcs"


def wcs_spec(wcs: Any) -> dict[str, Any]:
    """Describe a cube's WCS: per-exposure parameters (+ slicing), FITS header cards, or a gwcs (+ slicing).

    A gwcs is kept as the object itself under ``"object"`` (the ASDF writer
    stores it with asdf's own gwcs schema; :meth:`CubeRecord.json` leaves it out).
    """
    from irisplug.model import PerExposureWCS, unwrap_wcs

    base, slices = unwrap_wcs(wcs)
    if isinstance(base, PerExposureWCS):
        return {"kind": "per_exposure", "params": encode_value(base.to_dict()), "slices": _encode_slices(slices)}
    if is_gwcs(base):
        return {"kind": "gwcs", "object": base, "slices": _encode_slices(slices)}
    from astropy.wcs import WCS

    low = getattr(wcs, "low_level_wcs", wcs)
    if isinstance(low, WCS):
        return {"kind": "fits", "header": {k: v for k, v in low.to_header(relax=True).items()}}
    raise TypeError(f"cannot store a {type(low).__name__} WCS (only FITS, per-exposure and gwcs WCS)")


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

    return WCS(fits.Header(spec["header"]))


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
                           "meta": self.meta, "uncertainty": None if parts is None else parts[1]})


def _cube_record(cube: Any, label: str, index: int) -> CubeRecord:
    meta = {str(k): encode_value(v) for k, v in dict(cube.meta or {}).items()}
    mask = cube.mask
    if mask is not None and np.ndim(mask) == 0:  # a scalar mask: True masks everything, False nothing
        mask = np.broadcast_to(np.asarray(mask, bool), np.shape(cube.data)) if bool(mask) else None
    return CubeRecord(label, index, type(cube).__name__, cube.data, mask, "" if cube.unit is None else cube.unit.to_string(),
                      wcs_spec(cube.wcs), meta, cube.uncertainty, cube.wcs)


def _collection_parts(obj: Any) -> tuple[dict[str, Any], list[CubeRecord]]:
    """Top-level meta and member records of a plain ``NDCollection`` of NDCubes."""
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
    aligned = obj.aligned_axes
    top = {
        "meta": None if obj.meta is None else {str(k): encode_value(v) for k, v in dict(obj.meta).items()},
        "aligned_axes": None if aligned is None else [[int(a) for a in aligned[k]] for k in obj],
    }
    return top, [_cube_record(c, key, i) for i, (key, c) in enumerate(obj.items())]


def flatten(obj: Any) -> tuple[str, dict[str, Any], list[CubeRecord]]:
    """``(kind, top-level meta, records)`` for a cube, a sequence, an observation or an NDCollection of NDCubes.

    Parameters
    ----------
    obj
        An NDCube (any WCS :func:`wcs_spec` describes), an NDCubeSequence, an
        ``irisplug.model.Observation`` or a plain ``NDCollection`` whose members
        are all such NDCubes.

    Returns
    -------
    tuple
        ``(kind, meta, records)``: kind is ``"cube"``, ``"sequence"``,
        ``"observation"`` or ``"collection"``; meta is JSON-friendly;
        records are :class:`CubeRecord` (arrays not copied).

    Raises
    ------
    UnsupportedObjectError
        For anything else (e.g. a collection holding a nested collection or a plain array).

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
    from ndcube import NDCollection, NDCube, NDCubeSequence

    from irisplug.errors import UnsupportedObjectError

    if isinstance(obj, NDCube):
        return "cube", {}, [_cube_record(obj, "", 0)]
    if isinstance(obj, NDCubeSequence):
        return "sequence", {k: encode_value(v) for k, v in dict(obj.meta or {}).items()}, [_cube_record(c, "", i) for i, c in enumerate(obj.data)]
    if isinstance(obj, NDCollection):
        top, records = _collection_parts(obj)
        return "collection", top, records
    if hasattr(obj, "windows") and hasattr(obj, "items"):
        records = []
        for label, item in obj.items():
            cubes = item.data if isinstance(item, NDCubeSequence) else [item]
            index0 = 0 if isinstance(item, NDCubeSequence) else -1
            for i, c in enumerate(cubes):
                records.append(_cube_record(c, label, i if index0 == 0 else -1))
        return "observation", {k: encode_value(v) for k, v in dict(obj.meta).items()}, records
    raise UnsupportedObjectError(
        f"cannot write a {type(obj).__name__}: give a cube, a sequence, an Observation or an NDCollection of NDCubes")


def storable_records(obj: Any) -> list[CubeRecord] | None:
    """The cube records of ``obj``, or None when the writers cannot store it (for ``accepts``: answers, never raises).

    Examples
    --------
    >>> import numpy as np
    >>> from ndcube import NDCollection
    >>> storable_records(NDCollection([("a", np.zeros(3))])) is None
    True
    """
    try:
        return flatten(obj)[2]
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


def _cube_from_record(rec: dict[str, Any], data: Any, mask: Any, uncertainty: Any = None) -> Any:
    import astropy.units as u
    from ndcube import NDCube

    from irisplug.model import ImageCube, RasterCube, SJICube, attach_exposure_coords

    classes = {"RasterCube": RasterCube, "SJICube": SJICube, "ImageCube": ImageCube}
    cls = classes.get(rec["cls"], NDCube)
    raw_meta = {k: decode_value(v) for k, v in rec["meta"].items()}
    per = {k[len("per_exposure:"):]: v for k, v in raw_meta.items() if k.startswith("per_exposure:")}
    plain = {k: v for k, v in raw_meta.items() if not k.startswith("per_exposure:")}
    meta = attach_exposure_coords(plain, per) if per else plain
    unit = u.Unit(rec["unit"]) if rec["unit"] else None
    return cls(data, wcs=wcs_from_spec(rec["wcs"]), unit=unit, mask=mask, meta=meta, uncertainty=uncertainty)


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
