"""Round-trip contract of the FITS and ASDF writers over what third-party readers put on cubes.

Every case is compared with ndcube's own answer on the object written (never
with values computed by the code under test): extra coordinates of every
kind ndcube's ``extra_coords.add`` takes (time, quantity, SkyCoord tables;
constant and repeating tables; on any axis; several tables on several axes)
on whole and sliced cubes; sliced FITS WCSs (axes coupled through PC terms
and a celestial projection included) and the fit maps of such a cube; units
(``dimensionless`` too); metadata values that are not plain JSON.
"""

from __future__ import annotations

import warnings
from collections import OrderedDict
from typing import Any

import astropy.units as u
import numpy as np
import pytest
from astropy.coordinates import Angle, EarthLocation, Longitude, SkyCoord
from astropy.io import fits
from astropy.table import Column, MaskedColumn, QTable, Table
from astropy.time import Time, TimeDelta
from astropy.wcs import WCS
from ndcube import NDCollection, NDCube
from ndcube.extra_coords import MultipleTableCoordinate, QuantityTableCoordinate

import irisplug
from irisplug.errors import IrisplugError, UnsupportedObjectError
from irisplug.model import extra_coord

FORMATS = ("fits", "asdf")
_T0 = Time("2023-08-01T12:00:00.123456789", scale="utc", precision=9)


def _roundtrip(obj: Any, tmp_path: Any, ext: str, name: str = "obj") -> Any:
    return irisplug.read(irisplug.write(obj, tmp_path / f"{name}.{ext}"))


def _hpc(n: int) -> SkyCoord:
    pytest.importorskip("sunpy.coordinates")
    return SkyCoord(np.linspace(-10, 10, n) * u.arcsec, np.linspace(300, 320, n) * u.arcsec, frame="helioprojective",
                    observer="earth", obstime=_T0)


# --- extra coordinates ------------------------------------------------------------------------------------------


def _cube(shape: tuple[int, ...] = (4, 5, 6)) -> NDCube:
    return NDCube(np.arange(np.prod(shape), dtype=float).reshape(shape), wcs=WCS(naxis=len(shape)), unit=u.DN)


def _with_time(cube: NDCube) -> NDCube:
    cube.extra_coords.add("time", 0, _T0 + np.arange(cube.shape[0]) * 1.2345678901 * u.s, physical_types="time")
    return cube


def _with_tai_time_axis1(cube: NDCube) -> NDCube:
    cube.extra_coords.add("tai", 1, Time(_T0, scale="tai") + np.arange(cube.shape[1]) * u.min, physical_types="time")
    return cube


def _with_quantities(cube: NDCube) -> NDCube:
    cube.extra_coords.add("exposure_time", 0, np.linspace(0.1, 0.4, cube.shape[0]) * u.s,
                          physical_types="time.duration")
    cube.extra_coords.add("gain", 2, np.arange(cube.shape[2]) * u.one, physical_types="custom:gain")
    return cube


def _with_constant_and_repeating(cube: NDCube) -> NDCube:
    cube.extra_coords.add("constant", 0, np.full(cube.shape[0], 2.5) * u.deg_C)
    cube.extra_coords.add("repeating", 2, np.tile([1.0, 2.0], cube.shape[2] // 2) * u.m)
    return cube


def _with_skycoord(cube: NDCube) -> NDCube:
    cube.extra_coords.add(("lon", "lat"), 2, _hpc(cube.shape[2]))
    return cube


def _with_two_axis_table(cube: NDCube) -> NDCube:
    table = QuantityTableCoordinate(np.arange(cube.shape[0]) * u.m, np.arange(cube.shape[1]) * u.km, names=["a", "b"])
    cube.extra_coords.add(("a", "b"), (0, 1), table)
    return cube


def _with_everything(cube: NDCube) -> NDCube:
    for add in (_with_time, _with_tai_time_axis1, _with_quantities, _with_constant_and_repeating, _with_skycoord,
                _with_two_axis_table):
        cube = add(cube)
    return cube


BUILDERS = {f.__name__[1:]: f for f in (_with_time, _with_tai_time_axis1, _with_quantities,
                                        _with_constant_and_repeating, _with_skycoord, _with_two_axis_table,
                                        _with_everything)}
SLICES = {"whole": (), "range": (slice(1, 3),), "index0": (0,), "index1": (slice(None), 2),
          "mixed": (slice(1, 4), 1, slice(2, 6))}


def _same_world(a: Any, b: Any) -> None:
    """Two world objects (Time, SkyCoord, Quantity) are equal value for value (NaN equal to NaN)."""
    assert type(a) is type(b)
    if isinstance(a, Time):
        assert a.scale == b.scale
        np.testing.assert_array_equal(a.jd1, b.jd1)
        np.testing.assert_array_equal(a.jd2, b.jd2)
    elif isinstance(a, SkyCoord):
        assert a.frame.name == b.frame.name and a.observer == b.observer
        for comp in a.frame.data.components:
            np.testing.assert_array_equal(getattr(a.frame.data, comp), getattr(b.frame.data, comp))
    else:  # a Quantity, or a plain number (the value of a dropped time table)
        assert getattr(a, "unit", None) == getattr(b, "unit", None)
        np.testing.assert_array_equal(getattr(a, "value", a), getattr(b, "value", b))


def _same_extra_coords(cube: NDCube, back: NDCube) -> None:
    assert back.extra_coords.keys() == cube.extra_coords.keys()
    for name in cube.extra_coords.keys() or ():
        for want, got in zip(cube.axis_world_coords(wcs=cube.extra_coords[name]),
                             back.axis_world_coords(wcs=back.extra_coords[name]), strict=True):
            _same_world(want, got)
    want_dropped = cube.extra_coords.dropped_world_dimensions
    got_dropped = back.extra_coords.dropped_world_dimensions
    assert got_dropped.get("world_axis_names") == want_dropped.get("world_axis_names")
    for want, got in zip(want_dropped.get("value", []), got_dropped.get("value", []), strict=True):
        _same_world(want, got)


@pytest.mark.parametrize("ext", FORMATS)
@pytest.mark.parametrize("item", SLICES.values(), ids=SLICES.keys())
@pytest.mark.parametrize("build", BUILDERS.values(), ids=BUILDERS.keys())
def test_every_kind_of_extra_coordinate_survives(tmp_path, ext, item, build):
    whole = build(_cube())
    cube = whole[item] if item else whole
    back = _roundtrip(cube, tmp_path, ext)
    _same_extra_coords(cube, back)
    np.testing.assert_array_equal(back.data, cube.data)


@pytest.mark.parametrize("ext", FORMATS)
def test_extra_coordinates_feed_exposure_normalisation_after_reading(tmp_path, ext):
    cube = _with_quantities(_with_time(_cube()))
    back = _roundtrip(cube, tmp_path, ext)
    _same_world(extra_coord(cube, "exposure_time"), extra_coord(back, "exposure_time"))
    pytest.importorskip("irisplug_calib")
    assert irisplug.calibrate(back, ["exposure-norm"]).unit == irisplug.calibrate(cube, ["exposure-norm"]).unit


@pytest.mark.parametrize("ext", FORMATS)
def test_extra_coordinate_the_writers_cannot_store_is_refused_by_name(tmp_path, ext):
    cube = _cube((3, 4))
    cube.extra_coords.add("combo", 0, MultipleTableCoordinate(QuantityTableCoordinate(np.arange(3) * u.m, names="x")))
    with pytest.raises(UnsupportedObjectError, match="MultipleTableCoordinate"):
        irisplug.write(cube, tmp_path / f"c.{ext}")
    assert not list(tmp_path.iterdir())


@pytest.mark.parametrize("ext", ["asdf"])  # SHOW cubes have a gwcs: FITS refuses them
def test_show_cube_keeps_its_extra_coordinates_and_temperatures(tmp_path, ext):
    generate = pytest.importorskip("irisplug_show.generate").generate
    path = tmp_path / "show.nc"
    generate(path, shape=(16, 12), frames_per_exposure=3, science_frames=2, seed=0)
    obs = irisplug.read(path)
    cube = obs[next(iter(obs.keys()))]
    back = _roundtrip(cube, tmp_path, ext)
    _same_extra_coords(cube, back)
    _same_meta(cube.meta["temperatures"], back.meta["temperatures"])


# --- units --------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize("ext", FORMATS)
@pytest.mark.parametrize("unit", [None, u.dimensionless_unscaled, u.percent, u.DN / u.s, u.Unit("kR/nm")], ids=str)
def test_units_survive(tmp_path, ext, unit):
    cube = NDCube(np.ones((2, 3)), wcs=WCS(naxis=2), unit=unit)
    assert _roundtrip(cube, tmp_path, ext).unit == unit


# --- sliced FITS WCS ------------------------------------------------------------------------------------------------


def _coupled_wcs() -> WCS:
    """(wavelength, slit, step) in pixel order reversed: a rotated helioprojective pair (PC terms) and a wavelength."""
    w = WCS(naxis=3)
    w.wcs.ctype = ["WAVE", "HPLT-TAN", "HPLN-TAN"]
    w.wcs.cunit = ["Angstrom", "arcsec", "arcsec"]
    w.wcs.cdelt = [0.026, 0.33, 0.35]
    w.wcs.crval = [1402.0, 100.0, -300.0]
    w.wcs.crpix = [3.0, 5.0, 2.0]
    angle = np.deg2rad(7.0)
    w.wcs.pc = [[1, 0, 0], [0, np.cos(angle), -np.sin(angle)], [0, np.sin(angle), np.cos(angle)]]
    return w


WCS_SLICES = {"range0": (slice(1, 4),), "range01": (slice(1, 4), slice(2, 10)), "range_all": (slice(1, 5), slice(3, 17), slice(5, 30)),
              "index0_coupled": (2,), "index1_coupled": (slice(None), 3), "index2_uncoupled": (slice(None), slice(None), 5),
              "mixed": (slice(1, 4), 5, slice(2, 30))}


def _assert_same_pixel_world(cube: NDCube, back: NDCube) -> None:
    """World values of every pixel equal (1e-10 relative per world axis), and the dropped world dimensions."""
    grid = [g.ravel() for g in np.indices(cube.data.shape[::-1])]  # pixel order
    want = np.atleast_2d(cube.wcs.low_level_wcs.pixel_to_world_values(*grid))
    got = np.atleast_2d(back.wcs.low_level_wcs.pixel_to_world_values(*grid))
    assert back.wcs.world_axis_physical_types == cube.wcs.world_axis_physical_types
    for w, g in zip(want, got, strict=True):
        np.testing.assert_allclose(g, w, rtol=1e-10, atol=1e-10 * np.max(np.abs(w)))
    want_dropped = getattr(cube.wcs.low_level_wcs, "dropped_world_dimensions", {})
    got_dropped = getattr(back.wcs.low_level_wcs, "dropped_world_dimensions", {})
    assert got_dropped.get("world_axis_names", []) == want_dropped.get("world_axis_names", [])
    np.testing.assert_allclose(got_dropped.get("value", []), want_dropped.get("value", []), rtol=1e-10)


@pytest.mark.parametrize("ext", FORMATS)
@pytest.mark.parametrize("item", WCS_SLICES.values(), ids=WCS_SLICES.keys())
def test_sliced_fits_wcs_round_trip(tmp_path, ext, item):
    cube = NDCube(np.arange(6 * 20 * 40, dtype=float).reshape(6, 20, 40), wcs=_coupled_wcs(), unit=u.DN)[item]
    back = _roundtrip(cube, tmp_path, ext)
    np.testing.assert_array_equal(back.data, cube.data)
    _assert_same_pixel_world(cube, back)


@pytest.mark.parametrize("item", [v for v in WCS_SLICES.values() if all(isinstance(s, slice) for s in v)],
                         ids=[k for k, v in WCS_SLICES.items() if all(isinstance(s, slice) for s in v)])
def test_fits_cards_of_a_range_slice_describe_it_for_other_tools(tmp_path, item):
    cube = NDCube(np.zeros((6, 20, 40)), wcs=_coupled_wcs())[item]
    path = irisplug.write(cube, tmp_path / "c.fits")
    with fits.open(path) as hdul:
        plain = NDCube(hdul["CUBE0"].data, wcs=WCS(hdul["CUBE0"].header))
    _assert_same_pixel_world(cube, plain)


@pytest.mark.parametrize("ext", FORMATS)
def test_fit_maps_of_a_fits_wcs_cube_round_trip(tmp_path, ext):
    pytest.importorskip("irisplug_fit")
    rng = np.random.default_rng(1)
    wl = 1402.77 + (np.arange(40) - 20) * 0.026
    w = _coupled_wcs()
    w.wcs.crval = [wl[0], 100.0, -300.0]
    w.wcs.crpix = [1, 1, 1]
    line = 100 + 1000 * np.exp(-0.5 * ((wl - 1402.80) / 0.04) ** 2)
    cube = NDCube(rng.poisson(line[None, None, :] * np.ones((4, 10, 1))).astype(float), wcs=w, unit=u.DN)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        maps = irisplug.fit(cube, template="peak")
    back = _roundtrip(maps, tmp_path, ext)
    assert list(back) == list(maps)
    for key in maps:
        np.testing.assert_array_equal(np.asarray(back[key].data), np.asarray(maps[key].data))
        _assert_same_pixel_world(maps[key], back[key])


# --- metadata that is not plain JSON --------------------------------------------------------------------------------


def _table_meta() -> dict[str, Any]:
    qt = QTable({"fpa": [1.0, 2.0] * u.deg_C, "time": _T0 + [0, 1] * u.s, "n": np.array([3, 4], dtype=np.int16)})
    qt["fpa"].info.description = "focal plane"
    qt.meta["source"] = "probe"
    t = Table({"a": Column([1.5, 2.5], unit="m", format="%.2f"), "b": MaskedColumn([1, 2], mask=[True, False])})
    return {"qtable": qt, "table": t}


def _rich_meta() -> dict[str, Any]:
    meta = {
        "shape": (3, 4), "flag": b"OK", "mutable": bytearray(b"x"), "by_channel": {1: "fpa", (2, 3): "pair"},
        "n": np.int64(7), "f32": np.float32(1.5), "ok": np.bool_(True), "s": np.str_("abc"),
        "tai": Time(_T0, scale="tai", format="mjd"), "dt": TimeDelta(2.5, format="sec"),
        "angle": Angle(12.5, u.deg), "lon": Longitude(190 * u.deg, wrap_angle=180 * u.deg), "q32": np.float32([1.5]) * u.m,
        "complex": np.array([1 + 2j, 3 - 4j]), "dates": np.array(["2023-08-01", "2023-08-02"], dtype="datetime64[D]"),
        "structured": np.array([(1, 2.0)], dtype=[("i", "<i4"), ("f", "<f8")]), "masked": np.ma.masked_array([1, 2], mask=[0, 1]),
        "set": {1, 2}, "frozen": frozenset({"a"}), "ordered": OrderedDict([("b", 1), ("a", 2)]),
        "header": fits.Header([("TELESCOP", "SHOW", "telescope")]), "unit": u.Unit("DN / s"),
        "location": EarthLocation.from_geodetic(10 * u.deg, 45 * u.deg, 100 * u.m), "tagged_key": {"__time__": 1},
        "nested": [{"t": (1, b"2")}],
    }
    return {**meta, **_table_meta()}


def _same_meta(a: Any, b: Any) -> None:
    """Recursive equality that also requires the same types (and dtypes)."""
    assert type(a) is type(b), (type(a), type(b))
    if isinstance(a, Table):
        assert a.colnames == b.colnames and dict(a.meta) == dict(b.meta)
        for name in a.colnames:
            _same_meta(a[name], b[name])
            assert a[name].info.description == b[name].info.description
            assert a[name].info.format == b[name].info.format
    elif isinstance(a, Time):
        assert a.scale == b.scale and a.format == b.format
        np.testing.assert_array_equal(a.jd1, b.jd1)
        np.testing.assert_array_equal(a.jd2, b.jd2)
    elif isinstance(a, SkyCoord):
        _same_world(a, b)
    elif isinstance(a, EarthLocation):
        assert a == b
    elif isinstance(a, (np.ndarray, np.generic)):
        assert a.dtype == b.dtype and getattr(a, "unit", None) == getattr(b, "unit", None)
        np.testing.assert_array_equal(np.ma.getdata(a), np.ma.getdata(b))
        np.testing.assert_array_equal(np.ma.getmaskarray(a), np.ma.getmaskarray(b))
    elif isinstance(a, dict):
        assert list(a) == list(b)
        for k in a:
            _same_meta(a[k], b[k])
    elif isinstance(a, (list, tuple)):
        assert len(a) == len(b)
        for x, y in zip(a, b, strict=True):
            _same_meta(x, y)
    elif isinstance(a, fits.Header):
        assert a.tostring() == b.tostring()
    else:
        assert a == b


@pytest.mark.parametrize("ext", FORMATS)
def test_metadata_values_keep_type_and_value(tmp_path, ext):
    meta = {**_rich_meta(), "hpc": _hpc(2)}
    cube = NDCube(np.zeros((4, 5)), wcs=WCS(naxis=2), unit=u.DN, meta=meta)
    with warnings.catch_warnings():
        warnings.simplefilter("error", irisplug.errors.IrisplugWarning)  # nothing is converted
        back = _roundtrip(cube, tmp_path, ext)
    for key, value in meta.items():
        _same_meta(value, back.meta[key])


@pytest.mark.parametrize("ext", FORMATS)
def test_sequence_and_collection_metadata_keep_types(tmp_path, ext):
    cube = NDCube(np.zeros((2, 3)), wcs=WCS(naxis=2))
    maps = NDCollection([("a", cube)], meta={"shape": (2, 3), "qt": _table_meta()["qtable"]})
    back = _roundtrip(maps, tmp_path, ext)
    _same_meta(maps.meta["shape"], back.meta["shape"])
    _same_meta(maps.meta["qt"], back.meta["qt"])


class _Opaque:
    def __str__(self) -> str:
        return "opaque!"


@pytest.mark.parametrize("ext", FORMATS)
def test_values_without_exact_form_warn_once_naming_their_keys(tmp_path, ext):
    from irisplug_io.values import MetadataConversionWarning

    cube = NDCube(np.zeros((2, 3)), wcs=WCS(naxis=2), meta={"thing": _Opaque(), "deep": {"x": [_Opaque()]}, 5: "five"})
    with pytest.warns(MetadataConversionWarning) as record:
        back = _roundtrip(cube, tmp_path, ext)
    ours = [w for w in record if issubclass(w.category, MetadataConversionWarning)]
    assert len(ours) == 1
    text = str(ours[0].message)
    assert "meta['thing']" in text and "meta['deep']['x'][0]" in text and "key 5" in text
    assert issubclass(MetadataConversionWarning, irisplug.errors.IrisplugWarning)
    assert back.meta["thing"] == "opaque!"


def test_unsupported_wcs_is_refused_by_name(tmp_path):
    from ndcube.wcs.wrappers import ResampledLowLevelWCS

    cube = NDCube(np.zeros((2, 3)), wcs=ResampledLowLevelWCS(WCS(naxis=2), 2))
    with pytest.raises(IrisplugError, match="ResampledLowLevelWCS"):
        irisplug.write(cube, tmp_path / "r.asdf")


@pytest.mark.parametrize("ext", FORMATS)
def test_extra_coordinates_held_as_a_fits_wcs_survive(tmp_path, ext):
    """(ndcube 2.4 cannot slice a cube whose ExtraCoords hold a WCS of fewer axes: only whole cubes here.)"""
    cube = _cube((4, 5))
    w = WCS(naxis=1)
    w.wcs.ctype = ["WAVE"]
    w.wcs.cunit = ["nm"]
    w.wcs.cdelt = [0.5]
    w.wcs.crval = [121.6]
    cube.extra_coords.wcs = w
    cube.extra_coords.mapping = (0,)  # pixel axis 0 = array axis 1
    back = _roundtrip(cube, tmp_path, ext)
    assert back.extra_coords.mapping == cube.extra_coords.mapping
    for want, got in zip(cube.axis_world_coords(wcs=cube.extra_coords), back.axis_world_coords(wcs=back.extra_coords),
                         strict=True):
        assert type(got) is type(want)
        np.testing.assert_allclose(got.to_value(want.unit), want.value, rtol=1e-12)
