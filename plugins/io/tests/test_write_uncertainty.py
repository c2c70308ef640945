"""Writers 'fits' and 'asdf' store every cube's uncertainty and the readers restore it exactly.

References are independent of our readers: arrays built here, astropy's own FITS
reader (``fits.open``) and CCDData's, and the values astropy reads from the
original IUVS L1B file.
"""

from __future__ import annotations

import json

import astropy.units as u
import numpy as np
import pytest
from astropy.io import fits
from astropy.nddata import (
    CCDData,
    InverseVariance,
    StdDevUncertainty,
    UnknownUncertainty,
    VarianceUncertainty,
)
from astropy.wcs import WCS
from ndcube import NDCube

import irisplug
from irisplug.errors import CorruptFileError, MissingExtensionError, UnsupportedObjectError
from irisplug.testing import iter_cubes
from irisplug_io.records import FORMAT_VERSION

SUFFIXES = [".fits", ".asdf"]


def _wcs() -> WCS:
    w = WCS(naxis=3)
    w.wcs.ctype = ["WAVE", "HPLT-TAN", "HPLN-TAN"]
    w.wcs.cunit = ["Angstrom", "arcsec", "arcsec"]
    w.wcs.cdelt = [0.0254, 0.1664, 0.35]
    w.wcs.crpix = [3.0, 2.0, 1.0]
    w.wcs.crval = [1402.77, 310.25, -120.5]
    return w


def _values(dtype: type, shape: tuple[int, ...] = (3, 4, 5)) -> np.ndarray:
    """Values whose bits are easy to lose: NaN, -0.0, inf, a subnormal, the largest finite."""
    info = np.finfo(dtype)
    arr = np.random.default_rng(3).uniform(0, 50, shape).astype(dtype)
    flat = arr.reshape(-1)
    flat[:5] = [np.nan, -0.0, np.inf, info.smallest_subnormal, info.max]
    return arr


def _bits(arr: np.ndarray) -> np.ndarray:
    arr = np.asarray(arr)
    return arr.astype(arr.dtype.newbyteorder("=")).view(f"u{arr.dtype.itemsize}")


CASES = {
    "stddev-f32": (StdDevUncertainty, np.float32, None),
    "stddev-f64": (StdDevUncertainty, np.float64, u.DN),
    "variance-f64": (VarianceUncertainty, np.float64, u.DN**2),
    "ivar-f32": (InverseVariance, np.float32, None),
}


def _cube(case: str) -> tuple[NDCube, np.ndarray]:
    cls, dtype, unit = CASES[case]
    data = np.random.default_rng(1).normal(100, 10, (3, 4, 5))
    mask = data < 95
    values = _values(dtype)
    cube = NDCube(data, wcs=_wcs(), unit=u.DN, mask=mask, meta={"case": case},
                  uncertainty=cls(values.copy(), unit=unit))
    return cube, values


@pytest.mark.parametrize("suffix", SUFFIXES)
@pytest.mark.parametrize("case", list(CASES))
def test_cube_uncertainty_round_trip(tmp_path, suffix, case):
    cube, values = _cube(case)
    cls, dtype, _ = CASES[case]
    expected_unit = {StdDevUncertainty: u.DN, VarianceUncertainty: u.DN**2, InverseVariance: u.DN**-2}[cls]
    back = irisplug.read(irisplug.write(cube, tmp_path / f"c{suffix}"))
    unc = back.uncertainty
    assert type(unc) is cls
    got = np.asarray(unc.array)
    assert got.dtype == np.dtype(dtype)
    np.testing.assert_array_equal(_bits(got), _bits(values))
    assert unc.unit == expected_unit  # astropy derives it from the data unit when none was given
    assert unc.parent_nddata is back
    np.testing.assert_array_equal(np.asarray(back.data), cube.data)
    np.testing.assert_array_equal(np.asarray(back.mask), cube.mask)
    assert back.unit == u.DN and back.meta["case"] == case
    pix = np.array([[0, 0, 0], [4, 3, 2], [1.5, 2.25, 0.5]]).T
    np.testing.assert_allclose(np.array(back.wcs.pixel_to_world_values(*pix)),  # FITS cards: arcsec stored as deg
                               np.array(cube.wcs.pixel_to_world_values(*pix)), rtol=1e-12, atol=0)
    sub = back[1:, :2]  # ndcube slices the restored uncertainty with the data
    np.testing.assert_array_equal(_bits(np.asarray(sub.uncertainty.array)), _bits(values[1:, :2]))


@pytest.mark.parametrize("case", list(CASES))
def test_fits_uncertainty_hdu_read_by_astropy(tmp_path, case):
    cube, values = _cube(case)
    cls, dtype, _ = CASES[case]
    path = irisplug.write(cube, tmp_path / "c.fits")
    with fits.open(path) as hdul:
        hdul.verify("exception")
        assert [h.name for h in hdul] == ["PRIMARY", "IRPMETA", "CUBE0", "MASK0", "UNCERT0", "JSON0"]
        hdu = hdul["UNCERT0"]
        assert hdu.header["UTYPE"] == cls.__name__
        assert hdu.data.dtype == np.dtype(dtype).newbyteorder(">")
        np.testing.assert_array_equal(_bits(hdu.data), _bits(values))
        record = json.loads(hdul["JSON0"].data.tobytes())
        assert record["uncertainty"]["class"] == cls.__name__
        assert hdul[0].header["IRISPLUG"] == FORMAT_VERSION
    # astropy's CCDData reads the same HDUs by its own convention (UTYPE)
    ccd = CCDData.read(path, hdu="CUBE0", hdu_mask="MASK0", hdu_uncertainty="UNCERT0")
    assert type(ccd.uncertainty) is cls
    np.testing.assert_array_equal(_bits(ccd.uncertainty.array), _bits(values))


def test_fits_read_is_lazy_for_uncertainty_too(tmp_path):
    import dask.array as da

    cube, values = _cube("stddev-f32")
    path = irisplug.write(cube, tmp_path / "c.fits")
    lazy = irisplug.read(path)
    assert isinstance(lazy.data, da.Array) and isinstance(lazy.uncertainty.array, da.Array)
    eager = irisplug.read(path, lazy=False)
    assert isinstance(eager.uncertainty.array, np.ndarray)
    np.testing.assert_array_equal(_bits(eager.uncertainty.array), _bits(values))


@pytest.mark.parametrize("suffix", SUFFIXES)
def test_lazy_uncertainty_is_written(tmp_path, suffix):
    import dask.array as da

    values = _values(np.float64)
    cube = NDCube(da.from_array(np.ones((3, 4, 5)), chunks=(1, 4, 5)), wcs=_wcs(), unit=u.ct,
                  uncertainty=VarianceUncertainty(da.from_array(values, chunks=(1, 4, 5))))
    back = irisplug.read(irisplug.write(cube, tmp_path / f"lazy{suffix}"))
    assert type(back.uncertainty) is VarianceUncertainty and back.uncertainty.unit == u.ct**2
    np.testing.assert_array_equal(_bits(np.asarray(back.uncertainty.array)), _bits(values))


@pytest.mark.parametrize("suffix", SUFFIXES)
def test_cubes_without_uncertainty_stay_without(tmp_path, suffix):
    cube = NDCube(np.arange(6.0).reshape(2, 3), wcs=WCS(naxis=2))
    path = irisplug.write(cube, tmp_path / f"none{suffix}")
    assert irisplug.read(path).uncertainty is None
    if suffix == ".fits":
        assert "UNCERT0" not in [h.name for h in fits.open(path)]


class _MyUncertainty(StdDevUncertainty):
    """A subclass: it may carry more than its array, so the writers must not store it as its parent."""


@pytest.mark.parametrize("suffix", SUFFIXES)
@pytest.mark.parametrize("make", [lambda a: _MyUncertainty(a), lambda a: UnknownUncertainty(a)], ids=["subclass", "unknown"])
def test_unstorable_uncertainty_is_refused_naming_the_file(tmp_path, suffix, make):
    cube = NDCube(np.ones((2, 3)), wcs=WCS(naxis=2), uncertainty=make(np.ones((2, 3))))
    target = tmp_path / f"refused{suffix}"
    with pytest.raises(UnsupportedObjectError, match="uncertainty") as err:
        irisplug.write(cube, target)
    assert err.value.path == str(target)  # the file asked for, not the writer's temporary file
    assert type(cube.uncertainty).__name__ in str(err.value)
    assert list(tmp_path.iterdir()) == []  # nothing written


@pytest.mark.parametrize("suffix", SUFFIXES)
def test_integer_uncertainty_keeps_dtype_and_extremes(tmp_path, suffix):
    values = np.array([[0, 1, 32767], [32768, 65534, 65535]], np.uint16)
    cube = NDCube(np.ones((2, 3)), wcs=WCS(naxis=2), uncertainty=VarianceUncertainty(values))
    back = irisplug.read(irisplug.write(cube, tmp_path / f"u16{suffix}"))
    got = np.asarray(back.uncertainty.array)
    assert got.dtype == np.uint16 and type(back.uncertainty) is VarianceUncertainty
    np.testing.assert_array_equal(got, values)


def test_scalar_uncertainty_is_refused(tmp_path):
    cube = NDCube(np.ones((2, 3)), wcs=WCS(naxis=2), uncertainty=StdDevUncertainty(np.float64(0.5)))
    with pytest.raises(UnsupportedObjectError, match="scalar"):
        irisplug.write(cube, tmp_path / "s.fits")


def _version1_fits(path, data: np.ndarray) -> None:
    """A file as the writer made it before uncertainties (format version 1), built with plain astropy."""
    record = {"label": "", "index": 0, "cls": "NDCube", "unit": "DN",
              "wcs": {"kind": "fits", "header": dict(WCS(naxis=2).to_header())}, "meta": {"old": True}}

    def text_hdu(name, obj):
        hdu = fits.ImageHDU(np.frombuffer(json.dumps(obj).encode(), np.uint8).copy(), name=name)
        hdu.header["IRPJSON"] = True
        return hdu

    primary = fits.PrimaryHDU()
    primary.header["IRISPLUG"] = "1"
    primary.header["IRPKIND"] = "cube"
    primary.header["NCUBES"] = 1
    cube = fits.ImageHDU(data, name="CUBE0")
    cube.header["BUNIT"] = "DN"
    cube.header["IRPCLASS"] = "NDCube"
    cube.header["IRPDTYPE"] = data.dtype.str
    fits.HDUList([primary, text_hdu("IRPMETA", {}), cube, text_hdu("JSON0", record)]).writeto(path)


def test_version1_files_read_back_without_uncertainty(tmp_path):
    import asdf

    data = np.arange(12.0).reshape(3, 4)
    _version1_fits(tmp_path / "old.fits", data)
    record = json.loads(fits.getdata(tmp_path / "old.fits", "JSON0").tobytes())
    asdf.AsdfFile({"irisplug": {"version": "1", "kind": "cube", "meta": "{}",
                                "cubes": [{"record": json.dumps(record), "data": data}]}}).write_to(tmp_path / "old.asdf")
    for name in ("old.fits", "old.asdf"):
        back = irisplug.read(tmp_path / name)
        assert back.uncertainty is None, name
        np.testing.assert_array_equal(np.asarray(back.data), data)
        assert back.unit == u.DN and back.meta == {"old": True}


def test_newer_format_version_is_refused(tmp_path):
    _version1_fits(tmp_path / "future.fits", np.zeros((2, 2)))
    with fits.open(tmp_path / "future.fits", mode="update") as hdul:
        hdul[0].header["IRISPLUG"] = "99"
    with pytest.raises(CorruptFileError, match="version 99"):
        irisplug.read(tmp_path / "future.fits")


def test_missing_uncertainty_hdu_is_reported(tmp_path):
    cube, _ = _cube("stddev-f64")
    path = irisplug.write(cube, tmp_path / "c.fits")
    with fits.open(path) as hdul:
        fits.HDUList([h for h in hdul if h.name != "UNCERT0"]).writeto(tmp_path / "cut.fits")
    with pytest.raises(MissingExtensionError, match="UNCERT0"):
        irisplug.read(tmp_path / "cut.fits")


def test_uncertainty_hdu_without_record_entry_is_read_by_its_cards(tmp_path):
    """CCDData's convention: an UNCERTn HDU is described by its UTYPE and BUNIT cards alone."""
    cube, values = _cube("variance-f64")
    path = irisplug.write(cube, tmp_path / "c.fits")
    with fits.open(path) as hdul:
        record = json.loads(hdul["JSON0"].data.tobytes())
        del record["uncertainty"]
        hdul["JSON0"].data = np.frombuffer(json.dumps(record).encode(), np.uint8).copy()
        hdul.writeto(tmp_path / "cards.fits")
    back = irisplug.read(tmp_path / "cards.fits")
    assert type(back.uncertainty) is VarianceUncertainty and back.uncertainty.unit == u.DN**2
    np.testing.assert_array_equal(_bits(np.asarray(back.uncertainty.array)), _bits(values))


def _with_uncertainty(cube):
    """The cube with StdDevUncertainty sqrt(|data|) (float32 like the data); mask and meta kept."""
    data = np.asarray(cube.data)
    unc = StdDevUncertainty(np.sqrt(np.abs(data)))
    return type(cube)(data, wcs=cube.wcs, unit=cube.unit, mask=np.asarray(cube.mask), meta=cube.meta, uncertainty=unc)


def _assert_uncertainties(orig, back):
    n = 0
    for a, b in zip(iter_cubes(orig), iter_cubes(back), strict=True):
        assert type(a) is type(b)
        np.testing.assert_array_equal(np.asarray(b.data), np.asarray(a.data))
        if a.uncertainty is None:
            assert b.uncertainty is None
            continue
        n += 1
        assert type(b.uncertainty) is type(a.uncertainty)
        assert b.uncertainty.unit == a.uncertainty.unit
        got, want = np.asarray(b.uncertainty.array), np.asarray(a.uncertainty.array)
        assert got.dtype == want.dtype
        np.testing.assert_array_equal(_bits(got), _bits(want))
    return n


@pytest.mark.parametrize("suffix", SUFFIXES)
def test_real_iris_sequence_and_observation(obs_raster, real_sji_1400, tmp_path, suffix):
    from irisplug.model import Observation, RasterSequence

    seq = obs_raster["Si IV 1403"]
    cubes = list(seq.data)
    cubes[0] = _with_uncertainty(cubes[0])
    assert cubes[0].uncertainty.array.dtype == np.float32
    seq2 = RasterSequence(cubes, common_axis=0, meta=seq.meta)
    sji = real_sji_1400
    sji2 = type(sji)(np.asarray(sji.data), wcs=sji.wcs, unit=sji.unit, mask=np.asarray(sji.mask), meta=sji.meta,
                     uncertainty=VarianceUncertainty(np.abs(np.asarray(sji.data, np.float64))))
    back = irisplug.read(irisplug.write(seq2, tmp_path / f"seq{suffix}"))
    assert _assert_uncertainties(seq2, back) == 1
    obs2 = Observation({"Si IV 1403": seq2, "SJI_1400": sji2}, meta=obs_raster.meta)
    back = irisplug.read(irisplug.write(obs2, tmp_path / f"obs{suffix}"))
    assert _assert_uncertainties(obs2, back) == 2
    assert back["Si IV 1403"][0].uncertainty.unit == u.DN  # astropy: a standard deviation has the data's unit
    if suffix == ".fits":
        with fits.open(tmp_path / "obs.fits") as hdul:
            hdul.verify("exception")
            names = [h.name for h in hdul]
            assert names.count("JSON0") == 1 and sum(n.startswith("UNCERT") for n in names) == 2
            for name in (n for n in names if n.startswith("UNCERT")):
                i = int(name[len("UNCERT"):])
                orig = next(c for c in iter_cubes(obs2) if c.uncertainty is not None and c.data.shape == hdul[name].data.shape
                            and hdul[name].header["UTYPE"] == type(c.uncertainty).__name__)
                np.testing.assert_array_equal(_bits(hdul[name].data), _bits(orig.uncertainty.array))
                assert hdul[f"CUBE{i}"].data.shape == hdul[name].data.shape


@pytest.fixture(scope="module")
def iuvs_muv(shared_data):
    import os
    from pathlib import Path

    override = os.environ.get("IRISPLUG_IUVS_DATA")
    if override:
        files = sorted(Path(override).glob("mvn_iuv_l1b_*-muv_*.fits*"))
        if not files:
            pytest.skip(f"no IUVS L1B MUV file in IRISPLUG_IUVS_DATA={override}")
        return files[0]
    return shared_data("iuvs", "mvn_iuv_l1b_*-muv_*.fits*")[0]


@pytest.mark.parametrize("suffix", SUFFIXES)
def test_real_iuvs_radiance_uncertainty(iuvs_muv, tmp_path, suffix):
    with fits.open(iuvs_muv) as hdul:  # astropy straight from the original file
        reference = np.array(hdul["Random_phy_unc"].data)
    radiance = irisplug.read(iuvs_muv)["radiance"]
    assert type(radiance.uncertainty) is StdDevUncertainty
    # FITS cannot describe the IUVS gwcs (ASDF can: next test): give both writers a pixel WCS here
    cube = NDCube(radiance.data, wcs=WCS(naxis=3), unit=radiance.unit, mask=radiance.mask,
                  uncertainty=radiance.uncertainty)
    back = irisplug.read(irisplug.write(cube, tmp_path / f"iuvs{suffix}"))
    assert type(back.uncertainty) is StdDevUncertainty
    assert back.uncertainty.unit == radiance.uncertainty.unit == u.Unit("kR/nm")
    got = np.asarray(back.uncertainty.array)
    assert got.dtype == reference.dtype.newbyteorder("=")
    np.testing.assert_array_equal(_bits(got), _bits(reference))
    np.testing.assert_array_equal(np.asarray(back.data), np.asarray(radiance.data))


def test_fits_writes_lazy_data_and_uncertainty_chunk_by_chunk(tmp_path):
    """Each dask chunk is computed once and the whole arrays (2 x 42 MB) are never in memory together."""
    import threading
    import tracemalloc

    import dask.array as da

    calls = []
    lock = threading.Lock()

    def make(block, block_info=None):
        with lock:
            calls.append(block_info[None]["chunk-location"])
        start = block_info[None]["array-location"][0][0]
        return np.broadcast_to(np.arange(start, start + block.shape[0], dtype=np.float64)[:, None, None], block.shape).copy()

    shape, chunks = (40, 256, 512), (4, 256, 512)
    data = da.zeros(shape, chunks=chunks).map_blocks(make, dtype=np.float64)
    sigma = da.sqrt(data + 1.0)
    cube = NDCube(data, wcs=_wcs(), unit=u.DN, uncertainty=StdDevUncertainty(sigma))
    tracemalloc.start()
    try:
        irisplug.write(cube, tmp_path / "big.fits")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    whole = np.prod(shape) * 8  # one array; writing both whole (the old way) peaked above 2 x this
    assert peak < whole, f"peak {peak / 1e6:.0f} MB for two arrays of {whole / 1e6:.0f} MB each"
    assert len(calls) == 2 * 10  # every chunk once for the data, once inside the uncertainty's graph
    with fits.open(tmp_path / "big.fits", memmap=True) as hdul:
        hdul.verify("exception")
        rows = np.arange(40, dtype=np.float64)
        np.testing.assert_array_equal(hdul["CUBE0"].data[:, 100, 200], rows)
        np.testing.assert_array_equal(hdul["UNCERT0"].data[:, 3, 7], np.sqrt(rows + 1))
        assert hdul["UNCERT0"].header["UTYPE"] == "StdDevUncertainty"


def test_fits_samples_match_astropy_for_every_dtype(tmp_path):
    """The streaming writer stores every dtype the way astropy itself does (astropy decodes them back exactly)."""
    from ndcube import NDCollection

    rng = np.random.default_rng(5)
    arrays = {}
    for dt in ("u1", "u2", "u4", "u8", "i1", "i2", "i4", "i8"):
        info = np.iinfo(dt)
        arr = rng.integers(info.min, info.max, (3, 4), dtype=dt, endpoint=True)
        arr[0, :2] = info.min, info.max
        arrays[dt] = arr
    arrays["f4"], arrays["f8"] = _values(np.float32, (3, 4)), _values(np.float64, (3, 4))
    arrays["b1"] = rng.integers(0, 2, (3, 4)).astype(bool)
    coll = NDCollection([(k, NDCube(v, wcs=WCS(naxis=2), uncertainty=StdDevUncertainty(v) if v.dtype.kind in "fiu" else None))
                         for k, v in arrays.items()])
    path = irisplug.write(coll, tmp_path / "dtypes.fits")
    with fits.open(path) as hdul:
        hdul.verify("exception")
        headers = {h.name: h.header.copy() for h in hdul}  # before .data: astropy drops BZERO once it has scaled
        for i, (key, arr) in enumerate(arrays.items()):
            for name in (f"CUBE{i}", f"UNCERT{i}") if arr.dtype.kind != "b" else (f"CUBE{i}",):
                got = hdul[name].data
                assert got.dtype.kind == ("u" if key == "b1" else arr.dtype.kind) and got.dtype.itemsize == arr.dtype.itemsize, name
                np.testing.assert_array_equal(_bits(got) if arr.dtype.kind == "f" else got, _bits(arr) if arr.dtype.kind == "f" else arr)
                ref = fits.ImageHDU(arr.astype(np.uint8) if key == "b1" else arr).header  # astropy's own cards for this dtype
                assert (headers[name]["BITPIX"], headers[name].get("BZERO")) == (ref["BITPIX"], ref.get("BZERO")), name
    with fits.open(path, do_not_scale_image_data=True) as hdul:  # astropy re-serialises it to the very same bytes
        hdul.writeto(tmp_path / "astropy.fits")
    assert (tmp_path / "astropy.fits").read_bytes() == path.read_bytes()
    back = irisplug.read(path)
    for key, arr in arrays.items():
        assert np.asarray(back[key].data).dtype == arr.dtype
        if arr.dtype.kind != "b":
            assert np.asarray(back[key].uncertainty.array).dtype == arr.dtype
            np.testing.assert_array_equal(np.asarray(back[key].uncertainty.array), arr)


@pytest.mark.filterwarnings("ignore:.*deconvolved slit-jaw")  # that SJI gets no uncertainty, with a warning
@pytest.mark.filterwarnings("ignore:.*auxiliary table has")  # the test files are down-sampled (as in conftest)
@pytest.mark.parametrize("suffix", SUFFIXES)
def test_real_observation_read_with_photon_noise(raster_dir, raster_sji_files, tmp_path, suffix):
    """``irisplug.read(..., uncertainty=True)`` attaches lazy StdDevUncertainty: every one is written and restored."""
    import dask.array as da

    obs = irisplug.read([raster_dir, *raster_sji_files], uncertainty=True)
    lazy = [c for c in iter_cubes(obs) if c.uncertainty is not None]
    assert lazy and all(isinstance(c.uncertainty.array, da.Array) for c in lazy)
    back = irisplug.read(irisplug.write(obs, tmp_path / f"noisy{suffix}"))
    assert _assert_uncertainties(obs, back) == len(lazy)


def test_real_iuvs_gwcs_cube_through_asdf(iuvs_muv, tmp_path):
    """An IUVS cube keeps its gwcs through ASDF (whole and sliced); FITS refuses it, naming the file."""
    from irisplug.errors import UnknownFormatError, UnsupportedObjectError
    from irisplug_io import write_fits

    radiance = irisplug.read(iuvs_muv)["radiance"]
    for name, cube in (("whole", radiance), ("sliced", radiance[1:3, :, 2:9])):
        back = irisplug.read(irisplug.write(cube, tmp_path / f"{name}.asdf"))
        assert type(back.wcs.low_level_wcs).__module__.startswith("gwcs") or name == "sliced"
        shape = cube.data.shape
        pix = [np.linspace(0, n - 1, 4) for n in shape[::-1]]
        grid = np.meshgrid(*pix, indexing="ij")
        want = cube.wcs.low_level_wcs.pixel_to_world_values(*grid)
        got = back.wcs.low_level_wcs.pixel_to_world_values(*grid)
        for a, b in zip(want, got, strict=True):
            np.testing.assert_array_equal(np.asarray(a), np.asarray(b))
        np.testing.assert_array_equal(np.asarray(back.data), np.asarray(cube.data))
        np.testing.assert_array_equal(_bits(np.asarray(back.uncertainty.array)), _bits(np.asarray(cube.uncertainty.array)))
    with pytest.raises(UnknownFormatError, match="fits"):
        irisplug.write(radiance, tmp_path / "radiance.fits")
    with pytest.raises(UnsupportedObjectError, match="gwcs"):
        write_fits(radiance, tmp_path / "direct.fits")
    assert not list(tmp_path.glob("*.fits"))
