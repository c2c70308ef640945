"""The show-l0 reader against units it must convert or refuse, groups declaring more than the limits allow,
frame counts that disagree, and groups without frames.

Every file has the generator's layout (:mod:`irisplug_show.generate`, formats.md 2.2): real generated files with
one attribute changed, or groups written with h5netcdf as the generator's xarray writes them. The expected
values are computed here from the raw numbers h5py reads, never by the code under test.
"""

from __future__ import annotations

import time
from pathlib import Path

import astropy.units as u
import h5netcdf
import h5py
import numpy as np
import pytest

import irisplug
from irisplug.errors import InconsistentInputError, LimitExceededError
from irisplug_show.generate import TEMPERATURE_LABELS, generate
from irisplug_show.reader import read_group, read_show_l0

SCI = "2023_08_01_SCI_300ms_vect"
LIMIT_VARIABLES = ("IRISPLUG_MAX_DECOMPRESSED_BYTES", "IRISPLUG_MAX_COMPRESSION_RATIO")


@pytest.fixture(autouse=True)
def _default_limits(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every test starts from the core's default limits, whatever the environment sets."""
    for name in LIMIT_VARIABLES:
        monkeypatch.delenv(name, raising=False)


def _coord(cube: object, name: str) -> u.Quantity:
    return cube.axis_world_coords(wcs=cube.extra_coords[name])[0]  # type: ignore[attr-defined]


def _generated(tmp_path: Path, name: str = "show_l0.nc") -> Path:
    """A small file written by the generator: a dark group, two flat arms, a science group of 3 frames."""
    path = tmp_path / name
    generate(path, shape=(8, 6), dark_exposures_ms=(100.0,), frames_per_exposure=2, science_frames=3, seed=1)
    return path


def _set_units(path: Path, group: str, variable: str, units: str) -> None:
    """Rewrite one variable's ``units`` attribute through h5netcdf, the library the generator writes with."""
    with h5netcdf.File(path, "a") as f:
        f[group].variables[variable].attrs["units"] = units


def _raw(path: Path, group: str, variable: str) -> np.ndarray:
    with h5py.File(path, "r") as f:
        return np.asarray(f[group][variable][...], dtype=float)


def _declared_group(path: Path, n_frames: int, shape: tuple[int, int] = (4, 3), *, group: str = SCI,
                    mode: str = "w") -> None:
    """A group of the real layout that declares ``n_frames`` frames and writes none of them.

    As the generator's groups (same variables, dimensions, dtypes and attributes, ``time`` CF-encoded in
    microseconds), but the per-frame variables are chunked and no chunk is written: a file of a few kB whose
    metadata promise ``n_frames`` frames, as a damaged or hostile file can.
    """
    ny, nx = shape
    with h5netcdf.File(path, mode) as f:
        g = f.create_group(group)
        g.attrs.update({"instrument": "SHOW", "detector": "OWL640", "synthetic": 1, "group_kind": "science"})
        g.dimensions = {"time": n_frames, "heightrow": ny, "pixelrow": nx, "n_temp": len(TEMPERATURE_LABELS)}
        chunk = min(n_frames, 1 << 16)
        t = g.create_variable("time", ("time",), "i8", chunks=(chunk,))
        t.attrs.update({"units": "microseconds since 2023-08-01T18:00:00", "calendar": "proleptic_gregorian"})
        g.create_variable("heightrow", ("heightrow",), "i4", data=np.arange(ny, dtype="i4"))
        g.create_variable("pixelrow", ("pixelrow",), "i4", data=np.arange(nx, dtype="i4"))
        image = g.create_variable("image", ("time", "heightrow", "pixelrow"), "u2", chunks=(1, ny, nx))
        image.attrs.update({"units": "DN", "long_name": "raw detector image"})
        exposure = g.create_variable("exposure_time", ("time",), "f8", chunks=(chunk,))
        exposure.attrs.update({"units": "us", "long_name": "exposure time"})
        g.create_variable("temperatures", ("time", "n_temp"), "f4", chunks=(chunk, 1)).attrs["units"] = "degC"
        labels = g.create_variable("temperature_labels", ("n_temp",), h5py.string_dtype())
        labels[:] = np.array(TEMPERATURE_LABELS, dtype=object)
        g.create_variable("high_gain", ("time",), "i1", chunks=(chunk,)).attrs["long_name"] = "1 = high-gain mode"


def _empty_group(path: Path, group: str) -> None:
    """Append a group of 0 frames, written as the generator's ``_write_group`` writes a group (xarray, h5netcdf)."""
    import xarray as xr

    ds = xr.Dataset(
        {
            "image": (("time", "heightrow", "pixelrow"), np.zeros((0, 8, 6), "uint16"),
                      {"units": "DN", "long_name": "raw detector image"}),
            "exposure_time": ("time", np.zeros(0), {"units": "us", "long_name": "exposure time"}),
            "temperatures": (("time", "n_temp"), np.zeros((0, 3), "float32"), {"units": "degC"}),
            "temperature_labels": ("n_temp", np.array(TEMPERATURE_LABELS, dtype=object)),
            "high_gain": ("time", np.ones(0, dtype="int8"), {"long_name": "1 = high-gain mode"}),
        },
        coords={"time": ("time", np.zeros(0, "datetime64[ns]")), "heightrow": ("heightrow", np.arange(8, dtype="int32")),
                "pixelrow": ("pixelrow", np.arange(6, dtype="int32"))},
        attrs={"instrument": "SHOW", "detector": "OWL640", "synthetic": 1, "group_kind": "science"},
    )
    ds.to_netcdf(path, group=group, mode="a" if path.exists() else "w", engine="h5netcdf")


# ---------------------------------------------------------------------------------------------------------------
# temperatures: converted to degC from any temperature unit, refused when the unit is none


def _kelvin_to_c(v: np.ndarray) -> np.ndarray:
    return v - 273.15


def _fahrenheit_to_c(v: np.ndarray) -> np.ndarray:
    return (v - 32.0) * 5.0 / 9.0


@pytest.mark.parametrize(
    ("units", "to_celsius"),
    [
        ("degK", _kelvin_to_c),
        ("K", _kelvin_to_c),
        ("kelvin", _kelvin_to_c),
        ("degrees_K", _kelvin_to_c),
        ("mK", lambda v: v / 1000.0 - 273.15),
        ("degF", _fahrenheit_to_c),
        ("degree_Fahrenheit", _fahrenheit_to_c),
        ("fahrenheit", _fahrenheit_to_c),
        ("\u00b0F", _fahrenheit_to_c),
    ],
)
def test_temperatures_in_other_units_are_converted_to_degc(tmp_path, units, to_celsius):
    """udunits/CF temperature units other than degC come back in degC, converted (not relabelled)."""
    path = _generated(tmp_path)
    _set_units(path, SCI, "temperatures", units)
    raw = _raw(path, SCI, "temperatures")
    cube = read_group(path, SCI)
    for i, label in enumerate(TEMPERATURE_LABELS):
        coord = _coord(cube, f"temperature_{label}")
        assert coord.unit == u.deg_C
        np.testing.assert_allclose(coord.value, to_celsius(raw[:, i]), rtol=1e-12, atol=1e-9)
        column = cube.meta["temperatures"][label]
        assert column.unit == u.deg_C
        np.testing.assert_allclose(column.value, to_celsius(raw[:, i]), rtol=1e-12, atol=1e-9)


@pytest.mark.parametrize("units", ["degC", "deg_C", "degree_Celsius", "degrees_Celsius", "celsius", "\u00b0C", "C"])
def test_temperatures_in_celsius_keep_their_values(tmp_path, units):
    """The Celsius spellings keep the numbers as they are (a control for the conversions above)."""
    path = _generated(tmp_path)
    _set_units(path, SCI, "temperatures", units)
    raw = _raw(path, SCI, "temperatures")
    cube = read_group(path, SCI)
    coord = _coord(cube, "temperature_fpa")
    assert coord.unit == u.deg_C
    np.testing.assert_array_equal(coord.value, raw[:, 0])


@pytest.mark.parametrize("units", ["V", "counts", "degR", "K @ 273.15", "furlong"])
def test_temperatures_in_a_unit_that_is_no_temperature_are_refused(tmp_path, units):
    """A unit the reader cannot convert to degC raises, naming the file, the group, the variable and the unit."""
    path = _generated(tmp_path)
    _set_units(path, SCI, "temperatures", units)
    with pytest.raises(InconsistentInputError) as info:
        read_group(path, SCI)
    message = str(info.value)
    assert str(path) in message and SCI in message and "'temperatures'" in message and repr(units) in message
    with pytest.raises(InconsistentInputError, match="temperatures"):
        irisplug.read(path)


# ---------------------------------------------------------------------------------------------------------------
# exposure_time: the standard spellings of SI-prefixed seconds


@pytest.mark.parametrize(
    ("units", "seconds_per_unit"),
    [("microsecond", 1e-6), ("microseconds", 1e-6), ("\u00b5s", 1e-6), ("\u03bcs", 1e-6), ("usecs", 1e-6),
     ("millisecond", 1e-3), ("msec", 1e-3), ("second", 1.0), ("nanoseconds", 1e-9), ("ns", 1e-9)],
)
def test_exposure_time_spellings_accepted(tmp_path, units, seconds_per_unit):
    path = _generated(tmp_path)
    _set_units(path, SCI, "exposure_time", units)
    raw = _raw(path, SCI, "exposure_time")
    cube = read_group(path, SCI)
    exposure = _coord(cube, "exposure_time")
    assert exposure.unit == u.s
    np.testing.assert_allclose(exposure.value, raw * seconds_per_unit, rtol=1e-12)


@pytest.mark.parametrize("units", ["fortnights", "min", "m", "K"])
def test_exposure_time_units_that_are_no_prefixed_second_refused(tmp_path, units):
    path = _generated(tmp_path)
    _set_units(path, SCI, "exposure_time", units)
    with pytest.raises(InconsistentInputError, match="exposure_time") as info:
        read_group(path, SCI)
    assert repr(units) in str(info.value) and str(path) in str(info.value)


# ---------------------------------------------------------------------------------------------------------------
# declared sizes against the core's limits, before any per-frame variable is read


def _no_xarray_open(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make opening a dataset with xarray fail: xarray reads the ``time`` index as it opens a group."""
    import xarray as xr

    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("xarray opened the group (and read its time index) before the size check")

    monkeypatch.setattr(xr, "open_dataset", refuse)


def test_reported_file_declaring_ten_million_frames_is_refused_at_once(tmp_path):
    """The tester's reproducer: an 11 kB file declaring 10 million frames (450 MB) with no chunk written.

    The old reader read ``time``, ``exposure_time``, ``temperatures`` and ``high_gain`` in full: 58 s and
    2.3 GiB. Now the metadata alone refuse it.
    """
    path = tmp_path / "huge_claim.nc"
    _declared_group(path, 10_000_000)
    assert path.stat().st_size < 100_000
    t0 = time.perf_counter()
    with pytest.raises(LimitExceededError) as info:
        irisplug.read(path)
    assert time.perf_counter() - t0 < 10.0
    message = str(info.value)
    assert str(path) in message and SCI in message and "IRISPLUG_MAX_COMPRESSION_RATIO" in message
    assert "10000000 frames" in message


def test_declared_group_beyond_the_compression_ratio_refused_before_reading(tmp_path, monkeypatch):
    """500 full OWL640 frames declared (328 MB), none stored: refused by the ratio limit, before xarray opens."""
    path = tmp_path / "unwritten.nc"
    _declared_group(path, 500, (640, 512))
    _no_xarray_open(monkeypatch)
    with pytest.raises(LimitExceededError, match="IRISPLUG_MAX_COMPRESSION_RATIO") as info:
        read_group(path, SCI)
    assert str(path) in str(info.value) and SCI in str(info.value)


def test_ratio_limit_switched_off_reads_the_declared_group(tmp_path, monkeypatch):
    """The knob the message names works: with the ratio check off the same group reads (lazily, fill values)."""
    path = tmp_path / "unwritten.nc"
    _declared_group(path, 500, (640, 512))
    monkeypatch.setenv("IRISPLUG_MAX_COMPRESSION_RATIO", "0")
    cube = read_group(path, SCI)
    assert cube.data.shape == (500, 640, 512)


def test_per_frame_variables_beyond_the_size_limit_refused_before_reading(tmp_path, monkeypatch):
    """The variables read at once (all but the lazy image) are held to IRISPLUG_MAX_DECOMPRESSED_BYTES."""
    path = tmp_path / "many_frames.nc"
    n = 50_000  # time 8 + exposure 8 + temperatures 3 * 4 + high_gain 1 = 29 bytes a frame: 1.45 MB
    _declared_group(path, n)
    monkeypatch.setenv("IRISPLUG_MAX_DECOMPRESSED_BYTES", "1000000")
    _no_xarray_open(monkeypatch)
    with pytest.raises(LimitExceededError, match="IRISPLUG_MAX_DECOMPRESSED_BYTES") as info:
        read_group(path, SCI)
    assert str(path) in str(info.value) and f"{n} frames" in str(info.value)


def test_eager_read_counts_the_image_too(tmp_path, monkeypatch):
    """With ``lazy=False`` the image is read at once, so it counts against IRISPLUG_MAX_DECOMPRESSED_BYTES."""
    path = _generated(tmp_path)
    with h5py.File(path, "r") as f:
        image_bytes = f[SCI]["image"].size * 2
    monkeypatch.setenv("IRISPLUG_MAX_DECOMPRESSED_BYTES", str(image_bytes - 1))
    assert read_group(path, SCI).data.shape == (3, 8, 6)  # lazy: the image is not read now
    with pytest.raises(LimitExceededError, match="IRISPLUG_MAX_DECOMPRESSED_BYTES"):
        read_group(path, SCI, lazy=False)


def test_normal_file_reads_under_default_limits(tmp_path):
    """The checks refuse nothing a real file holds (the generator's full-size OWL640 frames)."""
    path = tmp_path / "full.nc"
    generate(path, shape=(640, 512), dark_exposures_ms=(100.0,), frames_per_exposure=2, science_frames=2)
    coll = irisplug.read(path)
    assert coll[SCI].data.shape == (2, 640, 512)


# ---------------------------------------------------------------------------------------------------------------
# declared frame counts that disagree


def _truncate(path: Path, group: str, **lengths: int) -> None:
    """Shorten variables along ``time`` as netCDF-C leaves them when an acquisition stops between two writes
    (each variable of an unlimited dimension grows on its own)."""
    with h5py.File(path, "a") as f:
        for name, n in lengths.items():
            d = f[group][name]
            d.resize((n, *d.shape[1:]))


def _unlimited_group(path: Path, n: int) -> None:
    """A group of ``n`` written frames on an unlimited ``time`` dimension, variables as the generator's."""
    with h5netcdf.File(path, "w") as f:
        g = f.create_group(SCI)
        g.dimensions = {"time": None, "heightrow": 4, "pixelrow": 3, "n_temp": 1}
        t = g.create_variable("time", ("time",), "i8")
        t.attrs.update({"units": "microseconds since 2023-08-01T18:00:00", "calendar": "proleptic_gregorian"})
        image = g.create_variable("image", ("time", "heightrow", "pixelrow"), "u2")
        image.attrs["units"] = "DN"
        exposure = g.create_variable("exposure_time", ("time",), "f8")
        exposure.attrs["units"] = "us"
        temps = g.create_variable("temperatures", ("time", "n_temp"), "f4")
        temps.attrs["units"] = "degC"
        g.create_variable("temperature_labels", ("n_temp",), h5py.string_dtype())[:] = np.array(["fpa"], dtype=object)
        gain = g.create_variable("high_gain", ("time",), "i1")
        g.resize_dimension("time", n)
        t[:] = np.arange(n) * 400_000
        image[:] = np.full((n, 4, 3), 1000, "u2")
        exposure[:] = np.full(n, 300_000.0)
        temps[:] = np.full((n, 1), -5.0, "f4")
        gain[:] = np.ones(n, "i1")


def test_frame_counts_that_disagree_are_refused(tmp_path):
    """An image of 5 frames with time, exposure_time and temperatures of 8: refused, not padded with fill values."""
    path = tmp_path / "cut.nc"
    _unlimited_group(path, 8)
    _truncate(path, SCI, image=5, high_gain=5)
    with pytest.raises(InconsistentInputError) as info:
        read_group(path, SCI)
    message = str(info.value)
    assert str(path) in message and SCI in message and "5 frames" in message
    assert "time (8,)" in message and "exposure_time (8,)" in message and "high_gain" not in message


def test_labels_that_disagree_with_the_temperature_channels_are_refused(tmp_path):
    path = _generated(tmp_path)
    with h5py.File(path, "a") as f:
        del f[SCI]["temperature_labels"]
        f[SCI].create_dataset("temperature_labels", data=np.array(["fpa", "bench"], dtype=object),
                              dtype=h5py.string_dtype())
    with pytest.raises(InconsistentInputError, match="temperature_labels"):
        read_group(path, SCI)


# ---------------------------------------------------------------------------------------------------------------
# groups without frames


def test_group_without_frames_raises_a_specific_error(tmp_path):
    from irisplug_show.reader import SHOWEmptyGroupError

    path = tmp_path / "empty.nc"
    _empty_group(path, "2023_08_01_DARK_vect")
    with pytest.raises(SHOWEmptyGroupError, match="has no frames") as info:
        read_group(path, "2023_08_01_DARK_vect")
    assert isinstance(info.value, InconsistentInputError)
    assert str(path) in str(info.value) and "'2023_08_01_DARK_vect'" in str(info.value)
    with pytest.raises(SHOWEmptyGroupError, match="2023_08_01_DARK_vect"):
        irisplug.read(path)  # the file's only group


def test_empty_group_left_out_of_a_file_with_other_groups(tmp_path):
    """Reading every group of a file leaves an empty one out, with a warning naming it; asking for it raises."""
    from irisplug_show.reader import SHOWEmptyGroupError

    path = _generated(tmp_path)
    _empty_group(path, "2023_08_01_ABORTED_vect")
    with pytest.warns(irisplug.errors.IrisplugWarning, match="2023_08_01_ABORTED_vect.*no frames"):
        coll = read_show_l0(path)
    assert "2023_08_01_ABORTED_vect" not in coll
    assert list(coll) == ["2023_08_01_DARK_vect", "2023_08_01_WHT_ARMA_300ms_vect", "2023_08_01_WHT_ARMB_300ms_vect",
                          SCI]
    with pytest.raises(SHOWEmptyGroupError, match=str(path)):
        read_show_l0(path, groups=["2023_08_01_ABORTED_vect", SCI])
