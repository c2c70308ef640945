"""irisplug.model.to_xarray against astropy on generated IRIS files (real layout)."""

from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("xarray")


@pytest.fixture(scope="module")
def obs(tmp_path_factory):
    import irisplug

    d = tmp_path_factory.mktemp("xr")
    irisplug.fetch("iris-synthetic", d, n_rasters=2, n_steps=3, n_y=13, windows=("Mg II k 2796",), sji=("SJI_2796",),
                   sji_size=16, quiet=True)
    o = irisplug.read(d)
    o.directory = d
    return o


def test_raster_cube(obs):
    from astropy.io import fits
    from astropy.time import Time

    from irisplug.model import to_xarray

    cube = obs["Mg II k 2796"][0]
    ds = to_xarray(cube)
    assert ds["data"].dims == ("exposure", "slit", "wavelength")
    assert hasattr(ds["data"].data, "dask")  # lazy stays lazy
    path = cube.meta["FILENAME"]
    f = obs.directory / path
    with fits.open(f) as h, fits.open(f, do_not_scale_image_data=True) as raw:
        hd = h[1].header
        wl = hd["CRVAL1"] + hd["CDELT1"] * (np.arange(hd["NAXIS1"]) + 1 - hd["CRPIX1"])
        np.testing.assert_allclose(ds.wavelength.values, wl, rtol=0, atol=1e-9)
        np.testing.assert_array_equal(np.asarray(ds["data"].values), h[1].data.astype(np.float32))
        np.testing.assert_array_equal(ds["mask"].values, (h[1].data == -200.0) | (raw[1].data == 32767))
        aux, col = h[-2].data, h[-2].header
        np.testing.assert_allclose(ds.exposure_time.values, aux[:, col["EXPTIMEN"]])
        t = Time(h[0].header["STARTOBS"]) + (aux[:, col["TIME"]] + aux[:, col["EXPTIMEN"]] / 2) / 86400
        dt = (ds.time.values - t.utc.datetime64.astype("datetime64[ns]")).astype(np.int64)
        assert np.abs(dt).max() < 1_000_000
        # the slit's middle pixel (CRPIX2) of each step is at XCENIX, YCENIX
        mid = int(hd["CRPIX2"]) - 1  # 13 pixels: CRPIX2 = 7
        np.testing.assert_allclose(ds.hpc_x.values[:, mid], aux[:, col["XCENIX"]], atol=1e-6)
        np.testing.assert_allclose(ds.hpc_y.values[:, mid], aux[:, col["YCENIX"]], atol=1e-6)
    assert ds.attrs["observation_id"] == str(obs.meta["OBSID"])
    with fits.open(f) as h:  # the window's label, as the file's window header names it
        assert ds.attrs["window"] == h[0].header["TDESC1"] == "Mg II k 2796"


def test_sequence_sji_and_fit_collection(obs):
    import irisplug
    from irisplug.model import to_xarray

    seq = obs["Mg II k 2796"]
    ds = to_xarray(seq)
    assert ds["data"].shape == (6, 13, seq.data[0].data.shape[-1])
    np.testing.assert_array_equal(ds.raster.values, [0, 0, 0, 1, 1, 1])
    np.testing.assert_array_equal(ds.raster_position.values, [0, 1, 2, 0, 1, 2])
    sji = obs["SJI_2796"]
    ds = to_xarray(sji)
    assert ds["data"].dims == ("frame", "y", "x") and hasattr(ds.hpc_x.data, "dask")
    lon, lat = sji.wcs.low_level_wcs.pixel_to_world_values(3, 5, 1)[:2]
    assert abs(float(ds.hpc_x[1, 5, 3]) - ((lon + 180) % 360 - 180) * 3600) < 1e-6
    assert abs(float(ds.hpc_y[1, 5, 3]) - lat * 3600) < 1e-6
    maps = irisplug.fit(seq[0], method="moments")
    ds = to_xarray(maps)
    assert set(ds.data_vars) >= {"intensity", "centroid"} and ds.intensity.dims == ("exposure", "slit")
    to_xarray(seq[0])  # the fit did not change the cube
    with pytest.raises(irisplug.UnsupportedObjectError):
        to_xarray(42)


def test_function_not_shadowed_by_its_module():
    import importlib

    importlib.import_module("irisplug.model.xarray_conversion")
    from irisplug import model

    assert callable(model.to_xarray)


def test_heliographic_axes_are_not_called_helioprojective():
    """hpc_x/hpc_y only for helioprojective axes: a Carrington map's longitudes were labelled helioprojective."""
    import astropy.units as u
    from astropy.wcs import WCS
    from ndcube import NDCube

    from irisplug.model import to_xarray

    w = WCS(naxis=2)
    w.wcs.ctype, w.wcs.cunit, w.wcs.cdelt, w.wcs.crval = ["CRLN-CAR", "CRLT-CAR"], ["deg", "deg"], [1.0, 1.0], [180, 0]
    ds = to_xarray(NDCube(np.zeros((3, 4)), wcs=w, unit=u.DN))
    assert "hpc_x" not in ds.coords and "hpc_y" not in ds.coords


def test_generic_cube_axes_named_from_their_world_coordinates():
    """A plain NDCube (time along axis 0, with its times and exposure times as ndcube extra coordinates; a
    wavelength axis): dimensions ``exposure``/.../``wavelength``, and the extra coordinates as xarray coordinates
    equal to ndcube's (they were left out, and the dimensions called dim_0, dim_1)."""
    import astropy.units as u
    from astropy.time import Time
    from astropy.wcs import WCS
    from ndcube import NDCube

    from irisplug.model import to_xarray

    w = WCS(naxis=3)
    w.wcs.ctype = ["WAVE", "SOLX", "UTC"]
    w.wcs.cunit, w.wcs.cdelt, w.wcs.crval = ["Angstrom", "arcsec", "s"], [0.1, 2.0, 1.0], [1200.0, 0.0, 0.0]
    cube = NDCube(np.arange(24.0).reshape(2, 3, 4), wcs=w, unit=u.DN)
    times = Time("2023-01-14T07:19:07.104870") + np.arange(2) * 1.5 * u.s
    cube.extra_coords.add("time", 0, times, physical_types="time")
    cube.extra_coords.add("exposure_time", 0, [0.4, 0.5] * u.s, physical_types="time.duration")
    ds = to_xarray(cube)
    assert ds["data"].dims[0] == "exposure" and ds["data"].dims[2] == "wavelength"
    ref = cube.axis_world_coords(wcs=cube.extra_coords["time"])[0]
    np.testing.assert_array_equal(ds["time"].values, ref.utc.datetime64.astype("datetime64[ns]"))
    np.testing.assert_array_equal(ds["exposure_time"].values, [0.4, 0.5])
    assert ds["exposure_time"].attrs["units"] == "s"
