"""Reader of SHOW level-0 netCDF-4 files: one NDCube per science group (lazy, xarray + h5netcdf)."""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Any

import numpy as np

from irisplug.errors import (
    CorruptFileError,
    InconsistentInputError,
    IrisplugError,
    IrisplugWarning,
    LimitExceededError,
)
from irisplug_show.detector import EXPOSURE_UNITS, REQUIRED_VARIABLES, SATURATION_DN
from irisplug_show.errors import SHOWEmptyGroupError, SHOWMissingVariableError

__all__ = ["list_groups", "identify_show_l0", "read_group", "read_show_l0", "exposure_quantity", "temperature_unit",
           "SHOWEmptyGroupError"]  # (the error lives in irisplug_show.errors; kept importable here)


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


def _attr_text(value: Any) -> str:
    """A netCDF text attribute as ``str`` (h5py gives ``bytes`` for fixed-length strings), stripped."""
    if isinstance(value, np.ndarray) and value.size == 1:
        value = value.item()
    return (value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)).strip()


def _astropy_unit(text: str) -> Any:
    """``text`` parsed by astropy (its generic format, then CDS for ``usec``-like names), also as a udunits plural
    (``microseconds`` -> ``microsecond``); None when no reading parses."""
    import astropy.units as u

    candidates = [text]
    if len(text) > 3 and text.endswith("s"):
        candidates.append(text[:-1])
    for candidate in candidates:
        for fmt in ("generic", "cds"):
            try:
                return u.Unit(candidate, format=fmt, parse_strict="raise")
            except (ValueError, TypeError):
                continue
    return None


def _seconds_unit(text: str) -> Any:
    """The astropy unit of an exposure-time ``units`` text that is the second with an SI prefix (``us``, ``µs``,
    ``microsecond(s)``, ``ns``, ``1e-6 s``...), else None (minutes or weeks are no spelling of an exposure time)."""
    import astropy.units as u

    unit = _astropy_unit(text)
    if unit is None:
        return None
    try:
        scale = float(unit.to(u.s))
    except u.UnitConversionError:
        return None
    if not scale > 0 or not np.isclose(np.log10(scale), round(np.log10(scale)), rtol=0, atol=1e-9):
        return None
    return unit


def exposure_quantity(var: Any, path: Path, group: str) -> Any:
    """``exposure_time`` as a Quantity in s, from its ``units`` attribute (none: microseconds, as showapi).

    The unit may be any SI-prefixed second in a spelling astropy or udunits accepts (``us``, ``µs``, ``μs``,
    ``microsecond``, ``microseconds``, ``usec``, ``ms``, ``msec``, ``s``, ``seconds``, ``ns``...).

    Raises
    ------
    InconsistentInputError
        The ``units`` attribute is not such a unit (the message names the file, group and unit).
    """
    import astropy.units as u

    values = np.asarray(var.values)
    if np.issubdtype(values.dtype, np.timedelta64):
        return (values / np.timedelta64(1, "ns")).astype(float) * u.ns.to(u.s) * u.s
    text = _attr_text(var.attrs.get("units", "us"))
    known = EXPOSURE_UNITS.get(text.lower())
    unit = u.Unit(known) if known is not None else _seconds_unit(text)
    if unit is None:
        raise InconsistentInputError(
            f"group {group!r}: exposure_time has units {text!r}, not a second with an SI prefix "
            f"(expected e.g. one of {sorted(EXPOSURE_UNITS)})", path=path
        )
    return (values.astype(float) * unit).to(u.s)


def _frame_times(var: Any, path: Path, group: str) -> Any:
    """Frame times as UTC Time: CF-decoded datetimes, or plain numbers read as Unix seconds."""
    from astropy.time import Time

    values = np.asarray(var.values)
    if np.issubdtype(values.dtype, np.datetime64):
        return Time(values.astype("datetime64[ns]"), scale="utc")
    if np.issubdtype(values.dtype, np.number):
        return Time(values.astype(float), format="unix", scale="utc")
    raise InconsistentInputError(f"group {group!r}: cannot read 'time' of dtype {values.dtype} as times", path=path)


#: spellings of the three temperature scales in ``units`` attributes (udunits, CF, astropy, common use), compared
#: after :func:`_temperature_key`; any other unit astropy parses as a temperature (``mK``, ``uK``) is accepted too
_TEMPERATURE_NAMES = {
    "K": ("k", "kelvin", "kelvins", "degk", "degreek", "degreesk", "degreekelvin", "degreeskelvin"),
    "deg_C": ("c", "degc", "degreec", "degreesc", "celsius", "degcelsius", "degreecelsius", "degreescelsius",
              "centigrade", "degreecentigrade", "degreescentigrade"),
    "deg_F": ("degf", "degreef", "degreesf", "fahrenheit", "degfahrenheit", "degreefahrenheit",
              "degreesfahrenheit"),
}
_TEMPERATURE_ALIASES = {alias: name for name, aliases in _TEMPERATURE_NAMES.items() for alias in aliases}


def _temperature_key(text: str) -> str:
    """``text`` folded for :data:`_TEMPERATURE_NAMES`: lower case, no blanks or underscores, degree signs as deg."""
    folded = text.replace("\u2103", "degC").replace("\u2109", "degF").replace("\u212a", "K")
    folded = folded.replace("\u00b0", "deg").replace("\u00ba", "deg")
    return folded.lower().replace(" ", "").replace("_", "")


def temperature_unit(text: str | bytes | None) -> Any:
    """The astropy unit of a temperature ``units`` attribute, or None when it names no temperature unit.

    A missing or empty attribute means degC (the layout's unit). Recognised: kelvin (``K``, ``degK``,
    ``kelvin``), Celsius (``degC``, ``deg_C``, ``degree_Celsius``, ``celsius``, ``°C``, ``C``), Fahrenheit
    (``degF``, ``degree_Fahrenheit``, ``fahrenheit``, ``°F``) and prefixed kelvins astropy parses (``mK``).

    Examples
    --------
    >>> [str(temperature_unit(t)) for t in ("degK", "degree_Celsius", "degF", "mK", None)]
    ['K', 'deg_C', 'deg_F', 'mK', 'deg_C']
    >>> temperature_unit("V") is None
    True
    """
    import astropy.units as u
    from astropy.units import imperial

    text = "" if text is None else _attr_text(text)
    if not text:
        return u.deg_C
    name = _TEMPERATURE_ALIASES.get(_temperature_key(text))
    if name is not None:
        return imperial.deg_F if name == "deg_F" else u.Unit(name)
    unit = _astropy_unit(text)
    if unit is None or unit.physical_type != "temperature":
        return None
    try:
        unit.to(u.deg_C, 0.0, equivalencies=u.temperature())
    except u.UnitConversionError:
        return None
    return unit


def _temperatures_degc(var: Any, values: np.ndarray, path: Path, group: str) -> np.ndarray:
    """``values`` of the ``temperatures`` variable ``var`` converted from its ``units`` attribute to degC.

    Raises
    ------
    InconsistentInputError
        The ``units`` attribute names no temperature unit (the message names the file, group, variable and unit).
    """
    import astropy.units as u

    raw = var.attrs.get("units")
    unit = temperature_unit(raw)
    if unit is None:
        raise InconsistentInputError(
            f"group {group!r}: variable 'temperatures' has units {_attr_text(raw)!r}, which is not a temperature "
            "unit this reader can convert to degC (K, mK, degK, degC, degree_Celsius, degF, ...)",
            path=path,
        )
    if unit == u.deg_C:
        return values
    return (values * unit).to_value(u.deg_C, equivalencies=u.temperature())


def _group_datasets(grp: Any) -> dict[str, Any]:
    """The datasets directly in the h5py group ``grp``, name -> low-level dataset id (metadata only, no data).

    The low-level API opens each object once; ``grp.items()`` costs half as much again per object.
    """
    import h5py

    links: list[bytes] = []
    grp.id.links.iterate(links.append)
    out = {}
    for link in links:
        try:
            dsid = h5py.h5d.open(grp.id, link)
        except KeyError:  # a subgroup, or a dangling link: no variable of this group (xarray names damage later)
            continue
        out[link.decode("utf-8") if isinstance(link, bytes) else link] = dsid
    return out


def _declared_bytes(dsid: Any) -> int:
    """Bytes of a low-level h5py dataset's declared data, from its shape and type (no data read)."""
    return int(np.prod(dsid.shape or (), dtype=object)) * int(dsid.get_type().get_size())


def _check_declared_group(path: Path, group: str, lazy: bool) -> None:
    """Check a group's declared sizes from the HDF5 metadata alone, before any variable is read.

    xarray reads the ``time`` index when it opens a group and the reader then reads every per-frame variable,
    so a small file declaring millions of frames (unwritten chunks) would cost gigabytes and minutes. This reads
    no data: the shapes (frame counts must agree), the bytes the group declares against the core's
    :mod:`irisplug.limits`, and only when the declared bytes pass ``RATIO_FLOOR_BYTES`` the bytes stored.

    Raises
    ------
    InconsistentInputError
        The per-frame variables declare different numbers of frames, or ``temperatures`` and
        ``temperature_labels`` different numbers of channels.
    SHOWEmptyGroupError
        The group has no frames.
    LimitExceededError
        The variables read at once declare more than ``IRISPLUG_MAX_DECOMPRESSED_BYTES``, or the group declares
        more than ``IRISPLUG_MAX_COMPRESSION_RATIO`` times the bytes it stores.
    CorruptFileError
        The metadata cannot be read.
    """
    import h5py

    from irisplug.limits import RATIO_FLOOR_BYTES, get_limits

    try:
        with h5py.File(path, "r") as f:
            grp = f if group == "/" else f.get(group)
            if not isinstance(grp, h5py.Group):
                return  # the xarray open below names the missing group
            dsets = _group_datasets(grp)
            shapes = {name: tuple(d.shape or ()) for name, d in dsets.items()}
            _check_frame_counts(shapes, path, group)
            image = shapes.get("image")
            if image is not None and len(image) == 3 and image[0] == 0:
                raise SHOWEmptyGroupError(f"group {group!r} has no frames (image of shape {image})", path=path)
            sizes = {name: _declared_bytes(d) for name, d in dsets.items()}
            total = sum(sizes.values())
            eager = total - (sizes.get("image", 0) if lazy else 0)
            limits = get_limits()
            frames = f"{image[0]} frames" if image is not None and len(image) == 3 else "its frames"
            knob = "raise the limit if the file is trusted"
            if limits.max_decompressed_bytes and eager > limits.max_decompressed_bytes:
                raise LimitExceededError(
                    f"group {group!r} declares {frames}: {eager} bytes of variables to read at once, more than "
                    f"{limits.max_decompressed_bytes} bytes (IRISPLUG_MAX_DECOMPRESSED_BYTES); {knob}", path=path)
            ratio = limits.max_compression_ratio
            if ratio and total > RATIO_FLOOR_BYTES:  # large groups only: storage sizes walk the chunk indexes
                stored = sum(int(d.get_storage_size()) for d in dsets.values())
                if total > ratio * max(stored, 1):
                    raise LimitExceededError(
                        f"group {group!r} declares {frames}, {total} bytes of data, more than {ratio:g} times the "
                        f"{stored} bytes it stores (unwritten chunks or a decompression bomb) "
                        f"(IRISPLUG_MAX_COMPRESSION_RATIO); {knob}", path=path)
    except IrisplugError:
        raise
    except (*_HDF5_ERRORS, AttributeError) as exc:
        raise CorruptFileError(f"group {group!r}: cannot read the netCDF-4 metadata ({type(exc).__name__}: {exc})",
                               path=path) from exc


def _check_frame_counts(shapes: dict[str, tuple[int, ...]], path: Path, group: str) -> None:
    """Raise InconsistentInputError when the declared shapes of the per-frame variables disagree.

    Only the variables present are compared (a missing one is named later by :func:`_group_cube`); the frame
    count is the image's first axis.
    """
    image = shapes.get("image")
    if image is None or len(image) != 3:
        return  # no image, or one of the wrong rank: _group_cube names it
    n = image[0]
    expected = {"time": (n,), "exposure_time": (n,), "high_gain": (n,)}
    bad = [f"{name} {shapes[name]}" for name, shape in expected.items() if name in shapes and shapes[name] != shape]
    temps, labels = shapes.get("temperatures"), shapes.get("temperature_labels")
    if temps is not None and (len(temps) != 2 or temps[0] != n):
        bad.append(f"temperatures {temps}")
    # labels[:1]: fixed-width strings may be stored as characters, with a trailing string-length dimension
    if temps is not None and labels is not None and len(temps) == 2 and labels[:1] != temps[1:]:
        bad.append(f"temperature_labels {labels} for temperatures {temps}")
    if bad:
        raise InconsistentInputError(
            f"group {group!r}: image declares {n} frames (shape {image}) but {', '.join(bad)}", path=path
        )


def read_group(path: str | Path, group: str, *, lazy: bool = True, frames_per_chunk: int = 16) -> Any:
    """One SHOW L0 group as an NDCube (time, heightrow, pixelrow) in DN.

    Extra coordinates on axis 0: ``time`` (Time), ``exposure_time`` (s),
    ``high_gain`` (0/1) and one ``temperature_<label>`` per temperature
    channel, in degC whatever temperature unit the file's ``units`` attribute
    names (K, mK, degF... are converted; see :func:`temperature_unit`).
    ``meta["temperatures"]`` holds the same as an astropy Table (time + one
    column per label); saturated pixels (>= 16383 DN) are masked.
    ``frames_per_chunk`` sets the dask chunking along time (16 full OWL640
    frames are 10 MB of uint16).

    Before any variable is read, the declared shapes are checked (the frame
    counts must agree) and the declared sizes against :mod:`irisplug.limits`:
    the variables read at once (all but a lazy ``image``) against
    ``IRISPLUG_MAX_DECOMPRESSED_BYTES``, and, for a group declaring more than
    256 MiB, its declared bytes against ``IRISPLUG_MAX_COMPRESSION_RATIO``
    times the bytes it stores.

    Raises
    ------
    SHOWMissingVariableError
        A required variable is absent (names the group and the variables).
    SHOWEmptyGroupError
        The group has no frames.
    InconsistentInputError
        Frame counts that disagree, an ``exposure_time`` unit that is no
        SI-prefixed second, a ``temperatures`` unit that is no temperature.
    LimitExceededError
        The group declares more than the limits allow (the message names the
        knob).
    CorruptFileError
        Damaged HDF5 metadata or data.

    Examples
    --------
    >>> cube = read_group("show_l0.nc", "2023_08_01_DARK_vect")  # doctest: +SKIP
    >>> cube.data.shape  # doctest: +SKIP
    (16, 640, 512)
    """
    import xarray as xr


    path = Path(path)
    _check_declared_group(path, group, lazy)  # before xarray, which reads the `time` index as it opens
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

    from irisplug.model import FrameCube
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
    shapes = {v: tuple(ds[v].shape) for v in REQUIRED_VARIABLES}  # as xarray sees them (h5netcdf pads unlimited dims)
    _check_frame_counts(shapes, path, group)
    times = _frame_times(ds["time"], path, group)
    exposure = exposure_quantity(ds["exposure_time"], path, group)
    labels = [x.decode() if isinstance(x, bytes) else str(x) for x in np.asarray(ds["temperature_labels"].values)]
    temps = _temperatures_degc(ds["temperatures"], np.asarray(ds["temperatures"].values, dtype=float), path, group)
    tunit = u.deg_C
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
    cube = FrameCube(data, wcs=wcs, unit=u.DN, mask=mask, meta=meta)  # rebin bins the frames' coordinates
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

    Raises
    ------
    SHOWEmptyGroupError
        A group asked for in ``groups`` has no frames, or no group read holds any. When every group of a file is
        read (``groups=None``), a group without frames is left out with an ``IrisplugWarning`` naming it.
    LimitExceededError
        A group declares more data than the limits of :mod:`irisplug.limits` allow (see :func:`read_group`).

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
    empty: list[SHOWEmptyGroupError] = []
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
            try:
                cube = read_group(p, g, lazy=lazy, frames_per_chunk=frames_per_chunk)
            except SHOWEmptyGroupError as exc:
                if groups is not None:
                    raise
                empty.append(exc)
                continue
            key = g if g not in seen else f"{p.stem}/{g}"
            seen.add(g)
            pairs.append((key, cube))
    if not pairs and empty:
        if len(empty) == 1:
            raise empty[0]
        one_file = len({e.path for e in empty}) == 1
        raise SHOWEmptyGroupError(f"no group holds any frame ({'; '.join(e.message if one_file else str(e) for e in empty)})",
                                  path=empty[0].path if one_file else None)
    for exc in empty:
        warnings.warn(f"{exc}; the group is left out", IrisplugWarning, stacklevel=2)
    if len(pairs) == 1:
        return pairs[0][1]
    return NDCollection(pairs)
