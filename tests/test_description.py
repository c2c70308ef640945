"""The model's description keys (irisplug.model.description): what an observation is, without instrument keywords.

The core used to print, convert and copy IRIS keywords by name (OBSID, OBS_DESC, NRASTERP, TWMIN, TDET, ...), so
another instrument's observation printed "Observation ?" and IRIS slit-jaw windows had no wavelength range (their
headers say TWMIN1, not TWMIN). These tests build objects the way a third-party reader would, with no IRIS keyword.
"""

from __future__ import annotations

import astropy.units as u
import numpy as np
import pytest
from astropy.wcs import WCS
from ndcube import NDCube, NDCubeSequence

from irisplug.model import (
    Deferred,
    Observation,
    fits_keyword_items,
    observation_description,
    observation_id,
    summary_items,
    to_xarray,
    with_description,
    with_levels,
)
from irisplug.model.description import wave_unit


def _spectrum(meta, start=1200.0, step=0.5, n=8, unit="Angstrom"):
    w = WCS(naxis=1)
    w.wcs.ctype, w.wcs.cunit, w.wcs.crval, w.wcs.cdelt, w.wcs.crpix = ["WAVE"], [unit], [start], [step], [1]
    return NDCube(np.arange(float(n)), wcs=w, unit=u.DN, meta=meta)


def _image(meta):
    w = WCS(naxis=2)
    w.wcs.ctype = ["HPLN-TAN", "HPLT-TAN"]
    w.wcs.cunit, w.wcs.cdelt = ["arcsec", "arcsec"], [1.0, 1.0]
    return NDCube(np.zeros((3, 4)), wcs=w, unit=u.DN, meta=meta)


def _meta(**extra):
    meta = {"TELESCOP": "SOLO", "INSTRUME": "SPECTRO", "DATE-BEG": "2022-03-02T00:00:00", "STUDY": "raster 4",
            "window_header": {"A": 1}, **extra}
    return with_description(meta, observation_id=100663296, description="Dense raster of an active region",
                            summary_keys=("TELESCOP", "STUDY", "DATE-BEG", "window_header"))


def test_print_and_repr_show_the_readers_description():
    obs = Observation({"Ne VIII 770": _spectrum(_meta(window="Ne VIII 770"))}, meta=_meta())
    text = str(obs).splitlines()
    assert text[0] == "Observation 100663296: Dense raster of an active region"
    assert text[1:4] == ["  TELESCOP  SOLO", "  STUDY     raster 4", "  DATE-BEG  2022-03-02T00:00:00"]
    assert "window_header" in text[4]  # a summary key is listed with whatever value it holds
    assert repr(obs).startswith("<Observation 100663296: Ne VIII 770")


def test_without_description_keys_nothing_instrument_specific_is_guessed():
    obs = Observation({}, meta={"OBSID": "3860258481", "OBS_DESC": "an IRIS keyword", "TELESCOP": "X"})
    assert str(obs).splitlines()[:2] == ["Observation ?:", "  TELESCOP  X"]
    assert observation_id(obs) is None and observation_description(obs) is None


def test_a_sequence_is_described_by_its_first_cube():
    seq = NDCubeSequence([_spectrum(_meta()), _spectrum({})])
    assert observation_id(seq) == "100663296"
    assert observation_description(seq) == "Dense raster of an active region"
    assert summary_items(seq)[0] == ("TELESCOP", "SOLO")


def test_summary_defaults_to_standard_keywords():
    assert summary_items(_spectrum({"TELESCOP": "T", "DATE-OBS": "2020-01-01", "OBSID": "9"})) == [
        ("TELESCOP", "T"), ("DATE-OBS", "2020-01-01")]


def test_fits_keyword_items_keep_card_values_of_fits_names_only():
    items = dict(fits_keyword_items(_spectrum(_meta(EXPTIME=np.float32(2.5), WAVELNTH=True))))
    assert items == {"TELESCOP": "SOLO", "INSTRUME": "SPECTRO", "EXPTIME": 2.5, "WAVELNTH": True, "STUDY": "raster 4",
                     "DATE-BEG": "2022-03-02T00:00:00"}
    assert type(items["EXPTIME"]) is float


@pytest.mark.parametrize(("value", "why"), [(1.5, "string"), (True, "string"), ({"a": 1}, "string")])
def test_with_description_refuses_what_is_no_identifier(value, why):
    with pytest.raises(ValueError, match=why):
        with_description({}, observation_id=value)


def test_with_description_refuses_summary_keys_that_are_not_keys():
    with pytest.raises(ValueError, match="summary_keys"):
        with_description({}, summary_keys=("A", 3))
    assert with_description({}, summary_keys="A") == {"summary_keys": ("A",)}
    assert with_description({}, observation_id="  ") == {}  # blank: not set


@pytest.mark.parametrize(("value", "unit"), [(None, u.AA), (-10, u.AA), ("-9", u.nm), (-9.0, u.nm), ("nm", u.nm),
                                             ("Angstrom", u.AA), (-7, 1e-7 * u.m)])
def test_wave_unit(value, unit):
    meta = {} if value is None else {"WAVEUNIT": value}
    assert (1 * wave_unit(meta)).to_value(u.m) == pytest.approx((1 * unit).to_value(u.m), rel=1e-12)


def test_wave_unit_refuses_a_unit_that_is_no_length():
    with pytest.raises(ValueError, match="length"):
        wave_unit({"WAVEUNIT": "s"})


def test_window_table_reads_standard_wavelength_keys_and_passbands():
    """WAVEMIN/WAVEMAX in WAVEUNIT (SOLARNET's power of ten here), else the passband, else NaN; DETECTOR."""
    spec = _spectrum({"WAVEMIN": 76.35, "WAVEMAX": 76.67, "WAVEUNIT": -9, "DETECTOR": "SW"})
    img = _image(with_levels({"DETECTOR": "CAM"}, passband=[139.0, 141.0] * u.nm))
    bare = _image({})
    table = Observation({"s": spec, "i": img, "b": bare}).windows
    np.testing.assert_allclose(table["wave_min"][:2], [763.5, 1390.0], rtol=1e-12)
    np.testing.assert_allclose(table["wave_max"][:2], [766.7, 1410.0], rtol=1e-12)
    assert np.isnan(table["wave_min"][2]) and np.isnan(table["wave_max"][2])
    assert list(table["detector"]) == ["SW", "CAM", ""]
    # the kind from the world axes: a one-file spectral window (an NDCube, not a sequence) is a spectrograph window
    assert list(table["kind"]) == ["spectrograph", "slit-jaw", "slit-jaw"]


def test_deferred_rows_and_built_rows_agree():
    meta = {"WAVEMIN": 1200.0, "WAVEMAX": 1204.0, "DETECTOR": "D"}
    summary = {"kind": "spectrograph", "detector": "D", "shape": (8,), "wave_min": 1200.0, "wave_max": 1204.0,
               "n_files": 1}
    lazy = Observation({"a": Deferred(lambda: _spectrum(meta), summary)}).windows
    built = Observation({"a": _spectrum(meta)}).windows
    assert tuple(lazy[0])[2:] == tuple(built[0])[2:]


def test_to_xarray_attributes_are_the_readers_not_irises():
    ds = to_xarray(_spectrum(_meta(window="Ne VIII 770", WAVEMIN=1200.0, FILENAME="a.fits", OBSID="ignored")))
    assert ds.attrs["observation_id"] == "100663296"
    assert ds.attrs["description"] == "Dense raster of an active region"
    assert ds.attrs["window"] == "Ne VIII 770"
    assert ds.attrs["STUDY"] == "raster 4" and ds.attrs["WAVEMIN"] == 1200.0 and ds.attrs["FILENAME"] == "a.fits"
    assert "OBSID" not in ds.attrs  # not a standard keyword, not in this reader's summary
    assert "window_header" not in ds.attrs  # not an attribute value
    assert ds.coords["observation_id"].item() == "100663296"
