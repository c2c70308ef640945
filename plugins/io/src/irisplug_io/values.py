"""Exact JSON encoding of metadata values, shared by the FITS and ASDF records.

JSON holds ``None``, ``bool``, ``int``, ``float``, ``str``, lists and
string-keyed dicts; every other value a reader may put in a cube's ``meta``
(or a table an extra coordinate holds) is written as a tagged dict that
:func:`decode_value` turns back into an equal value of the same type:

========================  ===============================================================
value                     tag
========================  ===============================================================
``Time``                  ``__time__`` (jd1, jd2 in its own scale; format, precision, location)
``TimeDelta``             ``__timedelta__``
``Quantity`` (+ Angle,    ``__quantity__`` (values, unit, dtype, class)
Latitude, Longitude,
Distance)
numpy array, scalar       ``__array__`` (a list: bool, integer, float up to 64 bits, str) or
                          ``__buffer__`` (base64 bytes: complex, datetime, bytes, structured);
                          ``scalar`` marks a numpy scalar; ``__masked__`` a masked array
tuple, set, frozenset     ``__tuple__``, ``__set__``
bytes, bytearray          ``__bytes__`` (base64)
dict with other keys      ``__mapping__`` (key/value pairs), also ``OrderedDict``
astropy ``Table``,        ``__table__`` (columns with unit, description, format, mask, meta;
``QTable``                mixin columns by their own tags; table meta)
``SkyCoord``, frame       ``__skycoord__``, ``__frame__`` (frame name, data components,
                          frame attributes such as observer, obstime, rsun)
``EarthLocation``         ``__earthlocation__``; a representation ``__representation__``
unit                      ``__unit__``
FITS ``Header``           ``__header__`` (its cards)
========================  ===============================================================

Anything else is written as ``str(value)`` and its key reported in the
``converted`` list the caller passes (the writers warn once with
:class:`MetadataConversionWarning` naming those keys).
"""

from __future__ import annotations

import base64
from collections import OrderedDict
from collections.abc import Mapping
from typing import Any

import numpy as np

from irisplug.errors import IrisplugWarning

__all__ = ["encode_value", "decode_value", "MetadataConversionWarning", "TAGS"]

#: The tags :func:`encode_value` writes (a plain dict using one of them as a key is written as ``__mapping__``).
TAGS = ("__time__", "__timedelta__", "__quantity__", "__array__", "__buffer__", "__masked__", "__tuple__", "__set__",
        "__bytes__", "__mapping__", "__table__", "__skycoord__", "__frame__", "__earthlocation__", "__representation__",
        "__unit__", "__header__")

_QUANTITY_CLASSES = ("Angle", "Latitude", "Longitude", "Distance")


class MetadataConversionWarning(IrisplugWarning):
    """A writer stored metadata values it cannot store exactly as their ``str()`` (the message names their keys)."""


def _array_payload(arr: np.ndarray) -> dict[str, Any]:
    """``{"__array__": list, "dtype"}`` for list-exact dtypes, else ``{"__buffer__": base64, "dtype", "shape"}``."""
    if arr.dtype.kind in "biuU" or (arr.dtype.kind == "f" and arr.dtype.itemsize <= 8):
        return {"__array__": arr.tolist(), "dtype": arr.dtype.str}
    descr = np.lib.format.dtype_to_descr(arr.dtype)
    return {"__buffer__": base64.b64encode(np.ascontiguousarray(arr).tobytes()).decode("ascii"),
            "dtype": descr, "shape": list(arr.shape)}


def _array_from_payload(value: dict[str, Any]) -> np.ndarray:
    if "__buffer__" in value:
        descr = value["dtype"]
        dtype = np.lib.format.descr_to_dtype([tuple(d) for d in descr] if isinstance(descr, list) else descr)
        raw = base64.b64decode(value["__buffer__"])
        return np.frombuffer(raw, dtype=dtype).reshape(value["shape"]).copy()
    return np.asarray(value["__array__"], dtype=np.dtype(value["dtype"]))


def _encode_array(arr: np.ndarray, converted: list[str], where: str) -> Any:
    if isinstance(arr, np.ma.MaskedArray):
        return {"__masked__": _encode_array(np.ma.getdata(arr), converted, where),
                "mask": _array_payload(np.ma.getmaskarray(arr))}
    if arr.dtype.kind == "O":
        return _fallback(arr, converted, where)
    return _array_payload(np.asarray(arr))


def _encode_time(t: Any, converted: list[str], where: str) -> dict[str, Any]:
    from astropy.time import TimeDelta

    jd = {"jd1": np.asarray(t.jd1).tolist(), "jd2": np.asarray(t.jd2).tolist()}
    if isinstance(t, TimeDelta):
        return {"__timedelta__": jd, "scale": t.scale, "format": t.format}
    out = {"__time__": jd, "scale": t.scale, "format": t.format, "precision": t.precision}
    if t.location is not None:
        out["location"] = encode_value(t.location, converted, f"{where}.location")
    return out


def _encode_quantity(q: Any, converted: list[str], where: str) -> dict[str, Any]:
    import astropy.units as u

    payload = _array_payload(np.asarray(q.value))
    out = {"__quantity__": payload.pop("__array__", None), "unit": q.unit.to_string(), "dtype": q.dtype.str}
    if "__buffer__" in payload:
        out["__quantity__"] = payload
    name = type(q).__name__
    if type(q) is not u.Quantity:
        if name in _QUANTITY_CLASSES and type(q).__module__.startswith("astropy.coordinates"):
            out["class"] = name
            if name == "Longitude":
                out["wrap_angle"] = encode_value(q.wrap_angle, converted, where)
        else:
            converted.append(f"{where} ({type(q).__module__}.{name} written as Quantity)")
    return out


def _encode_mapping(value: Mapping[Any, Any], converted: list[str], where: str) -> Any:
    plain = type(value) is dict and all(isinstance(k, str) and k not in TAGS for k in value)
    if plain:
        return {k: encode_value(v, converted, f"{where}[{k!r}]") for k, v in value.items()}
    out: dict[str, Any] = {"__mapping__": [[encode_value(k, converted, f"{where} key {k!r}"),
                                            encode_value(v, converted, f"{where}[{k!r}]")] for k, v in value.items()]}
    if type(value) is OrderedDict:
        out["class"] = "OrderedDict"
    elif type(value) is not dict:
        converted.append(f"{where} ({type(value).__module__}.{type(value).__name__} written as dict)")
    return out


def _encode_column(col: Any, converted: list[str], where: str) -> dict[str, Any]:
    from astropy.table import Column

    entry: dict[str, Any] = {"name": col.info.name}
    for attr in ("description", "format"):
        if getattr(col.info, attr, None) is not None:
            entry[attr] = getattr(col.info, attr)
    if col.info.meta:
        entry["meta"] = encode_value(dict(col.info.meta), converted, f"{where}.meta")
    if isinstance(col, Column):
        data = col.data if isinstance(col.data, np.ma.MaskedArray) else np.asarray(col)
        entry["column"] = _encode_array(data, converted, where)
        entry["unit"] = None if col.unit is None else col.unit.to_string()
    else:
        entry["value"] = encode_value(col, converted, where)
    return entry


def _encode_table(t: Any, converted: list[str], where: str) -> dict[str, Any]:
    from astropy.table import QTable, Table

    if type(t) not in (Table, QTable):
        converted.append(f"{where} ({type(t).__name__} written as {'QTable' if isinstance(t, QTable) else 'Table'})")
    cls = "QTable" if isinstance(t, QTable) else "Table"
    columns = [_encode_column(t[name], converted, f"{where}[{name!r}]") for name in t.colnames]
    return {"__table__": {"class": cls, "columns": columns, "meta": encode_value(dict(t.meta), converted, f"{where}.meta")}}


def _representation_name(cls: Any) -> str:
    """A representation class's registered name (``"spherical"``; astropy before 7 has only ``get_name()``)."""
    name = getattr(cls, "name", None)
    return name if isinstance(name, str) else cls.get_name()


def _encode_representation(rep: Any, converted: list[str], where: str) -> dict[str, Any]:
    if rep.differentials:
        converted.append(f"{where} (velocity differentials dropped)")
    return {"__representation__": _representation_name(type(rep)),
            "components": {c: encode_value(getattr(rep, c), converted, f"{where}.{c}") for c in rep.components}}


def _encode_coord(value: Any, converted: list[str], where: str) -> dict[str, Any]:
    from astropy.coordinates import SkyCoord

    frame = value.frame if isinstance(value, SkyCoord) else value
    node: dict[str, Any] = {"frame": frame.name, "representation_type": _representation_name(frame.representation_type),
                            "attributes": {}}
    for name in frame.frame_attributes:
        attr = getattr(frame, name)
        if attr is not None:
            node["attributes"][name] = encode_value(attr, converted, f"{where}.{name}")
    if frame.has_data:
        node["data"] = _encode_representation(frame.data, converted, f"{where}.data")
    if isinstance(value, SkyCoord):
        node["extra"] = {n: encode_value(getattr(value, n), converted, f"{where}.{n}")
                         for n in sorted(value._extra_frameattr_names)}
        return {"__skycoord__": node}
    return {"__frame__": node}


def _fallback(value: Any, converted: list[str], where: str) -> str:
    converted.append(f"{where} ({type(value).__module__}.{type(value).__name__} written as str)")
    return str(value)


def _encode_astropy(value: Any, converted: list[str], where: str) -> Any:
    """The tagged form of an astropy object, or ``NotImplemented`` for anything else."""
    import astropy.units as u
    from astropy.coordinates import BaseCoordinateFrame, BaseRepresentation, EarthLocation, SkyCoord
    from astropy.io import fits
    from astropy.table import Table
    from astropy.time import Time, TimeDelta

    if isinstance(value, (Time, TimeDelta)):  # TimeDelta is no Time subclass (astropy >= 7)
        return _encode_time(value, converted, where)
    if isinstance(value, EarthLocation):
        x, y, z = value.geocentric
        return {"__earthlocation__": [encode_value(c, converted, where) for c in (x, y, z)], "ellipsoid": value.ellipsoid}
    if isinstance(value, u.Quantity):
        return _encode_quantity(value, converted, where)
    if isinstance(value, (SkyCoord, BaseCoordinateFrame)):
        return _encode_coord(value, converted, where)
    if isinstance(value, BaseRepresentation):
        return _encode_representation(value, converted, where)
    if isinstance(value, Table):
        return _encode_table(value, converted, where)
    if isinstance(value, u.UnitBase):
        return {"__unit__": value.to_string()}
    if isinstance(value, fits.Header):
        return {"__header__": value.tostring(sep="\n")}
    return NotImplemented


def encode_value(value: Any, converted: list[str] | None = None, where: str = "value") -> Any:
    """A JSON-friendly form of a metadata value that :func:`decode_value` turns back into an equal value.

    Parameters
    ----------
    value
        Any metadata value (see the module docstring for what is kept exactly).
    converted
        A list that receives a description (``where`` and the type) of every
        value written as its ``str()`` because no exact form exists; None to ignore.
    where
        How to name ``value`` in those descriptions (e.g. ``"meta['temperatures']"``).

    Returns
    -------
    object
        JSON types only.

    Examples
    --------
    >>> import numpy as np
    >>> encode_value((1, np.int16(2)))
    {'__tuple__': [1, {'__array__': 2, 'dtype': '<i2', 'scalar': True}]}
    >>> decode_value(encode_value({1: b"OK"}))
    {1: b'OK'}
    >>> seen = []
    >>> encode_value(object, seen, "meta['cls']"), seen
    ("<class 'object'>", ["meta['cls'] (builtins.type written as str)"])
    """
    converted = [] if converted is None else converted
    if value is None or type(value) in (bool, int, float, str):
        return value
    if isinstance(value, np.generic):
        return {**_encode_array(np.asarray(value), converted, where), "scalar": True}
    astropy_form = _encode_astropy(value, converted, where)
    if astropy_form is not NotImplemented:
        return astropy_form
    if isinstance(value, np.ndarray):
        return _encode_array(value, converted, where)
    if isinstance(value, Mapping):
        return _encode_mapping(value, converted, where)
    if type(value) is list:
        return [encode_value(v, converted, f"{where}[{i}]") for i, v in enumerate(value)]
    if type(value) is tuple:
        return {"__tuple__": [encode_value(v, converted, f"{where}[{i}]") for i, v in enumerate(value)]}
    if type(value) in (set, frozenset):
        return {"__set__": [encode_value(v, converted, where) for v in value], "frozen": type(value) is frozenset}
    if type(value) in (bytes, bytearray):
        return {"__bytes__": base64.b64encode(bytes(value)).decode("ascii"), "mutable": type(value) is bytearray}
    return _fallback(value, converted, where)


def _decode_time(value: dict[str, Any]) -> Any:
    from astropy.time import Time, TimeDelta

    if "__timedelta__" in value:
        jd = value["__timedelta__"]
        out = TimeDelta(np.asarray(jd["jd1"]), np.asarray(jd["jd2"]), format="jd", scale=value.get("scale"))
        out.format = value.get("format", "jd")
        return out
    jd = value["__time__"]
    location = value.get("location")
    out = Time(np.asarray(jd["jd1"]), np.asarray(jd["jd2"]), format="jd", scale=value.get("scale", "utc"),
               precision=value.get("precision", 3), location=None if location is None else decode_value(location))
    out.format = value.get("format", "isot")
    return out


def _decode_quantity(value: dict[str, Any]) -> Any:
    import astropy.coordinates as coords
    import astropy.units as u

    payload = value["__quantity__"]
    if isinstance(payload, dict):
        array = _array_from_payload(payload)
    else:
        array = np.asarray(payload, dtype=np.dtype(value["dtype"])) if "dtype" in value else np.asarray(payload)
    name = value.get("class")
    if name is None:
        return u.Quantity(array, value["unit"], copy=False) if array.ndim else u.Quantity(array[()], value["unit"])
    if name not in _QUANTITY_CLASSES:
        raise ValueError(f"unknown quantity class {name!r}")
    kwargs = {"wrap_angle": decode_value(value["wrap_angle"])} if name == "Longitude" else {}
    return getattr(coords, name)(array if array.ndim else array[()], value["unit"], **kwargs)


def _decode_array(value: dict[str, Any]) -> Any:
    if "__masked__" in value:
        return np.ma.MaskedArray(_decode_array(value["__masked__"]), mask=_array_from_payload(value["mask"]))
    array = _array_from_payload(value)
    return array[()] if value.get("scalar") else array


def _decode_table(value: dict[str, Any]) -> Any:
    from astropy.table import Column, MaskedColumn, QTable, Table

    node = value["__table__"]
    table = (QTable if node["class"] == "QTable" else Table)()
    for entry in node["columns"]:
        name = entry["name"]
        if "column" in entry:
            data = _decode_array(entry["column"])
            cls = MaskedColumn if isinstance(data, np.ma.MaskedArray) else Column
            table[name] = cls(data, name=name, unit=entry.get("unit"), copy=False)
        else:
            table[name] = decode_value(entry["value"])
        for attr in ("description", "format"):
            if attr in entry:
                setattr(table[name].info, attr, entry[attr])
        if "meta" in entry:
            table[name].info.meta = decode_value(entry["meta"])
    table.meta.update(decode_value(node["meta"]))
    return table


def _frame_class(name: str) -> Any:
    from astropy.coordinates import frame_transform_graph

    try:  # solar frames (helioprojective, ...) register themselves when sunpy.coordinates is imported
        import sunpy.coordinates  # noqa: F401
    except ImportError:
        pass
    cls = frame_transform_graph.lookup_name(name)
    if cls is None:
        raise ValueError(f"unknown coordinate frame {name!r} (is the package defining it installed?)")
    return cls


def _decode_representation(value: dict[str, Any]) -> Any:
    from astropy.coordinates.representation import REPRESENTATION_CLASSES

    cls = REPRESENTATION_CLASSES[value["__representation__"]]
    return cls(**{k: decode_value(v) for k, v in value["components"].items()}, copy=False)


def _decode_coord(value: dict[str, Any]) -> Any:
    from astropy.coordinates import SkyCoord

    node = value.get("__skycoord__") or value["__frame__"]
    attrs = {k: decode_value(v) for k, v in node["attributes"].items()}
    data = _decode_representation(node["data"]) if "data" in node else None
    frame = _frame_class(node["frame"])(data, representation_type=node["representation_type"], **attrs)
    if "__skycoord__" in value:
        return SkyCoord(frame, **{k: decode_value(v) for k, v in node.get("extra", {}).items()})
    return frame


def _decode_tagged(tag: str, value: dict[str, Any]) -> Any:
    import astropy.units as u

    if tag in ("__time__", "__timedelta__"):
        return _decode_time(value)
    if tag == "__quantity__":
        return _decode_quantity(value)
    if tag in ("__array__", "__buffer__", "__masked__"):
        return _decode_array(value)
    if tag == "__tuple__":
        return tuple(decode_value(v) for v in value[tag])
    if tag == "__set__":
        return (frozenset if value.get("frozen") else set)(decode_value(v) for v in value[tag])
    if tag == "__bytes__":
        raw = base64.b64decode(value[tag])
        return bytearray(raw) if value.get("mutable") else raw
    if tag == "__mapping__":
        pairs = [(decode_value(k), decode_value(v)) for k, v in value[tag]]
        return OrderedDict(pairs) if value.get("class") == "OrderedDict" else dict(pairs)
    if tag == "__table__":
        return _decode_table(value)
    if tag in ("__skycoord__", "__frame__"):
        return _decode_coord(value)
    if tag == "__representation__":
        return _decode_representation(value)
    if tag == "__earthlocation__":
        from astropy.coordinates import EarthLocation

        x, y, z = (decode_value(c) for c in value[tag])
        return EarthLocation.from_geocentric(x, y, z)
    if tag == "__unit__":
        return u.Unit(value[tag])
    from astropy.io import fits

    return fits.Header.fromstring(value[tag], sep="\n")


def decode_value(value: Any) -> Any:
    """Inverse of :func:`encode_value`.

    A tagged value that cannot be rebuilt raises ``ValueError`` naming the tag,
    whatever astropy or numpy raised (astropy's ``ScaleValueError`` for a
    damaged time scale is no ``ValueError``): the readers turn it into a
    ``CorruptFileError`` naming the file.

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
        tag = next((t for t in TAGS if t in value), None)
        if tag is not None:
            try:
                return _decode_tagged(tag, value)
            except Exception as exc:  # any failure to rebuild a stored value is damage to the records
                raise ValueError(f"damaged {tag} value in the irisplug records ({type(exc).__name__}: {exc})") from exc
        return {k: decode_value(v) for k, v in value.items()}
    if isinstance(value, list):
        return [decode_value(v) for v in value]
    return value
