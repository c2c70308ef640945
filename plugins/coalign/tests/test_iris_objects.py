"""Integration with the IRIS objects of ``irisplug.read`` (real IRIS L2 test files)."""

from __future__ import annotations

import numpy as np
import pytest

import irisplug


@pytest.fixture(scope="module")
def obs():
    f = pytest.importorskip("irisplug_iris.irispy_files")
    # the 8-step raster's own SJI 1400 (irispy-lmsal 0.5; 0.9 has none) and its first two raster files
    files = f.require_files(obsid=f.RASTER_OBSID, band="1400") + f.require_files(obsid=f.RASTER_OBSID, kind="raster")[:2]
    return irisplug.read(files)


def test_sji_cube_against_mispointed_reference(obs):
    """A reference made from frame 20, its pointing moved by a known offset: the cube follows it."""
    import astropy.units as u
    import sunpy.map

    sji = obs["SJI_1400"]
    ref = sji.frame(20).to_map()
    meta = ref.meta.copy()
    offset = (1.25, -0.8)  # arcsec
    meta["crval1"] = ref.meta["crval1"] + offset[0]
    meta["crval2"] = ref.meta["crval2"] + offset[1]
    reference = sunpy.map.Map(ref.data, meta)
    out = irisplug.coalign(sji, reference, frames=[20], quiet=True)
    assert type(out) is type(sji)
    w_old = sji.wcs.pixel_to_world(50.0, 60.0, 20.0)[0]
    w_new = out.wcs.pixel_to_world(50.0, 60.0, 20.0)[0]
    d_lon = (w_new.Tx - w_old.Tx).to_value(u.arcsec)
    d_lat = (w_new.Ty - w_old.Ty).to_value(u.arcsec)
    assert abs(d_lon - offset[0]) < 0.05 * 0.1664 and abs(d_lat - offset[1]) < 0.05 * 0.1664
    # other frames move by the same (constant drift model) and the input is untouched
    w_new5 = out.wcs.pixel_to_world(50.0, 60.0, 5.0)[0]
    w_old5 = sji.wcs.pixel_to_world(50.0, 60.0, 5.0)[0]
    assert abs((w_new5.Tx - w_old5.Tx).to_value(u.arcsec) - offset[0]) < 0.01
    assert "irisplug_coalign" not in sji.meta
    assert irisplug.history(out)[-1]["step"] == "coalign"


def test_jitter_on_real_cube_runs_and_reports(obs):
    sji = obs["SJI_1400"][:6]
    out = irisplug.coalign(sji, None, method="jitter", quiet=True)
    rec = out.meta["irisplug_coalign"]
    assert np.shape(rec["per_frame"]) == (6, 2)
    assert np.shape(rec["predicted_by_wcs"]) == (6, 2)


def test_synthetic_raster_recovers_pointing_error(obs):
    """Spectra built from the real SJI at a mis-pointed place: sji-raster finds the error."""
    import ndcube
    from astropy.wcs import WCS
    from scipy.ndimage import map_coordinates

    sji = obs["SJI_1400"]
    k = 20
    fmap = sji.frame(k).to_map()
    error = (0.9, -0.55)  # arcsec: the raster really looks here relative to its WCS
    nstep, ny, nw = 30, 70, 12
    w = WCS(naxis=3)
    w.wcs.ctype = ["WAVE", "HPLT-TAN", "HPLN-TAN"]
    w.wcs.cunit = ["Angstrom", "arcsec", "arcsec"]
    w.wcs.cdelt = [0.0254, 0.1664, 0.3328]
    w.wcs.crpix = [1, 35, 15]
    c = fmap.center
    w.wcs.crval = [1400.0, c.Ty.to_value("arcsec"), c.Tx.to_value("arcsec")]
    w.wcs.dateobs = fmap.date.isot
    w.wcs.set()
    step, yy = np.meshgrid(np.arange(nstep), np.arange(ny), indexing="ij")
    _, lat, lon = w.wcs_pix2world(np.zeros(step.size), yy.ravel(), step.ravel(), 0)
    px, py = fmap.wcs.world_to_pixel_values(lon + error[0] / 3600, lat + error[1] / 3600)
    img = np.asarray(fmap.data, float)
    img = np.where(np.isfinite(img), img, np.nanmedian(img))  # the reader gives missing pixels as NaN
    truth = map_coordinates(img, [py, px], order=3).reshape(step.shape)
    profile = np.exp(-((np.arange(nw) - 5.5) ** 2) / 4.0)
    raster = ndcube.NDCube(truth[:, :, None] * profile[None, None, :], wcs=w, meta={"DATE-OBS": fmap.date.isot})
    out = irisplug.coalign(raster, sji, method="sji-raster", passband=1400, max_offset=2.0, quiet=True)
    rec = out.meta["irisplug_coalign"]
    assert set(rec["sji_frames"]) == {k}
    assert abs(rec["offset_arcsec"][0] - error[0]) < 0.05 * 0.1664
    assert abs(rec["offset_arcsec"][1] - error[1]) < 0.05 * 0.1664
    # corrected world coordinates of a raster pixel = where its data really came from
    lon0, lat0 = w.wcs_pix2world([[0, 20, 10]], 0)[0][2], w.wcs_pix2world([[0, 20, 10]], 0)[0][1]
    world = out.wcs.low_level_wcs.pixel_to_world_values(0.0, 20.0, 10.0)
    assert abs((world[2] - lon0) * 3600 - error[0]) < 0.01 and abs((world[1] - lat0) * 3600 - error[1]) < 0.01


def test_sji_raster_on_real_objects_runs(obs):
    raster = obs["Si IV 1403"][0]
    out = irisplug.coalign(raster, obs["SJI_1400"], method="sji-raster", quiet=True)
    rec = out.meta["irisplug_coalign"]
    assert len(rec["sji_frames"]) == raster.data.shape[0]
    assert rec["passband_angstrom"] == [1356.55, 1415.43]  # the filter's half-maximum band (irisplug_iris)


def test_raster_window_outside_passband_is_an_error(obs):
    with pytest.raises(irisplug.InconsistentInputError, match="passband"):
        irisplug.coalign(obs["Mg II k 2796"][0], obs["SJI_1400"], method="sji-raster", quiet=True)


def test_dispatch_picks_method_by_objects(obs):
    methods = irisplug.get_plugin_manager().contributions("coaligner")
    sji, raster = obs["SJI_1400"], obs["Si IV 1403"][0]
    frame = sji.frame(0).to_map()

    def accepting(t, r):
        return {name for name, d in methods.items() if d.plugin == "coalign" and d.resolve("accepts")(t, r)}

    assert accepting(sji, None) == {"jitter"}
    assert accepting(raster, sji) == {"sji-raster"}
    assert accepting(sji, frame) == {"fft", "ncc"}  # fft has the higher priority
    assert methods["fft"].priority > methods["ncc"].priority
    with pytest.raises(irisplug.UnsupportedObjectError):
        irisplug.coalign(raster, sji.frame(0).to_map())  # a raster is not an image: no method accepts


def test_sji_without_passband_metadata_needs_passband(obs):
    import copy

    raster = obs["Si IV 1403"][0]
    sji = copy.copy(obs["SJI_1400"])
    meta = copy.copy(sji.meta)  # the reader's meta (NDMeta with axis-aware keys) without the passband
    del meta["passband"]
    sji._meta = meta
    assert "passband" in obs["SJI_1400"].meta and "passband" not in sji.meta
    with pytest.raises(irisplug.InconsistentInputError, match="no passband metadata"):
        irisplug.coalign(raster, sji, method="sji-raster", quiet=True)
    with pytest.raises(irisplug.InconsistentInputError, match="no passband metadata"):
        irisplug.coalign(raster, sji, method="sji-raster", passband=1400, quiet=True)
    out = irisplug.coalign(raster, sji, method="sji-raster", passband=(1372.5, 1427.5), quiet=True)
    assert out.meta["irisplug_coalign"]["passband_angstrom"] == [1372.5, 1427.5]
    with pytest.raises(irisplug.InconsistentInputError, match="outside the slit-jaw's passband"):
        irisplug.coalign(raster, obs["SJI_1400"], method="sji-raster", passband=2796, quiet=True)
