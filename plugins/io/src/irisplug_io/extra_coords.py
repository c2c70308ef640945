"""A cube's ndcube extra coordinates as an exact JSON description, and back.

Readers add extra coordinates with ``cube.extra_coords.add(name, axis,
table)``: time tables (``TimeTableCoordinate``), quantity tables
(``QuantityTableCoordinate``, one or several 1-D tables, on one or several
array axes) and ``SkyCoord`` tables (``SkyCoordTableCoordinate``); slicing
keeps the scalar tables of axes indexed away as ``dropped`` tables; an
``ExtraCoords`` may instead hold a WCS and a pixel mapping. The description
(``{"tables": [{"axes", "coord"}], "dropped": [coord], "wcs": spec, "mapping"}``)
stores every table's values exactly (:mod:`irisplug_io.values`: a ``Time``
as jd1/jd2 in its own scale), its names, physical types, reference time and
mesh flag. Anything else raises ``UnsupportedObjectError`` naming the
coordinate: an extra coordinate is never dropped silently.
"""

from __future__ import annotations

from typing import Any

from irisplug_io.values import decode_value, encode_value

__all__ = ["extra_coords_spec", "apply_extra_coords"]


def _refuse(message: str, path: Any = None) -> None:
    from irisplug.errors import UnsupportedObjectError

    raise UnsupportedObjectError(message, path=path)


def _exact(value: Any, where: str) -> Any:
    """``encode_value(value)``, refusing (instead of warning) when a part of it has no exact form."""
    converted: list[str] = []
    encoded = encode_value(value, converted, where)
    if converted:
        _refuse(f"cannot store the extra coordinate {where} exactly: {'; '.join(converted)}")
    return encoded


def _names(coord: Any) -> list[str] | None:
    names = getattr(coord, "names", None)  # a MultipleTableCoordinate has none
    return None if names is None else [str(n) for n in names]


def _types(coord: Any) -> list[str] | None:
    types = getattr(coord, "physical_types", None)
    return None if types is None else [str(t) for t in types]


def table_coord_spec(coord: Any, where: str) -> dict[str, Any]:
    """The description of one ndcube table coordinate (time, quantity or SkyCoord table).

    Raises
    ------
    UnsupportedObjectError
        For any other kind of table coordinate (e.g. a ``MultipleTableCoordinate`` added as one).

    Examples
    --------
    >>> import astropy.units as u
    >>> from ndcube.extra_coords import QuantityTableCoordinate
    >>> spec = table_coord_spec(QuantityTableCoordinate([1, 2] * u.s, names="exposure_time"), "'exposure_time'")
    >>> spec["type"], spec["names"]
    ('quantity', ['exposure_time'])
    """
    from ndcube.extra_coords import QuantityTableCoordinate, SkyCoordTableCoordinate, TimeTableCoordinate

    base = {"names": _names(coord), "physical_types": _types(coord)}
    if type(coord) is TimeTableCoordinate:
        return {"type": "time", "table": _exact(coord.table, where),
                "reference_time": _exact(coord.reference_time, where), **base}
    if type(coord) is QuantityTableCoordinate:
        return {"type": "quantity", "tables": [_exact(t, where) for t in coord.table],
                "unit": _exact(coord.unit, where), "dropped": _dropped_dimensions(coord, where), **base}
    if type(coord) is SkyCoordTableCoordinate:
        return {"type": "skycoord", "table": _exact(coord.table, where), "mesh": bool(coord.mesh), **base}
    _refuse(f"cannot store the extra coordinate {where}: a {type(coord).__module__}.{type(coord).__name__}; "
            "the writers store ndcube's time, quantity and SkyCoord table coordinates")
    return {}


_DROPPED_KEYS = ("value", "world_axis_names", "world_axis_physical_types", "world_axis_units",
                 "world_axis_object_components")


def _dropped_dimensions(coord: Any, where: str) -> dict[str, Any] | None:
    """The world dimensions a sliced quantity table dropped (ndcube keeps them on the table), or None."""
    dropped = coord._dropped_world_dimensions
    if not dropped.get("value"):
        return None
    return {k: _exact(list(dropped.get(k, [])), f"{where} (dropped {k})") for k in _DROPPED_KEYS}


def _restore_dropped(coord: Any, spec: dict[str, Any] | None) -> None:
    """Put back what :func:`_dropped_dimensions` stored; the object classes are rebuilt as ndcube builds them."""
    import astropy.units as u

    if not spec:
        return
    dropped = coord._dropped_world_dimensions
    for key in _DROPPED_KEYS:
        dropped[key] = decode_value(spec[key])
    for (name, _, _), unit in zip(dropped["world_axis_object_components"], dropped["world_axis_units"], strict=True):
        dropped["world_axis_object_classes"][name] = (u.Quantity, (), {"unit", unit})  # ndcube's own (a set)


def table_coord_from_spec(spec: dict[str, Any]) -> Any:
    """The ndcube table coordinate :func:`table_coord_spec` described."""
    from ndcube.extra_coords import QuantityTableCoordinate, SkyCoordTableCoordinate, TimeTableCoordinate

    kwargs = {"names": spec.get("names"), "physical_types": spec.get("physical_types")}
    if spec["type"] == "time":
        return TimeTableCoordinate(decode_value(spec["table"]), reference_time=decode_value(spec["reference_time"]),
                                   **kwargs)
    if spec["type"] == "quantity":
        coord = QuantityTableCoordinate(*[decode_value(t) for t in spec["tables"]], **kwargs)
        coord.unit = decode_value(spec["unit"])
        _restore_dropped(coord, spec.get("dropped"))
        return coord
    if spec["type"] == "skycoord":
        return SkyCoordTableCoordinate(decode_value(spec["table"]), mesh=spec["mesh"], **kwargs)
    raise ValueError(f"unknown extra coordinate table type {spec['type']!r}")


def _axes_json(axes: Any) -> Any:
    return int(axes) if not isinstance(axes, (tuple, list)) else [int(a) for a in axes]


def _wcs_part(ec: Any, where: str) -> dict[str, Any]:
    """``{"wcs": spec, "mapping": [...]}`` of an ``ExtraCoords`` built from a WCS (FITS or per-exposure only)."""
    from irisplug_io.records import wcs_spec

    spec = wcs_spec(ec._wcs)
    if spec["kind"] not in ("fits", "per_exposure"):
        _refuse(f"cannot store the extra coordinates {where}: they are a {spec['kind']} WCS; the writers store "
                "table coordinates and FITS or per-exposure WCSs there")
    return {"wcs": spec, "mapping": None if ec._mapping is None else [int(m) for m in ec._mapping]}


def extra_coords_spec(cube: Any, where: str = "cube") -> dict[str, Any] | None:
    """The description of ``cube.extra_coords`` (None when it has none).

    Parameters
    ----------
    cube
        An NDCube.
    where
        How error messages name the cube.

    Raises
    ------
    UnsupportedObjectError
        An extra coordinate the writers cannot store exactly (named in the message).

    Examples
    --------
    >>> import numpy as np, astropy.units as u
    >>> from astropy.wcs import WCS
    >>> from ndcube import NDCube
    >>> cube = NDCube(np.zeros((2, 3)), wcs=WCS(naxis=2))
    >>> cube.extra_coords.add("exposure_time", 0, [1.0, 2.0] * u.s)
    >>> [t["axes"] for t in extra_coords_spec(cube)["tables"]]
    [0]
    """
    ec = cube.extra_coords
    if ec.is_empty and not ec._dropped_tables:
        return None
    spec: dict[str, Any] = {"tables": [], "dropped": [], "wcs": None, "mapping": None}
    if ec._wcs is not None:
        spec.update(_wcs_part(ec, where))
    for axes, coord in ec._lookup_tables:
        name = f"{where} extra coordinate {_names(coord)}"
        spec["tables"].append({"axes": _axes_json(axes), "coord": table_coord_spec(coord, name)})
    for coord in ec._dropped_tables or ():
        spec["dropped"].append(table_coord_spec(coord, f"{where} dropped extra coordinate {_names(coord)}"))
    return spec


def apply_extra_coords(cube: Any, spec: dict[str, Any] | None) -> Any:
    """Give ``cube`` (just built, no extra coordinates yet) the extra coordinates ``spec`` describes; returns it.

    The cube's own ``ExtraCoords`` object is filled (the tables in their
    stored order, as ndcube's asdf converter does; its ``wcs`` and ``mapping``
    setters for a WCS), without going through the ``extra_coords`` property
    (irisplug's exposure cubes build theirs from the metadata there when they
    have none).
    """
    if not spec:
        return cube
    ec = cube._extra_coords
    if spec.get("wcs") is not None:
        from irisplug_io.records import wcs_from_spec

        ec.wcs = wcs_from_spec(spec["wcs"])
        if spec.get("mapping") is not None:
            ec.mapping = tuple(spec["mapping"])
    tables = [(tuple(t["axes"]) if isinstance(t["axes"], list) else t["axes"], table_coord_from_spec(t["coord"]))
              for t in spec.get("tables", [])]
    # in their stored order (ndcube's add() sorts, slicing keeps a set's order: the world axes would be reordered),
    # as ndcube's own asdf converter does; the tables of axes indexed away go back to _dropped_tables
    ec._lookup_tables = tables
    ec._dropped_tables = [table_coord_from_spec(s) for s in spec.get("dropped", [])]
    return cube
