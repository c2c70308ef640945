"""Writers 'fits' and 'asdf' with an ndcube NDCollection of maps built here by hand (not by the fit plugin)."""

from __future__ import annotations

import astropy.units as u
import numpy as np
import pytest
from astropy.time import Time
from astropy.wcs import WCS
from ndcube import NDCollection, NDCube

import irisplug
from irisplug.errors import UnknownFormatError
from irisplug.testing import WriterContract

SHAPE = (5, 7)  # (y, x) in numpy order


def _hpc_wcs() -> WCS:
    """A helioprojective TAN WCS like a map of IRIS raster steps (x) by slit positions (y)."""
    w = WCS(naxis=2)
    w.wcs.ctype = ["HPLN-TAN", "HPLT-TAN"]
    w.wcs.cunit = ["arcsec", "arcsec"]
    w.wcs.cdelt = [0.35, 0.1664]
    w.wcs.crpix = [4.0, 3.0]
    w.wcs.crval = [-120.5, 310.25]
    w.wcs.pc = [[0.9998, -0.02], [0.02, 0.9998]]
    w.wcs.dateobs = "2014-03-29T14:09:38.000"
    return w


def _maps() -> NDCollection:
    rng = np.random.default_rng(7)
    wcs = _hpc_wcs()
    vel = rng.normal(0, 8, SHAPE)
    vel[0, 0] = np.nan
    status = rng.integers(0, 7, SHAPE).astype(np.uint8)
    items = [
        ("si_iv.velocity", NDCube(vel, wcs=wcs, unit=u.km / u.s, mask=status != 0,
                                  meta={"rest_wavelength": 1402.77, "line": "Si IV 1403", "profile": "gaussian"})),
        ("si_iv.intensity", NDCube(rng.uniform(0, 1e4, SHAPE).astype(np.float32), wcs=wcs, unit=u.DN * u.AA / u.s,
                                   meta={"exptime": 8.0 * u.s})),
        ("niter", NDCube(rng.integers(0, 200, SHAPE).astype(np.int32), wcs=wcs)),
        ("status", NDCube(status, wcs=wcs, meta={"status_codes": "0=converged; 1=all masked"})),
    ]
    meta = {"template": "si_iv", "obs_start": Time("2014-03-29T14:09:38.52"),
            "irisplug_history": [{"step": "fit", "plugin": "tests", "version": "0", "time": "2026-11-23T00:00:00",
                                  "params": {"template": "si_iv"}}]}
    return NDCollection(items, aligned_axes="all", meta=meta)


PIXELS = [(0, 0), (3, 2), (6, 4), (1.5, 3.25)]  # (x, y)


def _assert_same(orig: NDCollection, back: NDCollection) -> None:
    assert isinstance(back, NDCollection)
    assert list(back) == list(orig)
    assert back.aligned_axes == orig.aligned_axes
    assert back.meta["template"] == orig.meta["template"]
    assert (back.meta["obs_start"] - orig.meta["obs_start"]).to_value(u.s) == 0
    assert back.meta["irisplug_history"] == orig.meta["irisplug_history"]
    for key, cube in orig.items():
        got = back[key]
        data = np.asarray(got.data)
        assert data.dtype == cube.data.dtype, key
        np.testing.assert_array_equal(data, cube.data, err_msg=key)
        assert got.unit == cube.unit, key
        if cube.mask is None:
            assert got.mask is None, key
        else:
            np.testing.assert_array_equal(np.asarray(got.mask), cube.mask, err_msg=key)
        assert set(got.meta) == set(cube.meta), key
        for pix in PIXELS:
            a, b = got.wcs.pixel_to_world(*pix), cube.wcs.pixel_to_world(*pix)
            assert a.Tx.to_value(u.arcsec) == pytest.approx(b.Tx.to_value(u.arcsec), abs=1e-9), (key, pix)
            assert a.Ty.to_value(u.arcsec) == pytest.approx(b.Ty.to_value(u.arcsec), abs=1e-9), (key, pix)
    assert back["si_iv.velocity"].meta["rest_wavelength"] == 1402.77
    assert back["si_iv.intensity"].meta["exptime"] == 8.0 * u.s
    # the reference pixel (FITS CRPIX, 1-based) lands on CRVAL: checks the stored WCS against the hand-set numbers
    ref = back["status"].wcs.pixel_to_world(3.0, 2.0)
    assert (ref.Tx.to_value(u.arcsec), ref.Ty.to_value(u.arcsec)) == pytest.approx((-120.5, 310.25), abs=1e-9)


@pytest.mark.parametrize("suffix", [".fits", ".asdf"])
def test_collection_round_trip(tmp_path, suffix):
    maps = _maps()
    path = irisplug.write(maps, tmp_path / f"maps{suffix}")
    assert sorted(p.name for p in tmp_path.iterdir()) == [f"maps{suffix}"]  # atomic: no temporary file left
    _assert_same(maps, irisplug.read(path))


def test_fits_file_is_valid_fits_that_astropy_reads(tmp_path):
    from astropy.io import fits

    maps = _maps()
    path = irisplug.write(maps, tmp_path / "maps.fits")
    with fits.open(path) as hdul:
        hdul.verify("exception")
        assert hdul[0].header["IRPKIND"] == "collection"
        assert hdul[0].header["NCUBES"] == len(maps)
        assert any("fit" in str(h) for h in hdul[0].header["HISTORY"])
        for i, (key, cube) in enumerate(maps.items()):
            hdu = hdul[f"CUBE{i}"]
            assert hdu.header["IRPLABEL"] == key
            np.testing.assert_array_equal(hdu.data, cube.data)  # astropy's own decoding, not ours
            assert hdu.data.dtype.kind == cube.data.dtype.kind
            world = WCS(hdu.header).pixel_to_world_values(*np.array(PIXELS).T)
            np.testing.assert_allclose(world, cube.wcs.pixel_to_world_values(*np.array(PIXELS).T), rtol=0, atol=1e-12)
        np.testing.assert_array_equal(hdul["MASK0"].data.astype(bool), maps["si_iv.velocity"].mask)


@pytest.mark.parametrize("suffix", [".fits", ".asdf"])
def test_integer_and_boolean_members_keep_dtype_and_extreme_values(tmp_path, suffix):
    wcs = _hpc_wcs()
    arrays = {
        "u16": np.array([[0, 1, 32767], [32768, 65534, 65535]], np.uint16),
        "i8": np.array([[-128, -1, 0], [1, 126, 127]], np.int8),
        "i64": np.array([[2**62 + 1, -(2**62) - 3, 0], [1, -1, 2**53 + 1]], np.int64),
        "flag": np.array([[True, False, True], [False, False, True]]),
    }
    maps = NDCollection([(k, NDCube(v, wcs=wcs)) for k, v in arrays.items()], aligned_axes="all")
    back = irisplug.read(irisplug.write(maps, tmp_path / f"ints{suffix}"))
    for key, arr in arrays.items():
        got = np.asarray(back[key].data)
        assert got.dtype == arr.dtype, key
        np.testing.assert_array_equal(got, arr, err_msg=key)


def test_collection_of_sliced_per_exposure_maps(obs_synthetic, tmp_path):
    cube = obs_synthetic["Si IV 1403"][0]  # (raster step, slit y, wavelength), per-exposure WCS
    images = [cube[:, :, 10], cube[:, :, 20]]  # sliced per-exposure WCS, as the fit plugin's maps carry
    maps = NDCollection([("w10", images[0]), ("w20", images[1])], aligned_axes="all")
    for suffix in (".fits", ".asdf"):
        back = irisplug.read(irisplug.write(maps, tmp_path / f"sliced{suffix}"))
        assert list(back) == ["w10", "w20"]
        for key, img in zip(back, images, strict=True):
            np.testing.assert_array_equal(np.asarray(back[key].data), np.asarray(img.data))
            np.testing.assert_array_equal(np.asarray(back[key].mask), np.asarray(img.mask))
            for pix in [(0, 0), (10, 3), (40, 7)]:
                assert str(back[key].wcs.pixel_to_world(*pix)) == str(img.wcs.pixel_to_world(*pix))


@pytest.mark.parametrize("suffix", [".fits", ".asdf"])
@pytest.mark.parametrize("bad", ["nested", "array", "sequence"])
def test_collection_with_a_non_cube_member_is_refused(tmp_path, suffix, bad):
    from ndcube import NDCubeSequence

    from irisplug_io import accepts

    good = _maps()
    member = {
        "nested": NDCollection([("inner", good["status"])]),
        "array": np.zeros(SHAPE),
        "sequence": NDCubeSequence([good["status"], good["status"]]),
    }[bad]
    maps = NDCollection([("status", good["status"]), ("odd", member)])
    assert accepts(maps) is False
    with pytest.raises(UnknownFormatError, match="NDCollection"):
        irisplug.write(maps, tmp_path / f"bad{suffix}")
    assert list(tmp_path.iterdir()) == []


def test_collection_subclass_with_extra_content_is_refused():
    from irisplug_io import accepts

    class WithTables(NDCollection):
        """Like IUVSProduct: a collection plus tables the writers would not keep."""

    assert accepts(WithTables([("status", _maps()["status"])])) is False
    assert accepts(_maps()) is True


class TestFitsCollectionContract(WriterContract):
    writer = "fits"
    suffix = ".fits"

    @pytest.fixture
    def sample_object(self):
        return _maps()


class TestAsdfCollectionContract(WriterContract):
    writer = "asdf"
    suffix = ".asdf"

    @pytest.fixture
    def sample_object(self):
        return _maps()


@pytest.mark.parametrize("suffix", [".fits", ".asdf"])
def test_collection_member_uncertainty_round_trip(tmp_path, suffix):
    """A fit-style map with its 1-sigma errors (StdDevUncertainty) and one without: both kept as they were."""
    from astropy.nddata import StdDevUncertainty

    maps = _maps()
    vel = maps["si_iv.velocity"]
    sigma = np.abs(np.random.default_rng(11).normal(0, 2, SHAPE)).astype(np.float32)
    sigma[1, 1] = np.nan
    with_err = NDCube(vel.data, wcs=vel.wcs, unit=vel.unit, mask=vel.mask, meta=vel.meta,
                      uncertainty=StdDevUncertainty(sigma, unit=u.km / u.s))
    coll = NDCollection([("si_iv.velocity", with_err), ("status", maps["status"])], aligned_axes="all")
    back = irisplug.read(irisplug.write(coll, tmp_path / f"err{suffix}"))
    unc = back["si_iv.velocity"].uncertainty
    assert type(unc) is StdDevUncertainty and unc.unit == u.km / u.s
    got = np.asarray(unc.array)
    assert got.dtype == np.float32
    np.testing.assert_array_equal(got.view(np.uint32), sigma.view(np.uint32))
    assert back["status"].uncertainty is None
    np.testing.assert_array_equal(np.asarray(back["si_iv.velocity"].data), vel.data)
    if suffix == ".fits":
        from astropy.io import fits

        with fits.open(tmp_path / "err.fits") as hdul:
            hdul.verify("exception")
            assert [h.name for h in hdul] == ["PRIMARY", "IRPMETA", "CUBE0", "MASK0", "UNCERT0", "JSON0", "CUBE1", "JSON1"]
            assert hdul["UNCERT0"].header["UTYPE"] == "StdDevUncertainty"
            assert u.Unit(hdul["UNCERT0"].header["BUNIT"]) == u.km / u.s
            np.testing.assert_array_equal(hdul["UNCERT0"].data.astype(np.float32).view(np.uint32), sigma.view(np.uint32))
