"""The IRIS reader's description keys and standard keywords, against the values stored in the real files.

The core no longer reads IRIS keywords (OBSID, OBS_DESC, TWMINn, TDETn, TWAVEn): the reader maps them to the
model's keys (irisplug.model.description). What a user sees (print, the window table, maps, xarray attributes,
written files) must still say what the headers say.
"""

from __future__ import annotations

import astropy.units as u
import numpy as np
import pytest
from astropy.io import fits


def _primary(path):
    return fits.getheader(path, 0)


def _sji_path(obs, label):
    return next(p for p in obs.meta["files"] if f"SJI_{label.split('_')[1]}" in p)


def _raster_primary(obs):
    """The primary header the Observation's meta comes from: its first raster file's."""
    return _primary(next(p for p in obs.meta["files"] if "raster" in p))


def test_print_shows_the_primary_header(obs_sns):
    h = _raster_primary(obs_sns)
    lines = str(obs_sns).splitlines()
    assert lines[0] == f"Observation {h['OBSID']}: {h['OBS_DESC'].strip()}"
    listed = dict(line.split(None, 1) for line in lines[1:] if line.startswith("  ") and line.strip())
    for key in ("STARTOBS", "ENDOBS", "XCEN", "YCEN"):
        assert listed[key] == str(h[key]), key
    assert repr(obs_sns).startswith(f"<Observation {h['OBSID']}: ")


def test_window_table_ranges_are_the_headers(obs_sns):
    """Slit-jaw rows: the passband TWMIN1/TWMAX1 (they were NaN: the core looked for TWMIN); spectrograph rows:
    the outer pixel edges of the window's data, from its extension header's WCS; detectors from TDETn."""
    table = obs_sns.windows
    raster = next(p for p in obs_sns.meta["files"] if "raster" in p)
    with fits.open(raster) as h:
        primary = h[0].header
        for w in range(1, primary["NWIN"] + 1):
            row = table[list(table["label"]).index(primary[f"TDESC{w}"])]
            e = h[w].header
            edges = e["CRVAL1"] + (np.array([0.5, e["NAXIS1"] + 0.5]) - e["CRPIX1"]) * e["CDELT1"]
            np.testing.assert_allclose([row["wave_min"], row["wave_max"]], edges, rtol=0, atol=1e-9)
            assert row["detector"] == primary[f"TDET{w}"].strip()
    for row in table[table["kind"] == "slit-jaw"]:
        h = _primary(_sji_path(obs_sns, row["label"]))
        assert (row["wave_min"], row["wave_max"], row["detector"]) == (h["TWMIN1"], h["TWMAX1"], h["TDET1"])


def test_slit_jaw_frame_map_is_sunpys_iris_map(real_sji_1400):
    from sunpy.map.sources import SJIMap

    m = real_sji_1400.frame(2).to_map()
    h = _primary(_find(real_sji_1400.meta["FILENAME"]))
    assert isinstance(m, SJIMap)
    assert m.wavelength == h["TWAVE1"] * u.AA
    assert (m.meta["telescop"], m.meta["instrume"], m.meta["obsid"]) == (h["TELESCOP"], h["INSTRUME"], h["OBSID"])


def _find(name):
    from irisplug_iris.irispy_files import find_files

    return next(p for p in find_files() if p.name == name)


def test_spectroheliogram_map_wavelength_is_the_pixels(obs_raster):
    """A spectroheliogram's WAVELNTH is the wavelength of the pixel it was cut at (the header's WCS), not the window's
    nominal TWAVEn."""
    cube = obs_raster["Si IV 1403"][0]
    raster = _find(cube.meta["FILENAME"])
    with fits.open(raster) as h:
        w = next(i for i in range(1, h[0].header["NWIN"] + 1) if h[0].header[f"TDESC{i}"] == "Si IV 1403")
        e, twave = h[w].header, h[0].header[f"TWAVE{w}"]
        waves = e["CRVAL1"] + (np.arange(e["NAXIS1"]) + 1 - e["CRPIX1"]) * e["CDELT1"]
    k = int(np.argmax(np.abs(waves - twave)))
    m = cube.spectroheliogram((waves[k] + 0.2 * e["CDELT1"]) * u.AA).to_map()
    assert m.wavelength.to_value(u.AA) == pytest.approx(waves[k], abs=1e-9)
    assert abs(waves[k] - twave) > 0.01  # the nominal wavelength would be another value


def test_xarray_attributes_and_written_files_keep_the_observation(obs_sns, tmp_path):
    import irisplug
    from irisplug.model import observation_id, to_xarray

    h = _raster_primary(obs_sns)
    ds = to_xarray(obs_sns["C II 1336"])
    assert ds.attrs["observation_id"] == h["OBSID"] and ds.attrs["description"] == h["OBS_DESC"].strip()
    assert (ds.attrs["OBSID"], ds.attrs["STARTOBS"], ds.attrs["TELESCOP"]) == (h["OBSID"], h["STARTOBS"], h["TELESCOP"])
    out = tmp_path / "c_ii.fits"
    irisplug.write(obs_sns["C II 1336"], out)
    written = fits.getheader(out, 0)
    assert (written["OBSID"], written["STARTOBS"], written["TELESCOP"]) == (h["OBSID"], h["STARTOBS"], h["TELESCOP"])
    assert observation_id(irisplug.read(out)) == h["OBSID"]


def test_a_damaged_obsid_is_shown_not_raised(tmp_path):
    """A header whose OBSID is a number and OBS_DESC a flag (damaged or odd files) reads, and shows them as text
    (the model's with_description refuses non-text, so the reader converts)."""
    import irisplug
    from irisplug_iris.generator import generate

    files = generate(tmp_path, quiet=True)
    raster = next(p for p in map(str, files) if "raster" in p)
    with fits.open(raster, mode="update") as h:
        h[0].header["OBSID"] = 1.5
        h[0].header["OBS_DESC"] = True
    obs = irisplug.read(raster)
    assert repr(obs).startswith("<Observation 1.5: ") and str(obs).splitlines()[0] == "Observation 1.5: True"
