"""The iuvs-l1b reader on the two real v13 L1B files, checked against astropy's direct reading."""

from __future__ import annotations

import gzip
import shutil

import astropy.units as u
import numpy as np
import pytest
from astropy.io import fits
from astropy.time import Time

import irisplug
from irisplug.errors import MissingExtensionError, TruncatedFileError
from irisplug.testing import ReaderContract, check_cube
from irisplug_iuvs.errors import IUVSMissingTableError
from irisplug_iuvs.l1b import read_l1b
from irisplug_iuvs.product import IUVSProduct


def _wavelength_grid(cube):
    _, n_spa, n_spe = cube.data.shape
    spe, spa = np.meshgrid(np.arange(n_spe), np.arange(n_spa))
    wl, _, _ = cube.wcs.pixel_to_world_values(spe, spa, np.zeros_like(spe))
    return wl


@pytest.fixture(scope="module")
def products(l1b_files):
    return {p: read_l1b(p) for p in l1b_files}


def test_all_hdus_become_cubes_and_tables(products):
    for path, prod in products.items():
        assert isinstance(prod, IUVSProduct)
        assert set(prod) == {"radiance", "systematic_uncertainty", "dark_subtracted", "raw", "background_dark",
                             "quality", "dark_frames"}
        assert set(prod.tables) == {"Integration", "Engineering", "Binning", "SpacecraftGeometry", "PixelGeometry",
                                    "Observation", "Dark_Integration", "Dark_Engineering", "Dark_Observation"}
        with fits.open(path) as h:
            np.testing.assert_array_equal(np.asarray(prod["radiance"].data), h[0].data)
            np.testing.assert_array_equal(prod["radiance"].uncertainty.array, h["Random_phy_unc"].data)
            np.testing.assert_array_equal(prod["dark_subtracted"].uncertainty.array, h["Random_dn_unc"].data)
            np.testing.assert_array_equal(np.asarray(prod["raw"].data), h["detector_raw"].data)
            np.testing.assert_array_equal(np.asarray(prod["dark_frames"].data), h["detector_dark"].data)
            np.testing.assert_array_equal(np.asarray(prod["systematic_uncertainty"].data), h["Systematic_phy_unc"].data)
            for name in prod.tables:
                assert len(prod.tables[name]) == len(h[name].data)
        assert prod["radiance"].unit == u.kR / u.nm
        assert prod["raw"].unit == u.DN and prod["dark_frames"].data.shape[0] == 10
        # the pipeline's own identity: dark-subtracted = raw - background dark, exactly
        np.testing.assert_array_equal(
            np.asarray(prod["dark_subtracted"].data), np.asarray(prod["raw"].data) - np.asarray(prod["background_dark"].data)
        )
        for cube in prod.values():
            check_cube(cube)


def test_wavelength_coordinate_equals_observation_table(products):
    for path, prod in products.items():
        with fits.open(path) as h:
            table = h["Observation"].data["WAVELENGTH"][0]
        for key in ("radiance", "raw", "dark_frames"):
            np.testing.assert_array_equal(_wavelength_grid(prod[key]), table)  # exact
        wl = prod["radiance"].axis_world_coords_values("em.wl")[0]
        np.testing.assert_array_equal(wl.to_value(u.nm), table)
        sub = prod["radiance"][1, 4:9, 2:5]
        np.testing.assert_array_equal(sub.axis_world_coords_values("em.wl")[0].to_value(u.nm), table[4:9, 2:5])
        world = prod["radiance"].wcs.pixel_to_world(3, 2, 0)
        assert world[0].unit == u.nm and world[0].value == table[2, 3]


def test_times_and_exposure_extra_coords(products):
    j2000_tdb = Time("2000-01-01T12:00:00", scale="tdb")
    for path, prod in products.items():
        cube = prod["radiance"]
        times = cube.axis_world_coords(wcs=cube.extra_coords["time"])[0]
        assert times.isot[0] == "2023-01-14T07:19:07.105"
        with fits.open(path) as h:
            et = h["Integration"].data["ET"]
            exp_s = h["Engineering"].data["INT_TIME"][0] / 1000
        # independent route: ephemeris time (TDB s past J2000) -> UTC agrees to 1 ms
        np.testing.assert_allclose((times - (j2000_tdb + et * u.s)).to_value(u.s), 0, atol=1e-3)
        exposure = cube.axis_world_coords(wcs=cube.extra_coords["exposure_time"])[0]
        np.testing.assert_allclose(exposure.to_value(u.s), exp_s)
        assert exp_s == pytest.approx(h[0].header["INT_TIME"])


def test_metadata_from_header_and_filename(products):
    for prod in products.values():
        m = prod.meta
        assert (m["level"], m["orbit"], m["segment"], m["xuv"]) == ("l1b", 18001, "apoapse", m["channel"].upper())
        assert m["header"]["MIR_DEG"] == pytest.approx(36.035156)  # first of the duplicated keyword


def test_single_integration_file_gets_leading_axis(muv_file, tmp_path):
    out = tmp_path / "one.fits"
    with fits.open(muv_file) as h:
        hdus = [fits.PrimaryHDU(h[0].data[0], header=h[0].header)]
        for hdu in h[1:]:
            if hdu.is_image and hdu.name.upper() != "DETECTOR_DARK":
                hdus.append(fits.ImageHDU(hdu.data[0], header=hdu.header, name=hdu.name))
            elif hdu.name.upper() in ("INTEGRATION", "SPACECRAFTGEOMETRY", "PIXELGEOMETRY"):
                hdus.append(fits.BinTableHDU(hdu.data[:1], header=hdu.header, name=hdu.name))
            else:
                hdus.append(hdu.copy())
        fits.HDUList(hdus).writeto(out, output_verify="silentfix")
        expected = h[0].data[0]
    prod = read_l1b(out)
    assert fits.getheader(out)["NAXIS"] == 2
    assert prod["radiance"].data.shape == (1, *expected.shape)
    np.testing.assert_array_equal(np.asarray(prod["radiance"].data[0]), expected)
    check_cube(prod["radiance"])


def test_older_extension_names_accepted(muv_file, tmp_path):
    old = {"DETECTOR_DARK_SUBTRACTED": "detector_background_subtracted", "DARK_INTEGRATION": "DarkIntegration",
           "DARK_ENGINEERING": "DarkEngineering", "BACKGROUND_DARK": "background_light_source"}
    out = tmp_path / "old.fits"
    with fits.open(muv_file) as h:
        for hdu in h[1:]:
            if hdu.name.upper() in old:
                hdu.name = old[hdu.name.upper()]
        h.writeto(out, output_verify="silentfix")
    prod = read_l1b(out, lazy=True)
    ref = read_l1b(muv_file)
    np.testing.assert_array_equal(np.asarray(prod["dark_subtracted"].data), np.asarray(ref["dark_subtracted"].data))
    assert "Dark_Integration" in prod.tables and len(prod.tables["Dark_Integration"]) == 10
    assert type(prod["radiance"].data).__module__.startswith("dask")  # uncompressed -> memmap + dask


def test_missing_table_raises_naming_file_and_table(muv_file, tmp_path):
    out = tmp_path / "no_binning.fits"
    with fits.open(muv_file) as h:
        fits.HDUList([x for x in h if x.name.upper() != "BINNING"]).writeto(out, output_verify="silentfix")
    with pytest.raises(IUVSMissingTableError, match="Binning") as info:
        irisplug.read(out, format="iuvs-l1b")
    assert isinstance(info.value, MissingExtensionError) and str(out) in str(info.value)
    with pytest.warns(UserWarning, match="Binning"):
        prod = read_l1b(out, strict=False)
    assert prod.meta["missing"] == ["Binning"]


def test_truncated_file_raises(muv_file, tmp_path):
    raw = gzip.decompress(muv_file.read_bytes())
    out = tmp_path / muv_file.name
    out.write_bytes(gzip.compress(raw[: len(raw) // 2]))
    with pytest.raises(TruncatedFileError) as info:
        irisplug.read(out)
    assert str(out) in str(info.value)


def test_read_picks_reader_by_header_alone(l1b_files, tmp_path):
    for i, p in enumerate(l1b_files):
        neutral = tmp_path / f"x{i}.fits.gz"
        shutil.copyfile(p, neutral)
        assert irisplug.choose_reader(neutral).name == "iuvs-l1b"
        assert isinstance(irisplug.read(neutral), IUVSProduct)


def test_read_several_files_gives_collection(l1b_files):
    coll = irisplug.read(l1b_files)
    assert sorted(coll) == sorted(p.name for p in l1b_files)


class TestL1BReaderContract(ReaderContract):
    reader = "iuvs-l1b"

    @pytest.fixture
    def own_samples(self, l1b_files):
        return l1b_files


def test_truncated_plain_fits_raises(muv_file, tmp_path):
    raw = gzip.decompress(muv_file.read_bytes())
    out = tmp_path / "cut.fits"
    out.write_bytes(raw[: len(raw) - 5000])
    with pytest.raises(TruncatedFileError, match="HDU") as info:
        read_l1b(out)
    assert str(out) in str(info.value)


def test_plugin_passes_check_plugin():
    import irisplug_iuvs.plugin
    from irisplug.testing import check_plugin

    record = check_plugin(irisplug_iuvs.plugin, "iuvs")
    assert record.status == "active"


def test_product_feeds_the_iuvs_dark_step(products):
    for prod in products.values():
        out = irisplug.calibrate(prod, ["iuvs-dark"])
        # the L1B pipeline's own dark, recomputed from the file's dark frames and ET columns (formats.md 1.7)
        diff = np.asarray(out.meta["background_dark"]) - np.asarray(prod["background_dark"].data)
        assert np.abs(diff).max() <= 1
        assert [h["step"] for h in irisplug.history(out)] == ["iuvs-dark"]


def _with_utc(source, dest, values):
    """Copy the L1B file ``source`` to ``dest`` with the first ``Integration.UTC`` strings replaced by ``values``."""
    with fits.open(source) as h:
        for i, value in enumerate(values):
            h["Integration"].data["UTC"][i] = value
        h.writeto(dest, output_verify="silentfix")
    return dest


def test_a_time_inside_a_leap_second_is_read(muv_file, tmp_path):
    """SPICE writes second 60 inside a leap second (MAVEN observed through 2016-12-31T23:59:60); was refused."""
    from irisplug.model import extra_coord

    changed = _with_utc(muv_file, tmp_path / muv_file.name,
                        ["2016/366 Dec 31 23:59:60.50000UTC", "2017/001 Jan 01 00:00:00.50000UTC"])
    prod = irisplug.read(changed)
    times = extra_coord(prod["radiance"], "time")
    expected = Time(["2016-12-31T23:59:60.5", "2017-01-01T00:00:00.5"], scale="utc")
    assert list(times.isot) == ["2016-12-31T23:59:60.500", "2017-01-01T00:00:00.500"]
    assert np.all((times - expected).to_value(u.s) == 0)
    assert (times[1] - times[0]).to_value(u.s) == pytest.approx(1.0, abs=1e-9)  # one SI second, across the leap
    np.testing.assert_allclose(prod["radiance"].wcs.pixel_to_world_values(0, 0, 1)[2], 1.0, atol=1e-9)


def test_normal_times_are_unchanged_bit_for_bit(products):
    """The UTC strings parsed as formats.md says (strptime '%Y/%j %b %d %H:%M:%S.%f') and given to astropy."""
    from datetime import datetime

    from irisplug.model import extra_coord

    for path, prod in products.items():
        with fits.open(path) as h:
            utc = [s.strip()[:-3] for s in h["Integration"].data["UTC"]]
        expected = Time([datetime.strptime(s, "%Y/%j %b %d %H:%M:%S.%f") for s in utc], scale="utc")
        times = extra_coord(prod["radiance"], "time")
        assert np.array_equal(times.jd1, expected.jd1) and np.array_equal(times.jd2, expected.jd2)
        assert times.format == expected.format == "datetime"


@pytest.mark.parametrize("value", ["2023/014 Jan 14 07:19:XX.10487UTC",  # garbled
                                   "2016/182 Jun 30 23:59:60.50000UTC"])  # second 60 on a day without leap second
def test_a_bad_utc_value_names_the_file_and_the_value(muv_file, tmp_path, value):
    from irisplug.errors import CorruptFileError

    changed = _with_utc(muv_file, tmp_path / muv_file.name, [value])
    with pytest.raises(CorruptFileError) as err:
        irisplug.read(changed)
    assert err.value.path == str(changed)
    assert str(changed) in str(err.value) and repr(value) in str(err.value)


def test_a_cut_download_is_a_truncated_file_not_over_the_limit(muv_file, tmp_path, monkeypatch):
    """A .fits.gz cut short ends in compressed data: its last 4 bytes are no gzip trailer (they were read as
    the uncompressed size, and a value over the limit gave LimitExceededError advising to raise the limit)."""
    from irisplug.errors import LimitExceededError

    packed = muv_file.read_bytes()
    size = len(gzip.decompress(packed))
    limit = 4 * size
    monkeypatch.setenv("IRISPLUG_MAX_DECOMPRESSED_BYTES", str(limit))
    cuts = [n for n in range(len(packed) // 4, len(packed) - 8, 997) if int.from_bytes(packed[n - 4:n], "little") > limit]
    assert len(cuts) > 20
    for i, n in enumerate(cuts[:: len(cuts) // 10]):
        out = tmp_path / f"{i}_{muv_file.name}"
        out.write_bytes(packed[:n])
        with pytest.raises(TruncatedFileError, match="cut short") as err:
            irisplug.read(out)
        assert err.value.path == str(out)
    # the complete file over a limit below its size is still refused as too large
    monkeypatch.setenv("IRISPLUG_MAX_DECOMPRESSED_BYTES", str(size - 1))
    with pytest.raises(LimitExceededError, match="IRISPLUG_MAX_DECOMPRESSED_BYTES"):
        irisplug.read(muv_file)
