"""The seed-003 dark analysis on the real L1B dark frames and on L1A dark files built from them."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from astropy.io import fits

from irisplug_iuvs.darks import DARK_COLUMNS, dark_statistics, pixels_per_bin, plot_dark_rate_vs_temperature


@pytest.fixture(scope="module")
def stats(l1b_files):
    return dark_statistics(l1b_files, quiet=True)


def test_rows_match_direct_computation(stats, l1b_files):
    assert list(stats.columns) == list(DARK_COLUMNS)
    assert len(stats) == 2 * len(l1b_files)  # two dark products per L1B file
    for path in l1b_files:
        with fits.open(path) as h:
            hdr = h[0].header
            frames = h["detector_dark"].data.astype(float)
            products = [s.strip() for s in h["Dark_Observation"].data["PRODUCT_ID"]]
            temps = h["Dark_Integration"].data["DET_TEMP_C"]
        npix = hdr["SPA_SIZE"] * hdr["SPE_SIZE"]  # the header's bin size, independent of the Binning table
        for k, product in enumerate(products):
            row = stats[stats["product"] == product].iloc[0]
            expected = frames[5 * k:5 * (k + 1)].mean() / npix / hdr["INT_TIME"]
            assert row["dn_per_s"] == pytest.approx(expected, rel=1e-12)
            assert row["det_temp_c"] == pytest.approx(temps[5 * k:5 * (k + 1)].mean())
            assert row["xuv"] == hdr["XUV"] and row["dark_mode"] == "mcp_off" and row["mcp_volt"] == -1.83
            assert row["n_frames"] == 5 and row["int_time_s"] == 0.4
    assert stats.index.is_monotonic_increasing


def test_l1a_dark_files_give_the_same_rows(stats, l1a_dir):
    darks = sorted(l1a_dir.glob("*dark*"))
    l1a = dark_statistics(darks, quiet=True)
    merged = l1a.merge(stats, on="product", suffixes=("_a", "_b"))
    assert len(merged) == len(darks) == 4
    np.testing.assert_allclose(merged["dn_per_s_a"], merged["dn_per_s_b"], rtol=1e-12)


def test_pixels_per_bin_from_binning_table(l1b_files):
    for path in l1b_files:
        with fits.open(path) as h:
            npix = pixels_per_bin(h["Binning"].data)
            assert npix.shape == h[0].data.shape[1:]
            assert np.all(npix == h[0].header["SPA_SIZE"] * h[0].header["SPE_SIZE"])


def test_mcp_off_filter_and_plot(stats, tmp_path):
    shutter = stats.iloc[:1].copy()
    shutter["dark_mode"] = "shutter"
    combined = pd.concat([stats, shutter])
    assert len(combined[combined.dark_mode == "mcp_off"]) == len(stats)
    out = plot_dark_rate_vs_temperature(combined, tmp_path / "darks.png")
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and out.stat().st_size > 10_000


def test_2015_era_products_with_dn_temperatures(l1a_dir, tmp_path):
    """Old L1A products carry DET_TEMP / CASE_TEMP in DN in Engineering, not degC in Integration."""
    from astropy.table import Table

    from irisplug_iuvs.conversions import case_temp_to_dn, det_temp_to_dn

    src = sorted(l1a_dir.glob("*muvdark*"))[0]
    out = tmp_path / src.name
    with fits.open(src) as h:
        integ = Table(h["Integration"].data)
        det_c, case_c = np.asarray(integ["DET_TEMP_C"]), np.asarray(integ["CASE_TEMP_C"])
        integ.remove_columns(["DET_TEMP_C", "CASE_TEMP_C"])
        eng = Table(h["Engineering"].data)
        eng["DET_TEMP"] = np.round(det_temp_to_dn(det_c.mean())).astype(">i2").reshape(1)
        eng["CASE_TEMP"] = np.round(case_temp_to_dn(case_c.mean())).astype(">i2").reshape(1)
        hdus = [h[0].copy(), fits.table_to_hdu(integ), fits.table_to_hdu(eng), h["Binning"].copy(), h["Observation"].copy()]
        hdus[1].name, hdus[2].name = "Integration", "Engineering"
        fits.HDUList(hdus).writeto(out)
    row = dark_statistics([out], quiet=True).iloc[0]
    # one DN per product: the converted value is within half a DN step of the mean temperature
    assert row["det_temp_c"] == pytest.approx(det_c.mean(), abs=0.0749 / 2)
    assert row["case_temp_c"] == pytest.approx(case_c.mean(), abs=0.005)  # ~0.006 degC per DN near 15950 DN


def test_shared_dark_products_are_counted_once(l1b_files, tmp_path):
    """9 files carrying the same 2 dark products (issue 15): 2 rows, and the plot counts 2 darks.

    The expected products come from the files' own Dark_Observation tables (astropy).
    """
    import shutil

    source = next(p for p in l1b_files if "-fuv_" in p.name)
    copies = []
    for i in range(9):  # as every light file of an orbit segment carries the segment's darks
        dest = tmp_path / source.name.replace("orbit18001", f"orbit18001-part{i}")
        shutil.copy(source, dest)
        copies.append(dest)
    with fits.open(source) as h:
        products = sorted(s.strip() for s in h["Dark_Observation"].data["PRODUCT_ID"])
    df = dark_statistics(copies, quiet=True)
    assert sorted(df["product"]) == products and len(products) == 2
    assert df["product"].is_unique
    single = dark_statistics([source], quiet=True)
    np.testing.assert_allclose(df["dn_per_s"].to_numpy(), single["dn_per_s"].to_numpy(), rtol=0)

    import matplotlib

    matplotlib.use("Agg")
    from unittest import mock

    from matplotlib.axes import Axes

    with mock.patch.object(Axes, "set_title", autospec=True, side_effect=Axes.set_title) as titles:
        # a table concatenated from two runs over the same files still counts each dark once
        plot_dark_rate_vs_temperature(pd.concat([df, df]), tmp_path / "d.png")
    fuv = [c.args[1] for c in titles.call_args_list if str(c.args[1]).startswith("FUV")]
    assert fuv == [f"FUV  INT_TIME = {df['int_time_s'].iloc[0]:g} s  (2 darks)"]


def test_one_product_with_different_frames_is_an_error(l1b_files, tmp_path):
    from irisplug.errors import InconsistentInputError

    source = next(p for p in l1b_files if "-fuv_" in p.name)
    changed = tmp_path / source.name.replace("orbit18001", "orbit18001-changed")
    with fits.open(source) as h:
        h["detector_dark"].data = h["detector_dark"].data + 5
        h.writeto(changed, output_verify="silentfix")
    with pytest.raises(InconsistentInputError, match="different frames"):
        dark_statistics([source, changed], quiet=True)


def test_light_l1a_files_are_not_darks(stats, l1a_dir):
    """An L1A science file among the darks (a folder's files passed as they are) was a "shutter" dark row,
    ~30x the real dark rate. It is an error naming the file, or left out with ``skip_light=True``."""
    from irisplug.errors import InconsistentInputError

    every = sorted(l1a_dir.glob("*.fits*"))
    light = [p for p in every if "dark" not in p.name]
    assert light  # the fixture made light files too
    with pytest.raises(InconsistentInputError, match="light \\(science\\) product") as err:
        dark_statistics(every, quiet=True)
    assert light[0].name in str(err.value) or any(p.name in str(err.value) for p in light)
    kept = dark_statistics(every, skip_light=True, quiet=True)
    assert sorted(kept["product"]) == sorted(stats["product"])  # the dark products only
    assert sorted(kept.attrs["skipped_light_files"]) == sorted(p.name for p in light)


def test_l1b_dark_products_of_different_lengths(l1b_files, tmp_path):
    """Frames belong to products by ``Dark_Engineering.NUMBER`` (they were split evenly: a 5 + 4 file gave
    the second product a frame of the first, and its time and rate)."""
    from astropy.table import Table

    from irisplug.errors import CorruptFileError

    source = next(p for p in l1b_files if "-fuv_" in p.name)
    keep = list(range(9))  # the second product loses its last frame
    with fits.open(source) as h:
        frames = h["detector_dark"].data[keep].astype(float)
        integration = Table(h["Dark_Integration"].data)[keep]
        engineering = Table(h["Dark_Engineering"].data)
        engineering["NUMBER"] = [5, 4]
        products = [s.strip() for s in h["Dark_Observation"].data["PRODUCT_ID"]]
        hdr = h[0].header
        h["detector_dark"].data = h["detector_dark"].data[keep]
        h["Dark_Integration"] = fits.BinTableHDU(integration, name="Dark_Integration")
        h["Dark_Engineering"] = fits.BinTableHDU(engineering, name="Dark_Engineering")
        changed = tmp_path / source.name
        h.writeto(changed, output_verify="silentfix")
    df = dark_statistics([changed], quiet=True)
    npix = hdr["SPA_SIZE"] * hdr["SPE_SIZE"]
    for product, rows in zip(products, (slice(0, 5), slice(5, 9)), strict=True):
        row = df[df["product"] == product].iloc[0]
        assert row["n_frames"] == rows.stop - rows.start
        assert row["dn_per_s"] == pytest.approx(frames[rows].mean() / npix / hdr["INT_TIME"], rel=1e-12)
        assert row["det_temp_c"] == pytest.approx(np.mean(integration["DET_TEMP_C"][rows]))
    # counts that do not add up to the frames: refused, naming the file
    with fits.open(changed) as h:
        engineering = Table(h["Dark_Engineering"].data)
        engineering["NUMBER"] = [5, 5]
        h["Dark_Engineering"] = fits.BinTableHDU(engineering, name="Dark_Engineering")
        bad = tmp_path / "bad" / source.name
        bad.parent.mkdir()
        h.writeto(bad, output_verify="silentfix")
    with pytest.raises(CorruptFileError, match="NUMBER \\[5, 5\\]") as err:
        dark_statistics([bad], quiet=True)
    assert source.name in str(err.value)


def test_dark_exposure_times_follow_the_products(l1b_files, tmp_path):
    """The dark cube's exposure time of each frame is its product's ``Dark_Engineering.INT_TIME`` row, assigned
    by ``NUMBER`` (products of 5 and 4 frames could not be spread evenly, and fell back on the header's light
    ``INT_TIME``). Reference: the rows repeated with numpy."""
    import warnings

    import astropy.units as u
    from astropy.table import Table

    import irisplug

    source = next(p for p in l1b_files if "-fuv_" in p.name)
    keep = list(range(9))
    with fits.open(source) as h:
        integration = Table(h["Dark_Integration"].data)[keep]
        engineering = Table(h["Dark_Engineering"].data)
        engineering["NUMBER"] = [5, 4]
        engineering["INT_TIME"] = [1400.0, 2800.0]
        h["detector_dark"].data = h["detector_dark"].data[keep]
        h["Dark_Integration"] = fits.BinTableHDU(integration, name="Dark_Integration")
        h["Dark_Engineering"] = fits.BinTableHDU(engineering, name="Dark_Engineering")
        changed = tmp_path / source.name
        h.writeto(changed, output_verify="silentfix")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        darks = irisplug.read(changed)["dark_frames"]
    got = darks.axis_world_coords("obs.exposure", wcs=darks.extra_coords)[0].to_value(u.s)
    np.testing.assert_array_equal(got, np.repeat([1.4, 2.8], [5, 4]))
