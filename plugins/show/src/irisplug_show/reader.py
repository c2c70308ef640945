"""Reader of SHOW level-0 netCDF-4 files: one NDCube per science group (lazy, xarray + h5netcdf)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from irisplug.errors import CorruptFileError, InconsistentInputError, IrisplugError
from irisplug_show.detector import EXPOSURE_UNITS, REQUIRED_VARIABLES, SATURATION_DN
from irisplug_show.errors import SHOWMissingVariableError

__all__ = ["list_groups", "identify_show_l0", "read_group", "read_show_l0", "exposure_quantity"]


#: what h5py and h5netcdf raise on damaged HDF5 metadata (checksums, object headers, B-trees)
_HDF5_ERRORS = (OSError, KeyError, ValueError, RuntimeError, TypeError, IndexError)


def _members_in_file_order(group: Any) -> list[str]:
    """The member names of an h5py group in the file's order: creation order where the file tracks it, else by name.

    netCDF-4 files track creation order (netCDF-C always does; h5netcdf does with h5py >= 3.7), so the groups come
    out in the order the instrument wrote them. Iterating the h5py group itself does not guarantee that: h5py
    before 3.12 iterates a file's root group by name even when creation order is tracked (h5py 3.12 release
    notes, "Fix the iteration order for the root group in a file with creation order tracked"), so the same file
    listed its groups in two different orders depending on the installed h5py. This asks HDF5 for the order.
    """
    import h5py

    gid = group["/"].id if group.name == "/" else group.id
    plist = gid.get_create_plist()
    try:
        tracked = bool(plist.get_link_creation_order() & h5py.h5p.CRT_ORDER_TRACKED)
    finally:
        plist.close()
    names: list[bytes] = []
    gid.links.iterate(names.append, idx_type=h5py.h5.INDEX_CRT_ORDER if tracked else h5py.h5.INDEX_NAME)
    return [n.decode("utf-8") if isinstance(n, bytes) else n for n in names]


def _image_groups(f: Any) -> list[str]:
    import h5py

    names = []
    if "image" in f:
        names.append("/")
    for k in _members_in_file_order(f):
        v = f.get(k)
        if isinstance(v, h5py.Group) and "image" in v:
            names.append(k)
    return names


def list_groups(path: str | Path) -> list[str]:
    """Names of the groups holding an ``image`` variable ("/" for the root group).

    Raises
    ------
    CorruptFileError
        Not an HDF5 / netCDF-4 file.

    Examples
    --------
    >>> list_groups("show_l0.nc")  # doctest: +SKIP
    ['2023_08_01_DARK_vect', '2023_08_01_WHT_ARMA_300ms_vect', ...]
    """
    import h5py

    try:
        with h5py.File(path, "r") as f:
            return _image_groups(f)
    except _HDF5_ERRORS as exc:  # h5py raises KeyError/ValueError/RuntimeError for damaged metadata too
        raise CorruptFileError(f"cannot open as netCDF-4/HDF5: {exc}", path=path) from exc


def identify_show_l0(info: Any) -> bool:
    """True for an HDF5 file with a group holding ``image``, ``exposure_time`` and ``temperatures`` (metadata only)."""
    if not info.is_hdf5:
        return False
    import h5py

    try:
        with h5py.File(info.path, "r") as f:
            for g in _image_groups(f):
                grp = f if g == "/" else f[g]
                if "exposure_time" in grp and "temperatures" in grp:
                    return True
    except _HDF5_ERRORS:
        return False
    return False


def exposure_quantity(var: Any, path: Path, group: str) -> Any:
    """``exposure_time`` as a Quantity in s, from its ``units`` attribute (none: microseconds, as showapi)."""
    import astropy.units as u

    values = np.asarray(var.values)
    if np.issubdtype(values.dtype, np.timedelta64):
        return (values / np.timedelta64(1, "ns")).astype(float) * u.ns.to(u.s) * u.s
    unit = str(var.attrs.get("units", "us")).strip().lower()
    if unit not in EXPOSURE_UNITS:
        raise InconsistentInputError(
            f"group {group!r}: exposure_time has units {unit!r}; expected one of {sorted(EXPOSURE_UNITS)}", path=path
        )
    return (values.astype(float) * u.Unit(EXPOSURE_UNITS[unit])).to(u.s)


def _frame_times(var: Any, path: Path, group: str) -> Any:
    """Frame times as UTC Time: CF-decoded datetimes, or plain numbers read as Unix seconds."""
    from astropy.time import Time

    values = np.asarray(var.values)
    if np.issubdtype(values.dtype, np.datetime64):
        return Time(values.astype("datetime64[ns]"), scale="utc")
    if np.issubdtype(values.dtype, np.number):
        return Time(values.astype(float), format="unix", scale="utc")
    raise InconsistentInputError(f"group {group!r}: cannot read 'time' of dtype {values.dtype} as times", path=path)


def _temperature_unit(var: Any) -> Any:
    import astropy.units as u

    text = str(var.attrs.get("units", "degC")).strip()
    return {"degc": u.deg_C, "c": u.deg_C, "celsius": u.deg_C, "k": u.K, "kelvin": u.K}.get(text.lower(), u.deg_C)


def read_group(path: str | Path, group: str, *, lazy: bool = True, frames_per_chunk: int = 16) -> Any:
    """One SHOW L0 group as an NDCube (time, heightrow, pixelrow) in DN.

    Extra coordinates on axis 0: ``time`` (Time), ``exposure_time`` (s),
    ``high_gain`` (0/1) and one ``temperature_<label>`` per temperature
    channel (degC). ``meta["temperatures"]`` holds the same as an astropy
    Table (time + one column per label); saturated pixels (>= 16383 DN) are
    masked. ``frames_per_chunk`` sets the dask chunking along time (16 full
    OWL640 frames are 10 MB of uint16).

    Raises
    ------
    SHOWMissingVariableError
        A required variable is absent (names the group and the variables).

    Examples
    --------
    >>> cube = read_group("show_l0.nc", "2023_08_01_DARK_vect")  # doctest: +SKIP
    >>> cube.data.shape  # doctest: +SKIP
    (16, 640, 512)
    """
    import xarray as xr


    path = Path(path)
    kwargs = {"engine": "h5netcdf", "decode_timedelta": False}
    if group != "/":
        kwargs["group"] = group
    try:
        ds = xr.open_dataset(path, **kwargs)  # lazy backend arrays; only the image becomes dask below
    # damaged metadata, undecodable time units or calendar; h5netcdf 1.3 meets a damaged link in a group as
    # None and raises AttributeError ('NoneType' object has no attribute 'attrs'; fuzz seed 0, case 23)
    except (*_HDF5_ERRORS, AttributeError) as exc:
        raise CorruptFileError(f"group {group!r}: cannot open as netCDF-4 ({type(exc).__name__}: {exc})", path=path) from exc
    try:
        return _group_cube(ds, path, group, lazy, frames_per_chunk)
    except IrisplugError:
        raise
    except _HDF5_ERRORS as exc:  # a variable's data or attributes damaged
        raise CorruptFileError(f"group {group!r}: cannot decode ({type(exc).__name__}: {exc})", path=path) from exc


def _group_cube(ds: Any, path: Path, group: str, lazy: bool, frames_per_chunk: int) -> Any:
    """The NDCube of one opened group (see :func:`read_group`)."""
    import astropy.units as u
    from astropy.table import QTable
    from ndcube import NDCube

    from irisplug_show.wcs import build_show_wcs

    missing = [v for v in REQUIRED_VARIABLES if v not in ds.variables]
    if missing:
        raise SHOWMissingVariableError(
            f"group {group!r} lacks the variable(s) {', '.join(missing)} of the SHOW L0 layout "
            f"(has {', '.join(sorted(map(str, ds.variables)))})",
            path=path,
        )
    image = ds["image"]
    if image.dims != ("time", "heightrow", "pixelrow"):
        raise InconsistentInputError(f"group {group!r}: image has dims {image.dims}, expected (time, heightrow, pixelrow)",
                                     path=path)
    data = _guarded_lazy(image, path, group, frames_per_chunk) if lazy else _eager(image, path, group)
    n = data.shape[0]
    times = _frame_times(ds["time"], path, group)
    exposure = exposure_quantity(ds["exposure_time"], path, group)
    labels = [x.decode() if isinstance(x, bytes) else str(x) for x in np.asarray(ds["temperature_labels"].values)]
    temps = np.asarray(ds["temperatures"].values, dtype=float)
    if temps.shape != (n, len(labels)) or len(times) != n or len(exposure) != n:
        raise InconsistentInputError(
            f"group {group!r}: {n} images but time {len(times)}, exposure_time {len(exposure)}, "
            f"temperatures {temps.shape} for {len(labels)} labels",
            path=path,
        )
    tunit = _temperature_unit(ds["temperatures"])
    gain = np.asarray(ds["high_gain"].values)
    if gain.dtype.kind not in "biu" or gain.shape != (n,) or not np.isin(gain, (0, 1)).all():
        raise InconsistentInputError(f"group {group!r}: high_gain must be {n} integers 0 or 1; it is {gain.dtype} "
                                     f"of shape {gain.shape}", path=path)
    gain = gain.astype(int)
    table = QTable({"time": times, **{lab: temps[:, i] * tunit for i, lab in enumerate(labels)}})
    meta = {"instrument": "SHOW", "level": "L0", "path": str(path), "group": group, "temperature_labels": labels,
            "temperatures": table, "attrs": dict(ds.attrs), "saturation_dn": SATURATION_DN}
    from irisplug.model import with_description, with_levels

    with_levels(meta, saturation_level=SATURATION_DN * u.DN)  # the model's instrument-neutral key (irisplug.model.levels)
    # the group is one acquisition of the file; the model's description keys (irisplug.model.description)
    meta["INSTRUME"], meta["FILENAME"], meta["DATE-OBS"] = "SHOW", Path(path).name, (times[0].utc.isot if n else None)
    with_description(meta, observation_id=f"{Path(path).name}:{group}",
                     description=f"SHOW level 0, group {group}, {n} images", summary_keys=("INSTRUME", "FILENAME", "group",
                                                                                             "DATE-OBS", "level"))
    mask = data >= SATURATION_DN
    wcs = build_show_wcs((times - times[0]).to_value(u.s), times[0])
    cube = NDCube(data, wcs=wcs, unit=u.DN, mask=mask, meta=meta)
    cube.extra_coords.add("time", 0, times, physical_types="time")
    cube.extra_coords.add("exposure_time", 0, exposure, physical_types="obs.exposure")
    cube.extra_coords.add("high_gain", 0, gain * u.one, physical_types="custom:instr.show.high_gain")
    for i, lab in enumerate(labels):
        cube.extra_coords.add(f"temperature_{lab}", 0, temps[:, i] * tunit, physical_types="phys.temperature")
    return cube


class _GuardedImage:
    """The lazily read ``image`` variable, for dask: a read that fails (damaged HDF5 chunks, filters) raises a
    CorruptFileError naming the file, the group and the frames, when the data are computed."""

    def __init__(self, var: Any, path: Path, group: str) -> None:
        self.var, self.path, self.group = var, path, group
        self.shape, self.dtype, self.ndim = tuple(var.shape), np.dtype(var.dtype), var.ndim

    def __getitem__(self, key: Any) -> np.ndarray:
        try:
            return np.asarray(self.var[key].values)
        except _HDF5_ERRORS as exc:
            raise CorruptFileError(f"group {self.group!r}: cannot read image data {key!r} ({type(exc).__name__}: {exc})",
                                   path=self.path) from exc


def _guarded_lazy(image: Any, path: Path, group: str, frames_per_chunk: int) -> Any:
    """``image`` as a dask array of ``frames_per_chunk`` frames per chunk, its read errors wrapped (see _GuardedImage)."""
    import dask.array as da

    guarded = _GuardedImage(image.variable, path, group)
    chunks = (max(1, int(frames_per_chunk)), *guarded.shape[1:])
    return da.from_array(guarded, chunks=chunks, asarray=True, meta=np.empty((0,) * guarded.ndim, guarded.dtype),
                         name=f"show-image-{path.name}-{group}-{id(guarded):x}")


def _eager(image: Any, path: Path, group: str) -> np.ndarray:
    return _GuardedImage(image.variable, path, group)[(slice(None),) * image.ndim]


def read_show_l0(paths: list[Path] | str | Path, *, groups: list[str] | None = None, lazy: bool = True,
                 frames_per_chunk: int = 16) -> Any:
    """Read SHOW L0 netCDF file(s): one group -> an NDCube, several -> an NDCollection keyed by group name.

    Parameters
    ----------
    paths
        One file or several (their groups are collected; a group name seen in
        two files is keyed ``"<file stem>/<group>"``).
    groups
        Only these groups (default: every group with an ``image``).
    lazy
        Dask arrays (default) or numpy.
    frames_per_chunk
        Frames per dask chunk.

    Examples
    --------
    >>> coll = read_show_l0("show_l0.nc")  # doctest: +SKIP
    >>> list(coll)  # doctest: +SKIP
    ['2023_08_01_DARK_vect', '2023_08_01_WHT_ARMA_300ms_vect', '2023_08_01_WHT_ARMB_300ms_vect', '2023_08_01_SCI_300ms_vect']
    """
    from ndcube import NDCollection

    from irisplug import progress

    if isinstance(paths, str | Path):
        paths = [Path(paths)]
    pairs: list[tuple[str, Any]] = []
    seen: set[str] = set()
    for p in paths:
        p = Path(p)
        names = list_groups(p)
        if not names:
            raise SHOWMissingVariableError("no group holds an 'image' variable: not a SHOW L0 file", path=p)
        if groups is not None:
            unknown = [g for g in groups if g not in names]
            if unknown and len(paths) == 1:
                raise SHOWMissingVariableError(f"no group(s) {unknown}; the file has {names}", path=p)
            names = [g for g in names if g in groups]
        for g in progress(names, desc=f"SHOW groups of {p.name}", quiet=len(names) < 8):
            key = g if g not in seen else f"{p.stem}/{g}"
            seen.add(g)
            pairs.append((key, read_group(p, g, lazy=lazy, frames_per_chunk=frames_per_chunk)))
    if len(pairs) == 1:
        return pairs[0][1]
    return NDCollection(pairs)
