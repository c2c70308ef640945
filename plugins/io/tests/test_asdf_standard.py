"""ASDF format 3: cubes through ndcube's and asdf-astropy's converters, PerExposureWCS through irisplug's tag."""

from __future__ import annotations

import re
import warnings

import asdf
import astropy.units as u
import numpy as np
import pytest
from astropy.nddata import InverseVariance, StdDevUncertainty
from astropy.wcs import WCS
from ndcube import NDCollection, NDCube, NDCubeSequence

import irisplug
from irisplug.errors import CorruptFileError
from irisplug.model import PerExposureWCS


def _per_exposure_wcs() -> PerExposureWCS:
    hdr = {"NAXIS": 3, "NAXIS1": 4, "NAXIS2": 5, "NAXIS3": 2,
           "CTYPE1": "WAVE", "CUNIT1": "Angstrom", "CRPIX1": 1, "CRVAL1": 1400, "CDELT1": 0.1,
           "CTYPE2": "HPLT-TAN", "CUNIT2": "arcsec", "CRPIX2": 3, "CRVAL2": 0, "CDELT2": 0.2,
           "CTYPE3": "HPLN-TAN", "CUNIT3": "arcsec", "CRPIX3": 1, "CRVAL3": 0, "CDELT3": 1.0}
    return PerExposureWCS(hdr, exposure_axis=3, lon_axis=3, lat_axis=2, crval_lon=[10.0, 11.5], crval_lat=[5.0, 5.25],
                          times=[4.0, 14.0], reference_time="2014-03-29T14:09:38", observer=(0.1, 7.2, 1.49e11))


def _tags(path) -> set[str]:
    head = path.read_bytes().split(b"\n...\n")[0].decode("utf-8", "replace")
    return set(re.findall(r"!<([^>]+)>", head))


def test_irisplug_extension_is_registered_by_entry_point():
    uris = [e.extension_uri for e in asdf.get_config().extensions]
    assert "asdf://irisplug.org/irisplug/extensions/irisplug-1.0.0" in uris
    assert "asdf://sunpy.org/extensions/ndcube-1.0.0" in uris  # ndcube's own, used for the cubes


def test_per_exposure_wcs_round_trips_through_plain_asdf(tmp_path):
    w = _per_exposure_wcs()
    asdf.AsdfFile({"wcs": w}).write_to(tmp_path / "w.asdf")
    assert "asdf://irisplug.org/irisplug/tags/per_exposure_wcs-1.0.0" in _tags(tmp_path / "w.asdf")
    with asdf.open(tmp_path / "w.asdf") as af:
        back = af.tree["wcs"]
        assert isinstance(back, PerExposureWCS)
        pix = (np.array([0, 3, 1.5]), np.array([0, 4, 2.25]), np.array([0, 1, 0.5]))
        for a, b in zip(w.pixel_to_world_values(*pix), back.pixel_to_world_values(*pix), strict=True):
            np.testing.assert_array_equal(a, b)
        assert back.to_dict() == w.to_dict()


@pytest.mark.filterwarnings("ignore::asdf.exceptions.AsdfBlockIndexWarning")  # the edit shifts the block index
def test_per_exposure_wcs_schema_refuses_a_malformed_node(tmp_path):
    w = _per_exposure_wcs()
    asdf.AsdfFile({"wcs": w}).write_to(tmp_path / "w.asdf")
    text = tmp_path.joinpath("w.asdf").read_bytes().replace(b"exposure_axis: 3", b"exposure_axis: three")
    tmp_path.joinpath("bad.asdf").write_bytes(text)
    with asdf.config_context() as config:
        config.validate_on_read = True
        with pytest.raises(asdf.ValidationError, match="three"), asdf.open(tmp_path / "bad.asdf"):
            pass


def _fits_wcs() -> WCS:
    w = WCS(naxis=2)
    w.wcs.ctype = ["HPLN-TAN", "HPLT-TAN"]
    w.wcs.cunit = ["arcsec", "arcsec"]
    w.wcs.cdelt = [0.35, 0.1664]
    w.wcs.crpix = [4.0, 3.0]
    w.wcs.crval = [-120.5, 310.25]
    return w


def test_collection_is_a_plain_ndcube_collection_for_asdf_alone(tmp_path):
    rng = np.random.default_rng(1)
    a = NDCube(rng.normal(size=(3, 4)), wcs=_fits_wcs(), unit=u.km / u.s,
               uncertainty=StdDevUncertainty(rng.uniform(1, 2, (3, 4)), unit=u.km / u.s), mask=rng.uniform(size=(3, 4)) > 0.5)
    b = NDCube(rng.normal(size=(3, 4)).astype(np.float32), wcs=_fits_wcs(), uncertainty=InverseVariance(rng.uniform(1, 2, (3, 4))))
    maps = NDCollection([("a", a), ("b", b)], aligned_axes="all")
    path = irisplug.write(maps, tmp_path / "maps.asdf")
    tags = _tags(path)
    assert {"tag:sunpy.org:ndcube/ndcollection-1.0.0", "tag:sunpy.org:ndcube/ndcube-1.0.0",
            "tag:astropy.org:astropy/nddata/uncertainty-1.0.0"} <= tags
    assert any(t.startswith("tag:astropy.org:astropy/wcs/wcs-") for t in tags)
    with asdf.open(path, lazy_load=False, memmap=False) as af:  # no irisplug reader involved
        node = af.tree["irisplug"]
        std = node["object"]
        assert type(std) is NDCollection and list(std) == ["a", "b"]
        for key, orig in (("a", a), ("b", b)):
            np.testing.assert_array_equal(np.asarray(std[key].data), orig.data)
            # asdf-astropy rebuilds the FITS WCS from its header: world values agree to the last bits
            np.testing.assert_allclose(std[key].wcs.pixel_to_world_values(1.5, 2), orig.wcs.pixel_to_world_values(1.5, 2),
                                       rtol=1e-13, atol=1e-15)
        np.testing.assert_array_equal(np.asarray(std["a"].mask), a.mask)
        assert type(std["a"].uncertainty) is StdDevUncertainty and std["a"].uncertainty.unit == u.km / u.s
        np.testing.assert_array_equal(np.asarray(std["a"].uncertainty.array), a.uncertainty.array)
        assert std["b"].uncertainty is None  # asdf-astropy has no code for InverseVariance: irisplug stores it beside
        np.testing.assert_array_equal(np.asarray(node["uncertainties"][1]), b.uncertainty.array)
    back = irisplug.read(path)
    assert type(back["b"].uncertainty) is InverseVariance
    np.testing.assert_array_equal(np.asarray(back["b"].uncertainty.array), b.uncertainty.array)


def test_sliced_per_exposure_cube_and_sequence_through_ndcube(tmp_path):
    w = _per_exposure_wcs()
    data = np.arange(40.0).reshape(2, 5, 4)
    cube = NDCube(data, wcs=w, unit=u.DN)
    seq = NDCubeSequence([cube[:, 1:4], cube[1:, 2:]])
    path = irisplug.write(seq, tmp_path / "seq.asdf")
    tags = _tags(path)
    assert "tag:sunpy.org:ndcube/ndcubesequence-1.0.0" in tags
    assert "asdf://irisplug.org/irisplug/tags/per_exposure_wcs-1.0.0" in tags
    assert any(t.startswith("tag:astropy.org:astropy/wcs/slicedwcs-") for t in tags)
    with asdf.open(path, lazy_load=False, memmap=False) as af:
        std = af.tree["irisplug"]["object"]
        assert type(std) is NDCubeSequence and len(std.data) == 2
        np.testing.assert_array_equal(std.data[1].wcs.low_level_wcs.pixel_to_world_values(0, 1, 0),
                                      seq.data[1].wcs.low_level_wcs.pixel_to_world_values(0, 1, 0))
    back = irisplug.read(path)
    for a, b in zip(seq.data, back.data, strict=True):
        np.testing.assert_array_equal(np.asarray(b.data), a.data)
        np.testing.assert_array_equal(b.wcs.low_level_wcs.pixel_to_world_values(1, 1, 0),
                                      a.wcs.low_level_wcs.pixel_to_world_values(1, 1, 0))


def test_unsliced_per_exposure_cube_reads_back_with_the_bare_wcs(tmp_path):
    cube = NDCube(np.ones((2, 5, 4)), wcs=_per_exposure_wcs(), unit=u.DN)
    back = irisplug.read(irisplug.write(cube, tmp_path / "c.asdf"))
    assert isinstance(back.wcs, PerExposureWCS)


def test_record_and_stored_uncertainty_disagreeing_is_reported(tmp_path):
    cube = NDCube(np.ones((2, 3)), wcs=_fits_wcs(), uncertainty=StdDevUncertainty(np.ones((2, 3))))
    path = irisplug.write(cube, tmp_path / "c.asdf")
    with asdf.open(path, lazy_load=False, memmap=False) as af:
        tree = af.tree
        tree["irisplug"]["object"].uncertainty = None
        af.write_to(tmp_path / "cut.asdf")
    with pytest.raises(CorruptFileError, match="StdDevUncertainty"):
        irisplug.read(tmp_path / "cut.asdf")


def test_newer_asdf_version_is_refused(tmp_path):
    path = irisplug.write(NDCube(np.ones((2, 3)), wcs=_fits_wcs()), tmp_path / "c.asdf")
    with asdf.open(path, lazy_load=False, memmap=False) as af:
        af.tree["irisplug"]["version"] = "5"
        af.write_to(tmp_path / "future.asdf")
    with pytest.raises(CorruptFileError, match="version 5"):
        irisplug.read(tmp_path / "future.asdf")


def test_old_iris_import_paths_warn_and_forward():
    pytest.importorskip("irisplug_iris")
    import irisplug_io
    import irisplug_iris.serialize as old_serialize
    import irisplug_iris.writers as old_writers

    with pytest.warns(DeprecationWarning, match="irisplug_io.write_fits"):
        assert old_writers.write_fits is irisplug_io.write_fits
    with pytest.warns(DeprecationWarning, match="irisplug_io.flatten"):
        assert old_serialize.flatten is irisplug_io.flatten
    with warnings.catch_warnings(), pytest.raises(AttributeError):
        old_writers.no_such_name  # noqa: B018


def test_collection_without_aligned_axes_round_trips(tmp_path):
    """ndcube 2.4's NDCollection converter cannot read such a collection back: it is stored as a mapping of NDCubes."""
    maps = NDCollection([("a", NDCube(np.arange(6.0).reshape(2, 3), wcs=_fits_wcs())),
                         ("b", NDCube(np.arange(3.0), wcs=WCS(naxis=1)))], aligned_axes=None)
    path = irisplug.write(maps, tmp_path / "m.asdf")
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no converter failure
        back = irisplug.read(path)
    assert type(back) is NDCollection and list(back) == ["a", "b"] and back.aligned_axes is None
    np.testing.assert_array_equal(back["b"].data, maps["b"].data)
    with asdf.open(path) as af:
        assert all(type(c) is NDCube for c in af.tree["irisplug"]["object"].values())
