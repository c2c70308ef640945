"""The route to co-temporal AIA images, offline: query built from an IRIS observation, routed by Fido to
sunpy's own clients (no search is sent), and the files as ``Fido.fetch`` hands them over registered."""

from __future__ import annotations

import astropy.units as u
import numpy as np
import pytest
from astropy.io import fits
from astropy.time import Time

pytest.importorskip("sunpy.net")

import irisplug
from irisplug_iris.net.context import AIA_BAND_FOR_SJI, aia_query


def test_query_covers_the_observation(obs_synthetic, synthetic_dir):
    from sunpy.net import attrs as a

    with fits.open(sorted(synthetic_dir.glob("*raster*.fits"))[0]) as hdul:
        start, end = Time(hdul[0].header["STARTOBS"]), Time(hdul[0].header["ENDOBS"])
    query = aia_query(obs_synthetic, sji="SJI_2796", margin=2 * u.min, cadence=12 * u.s)
    parts = {type(x): x for x in query.attrs}
    assert abs((parts[a.Time].start - (start - 120 * u.s)).to_value(u.s)) < 1e-3
    assert abs((parts[a.Time].end - (end + 120 * u.s)).to_value(u.s)) < 1e-3
    assert parts[a.Instrument].value.lower() == "aia"
    assert parts[a.Wavelength].min == 1700 * u.AA == AIA_BAND_FOR_SJI[2796] * u.AA
    assert parts[a.Sample].value == 12
    assert aia_query(obs_synthetic["SJI_1400"]).attrs[2].min == 1600 * u.AA
    with pytest.raises(ValueError, match="no AIA band is paired with SJI 5000"):
        aia_query(obs_synthetic, sji=5000)


def test_sunpys_own_clients_answer_it(obs_synthetic):
    from sunpy.net import Fido

    import irisplug_iris.net  # noqa: F401  (our client registered too: it must not claim AIA)

    names = {c.__name__ for c in Fido._check_registered_widgets(*aia_query(obs_synthetic).attrs)}
    assert "IRISClient" not in names
    assert names & {"VSOClient", "JSOCClient"}


def test_fetched_aia_files_register(tmp_path):
    """What Fido.fetch returns (a parfive Results of AIA level 1 files) into aia-register."""
    parfive = pytest.importorskip("parfive")
    import sunpy.data.test
    import sunpy.map

    results = parfive.Results([sunpy.data.test.get_test_filepath("aia_171_level1.fits")])
    aia = sunpy.map.Map(list(results))
    registered = irisplug.calibrate(aia, "aia-register")
    calibrate = pytest.importorskip("aiapy.calibrate")
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        peer = calibrate.register(aia)  # the independent reference (level 1 -> 1.5)
    np.testing.assert_allclose(u.Quantity(registered.scale).to_value(u.arcsec / u.pix),
                               u.Quantity(peer.scale).to_value(u.arcsec / u.pix), rtol=1e-9)
    np.testing.assert_allclose(registered.rotation_matrix, np.eye(2), atol=1e-8)
    assert registered.meta["lvl_num"] == 1.5 and registered.date == aia.date
