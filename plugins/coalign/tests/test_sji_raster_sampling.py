"""sji-raster on well-sampled and sparse generated rasters: planted offsets recovered, or the confidence says not.

The generated observation puts rasters and slit-jaw frames on one solar scene at
the same world coordinates (checked to 5e-6 arcsec); the planted slit-jaw
pointing error is the independent reference. A sparse raster (2 arcsec steps,
a 0.17 arcsec SJI pixel, an SJI field narrower than the raster) determines the
offset less well: the offsets measured on independent halves of the raster
then disagree, and the confidence score says so.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest

import irisplug
from irisplug_coalign.confidence import LowConfidenceError, LowConfidenceWarning
from irisplug_coalign.sji_raster import MAX_UNCERTAINTY_PX

SJI_PIXEL = 0.16635  # arcsec
#: recovery tolerance: 1.5 SJI pixels (the confidence thresholds' agreement)
TOL = 1.5 * SJI_PIXEL


def _observation(tmp_path_factory, planted, **kw):
    out = tmp_path_factory.mktemp("gen")
    irisplug.fetch("iris-synthetic", out, sji=("SJI_1400",), windows=("Si IV 1403",), sji_pointing_error=planted,
                   quiet=True, **kw)
    return irisplug.read(out)


@pytest.fixture(scope="module")
def well_sampled(tmp_path_factory):
    return _observation(tmp_path_factory, (1.2, -0.8), sji_size=200, n_y=128, n_steps=16, step_size=1.0, n_rasters=1)


@pytest.fixture(scope="module", params=[(0.0, 0.0), (1.2, -0.8)], ids=["zero", "planted"])
def sparse(request, tmp_path_factory):
    """The generator's default raster: 8 steps of 2 arcsec, a 64-pixel (10.6 arcsec) SJI field."""
    return request.param, _observation(tmp_path_factory, request.param)


def test_well_sampled_offset_is_recovered_with_confidence(well_sampled):
    with warnings.catch_warnings():
        warnings.simplefilter("error", LowConfidenceWarning)
        out = irisplug.coalign(well_sampled["Si IV 1403"][0], well_sampled["SJI_1400"], method="sji-raster", quiet=True)
    rec = out.meta["irisplug_coalign"]
    np.testing.assert_allclose(rec["offset_arcsec"], (1.2, -0.8), atol=TOL)
    conf = rec["confidence"]
    assert conf["score"] >= 1.5
    assert conf["uncertainty_arcsec"] <= MAX_UNCERTAINTY_PX * SJI_PIXEL
    assert set(conf["halves_arcsec"]) == {"slit", "steps"}


def test_sparse_offsets_are_recovered_or_flagged(sparse):
    """Every raster: within the tolerance, or a score below the warning level; errors within 3 uncertainties."""
    planted, obs = sparse
    out = irisplug.coalign(obs["Si IV 1403"], obs["SJI_1400"], method="sji-raster", quiet=True, min_confidence=0)
    for rec in out.meta["irisplug_coalign"]["per_raster"]:
        error = float(np.hypot(*(np.subtract(rec["offset_arcsec"], planted))))
        conf = rec["confidence"]
        assert error <= TOL or conf["score"] < 1.5, (error, conf["score"])
        if conf["uncertainty_arcsec"] is not None:
            assert error <= 3 * conf["uncertainty_arcsec"] + 0.5 * SJI_PIXEL, (error, conf["uncertainty_arcsec"])


def test_sparse_with_the_default_gate_refuses_warns_or_recovers(sparse):
    planted, obs = sparse
    for cube in obs["Si IV 1403"].data:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            try:
                out = irisplug.coalign(cube, obs["SJI_1400"], method="sji-raster", quiet=True)
            except LowConfidenceError as err:
                assert err.record["confidence"]["score"] < 1
                continue
        rec = out.meta["irisplug_coalign"]
        error = float(np.hypot(*(np.subtract(rec["offset_arcsec"], planted))))
        warned = any(issubclass(w.category, LowConfidenceWarning) for w in caught)
        assert error <= TOL or warned, (error, rec["confidence"]["score"])
        assert warned == (rec["confidence"]["score"] < 1.5)


def test_halves_of_a_quiet_patch_are_not_scored():
    """A half correlating below 0.5 with the SJI measures nothing: its split is recorded, not scored."""
    from irisplug_coalign.sji_raster import _raster_confidence

    synth = np.arange(40.0).reshape(4, 10)
    halves = {"slit": [[0.0, 0.0, 0.9], [2.0, 0.0, 0.3]], "steps": [[0.0, 0.0, 0.9], [0.1, 0.0, 0.95]]}
    fig = _raster_confidence(synth, synth, np.array([0.1, 0.2, 0.3]), 0.9, halves, (0.0, 0.0), 0.1)
    assert fig["halves_arcsec"] == {"steps": pytest.approx(0.1)}
    assert fig["uncertainty_arcsec"] == pytest.approx(0.05) and fig["agreement_px"] == pytest.approx(1.0)
    fig = _raster_confidence(synth, synth, np.array([0.1, 0.2, 0.3]), 0.9, {"slit": halves["slit"]}, (0.0, 0.0), 0.1)
    assert fig["agreement_px"] is None and fig["score"] == pytest.approx(4.0)  # overlap / 0.25
