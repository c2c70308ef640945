"""Convert the data model's cubes to ``xarray.Dataset`` objects (optional ``xarray`` dependency).

:func:`to_xarray` turns a :class:`~irisplug.model.RasterCube`,
:class:`~irisplug.model.RasterSequence`, :class:`~irisplug.model.SJICube` or a
collection of result maps (an ndcube ``NDCollection``, e.g. what a fitter
returns) into one dataset: ``data`` (lazy when the cube is), ``mask`` and
``uncertainty`` where the cube has them, and coordinates: wavelength
(Angstrom), per-exposure time / exposure time / raster position / repeat,
helioprojective longitude and latitude of every spatial pixel (arcsec; lazy
for a lazy slit-jaw cube), and the observation id from the cube's meta.
"""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["to_xarray"]

_EXPOSURE_DTYPES = {"exposure_time": np.float64, "raster_position": np.int32, "repeat": np.int32}


def _is_lazy(a: Any) -> bool:
    return hasattr(a, "dask") and hasattr(a, "map_blocks")


def _axis_names(cube: Any) -> list[str]:
    """Dimension names of ``cube``'s array axes (the unsliced axis names minus the integer-sliced ones)."""
    from irisplug.model.cubes import RasterCube, SJICube
    from irisplug.model.operations import unwrap_wcs

    _, slices = unwrap_wcs(cube.wcs)
    n = len(slices)
    if isinstance(cube, RasterCube) and n == 3:
        full = ["exposure", "slit", "wavelength"]
    elif isinstance(cube, SJICube) and n == 3:
        full = ["frame", "y", "x"]
    else:
        return _generic_axis_names(cube)
    kept = [name for name, s in zip(full, slices[::-1], strict=True) if not isinstance(s, (int, np.integer))]
    if len(kept) != cube.data.ndim:
        return [f"dim_{i}" for i in range(cube.data.ndim)]
    return kept


def _generic_axis_names(cube: Any) -> list[str]:
    """Names of an NDCube's array axes from their world physical types, ``dim_i`` where none is clear.

    The axis whose world coordinates are all wavelengths is ``wavelength``; array axis 0 along which the world
    time advances is ``exposure`` (as a raster's; its per-exposure coordinates become xarray coordinates); an
    axis with another own coordinate takes its physical type's last part (``custom:pos.iuvs.spatial_bin``:
    ``spatial_bin``). Names two axes would share (coupled celestial axes) stay ``dim_i``.
    """
    from irisplug.model.wavelength_grid import axis_name

    n = cube.data.ndim
    types = cube.array_axis_physical_types
    if len(types) != n:
        return [f"dim_{i}" for i in range(n)]
    names = []
    for i, t in enumerate(types):
        own = [str(x) for x in t if "em.wl" not in str(x)]
        if t and not own:
            names.append("wavelength")
        elif i == 0 and "time" in own:  # the world time advances along it (with whatever else is recorded per frame)
            names.append("exposure")
        elif own and not own[0].startswith("time"):
            names.append(axis_name(own[0]))
        else:
            names.append(f"dim_{i}")
    return [name if names.count(name) == 1 and name.isidentifier() else f"dim_{i}" for i, name in enumerate(names)]


def _world_values(wcs: Any, shape: tuple[int, ...], keep: list[int], fixed: dict[int, int]) -> tuple[list[np.ndarray], Any]:
    """World values of the pixel grid over array axes ``keep`` (other array axes at ``fixed`` indices)."""
    low = getattr(wcs, "low_level_wcs", wcs)
    grids = np.meshgrid(*[np.arange(shape[a]) for a in keep], indexing="ij")
    n = len(shape)
    pix_arrays = []
    for a in range(n):
        if a in keep:
            pix_arrays.append(grids[keep.index(a)])
        else:
            pix_arrays.append(np.full(grids[0].shape if grids else (), fixed.get(a, 0)))
    values = low.pixel_to_world_values(*pix_arrays[::-1])  # pixel order is reversed array order
    if low.world_n_dim == 1:
        values = [values]
    return [np.asarray(v) for v in values], low


def _is_hpc(ptype: str, which: str) -> bool:
    """A helioprojective ``lon``/``lat`` physical type (not heliographic, not a detector position)."""
    return "helioprojective" in ptype and ptype.endswith(which)


def _lonlat_arcsec(values: list[np.ndarray], low: Any) -> tuple[np.ndarray | None, np.ndarray | None]:
    import astropy.units as u

    lon = lat = None
    for v, ptype, unit in zip(values, low.world_axis_physical_types, low.world_axis_units, strict=True):
        if _is_hpc(ptype, "lon"):
            q = u.Quantity(v, unit).to_value(u.deg)
            lon = ((q + 180.0) % 360.0 - 180.0) * 3600.0  # wrap: helioprojective longitude is near 0
        elif _is_hpc(ptype, "lat"):
            lat = u.Quantity(v, unit).to_value(u.arcsec)
    return lon, lat


def _celestial_coords(cube: Any, dims: list[str], spatial: list[int]) -> dict[str, Any]:
    """``hpc_x``/``hpc_y`` (arcsec) over the array axes ``spatial``; lazy per frame chunk for a lazy 3-D image cube."""
    types = [str(t) for t in getattr(getattr(cube.wcs, "low_level_wcs", cube.wcs), "world_axis_physical_types", ())]
    if not spatial or not any(_is_hpc(t, "lon") for t in types) or not any(_is_hpc(t, "lat") for t in types):
        return {}  # no helioprojective position (a detector array, a planetary spectrograph's bins, heliographic)
    shape = tuple(cube.data.shape)
    fixed = {a: 0 for a in range(len(shape)) if a not in spatial}
    sdims = tuple(dims[a] for a in spatial)
    lazy_frames = _is_lazy(cube.data) and len(spatial) == 3 and "wavelength" not in dims
    if not lazy_frames:
        values, low = _world_values(cube.wcs, shape, spatial, fixed)
        lon, lat = _lonlat_arcsec(values, low)
        out = {}
        if lon is not None:
            out["hpc_x"] = (sdims, lon, {"units": "arcsec", "long_name": "helioprojective longitude"})
        if lat is not None:
            out["hpc_y"] = (sdims, lat, {"units": "arcsec", "long_name": "helioprojective latitude"})
        return out
    import dask.array as da

    wcs = cube.wcs
    chunks = (cube.data.chunks[0], (shape[1],), (shape[2],))

    def block(which: int, block_info: Any = None) -> np.ndarray:
        lo, hi = block_info[None]["array-location"][0]
        low = getattr(wcs, "low_level_wcs", wcs)
        f, y, x = np.meshgrid(np.arange(lo, hi), np.arange(shape[1]), np.arange(shape[2]), indexing="ij")
        vals = low.pixel_to_world_values(x, y, f)
        lon, lat = _lonlat_arcsec([np.asarray(v) for v in vals], low)
        return lon if which == 0 else lat

    lon = da.map_blocks(block, 0, chunks=chunks, dtype=float)
    lat = da.map_blocks(block, 1, chunks=chunks, dtype=float)
    return {"hpc_x": (sdims, lon, {"units": "arcsec", "long_name": "helioprojective longitude"}),
            "hpc_y": (sdims, lat, {"units": "arcsec", "long_name": "helioprojective latitude"})}


def _attrs(obj: Any) -> dict[str, Any]:
    """Attributes from the meta: the window, the observation's description keys, the standard and summary keys."""
    from irisplug.model.description import (
        DESCRIPTION,
        OBSERVATION_ID,
        fits_keyword_items,
        observation_description,
        observation_id,
        summary_items,
    )
    from irisplug.model.levels import window_label

    try:
        items = [("window", window_label(obj)), (OBSERVATION_ID, observation_id(obj)),
                 (DESCRIPTION, observation_description(obj)), *fits_keyword_items(obj), *summary_items(obj)]
    except Exception:  # noqa: BLE001 - a meta that is not a mapping has no attributes to give
        return {}
    attrs: dict[str, Any] = {}
    for key, value in items:
        if isinstance(value, (str, int, float, np.integer, np.floating)) and not isinstance(value, bool):
            attrs.setdefault(key, value.item() if hasattr(value, "item") else value)
    return attrs


def _axis0_extra_coords(cube: Any) -> dict[str, Any]:
    """The cube's ndcube extra coordinates along array axis 0 alone (name -> world values), e.g. a reader's
    per-integration ``time`` and ``exposure_time`` kept there rather than in the model's per-exposure meta."""
    ec = getattr(cube, "extra_coords", None)
    if ec is None or not ec.keys():
        return {}
    last = cube.data.ndim - 1  # ExtraCoords maps pixel axes: array axis 0 is the last pixel axis
    out = {}
    for key in ec.keys():
        sub = ec[key]
        if tuple(int(m) for m in sub.mapping) == (last,):
            out[key] = cube.axis_world_coords(wcs=sub)[0]
    return out


def _exposure_coords(cube: Any, dims: list[str]) -> dict[str, Any]:
    from irisplug.model._exposures import exposure_values
    from irisplug.model.leap_seconds import utc_datetime64

    values = exposure_values(cube) or _axis0_extra_coords(cube)
    if not values:
        return {}
    exp_dim = dims[0] if dims and dims[0] in ("exposure", "frame") else None
    out: dict[str, Any] = {}
    for name, value in values.items():
        if name == "time":
            arr = utc_datetime64(value, "exposure times")
            attrs = {"long_name": "exposure midpoint (UTC)"}
        elif name == "exposure_time":
            import astropy.units as u

            arr = np.asarray(u.Quantity(value).to_value(u.s), dtype=np.float64)
            attrs = {"units": "s"}
        elif hasattr(value, "utc") and hasattr(value, "jd1"):  # another astropy Time coordinate
            arr = utc_datetime64(value, f"{name} values")
            attrs = {}
        elif hasattr(value, "unit") and hasattr(value, "value"):  # a Quantity coordinate
            arr = np.asarray(value.value)
            attrs = {"units": value.unit.to_string()}
        else:
            arr = np.asarray(value).astype(_EXPOSURE_DTYPES.get(name, np.asarray(value).dtype))
            attrs = {}
        if arr.ndim == 0:
            out[name] = ((), arr, attrs)
        elif exp_dim is not None and arr.shape[0] == cube.data.shape[0]:
            out[name] = ((exp_dim,), arr, attrs)
    return out


def _cube_to_xarray(cube: Any) -> Any:
    import xarray as xr

    dims = _axis_names(cube)
    wl, wl_dims = _wavelength(cube, dims)
    if wl is not None and len(wl_dims) > 1:  # a wavelength per pixel of another axis too (e.g. IUVS spatial bins):
        dims = ["spectral" if d == "wavelength" else d for d in dims]  # a 2-D coordinate cannot name a dimension
        wl_dims = tuple("spectral" if d == "wavelength" else d for d in wl_dims)
    data_vars: dict[str, Any] = {}
    unit = getattr(cube, "unit", None)
    data_vars["data"] = (dims, cube.data, {"units": "" if unit is None else unit.to_string()})
    mask = getattr(cube, "mask", None)
    if mask is not None and np.ndim(mask) == cube.data.ndim:
        data_vars["mask"] = (dims, mask, {"long_name": "True where the pixel is missing or invalid"})
    unc = getattr(cube, "uncertainty", None)
    if unc is not None and np.ndim(unc.array) == cube.data.ndim:
        data_vars["uncertainty"] = (dims, unc.array, {"uncertainty_type": getattr(unc, "uncertainty_type", "std"),
                                                     "units": "" if unit is None else unit.to_string()})
    coords: dict[str, Any] = {}
    if wl is not None:
        coords["wavelength"] = (wl_dims, wl, {"units": "Angstrom"})
    spatial = [a for a, d in enumerate(dims) if d not in ("wavelength", "spectral")]
    coords.update(_exposure_coords(cube, dims))
    coords.update(_celestial_coords(cube, dims, spatial))
    attrs = _attrs(cube)
    if "observation_id" in attrs:
        coords["observation_id"] = ((), np.asarray(attrs["observation_id"]), {})
    return xr.Dataset(data_vars, coords=coords, attrs=attrs)


def _wavelength(cube: Any, dims: list[str]) -> tuple[np.ndarray | None, tuple[str, ...]]:
    """The wavelengths (Angstrom) of the cube's spectral dimension and the dimensions they vary along.

    One value per spectral pixel, or (a wavelength table per spatial bin) an array over every array axis the
    wavelength depends on, in array order; ``(None, ())`` without a spectral dimension.
    """
    import astropy.units as u

    if "wavelength" not in dims:
        return None, ()
    wl = np.asarray(u.Quantity(cube.axis_world_coords_values("em.wl")[0]).to_value(u.AA))
    if wl.ndim <= 1:
        return wl.reshape(-1), ("wavelength",)
    from irisplug.model.wavelength_grid import wavelength_axes

    along = tuple(dims[a] for a in wavelength_axes(cube))
    if len(along) != wl.ndim:
        from irisplug.errors import UnsupportedObjectError

        raise UnsupportedObjectError(f"the wavelength of this {type(cube).__name__} varies along {wl.ndim} axes but "
                                     f"its physical types name {len(along)}: no xarray coordinate for it")
    return wl, along


def _unaligned(collection: Any) -> bool:
    """A collection of cubes of their own (a reader's groups or products), not maps sharing their axes."""
    return getattr(collection, "aligned_axes", None) is None and any(
        hasattr(v, "wcs") or isinstance(getattr(v, "data", None), list) for v in collection.values())


def _collection_to_datatree(collection: Any) -> Any:
    """An ``xarray.DataTree`` with one node per member (each member's own Dataset, as :func:`to_xarray` makes it)."""
    import xarray as xr

    from irisplug.errors import UnsupportedObjectError

    children = {}
    for key, value in collection.items():
        name = str(key)
        if not name or "/" in name:
            raise UnsupportedObjectError(f"member {key!r} of the collection cannot name an xarray DataTree node")
        children[name] = xr.DataTree(to_xarray(value))
    return xr.DataTree(children=children)


def _map_dims(item: Any, ndim: int) -> list[str]:
    """Dimensions of a collection's maps: a raster's maps (helioprojective) ``exposure, slit`` as the raster's own
    dims; other maps by their world coordinates (IUVS: ``exposure, spatial_bin``); else ``dim_i``."""
    names = _generic_axis_names(item) if getattr(item, "wcs", None) is not None and ndim else []
    if names and not any(n.startswith("dim_") or n in ("lat", "lon") for n in names):
        return names
    return ["exposure", "slit"] if ndim == 2 else [f"dim_{i}" for i in range(ndim)]


def _collection_to_xarray(collection: Any) -> Any:
    import xarray as xr

    data_vars: dict[str, Any] = {}
    coords: dict[str, Any] = {}
    attrs: dict[str, Any] = {}
    dims: list[str] | None = None
    for key, item in collection.items():
        data = getattr(item, "data", item)
        if dims is None:
            dims = _map_dims(item, np.ndim(data))
            if hasattr(item, "wcs") and item.wcs is not None:
                try:
                    coords.update(_celestial_coords(item, dims, list(range(np.ndim(data)))))
                except Exception:  # noqa: BLE001 - a map without celestial world axes has no hpc coordinates
                    pass
            attrs.update(_attrs(item))
            attrs.update({k: v for k, v in dict(getattr(item, "meta", None) or {}).items()
                          if isinstance(v, (str, int, float)) and not isinstance(v, bool) and k not in attrs})
        unit = getattr(item, "unit", None)
        data_vars[str(key)] = (dims, data, {"units": "" if unit is None else unit.to_string()})
        mask = getattr(item, "mask", None)
        if mask is not None and np.ndim(mask) == np.ndim(data):
            data_vars[f"{key}_mask"] = (dims, mask, {})
        unc = getattr(item, "uncertainty", None)
        if unc is not None and np.ndim(unc.array) == np.ndim(data):
            data_vars[f"{key}_uncertainty"] = (dims, unc.array, {"uncertainty_type": getattr(unc, "uncertainty_type", "std")})
    return xr.Dataset(data_vars, coords=coords, attrs=attrs)


def to_xarray(obj: Any) -> Any:
    """An ``xarray.Dataset`` of a cube, a sequence of cubes or a collection of result maps.

    Requires xarray (``pip install irisplug[xarray]``). Nothing is computed:
    a lazy (dask) cube gives dask-backed variables.

    Parameters
    ----------
    obj
        A :class:`RasterCube` (dims ``exposure, slit, wavelength``), a
        :class:`RasterSequence` (the files concatenated along ``exposure``,
        with a ``raster`` coordinate giving each exposure's file), an
        :class:`SJICube` (dims ``frame, y, x``), an ndcube ``NDCollection`` of
        maps (one variable per map; a list of them, as fitters return for a
        sequence, is concatenated along the first axis), or any NDCube (dims
        named from its world coordinates: ``wavelength``, ``exposure`` for
        axis 0 along which the time advances, else the last part of an
        axis's own physical type, else ``dim_i``; its extra coordinates
        along axis 0 become coordinates).

    Returns
    -------
    xarray.Dataset or xarray.DataTree
        A DataTree for an NDCollection of cubes that do not share their
        axes (a reader's groups or products: SHOW, IUVS), one node per
        member holding that member's Dataset. A Dataset otherwise:
        variables ``data`` (``units`` attribute), ``mask`` and ``uncertainty``
        where known; coordinates ``wavelength`` (Angstrom), ``time``
        (datetime64, exposure midpoints), ``exposure_time`` (s),
        ``raster_position``, ``repeat``, ``hpc_x``/``hpc_y`` (arcsec, one per
        spatial pixel) and ``observation_id`` where the object has them;
        attributes from the meta: ``window``, ``observation_id``,
        ``description`` (:mod:`irisplug.model.description`), the standard
        keywords (``TELESCOP``, ``INSTRUME``, ...) and the reader's
        ``summary_keys``.

    Raises
    ------
    UnsupportedObjectError
        ``obj`` is none of these.

    Examples
    --------
    >>> import astropy.units as u, astropy.wcs, ndcube, numpy as np
    >>> from irisplug.model import to_xarray
    >>> wcs = astropy.wcs.WCS(naxis=1)
    >>> wcs.wcs.ctype, wcs.wcs.cunit, wcs.wcs.crval, wcs.wcs.cdelt = ["WAVE"], ["Angstrom"], [2796.0], [0.05]
    >>> ds = to_xarray(ndcube.NDCube(np.arange(4.0), wcs=wcs, unit=u.DN, meta={"observation_id": "3860258481"}))
    >>> ds["data"].dims, np.round(ds.wavelength.values[:2], 6).tolist(), ds.attrs["observation_id"]
    (('wavelength',), [2796.05, 2796.1], '3860258481')
    """
    from ndcube import NDCollection, NDCube, NDCubeSequence

    from irisplug.errors import UnsupportedObjectError

    if isinstance(obj, NDCollection) and _unaligned(obj):
        return _collection_to_datatree(obj)
    if isinstance(obj, NDCollection):
        return _collection_to_xarray(obj)
    if isinstance(obj, (list, tuple)) and obj and all(isinstance(o, NDCollection) for o in obj):
        import xarray as xr

        parts = [_collection_to_xarray(o).assign_coords(raster=("exposure", np.full(next(iter(o.values())).data.shape[0], i)))
                 for i, o in enumerate(obj)]
        return xr.concat(parts, dim="exposure", data_vars="all", coords="different", compat="equals", join="outer",
                         combine_attrs="override")
    if isinstance(obj, NDCubeSequence):
        import xarray as xr

        parts = []
        for i, cube in enumerate(obj.data):
            ds = _cube_to_xarray(cube)
            first = ds["data"].dims[0]
            parts.append(ds.assign_coords(raster=((first,), np.full(cube.data.shape[0], i, dtype=np.int32))))
        if not parts:
            raise UnsupportedObjectError("cannot convert an empty sequence to xarray")
        first = parts[0]["data"].dims[0]
        return xr.concat(parts, dim=first, data_vars="minimal", coords="minimal", compat="override", join="override",
                         combine_attrs="override")
    if isinstance(obj, NDCube):
        return _cube_to_xarray(obj)
    raise UnsupportedObjectError(f"cannot convert a {type(obj).__name__} to an xarray Dataset "
                                 "(give a RasterCube, RasterSequence, SJICube, NDCube or NDCollection)")
