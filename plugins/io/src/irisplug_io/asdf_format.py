"""Writer ``asdf`` for any cube, sequence, observation or NDCollection, and the reader ``irisplug-asdf`` of its files.

Format version 3 (written now): the tree key ``irisplug`` holds

- ``version`` (``"3"``), ``kind`` (``cube``, ``sequence``, ``observation``,
  ``collection``) and ``meta`` (the top-level metadata as JSON, as in FITS);
- ``object``: the object as standard ASDF through ndcube's converters, each
  cube a plain ndcube ``NDCube`` (tag ``sunpy.org:ndcube/ndcube``: data, WCS,
  mask, unit, uncertainty) -- the cube itself for ``cube``, an
  ``NDCubeSequence`` for ``sequence``, an ``NDCollection`` for ``collection``,
  a mapping label -> NDCube or NDCubeSequence for ``observation`` (and for a
  collection without aligned axes: ndcube 2.4's converter reads such an
  NDCollection back with ``aligned_axes=()``, which NDCollection refuses). WCSs go
  through asdf-astropy (FITS WCS, ``SlicedLowLevelWCS``), asdf's gwcs schemas,
  or irisplug's own tag for :class:`irisplug.model.PerExposureWCS` (see
  :mod:`irisplug_io.asdf_extension`); ``StdDevUncertainty`` and
  ``VarianceUncertainty`` through asdf-astropy;
- ``records``: per cube (in the writers' order) the JSON record of
  :mod:`irisplug_io.records` without WCS parameters: label, index, class
  (RasterCube, SJICube, ...), unit, metadata (exact ``Time`` and
  ``Quantity``), per-exposure values, uncertainty class and unit;
- ``uncertainties``: per cube the uncertainty array asdf-astropy has no tag
  for (``InverseVariance``), else null.

So ``asdf.open(path).tree["irisplug"]["object"]`` is a plain ndcube object
for anyone with ndcube, asdf-astropy and irisplug-io installed; irisplug's
reader restores the classes and metadata from the records.

Versions 1 and 2 (earlier irisplug; ``cubes``: a list of ``{record, data,
mask, uncertainty, wcs}``) still read; newer versions are refused.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import numpy as np

from irisplug_io.records import (
    ASDF_FORMAT_VERSION,
    check_format_version,
    decode_slices,
    flatten,
    rebuild,
    uncertainty_from_spec,
    unit_from_string,
    writable_cubes,
)

__all__ = ["write_asdf", "read_irisplug_asdf", "accepts", "identify_irisplug_asdf", "TAGGED_UNCERTAINTIES"]

#: Uncertainty classes stored through asdf-astropy's uncertainty tag (it has no code for InverseVariance).
TAGGED_UNCERTAINTIES = ("StdDevUncertainty", "VarianceUncertainty")


def accepts(obj: Any) -> bool:
    """True for NDCubes with a FITS, per-exposure or gwcs WCS, their sequences, Observations and NDCollections of them.

    Examples
    --------
    >>> import numpy as np
    >>> from ndcube import NDCollection
    >>> accepts(NDCollection([("a", np.zeros(3))]))
    False
    """
    return writable_cubes(obj) is not None


def _asdf_wcs(rec: Any) -> Any:
    """The low-level WCS of a record's cube as ndcube's schema takes it (a bare per-exposure WCS wrapped unsliced)."""
    from astropy.wcs.wcsapi import SlicedLowLevelWCS

    from irisplug.model import PerExposureWCS

    low = getattr(rec.wcs_object, "low_level_wcs", rec.wcs_object)
    if isinstance(low, PerExposureWCS):  # ndcube's schema lists the WCS tags it takes; a sliced WCS may hold any
        low = SlicedLowLevelWCS(low, [slice(None)] * low.pixel_n_dim)
    return low


def _plain_cube(rec: Any, unc: tuple[Any, dict[str, Any]] | None) -> tuple[Any, Any]:
    """``(NDCube, extra uncertainty array or None)``: the record's cube as a plain NDCube with numpy arrays."""
    import astropy.nddata as nddata
    from ndcube import NDCube

    uncertainty, extra = None, None
    if unc is not None:
        array, spec = unc
        if spec["class"] in TAGGED_UNCERTAINTIES:
            uncertainty = getattr(nddata, spec["class"])(np.asarray(array), unit=spec["unit"], copy=False)
        else:
            extra = np.asarray(array)
    mask = None if rec.mask is None else np.asarray(rec.mask).astype(bool)
    cube = NDCube(np.asarray(rec.data), wcs=_asdf_wcs(rec), mask=mask, unit=unit_from_string(rec.unit),
                  uncertainty=uncertainty)
    return cube, extra


def _standard_object(kind: str, meta: dict[str, Any], records: list[Any], cubes: list[Any]) -> Any:
    """The object as ndcube classes (NDCube, NDCubeSequence, NDCollection; an observation as a mapping)."""
    from ndcube import NDCollection, NDCubeSequence

    if kind == "cube":
        return cubes[0]
    if kind == "sequence":
        return NDCubeSequence(cubes)
    if kind == "collection":
        aligned = meta.get("aligned_axes")
        items = [(rec.label, c) for rec, c in zip(records, cubes, strict=True)]
        if aligned is None or not cubes:  # ndcube 2.4's converter cannot read an NDCollection without aligned axes back
            return dict(items)
        return NDCollection(items, aligned_axes=tuple(tuple(a) for a in aligned))
    out: dict[str, Any] = {}
    for rec, c in zip(records, cubes, strict=True):
        if rec.index < 0:
            out[rec.label] = c
        else:
            out.setdefault(rec.label, []).append(c)
    return {k: v if not isinstance(v, list) else NDCubeSequence(v) for k, v in out.items()}


def write_asdf(obj: Any, path: Path) -> None:
    """Write ``obj`` (cube, sequence, Observation or NDCollection of NDCubes) to ASDF, readable by ``irisplug.read``.

    Cubes go through ndcube's asdf converters as plain NDCubes (see the module
    docstring); classes and metadata are restored from irisplug's records.

    Raises
    ------
    UnsupportedObjectError
        A cube's uncertainty is not an astropy ``StdDevUncertainty``,
        ``VarianceUncertainty`` or ``InverseVariance`` (nothing is written).

    Examples
    --------
    >>> import numpy as np, irisplug
    >>> from astropy.wcs import WCS
    >>> from ndcube import NDCube
    >>> path = irisplug.write(NDCube(np.arange(6.0).reshape(2, 3), wcs=WCS(naxis=2)), "small.asdf")
    >>> irisplug.read("small.asdf").data[1]
    array([3., 4., 5.])
    """
    import asdf

    kind, meta, records = flatten(obj)
    uncertainties = [rec.uncertainty_parts(path) for rec in records]  # refuse before writing anything
    parts = [_plain_cube(rec, unc) for rec, unc in zip(records, uncertainties, strict=True)]
    cubes = [c for c, _ in parts]
    tree = {"irisplug": {
        "version": ASDF_FORMAT_VERSION, "kind": kind, "meta": json.dumps(meta),
        "object": _standard_object(kind, meta, records, cubes),
        "records": [_record_json(rec) for rec in records],
        "uncertainties": [extra for _, extra in parts],
    }}
    asdf.AsdfFile(tree).write_to(path)


def _record_json(rec: Any) -> str:
    """A record as JSON without WCS parameters (the WCS is stored as an object; the record keeps its slicing)."""
    d = json.loads(rec.json())
    d["wcs"] = {k: v for k, v in d["wcs"].items() if k in ("kind", "slices")}
    return json.dumps(d)


def identify_irisplug_asdf(info: Any) -> bool:
    """True for ASDF files whose tree has an ``irisplug`` entry."""
    head = info.head(1 << 16)
    return head.startswith(b"#ASDF") and b"\nirisplug:" in head


def _native(array: Any) -> np.ndarray:
    arr = np.array(array)
    return arr.astype(arr.dtype.newbyteorder("="), copy=False)


def _asdf_record(entry: dict[str, Any], path: Path) -> tuple[Any, ...]:
    """``(record, data, mask, uncertainty)`` of one cube entry of format version 1 or 2."""
    from irisplug.errors import CorruptFileError

    rec = json.loads(entry["record"])
    if rec["wcs"]["kind"] == "gwcs":
        if "wcs" not in entry:
            raise CorruptFileError(f"cube {rec.get('label')!r}: the record names a gwcs the file does not hold", path=path)
        rec["wcs"]["object"] = entry["wcs"]
    spec = rec.get("uncertainty")
    if (spec is not None) != ("uncertainty" in entry):
        raise CorruptFileError(f"cube {rec.get('label')!r}: the record and the arrays disagree on whether it has an "
                               "uncertainty; the file is damaged", path=path)
    unc = None if spec is None else uncertainty_from_spec(spec, _native(entry["uncertainty"]), path)
    return rec, np.array(entry["data"]), np.array(entry["mask"]) if "mask" in entry else None, unc


def _stored_cubes(kind: str, obj: Any, records: list[dict[str, Any]], path: Path) -> list[Any]:
    """The plain NDCubes of a version-3 ``object``, one per record, in the records' order."""
    from ndcube import NDCube

    from irisplug.errors import CorruptFileError

    try:
        if kind == "cube":
            cubes = [obj]
        elif kind == "sequence":
            cubes = list(obj.data)
        elif kind == "collection":
            cubes = [obj[rec["label"]] for rec in records]
        elif kind == "observation":
            cubes = [obj[rec["label"]] if rec["index"] < 0 else obj[rec["label"]].data[rec["index"]] for rec in records]
        else:
            raise CorruptFileError(f"unknown kind {kind!r}", path=path)
    except (KeyError, IndexError, AttributeError, TypeError) as exc:
        raise CorruptFileError(f"the {kind} stored does not match its records ({exc!r}); the file is damaged", path=path) from exc
    if len(cubes) != len(records) or not all(isinstance(c, NDCube) for c in cubes):
        raise CorruptFileError(f"the {kind} stored does not hold one NDCube per record; the file is damaged", path=path)
    return cubes


def _v3_record(rec: dict[str, Any], cube: Any, extra: Any, path: Path) -> tuple[Any, ...]:
    """``(record, data, mask, uncertainty)`` of one cube of format version 3."""
    from irisplug.errors import CorruptFileError
    from irisplug.model import rewrap_wcs, unwrap_wcs

    base, slices = unwrap_wcs(cube.wcs)
    if "slices" in rec["wcs"]:  # the slicing as the writer saw it (astropy spells a whole axis 0:n, not ':')
        slices = decode_slices(rec["wcs"]["slices"])
    rec["wcs"] = {"kind": "object", "object": rewrap_wcs(base, slices)}
    spec = rec.get("uncertainty")
    stored = cube.uncertainty
    if spec is None:
        if stored is not None or extra is not None:
            raise CorruptFileError(f"cube {rec.get('label')!r}: an uncertainty its record does not describe; "
                                   "the file is damaged", path=path)
        unc = None
    elif spec.get("class") in TAGGED_UNCERTAINTIES:
        if stored is None or type(stored).__name__ != spec["class"]:
            raise CorruptFileError(f"cube {rec.get('label')!r}: the record names a {spec['class']}, the file holds "
                                   f"{type(stored).__name__}; the file is damaged", path=path)
        unc = uncertainty_from_spec(spec, _native(stored.array), path)
    else:
        if extra is None:
            raise CorruptFileError(f"cube {rec.get('label')!r}: the {spec.get('class')} array is missing; "
                                   "the file is damaged", path=path)
        unc = uncertainty_from_spec(spec, _native(extra), path)
    mask = None if cube.mask is None else np.array(cube.mask, dtype=bool)
    return rec, _native(cube.data), mask, unc


_BLOCK_MAGIC = b"\xd3BLK"
_SOURCE_RE = re.compile(rb"(?:^|[\s{,])source:\s*([^\s,}]+)", re.MULTILINE)
_REF_RE = re.compile(rb"(?:^|[\s{,])\$ref:\s*([^\s,}]+)", re.MULTILINE)


def check_asdf_layout(path: Path) -> None:
    """Refuse what our reader must never follow: external array sources, ``$ref``s, blocks beyond the file's end.

    An ndarray's ``source`` must be a block index (an integer) of this file;
    asdf would otherwise read another file on disk. Every binary block header
    must fit the file (used <= allocated, allocated within the file), so a
    damaged size such as ``used = 2**63 - 1`` is refused before any allocation.

    Raises
    ------
    CorruptFileError, TruncatedFileError
        Naming the file, the block or the source.
    """
    from irisplug.errors import CorruptFileError, TruncatedFileError

    size = path.stat().st_size
    with open(path, "rb") as f:
        head = f.read(min(size, 64 << 20))
        first = head.find(_BLOCK_MAGIC)
        tree = head if first < 0 else head[:first]
        tags = [m.end() for m in re.finditer(rb"!core/ndarray-[0-9.]+", tree)]
        for start in tags:
            nxt = tree.find(b"!", start)
            segment = tree[start : min(start + 1000, nxt if nxt > 0 else len(tree))]
            m = _SOURCE_RE.search(segment)
            if m is None:
                continue
            value = m.group(1).strip(b"'\"")
            if not value.lstrip(b"-").isdigit() or int(value) < 0:
                raise CorruptFileError(f"an array names the external source {value.decode('latin-1')!r}; irisplug files "
                                       "keep every array in their own blocks and the reader follows no other file", path=path)
        if _REF_RE.search(tree):
            raise CorruptFileError("the tree holds a $ref to another document; the irisplug reader follows none", path=path)
        pos = first
        index = 0
        while 0 <= pos < size:
            f.seek(pos)
            fixed = f.read(6)
            if fixed[:4] != _BLOCK_MAGIC:
                break  # the optional block index (or trailing text) follows the last block
            if len(fixed) < 6:
                raise TruncatedFileError(f"block {index}: header cut short at byte {pos}", path=path)
            hsize = int.from_bytes(fixed[4:6], "big")
            body = f.read(hsize)
            if hsize < 48 or len(body) < 48:
                raise TruncatedFileError(f"block {index}: header of {hsize} bytes cut short or too small at byte {pos}", path=path)
            allocated = int.from_bytes(body[8:16], "big")
            used = int.from_bytes(body[16:24], "big")
            data_size = int.from_bytes(body[24:32], "big")
            compression = body[4:8]
            end = pos + 6 + hsize + allocated
            if used > allocated or end > size or (compression == b"\0\0\0\0" and data_size != used):
                raise TruncatedFileError(f"block {index} at byte {pos}: allocated {allocated}, used {used}, data {data_size} "
                                         f"bytes do not fit the file of {size} bytes", path=path)
            if compression != b"\0\0\0\0" and data_size > (1 << 40):
                raise CorruptFileError(f"block {index}: declares {data_size} bytes uncompressed", path=path)
            pos = end
            index += 1


def _read_one(asdf: Any, path: Path) -> Any:
    """The object one irisplug ASDF file holds."""
    from irisplug.errors import CorruptFileError

    check_asdf_layout(path)
    with asdf.open(path, lazy_load=False, memmap=False) as af:
        node = af.tree.get("irisplug")
        if node is None:
            raise CorruptFileError("ASDF file without an 'irisplug' entry", path=path)
        version = check_format_version(node.get("version", "1"), path, newest=ASDF_FORMAT_VERSION)
        if version >= 3:
            records = [json.loads(r) for r in node["records"]]
            extras = node.get("uncertainties") or [None] * len(records)
            cubes = _stored_cubes(node["kind"], node["object"], records, path)
            parts = [_v3_record(r, c, e, path) for r, c, e in zip(records, cubes, extras, strict=True)]
        else:
            parts = [_asdf_record(c, path) for c in node["cubes"]]
        return rebuild(node["kind"], json.loads(node["meta"]), parts)


def read_irisplug_asdf(paths: list[Path]) -> Any:
    """Read files written by the ``asdf`` writer (arrays, uncertainties included, loaded into memory).

    Examples
    --------
    >>> import numpy as np, irisplug
    >>> from astropy.wcs import WCS
    >>> from ndcube import NDCube
    >>> path = irisplug.write(NDCube(np.ones((2, 2)), wcs=WCS(naxis=2)), "ones.asdf")
    >>> float(read_irisplug_asdf(["ones.asdf"]).data.sum())  # float(): numpy 1 and 2 print a scalar differently
    4.0
    """
    import zlib

    import asdf
    import yaml

    from irisplug.errors import CorruptFileError, IrisplugError

    out = []
    for path in map(Path, paths):
        try:
            with asdf.config_context() as config:
                config.validate_on_read = True  # every tagged node against its schema (asdf 6 defaults to False)
                out.append(_read_one(asdf, path))
        except IrisplugError:
            raise
        except (ValueError, OSError, KeyError, TypeError, IndexError, AttributeError, OverflowError, yaml.YAMLError,
                asdf.ValidationError, zlib.error, EOFError) as exc:
            # YAML syntax, schema violations, damaged records (missing or mistyped keys), a block whose compression
            # label does not match its bytes (zlib.error, EOFError)
            raise CorruptFileError(f"cannot read ASDF ({type(exc).__name__}: {exc})", path=path) from exc
    return out[0] if len(out) == 1 else out
