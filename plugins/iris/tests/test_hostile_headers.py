"""Damaged header values the IRIS reader trusts: a specific CorruptFileError naming the file, or a documented outcome."""

from __future__ import annotations

import re
import shutil
import warnings

import numpy as np
import pytest
from astropy.io import fits

import irisplug
from irisplug.errors import CorruptFileError, IrisplugError, MissingExtensionError


@pytest.fixture
def one_raster(synthetic_dir, tmp_path):
    src = sorted(synthetic_dir.glob("*raster*.fits"))[0]
    dst = tmp_path / src.name
    shutil.copy(src, dst)
    return dst


def _edit(path, hdu, **cards):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with fits.open(path, mode="update") as hdul:
            for k, v in cards.items():
                hdul[hdu].header[k] = v


def _touch(obj):
    for label in obj:
        item = obj[label]
        for cube in getattr(item, "data", [item]) if isinstance(getattr(item, "data", None), list) else [item]:
            np.asarray(cube.data)


@pytest.mark.parametrize(("hdu", "cards", "match"), [
    (0, {"NWIN": "x"}, "NWIN = 'x' is not an integer"),
    (0, {"NWIN": 0}, r"NWIN = 0 is outside"),
    (0, {"NWIN": -1}, r"NWIN = -1 is outside"),
    (0, {"STARTOBS": "yesterday"}, "STARTOBS = 'yesterday' is not a date"),
    (0, {"TWMAX1": "x"}, "TWMAX1 = 'x' is not a number"),
    (1, {"BSCALE": 0.0}, "BSCALE = 0"),
    (1, {"PC1_2": 1e308}, "PC1_2 = 1e\\+308"),
])
def test_bad_card(one_raster, hdu, cards, match):
    _edit(one_raster, hdu, **cards)
    with pytest.raises(CorruptFileError, match=match) as info:
        _touch(irisplug.read(one_raster))
    assert one_raster.name in str(info.value)


def test_bscale_nan_refused(one_raster):
    raw = bytearray(one_raster.read_bytes())
    hdr_start = raw.find(b"XTENSION= 'IMAGE   '")
    at = raw.find(b"BSCALE  =", hdr_start)
    raw[at : at + 80] = "BSCALE  =                  NaN".ljust(80).encode()
    one_raster.write_bytes(bytes(raw))
    with pytest.raises(CorruptFileError, match="BSCALE = ") as info:
        _touch(irisplug.read(one_raster))
    assert one_raster.name in str(info.value)


@pytest.mark.parametrize("bitpix", [-16, 0, 24])
def test_bad_bitpix_of_a_window(one_raster, bitpix):
    raw = bytearray(one_raster.read_bytes())
    hdr_start = raw.find(b"XTENSION= 'IMAGE   '")
    at = raw.find(b"BITPIX  =", hdr_start)
    raw[at : at + 80] = f"BITPIX  = {bitpix:>20}".ljust(80).encode()
    one_raster.write_bytes(bytes(raw))
    with pytest.raises(IrisplugError, match=re.escape(one_raster.name)):
        _touch(irisplug.read(one_raster))


def test_aux_index_beyond_the_table(one_raster):
    with fits.open(one_raster) as hdul:
        aux = next(i for i, h in enumerate(hdul) if "XCENIX" in h.header)
        ncols = hdul[aux].header["NAXIS1"]
    _edit(one_raster, aux, PC1_2IX=ncols + 5)
    with pytest.raises(CorruptFileError, match=rf"PC1_2IX = {ncols + 5} is outside"):
        irisplug.read(one_raster)


def test_aux_pc_coupling_wavelength_and_position(one_raster):
    """PC1_2IX pointing at another column (seen in the fuzz suite: the model could not tell the axes apart)."""
    with fits.open(one_raster) as hdul:
        aux = next(i for i, h in enumerate(hdul) if "XCENIX" in h.header)
        col = hdul[aux].header["XCENIX"]  # a column of non-zero values (the pointing)
    _edit(one_raster, aux, PC1_2IX=col)
    with pytest.raises(CorruptFileError, match=r"mixes axis 1 \(wavelength\) with position") as err:
        irisplug.read(one_raster)
    assert one_raster.name in str(err.value)


@pytest.fixture
def one_sji(synthetic_dir, tmp_path):
    src = sorted(synthetic_dir.glob("*SJI*.fits"))[0]
    dst = tmp_path / src.name
    shutil.copy(src, dst)
    return dst


def _set_aux_column(path, key, row, value):
    """Write ``value`` into column ``key`` (the aux header's 0-based index) of row ``row`` of the auxiliary table."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with fits.open(path, mode="update") as hdul:
            aux = next(h for h in hdul if "XCENIX" in h.header)
            aux.data[row, aux.header[key]] = value


@pytest.mark.parametrize("value", [np.nan, np.inf, 1e300])
@pytest.mark.parametrize("fixture", ["one_raster", "one_sji"])
def test_aux_exposure_time_not_finite(request, fixture, value):
    """A damaged TIME column (seen in the fuzz suite: NaN reached astropy.time when exposure 0's frame was built)."""
    path = request.getfixturevalue(fixture)
    _set_aux_column(path, "TIME", 0, value)
    with pytest.raises(CorruptFileError, match=r"TIME of exposure 0 is .*within \+-1e9 s") as err:
        irisplug.read(path)
    assert path.name in str(err.value)


@pytest.mark.parametrize(("fixture", "axes"), [("one_raster", (1, 2, 3)), ("one_sji", (1, 2))])
def test_missing_cunit_refused(request, fixture, axes):
    """No CUNITn: FITS WCS would read metres of wavelength or degrees of position (seen: del CUNIT2 reached wcslib)."""
    path = request.getfixturevalue(fixture)
    hdu = 1 if fixture == "one_raster" else 0
    for i in axes:
        broken = path.with_name(f"cunit{i}-{path.name}")
        shutil.copy(path, broken)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            with fits.open(broken, mode="update") as hdul:
                del hdul[hdu].header[f"CUNIT{i}"]
        with pytest.raises(irisplug.errors.MissingKeywordError, match=rf"lacks CUNIT{i}, required") as err:
            irisplug.read(broken)
        assert broken.name in str(err.value)


def test_window_hdu_replaced_by_the_aux_table(one_raster):
    with fits.open(one_raster) as hdul:
        nwin = hdul[0].header["NWIN"]
    _edit(one_raster, 0, NWIN=nwin + 1, **{f"TDESC{nwin + 1}": "extra"})  # the aux table now sits where a window should be
    with pytest.raises((CorruptFileError, MissingExtensionError), match=f"HDU {nwin + 1} .*NAXIS = 2, expected 3"):
        irisplug.read(one_raster)


def test_duplicate_window_label_kept_apart_with_a_warning(one_raster):
    with fits.open(one_raster) as hdul:
        first = hdul[0].header["TDESC1"]
        expected = hdul[2].data.astype(np.float32) * np.float32(hdul[2].header.get("BSCALE", 1)) + np.float32(hdul[2].header.get("BZERO", 0))
    _edit(one_raster, 0, TDESC2=first)
    with pytest.warns(UserWarning, match="both labelled"):
        obs = irisplug.read(one_raster)
    assert first in obs and f"{first} (HDU 2)" in obs
    np.testing.assert_array_equal(np.asarray(obs[f"{first} (HDU 2)"][0].data), expected)


def test_lazy_data_of_a_file_removed_or_truncated_after_opening(one_raster):
    """Lazy data are read long after the open: a vanished or shortened file is an IrisplugError naming it."""
    from irisplug.errors import IrisplugError

    obs = irisplug.read(one_raster)
    label = next(iter(obs))
    cube = obs[label].data[0] if isinstance(getattr(obs[label], "data", None), list) else obs[label]
    with open(one_raster, "r+b") as f:
        f.truncate(2880)  # the primary header only: no window's data is left
    with pytest.raises(IrisplugError) as err:
        np.asarray(cube.data)
    assert one_raster.name in str(err.value)
    one_raster.unlink()
    with pytest.raises(IrisplugError) as err:
        cube.data[1:2].compute()
    assert one_raster.name in str(err.value)
