"""Photon + read noise uncertainties of IRIS data, against the response files, irispy-lmsal and a simulation."""

from __future__ import annotations

import warnings

import astropy.units as u
import numpy as np
import pytest
from astropy.io import fits
from astropy.nddata import StdDevUncertainty

import irisplug
from irisplug.errors import IrisplugWarning, UnsupportedObjectError
from irisplug.model import normalize_exposure
from irisplug.provenance import history
from irisplug_iris.irispy_files import RASTER_OBSID, require_files
from irisplug_iris.noise import PHOTONS_PER_DN, READ_NOISE_DN, photon_noise, photon_noise_sigma

irispy = pytest.importorskip("irispy")


@pytest.fixture(scope="module")
def obs_noise(raster_dir, raster_sji_files):
    sjis = raster_sji_files
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # down-sampled aux tables of the test SJIs; deconvolved SJI
        return irisplug.read([raster_dir, *sjis], uncertainty=True)


def test_constants_are_the_response_files(raster_dir):
    """Photons per DN equal DN2PHOT_SG / DN2PHOT_SJI of the IRIS response shipped with irispy-lmsal."""
    from scipy.io import readsav

    path = sorted(raster_dir.parent.parent.glob("iris_response_*.sav"))[0]
    resp = readsav(str(path))["iris_response"][0]
    sg = dict(zip([n.decode() for n in resp["NAME_SG"]], resp["DN2PHOT_SG"].tolist(), strict=True))
    assert (PHOTONS_PER_DN["FUV"], PHOTONS_PER_DN["NUV"]) == (sg["FUV"], sg["NUV"])
    sji = dict(zip([n.decode() for n in resp["NAME_SJI"]], resp["DN2PHOT_SJI"].tolist(), strict=True))
    for band, name in (("133", "SJI_1330"), ("140", "SJI_1400"), ("279", "SJI_2796"), ("283", "SJI_2832")):
        assert PHOTONS_PER_DN[name] == sji[band]


@pytest.mark.parametrize("label", ["Si IV 1403", "C II 1336", "Mg II k 2796"])
def test_spectrograph_equals_irispy(obs_noise, raster_files, label):
    """Per file, the uncertainty equals irispy-lmsal's calculate_uncertainty on astropy's data (where >= 0)."""
    from irispy.utils import calculate_uncertainty
    from irispy.utils.constants import DN_UNIT, READOUT_NOISE

    seq = obs_noise[label]
    paths = raster_files
    for k in (0, 7):
        with fits.open(paths[k]) as hdul:
            w = next(i for i in range(1, hdul[0].header["NWIN"] + 1) if hdul[0].header[f"TDESC{i}"] == label)
            data = hdul[w].data
            det = "FUV" if hdul[0].header[f"TDET{w}"].startswith("FUV") else "NUV"
        with np.errstate(invalid="ignore"):  # irispy takes sqrt of negative values (NaN there)
            ref = calculate_uncertainty(data.astype(float), READOUT_NOISE[det], DN_UNIT[det])
        got = np.asarray(seq[k].uncertainty.array)
        assert isinstance(seq[k].uncertainty, StdDevUncertainty) and got.dtype == np.float32
        ok = data >= 0
        np.testing.assert_allclose(got[ok], ref[ok], rtol=2e-6)
        # negative (dark-subtracted) values count no photons: read noise only
        np.testing.assert_allclose(got[~ok], READ_NOISE_DN[det], rtol=1e-6)


def test_sji_uses_passband_gain(obs_noise, needs_raster_sji):
    """SJI 2832: irispy's constants (18 photons/DN); SJI 1400: the response's 12 photons/DN, not irispy's 18."""
    from irispy.utils import calculate_uncertainty
    from irispy.utils.constants import DN_UNIT, READOUT_NOISE

    (path,) = require_files(obsid=RASTER_OBSID, band="2832")
    data = fits.getdata(path).astype(float)
    got = np.asarray(obs_noise["SJI_2832"].uncertainty.array)
    with np.errstate(invalid="ignore"):
        ref = calculate_uncertainty(data, READOUT_NOISE["SJI"], DN_UNIT["SJI"])
    ok = data >= 0
    np.testing.assert_allclose(got[ok], ref[ok], rtol=2e-6)
    data = fits.getdata(require_files(obsid=RASTER_OBSID, band="1400")[0]).astype(float)
    got = np.asarray(obs_noise["SJI_1400"].uncertainty.array)
    ok = data >= 0
    np.testing.assert_allclose(got[ok], np.sqrt(data[ok] / 12.0 + 1.2**2), rtol=2e-6)
    with pytest.warns(IrisplugWarning, match="deconvolved"):  # built on first access
        assert obs_noise["SJI_2796_deconvolved"].uncertainty is None


def test_simulated_counts():
    """The formula matches the scatter of simulated detector counts (Poisson photons + Gaussian read noise)."""
    rng = np.random.default_rng(1)
    for g, rn in ((4.0, 3.1), (18.0, 1.2), (12.0, 1.2)):
        for mean_dn in (0.5, 20.0, 800.0):
            dn = rng.poisson(mean_dn * g, 400_000) / g + rng.normal(0.0, rn, 400_000)
            expected = float(photon_noise_sigma(np.float64(mean_dn), g, rn))
            assert abs(dn.std() / expected - 1) < 0.01


def test_lazy_and_dn_per_second(obs_noise, obs_raster):
    """Lazy in, lazy out; normalising scales the uncertainty by 1/t; the step on DN/s data agrees."""
    import dask.array as da

    cube = obs_noise["Si IV 1403"][2]
    assert isinstance(cube.uncertainty.array, da.Array)
    sigma_dn = np.asarray(cube.uncertainty.array)
    t = u.Quantity(irisplug.model.extra_coord(cube, "exposure_time")).to_value(u.s)[:, None, None]
    after = normalize_exposure(cube)
    assert after.unit == u.DN / u.s
    np.testing.assert_allclose(np.asarray(after.uncertainty.array), sigma_dn / t, rtol=1e-6)
    before = photon_noise(normalize_exposure(obs_raster["Si IV 1403"][2]))
    np.testing.assert_allclose(np.asarray(before.uncertainty.array), sigma_dn / t, rtol=1e-5)


def test_calibrate_step_and_errors(obs_raster):
    """The calibrator step records itself; radiometric calibration scales the uncertainty like the data."""
    pytest.importorskip("irisplug_calib")
    out = irisplug.calibrate(obs_raster["Si IV 1403"][0], ["iris-radiometric", "iris-photon-noise"])
    steps = [r["step"] for r in history(out)]
    assert steps.index("iris-photon-noise") < steps.index("iris-radiometric")
    noisy = photon_noise(obs_raster["Si IV 1403"][0])
    ratio_in = np.asarray(noisy.uncertainty.array) / np.asarray(noisy.data)
    ratio_out = np.asarray(out.uncertainty.array) / np.asarray(out.data)
    ok = np.isfinite(ratio_in) & np.isfinite(ratio_out) & (np.asarray(noisy.data) > 5)
    np.testing.assert_allclose(ratio_out[ok], ratio_in[ok], rtol=1e-5)
    with pytest.raises(UnsupportedObjectError, match="before the radiometric calibration"):
        photon_noise(out)
    cube = obs_raster["Si IV 1403"][0]
    alien = type(cube)(np.zeros((2, 2, 2)), wcs=cube[:2, :2, :2].wcs, unit=u.DN, meta={"DETECTOR": "EUV"})
    with pytest.raises(UnsupportedObjectError, match="not an IRIS detector"):
        photon_noise(alien)


def test_deconvolved_warns():
    path = require_files(kind="sji", deconvolved=True)[0]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        obs = irisplug.read(path)
    with pytest.warns(IrisplugWarning, match="deconvolved"):
        out = photon_noise(obs)
    assert next(iter(out.values())).uncertainty is None


def test_dropping_exposures_keeps_uncertainty(synthetic_dir):
    """keep_null=False removes all-missing exposures from the uncertainty too, row for row."""
    full = irisplug.read(synthetic_dir, uncertainty=True)
    kept = irisplug.read(synthetic_dir, keep_null=False, uncertainty=True)
    dropped = 0
    for label in kept:
        a = full[label][0] if hasattr(full[label], "data") and isinstance(full[label].data, list) else full[label]
        b = kept[label][0] if hasattr(kept[label], "data") and isinstance(kept[label].data, list) else kept[label]
        data = np.asarray(a.data)
        rows = [i for i in range(data.shape[0]) if not np.all(np.asarray(a.mask)[i])]
        assert b.uncertainty.array.shape == b.data.shape
        np.testing.assert_array_equal(np.asarray(b.uncertainty.array), np.asarray(a.uncertainty.array)[rows])
        dropped += data.shape[0] - len(rows)
    assert dropped > 0  # the generator writes one entirely missing exposure


def test_fit_weights_give_unit_reduced_chi2(synthetic_dir):
    """Fitting generated counts (Poisson photons + read noise) with these uncertainties gives reduced chi^2 ~ 1."""
    fit = pytest.importorskip("irisplug_fit.cube")
    obs = irisplug.read(synthetic_dir, uncertainty=True)
    maps = fit.fit_cube(obs["Si IV 1403"][1], "si_iv_1403")
    ok = np.asarray(maps["status"].data) == 0
    red = np.asarray(maps["redchi2"].data)[ok]
    assert ok.sum() > 100
    # dof ~ 75: the median of chi2/dof is within a few per cent of 1; a factor-2 error in sigma gives 0.25 or 4
    assert 0.9 < np.median(red) < 1.1
