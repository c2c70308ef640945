"""The show-l0 reader on generated files, checked against h5py reading the same file."""

from __future__ import annotations

import shutil

import astropy.units as u
import h5py
import numpy as np
import pytest
from ndcube import NDCollection, NDCube

import irisplug
from irisplug.testing import ReaderContract, check_cube
from irisplug_show.errors import SHOWMissingVariableError
from irisplug_show.reader import list_groups, read_group


def _coord(cube, name):
    return cube.axis_world_coords(wcs=cube.extra_coords[name])[0]


def test_collection_keyed_by_group(show_file):
    path, truth = show_file
    coll = irisplug.read(path)
    assert isinstance(coll, NDCollection)
    assert list(coll) == list_groups(path) == list(truth.groups)
    for cube in coll.values():
        check_cube(cube)
        assert cube.unit == u.DN


@pytest.mark.parametrize("track_order", [True, False])
def test_groups_listed_in_the_files_order_whatever_the_h5py(tmp_path, track_order):
    """Creation order where the file records it (netCDF-4 does), else names; h5py < 3.12 iterated a tracked root by name."""
    path = tmp_path / "order.nc"
    written = ["2023_08_01_WHT_ARMB_vect", "2023_08_01_DARK_vect", "2023_08_01_SCI_vect", "2023_08_01_WHT_ARMA_vect"]
    with h5py.File(path, "w", track_order=track_order) as f:
        for name in written:
            f.create_group(name).create_dataset("image", data=np.zeros((1, 2, 2), "uint16"))
        f.create_group("no_image")  # not a SHOW group: left out
    assert list_groups(path) == (written if track_order else sorted(written))


def test_values_against_h5py(show_file):
    path, _ = show_file
    group = list_groups(path)[0]
    cube = read_group(path, group)
    assert type(cube.data).__module__.startswith("dask")  # lazy
    with h5py.File(path) as f:
        g = f[group]
        np.testing.assert_array_equal(np.asarray(cube.data), g["image"][...])
        exp_us = g["exposure_time"][...]
        temps = g["temperatures"][...]
        labels = [x.decode() if isinstance(x, bytes) else x for x in g["temperature_labels"][...]]
        assert g["exposure_time"].attrs["units"] in ("us", b"us")
    np.testing.assert_allclose(_coord(cube, "exposure_time").to_value(u.us), exp_us)
    for i, lab in enumerate(labels):
        np.testing.assert_allclose(_coord(cube, f"temperature_{lab}").to_value(u.deg_C), temps[:, i], rtol=1e-6)
        np.testing.assert_allclose(cube.meta["temperatures"][lab].to_value(u.deg_C), temps[:, i], rtol=1e-6)
    times = _coord(cube, "time")
    assert times[0].isot.startswith("2023-08-01T18:00:00") and np.all(np.diff(times.unix) > 0)
    assert set(_coord(cube, "high_gain").value) == {1}
    # main WCS time axis agrees with the extra coordinate
    world = cube.wcs.pixel_to_world(0, 0, 5)
    assert abs((world[-1] - times[5]).to_value(u.s)) < 1e-6


def test_single_group_gives_cube_and_numpy_when_not_lazy(show_file):
    path, truth = show_file
    name = next(g for g, v in truth.groups.items() if v["kind"] == "science")
    cube = irisplug.read(path, groups=[name], lazy=False)
    assert isinstance(cube, NDCube) and isinstance(cube.data, np.ndarray)
    assert cube[1:3].data.shape == (2, 64, 48)


def test_read_by_header_alone(show_file, tmp_path):
    path, _ = show_file
    neutral = tmp_path / "x.dat"
    shutil.copyfile(path, neutral)
    assert irisplug.choose_reader(neutral).name == "show-l0"


def test_missing_variables_named(show_file, tmp_path):
    path, _ = show_file
    bad = tmp_path / "bad.nc"
    shutil.copyfile(path, bad)
    group = list_groups(bad)[1]
    with h5py.File(bad, "a") as f:
        del f[group]["temperatures"]
        del f[group]["high_gain"]
    with pytest.raises(SHOWMissingVariableError, match="temperatures, high_gain") as info:
        irisplug.read(bad, format="show-l0")
    assert str(bad) in str(info.value) and group in str(info.value)


def test_netcdf_without_image_is_not_show(tmp_path):
    import xarray as xr

    p = tmp_path / "other.nc"
    xr.Dataset({"x": ("t", np.arange(3.0))}).to_netcdf(p, engine="h5netcdf")
    from irisplug.fileinfo import FileInfo
    from irisplug_show.reader import identify_show_l0

    assert not identify_show_l0(FileInfo(p))
    with pytest.raises(SHOWMissingVariableError, match="no group holds an 'image'"):
        irisplug.read(p, format="show-l0")


def test_fetcher_is_offline(tmp_path):
    desc = irisplug.get_plugin_manager().get("fetcher", "show-synthetic")
    assert desc.offline
    (path,) = irisplug.fetch("show-synthetic", tmp_path, shape=(16, 8))
    assert len(list_groups(path)) == 4


class TestShowReaderContract(ReaderContract):
    reader = "show-l0"
    required_levels = (("image-cube", ("saturation_level",)),)

    @pytest.fixture
    def own_samples(self, show_file):
        return [show_file[0]]


def test_plugin_passes_check_plugin():
    import irisplug_show.plugin
    from irisplug.testing import check_plugin

    assert check_plugin(irisplug_show.plugin, "show").status == "active"


def test_variant_encodings(tmp_path):
    """time as plain Unix seconds, exposure in ms, byte-string labels, boolean gain, temperatures in K (read as
    degC, the unit of every cube's temperatures)."""
    import xarray as xr

    n = 3
    ds = xr.Dataset(
        {
            "image": (("time", "heightrow", "pixelrow"), np.arange(n * 4 * 5, dtype="uint16").reshape(n, 4, 5)),
            "exposure_time": ("time", np.array([100.0, 100.0, 250.0]), {"units": "ms"}),
            "temperatures": (("time", "n_temp"), np.array([[270.0], [271.0], [272.0]]), {"units": "K"}),
            "temperature_labels": ("n_temp", np.array([b"fpa"], dtype="S3")),
            "high_gain": ("time", np.array([True, False, True])),
        },
        coords={"time": ("time", 1.69e9 + np.arange(n) * 0.5)},
    )
    path = tmp_path / "variant.nc"
    ds.to_netcdf(path, group="G1", engine="h5netcdf")
    cube = irisplug.read(path)
    assert isinstance(cube, NDCube)
    np.testing.assert_allclose(_coord(cube, "exposure_time").to_value(u.s), [0.1, 0.1, 0.25])
    assert _coord(cube, "temperature_fpa").unit == u.deg_C
    np.testing.assert_allclose(_coord(cube, "temperature_fpa").value, [270 - 273.15, 271 - 273.15, 272 - 273.15])
    np.testing.assert_array_equal(_coord(cube, "high_gain").value, [1, 0, 1])
    assert _coord(cube, "time")[1].unix == pytest.approx(1.69e9 + 0.5)
    np.testing.assert_array_equal(np.asarray(cube.data), ds["image"].values)


def test_unknown_exposure_unit(tmp_path):
    import xarray as xr

    from irisplug.errors import InconsistentInputError

    ds = xr.Dataset(
        {
            "image": (("time", "heightrow", "pixelrow"), np.zeros((1, 2, 2), "uint16")),
            "exposure_time": ("time", np.array([1.0]), {"units": "fortnights"}),
            "temperatures": (("time", "n_temp"), np.zeros((1, 1))),
            "temperature_labels": ("n_temp", np.array(["fpa"], dtype=object)),
            "high_gain": ("time", np.array([1], "int8")),
        },
        coords={"time": ("time", np.array(["2023-01-01T00:00:00"], dtype="datetime64[ns]"))},
    )
    path = tmp_path / "odd.nc"
    ds.to_netcdf(path, group="G", engine="h5netcdf")
    with pytest.raises(InconsistentInputError, match="fortnights"):
        irisplug.read(path)


def test_root_group_file(tmp_path):
    import xarray as xr

    ds = xr.Dataset(
        {
            "image": (("time", "heightrow", "pixelrow"), np.ones((2, 3, 4), "uint16")),
            "exposure_time": ("time", np.array([5000.0, 5000.0]), {"units": "us"}),
            "temperatures": (("time", "n_temp"), np.zeros((2, 1))),
            "temperature_labels": ("n_temp", np.array(["fpa"], dtype=object)),
            "high_gain": ("time", np.array([1, 1], "int8")),
        },
        coords={"time": ("time", np.array(["2023-01-01T00:00:00", "2023-01-01T00:00:01"], dtype="datetime64[ns]"))},
    )
    path = tmp_path / "root.nc"
    ds.to_netcdf(path, engine="h5netcdf")
    assert list_groups(path) == ["/"]
    cube = irisplug.read(path)
    assert cube.meta["group"] == "/" and cube.data.shape == (2, 3, 4)
    np.testing.assert_allclose(_coord(cube, "exposure_time").to_value(u.ms), [5, 5])


def test_info_command_lists_every_group(tmp_path, capsys):
    """``irisplug info`` of a SHOW file: one line per group with its shape (as h5py reads it) and description; it
    printed ndcube's bare collection summary ("Aligned dimensions: None")."""
    from irisplug.cli.main import main
    from irisplug_show.generate import generate

    path = tmp_path / "show.nc"
    generate(path, shape=(64, 48), dark_exposures_ms=(100.0,), frames_per_exposure=4, science_frames=2, seed=3)
    assert main(["info", str(path)]) == 0
    out = capsys.readouterr().out
    with h5py.File(path, "r") as f:
        groups = {name: f[name]["image"].shape for name in f if isinstance(f[name], h5py.Group) and "image" in f[name]}
    assert groups
    for name, shape in groups.items():
        line = next(x for x in out.splitlines() if x.strip().startswith(name + " "))
        assert str(tuple(shape)) in line and f"group {name}" in line
