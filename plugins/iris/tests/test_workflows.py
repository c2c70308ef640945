"""The seed workflows as methods: raster positions, keep_null, exposure normalisation,
spectroheliograms and Maps, common wavelength grid, nearest SJI frame, lazy int16 decoding."""

from __future__ import annotations

import astropy.units as u
import numpy as np
import pytest
from astropy.io import fits
from astropy.time import Time

import irisplug
from irisplug.model import extra_coord, normalize_exposure
from irisplug.provenance import history


def test_int16_decoding_bit_for_bit(synthetic_dir, obs_synthetic):
    path = sorted(synthetic_dir.glob("*raster*.fits"))[1]
    with fits.open(path) as hdul:
        assert hdul[1].header["BITPIX"] == 16 and hdul[1].header["BSCALE"] == 0.25
        for w in range(1, hdul[0].header["NWIN"] + 1):
            ref = hdul[w].data
            cube = obs_synthetic[hdul[0].header[f"TDESC{w}"]][1]
            got = np.asarray(cube.data)  # the whole untouched window: the threaded reader
            assert got.dtype == ref.dtype == np.float32
            np.testing.assert_array_equal(got.view(np.uint32), ref.view(np.uint32))
            # dask's own chunk-by-chunk path (scheduler given) and a slice of it agree bit for bit too
            chunked = cube.data.compute(scheduler="threads")
            np.testing.assert_array_equal(chunked.view(np.uint32), ref.view(np.uint32))
            np.testing.assert_array_equal(np.asarray(cube.data[1:3]).view(np.uint32), ref[1:3].view(np.uint32))
            mask = np.asarray(cube.mask)
            assert mask[ref == -200].all()
            saturated = ref == np.float32(32767) * np.float32(0.25) + np.float32(7992)
            assert saturated.any() and mask[saturated].all()
            assert not mask[(ref != -200) & ~saturated].any()



def test_store_into_reused_buffer(synthetic_dir, obs_synthetic):
    """``cube.data.store(buf)`` decodes into an existing array (one buffer for many windows), bit for bit."""
    from irisplug.errors import InconsistentInputError

    paths = sorted(synthetic_dir.glob("*raster*.fits"))
    with fits.open(paths[0]) as hdul:
        label = hdul[0].header["TDESC1"]
    seq = obs_synthetic[label]
    buf = np.full(seq[0].data.shape, np.nan, np.float32)
    for k in (0, 1):
        with fits.open(paths[k]) as hdul:
            ref = hdul[1].data
        assert seq[k].data.store(buf) is None
        np.testing.assert_array_equal(buf.view(np.uint32), ref.view(np.uint32))
        # another dtype or a non-contiguous target: dask's own store, same values
        wide = np.zeros(buf.shape, np.float64)
        seq[k].data.store(wide)
        np.testing.assert_array_equal(wide, ref.astype(np.float64))
    # sliced data keep dask's path into a matching target
    part = np.zeros_like(buf[1:3])
    seq[1].data[1:3].store(part)
    np.testing.assert_array_equal(part.view(np.uint32), ref[1:3].view(np.uint32))
    img = seq[0].data._irisplug_image
    with pytest.raises(InconsistentInputError, match=paths[0].name + ".*shape"):
        img.read_all(out=np.empty((2, 2), np.float32))

def test_raster_position_splitting(obs_raster, raster_files):
    seq = obs_raster["Si IV 1403"]
    pos3 = seq.at_raster_position(3)
    assert pos3.data.shape == (13, 109, 29)
    xcen, times = [], []
    for p in raster_files:
        with fits.open(p) as hdul:
            aux, h = hdul[-2].data, hdul[-2].header
            xcen.append(aux[3, h["XCENIX"]])
            start = Time(hdul[0].header["STARTOBS"])
            times.append(start + (aux[3, h["TIME"]] + aux[3, h["EXPTIMEF"]] / 2) * u.s)
    assert np.abs((extra_coord(pos3, "time") - Time(times)).to_value(u.s)).max() < 1e-3
    assert extra_coord(pos3, "repeat").tolist() == list(range(13))
    crpix2 = fits.getheader(raster_files[0], 5)["CRPIX2"]
    lon = pos3.wcs.low_level_wcs.pixel_to_world_values(0, crpix2 - 1, np.arange(13))[2] * 3600
    np.testing.assert_allclose(lon, xcen, atol=0.01)
    np.testing.assert_array_equal(np.asarray(pos3.data[4]), np.asarray(seq[4].data[3]))
    # round trip on the joined cube (time decides the exposure)
    w = pos3.wcs.low_level_wcs
    back = w.world_to_pixel_values(*w.pixel_to_world_values(3.0, 7.0, 5.3))
    np.testing.assert_allclose(np.array(back, float), [3, 7, 5.3], atol=1e-6)


def test_sji_raster_position_splitting(obs_raster, needs_raster_sji):
    sji = obs_raster["SJI_1400"]
    n_pos = sji.meta["NRASTERP"]
    parts = [sji.at_raster_position(k) for k in range(n_pos)]
    assert sum(p.data.shape[0] for p in parts) == sji.data.shape[0]
    np.testing.assert_array_equal(sji.raster_position_steps(1), np.arange(1, sji.data.shape[0], n_pos))
    np.testing.assert_array_equal(np.asarray(parts[1].data[2]), np.asarray(sji.data[1 + 2 * n_pos]))


def test_keep_null_false_drops_missing_exposures(synthetic_dir):
    full = irisplug.read(synthetic_dir)
    kept = irisplug.read(synthetic_dir, keep_null=False)
    cube_full, cube_kept = full["Si IV 1403"][0], kept["Si IV 1403"][0]
    empty = np.asarray(cube_full.mask).all(axis=(1, 2))
    assert empty.sum() == 1
    assert cube_kept.data.shape[0] == cube_full.data.shape[0] - 1
    np.testing.assert_array_equal(extra_coord(cube_kept, "raster_position"), np.flatnonzero(~empty))
    assert kept["SJI_1400"].data.shape[0] == full["SJI_1400"].data.shape[0] - 1
    assert full["Si IV 1403"].drop_empty_exposures()[0].data.shape[0] == cube_kept.data.shape[0]


def test_exposure_normalisation(obs_synthetic, synthetic_dir):
    norm = normalize_exposure(obs_synthetic)
    again = normalize_exposure(norm)
    with fits.open(sorted(synthetic_dir.glob("*raster*"))[0]) as hdul:
        aux, h = hdul[-2].data, hdul[-2].header
        ef, en = aux[:, h["EXPTIMEF"]], aux[:, h["EXPTIMEN"]]
    assert not np.allclose(ef, en)  # FUV and NUV exposure times kept apart
    for label, exp in (("Si IV 1403", ef), ("Mg II k 2796", en)):
        raw = np.asarray(obs_synthetic[label][0].data)
        got = np.asarray(norm[label][0].data)
        np.testing.assert_allclose(got, raw / exp.astype(np.float32)[:, None, None], rtol=1e-6)
        assert norm[label][0].unit == u.DN / u.s
        np.testing.assert_array_equal(np.asarray(again[label][0].data), got)
        assert [r["step"] for r in history(again[label][0])] == ["exposure-norm"]
    assert norm["SJI_1400"].unit == u.DN / u.s
    assert obs_synthetic["Si IV 1403"][0].unit == u.DN  # input untouched


def test_spectroheliogram_and_maps(obs_synthetic, obs_raster, needs_raster_sji):
    cube = obs_synthetic["Mg II k 2796"][1]
    img = cube.spectroheliogram(2796.35 * u.AA)
    waves = cube.axis_world_coords("em.wl")[0].to_value(u.AA)
    k = int(np.argmin(np.abs(waves - 2796.35)))
    np.testing.assert_array_equal(np.asarray(img.data), np.asarray(cube.data[:, :, k]))
    world_img = img.wcs.low_level_wcs.pixel_to_world_values(10, 3)
    world_cube = cube.wcs.low_level_wcs.pixel_to_world_values(k, 10, 3)
    np.testing.assert_allclose(np.array(world_img, float), np.array(world_cube, float)[1:], atol=1e-12)
    m = img.to_map()
    assert m.data.shape == (cube.data.shape[1], cube.data.shape[0])
    c = m.pixel_to_world(3 * u.pix, 10 * u.pix)
    assert abs(c.Tx.to_value(u.arcsec) - world_cube[2] * 3600) < 0.3  # one WCS for all steps: pointing jitter only
    assert abs(c.Ty.to_value(u.arcsec) - world_cube[1] * 3600) < 0.3
    with pytest.raises(ValueError, match="outside"):
        cube.spectroheliogram(1400 * u.AA)
    sji = obs_raster["SJI_1400"]
    frame_map = sji.frame(7).to_map()
    ref = sji.wcs.low_level_wcs.pixel_to_world_values(20, 30, 7)
    c = frame_map.pixel_to_world(20 * u.pix, 30 * u.pix)
    assert abs(c.Tx.to_value(u.arcsec) - ref[0] * 3600) < 0.01
    assert abs(c.Ty.to_value(u.arcsec) - ref[1] * 3600) < 0.01
    assert abs((frame_map.date - extra_coord(sji, "time")[7]).to_value(u.s)) < 1e-3


def test_common_wavelength_grid(obs_synthetic, tmp_path):
    cube = obs_synthetic["Mg II k 2796"][0]
    grid = np.linspace(2794.0, 2806.0, 97) * u.AA
    out = tmp_path / "mg.f32"
    res = cube.resample_wavelength(grid, out=out, quiet=True)
    assert out.exists() and res.data.shape == (8, 64, 97)
    src = cube.axis_world_coords("em.wl")[0].to_value(u.AA)
    data = np.where(np.asarray(cube.mask), np.nan, np.asarray(cube.data))
    for s, y in ((0, 10), (3, 40), (7, 60)):
        np.testing.assert_allclose(np.asarray(res.data[s, y]), np.interp(grid.value, src, data[s, y]), rtol=1e-5)
    np.testing.assert_allclose(res.axis_world_coords("em.wl")[0].to_value(u.AA), grid.value)
    seq = irisplug.model.resample.resample_wavelength(obs_synthetic["Mg II k 2796"], grid, out=tmp_path / "seq", quiet=True)
    assert len(seq.data) == 3


def test_nearest_sji_frame_to_raster_step(obs_raster, needs_raster_sji):
    cube = obs_raster["Si IV 1403"][5]
    t = extra_coord(cube, "time")[4]
    sji = obs_raster["SJI_1400"]
    k = sji.nearest_exposure(t)
    assert k == int(np.argmin(np.abs((extra_coord(sji, "time") - t).to_value(u.s))))
    frame = sji.nearest_frame(t)
    np.testing.assert_array_equal(np.asarray(frame.data), np.asarray(sji.data[k]))


def test_generated_sit_and_stare(tmp_path):
    from irisplug_iris.generator import generate

    generate(tmp_path, n_rasters=1, n_steps=12, n_y=16, step_size=0, sji=("SJI_1400",), quiet=True)
    obs = irisplug.read(tmp_path)
    cube = obs["Si IV 1403"][0]
    w = cube.wcs.low_level_wcs
    assert w.is_sit_and_stare and cube.meta["NRASTERP"] == 1
    assert set(extra_coord(cube, "raster_position").tolist()) == {0}
    back = w.world_to_pixel_values(*w.pixel_to_world_values(4.0, 6.0, 7.25))
    np.testing.assert_allclose(np.array(back, float), [4, 6, 7.25], atol=1e-6)


def test_eager_int16_equals_astropy(synthetic_dir):
    path = sorted(synthetic_dir.glob("*raster*.fits"))[2]
    obs = irisplug.read(path, lazy=False, windows=["Mg II k 2796"])
    assert list(obs) == ["Mg II k 2796"]
    cube = obs["Mg II k 2796"][0]
    assert isinstance(cube.data, np.ndarray)
    with fits.open(path) as hdul:
        ref = hdul[3].data
    np.testing.assert_array_equal(cube.data.view(np.uint32), ref.view(np.uint32))
    saturated = ref == np.float32(32767) * np.float32(0.25) + np.float32(7992)
    assert saturated.any() and (ref == -200).any()
    np.testing.assert_array_equal(cube.mask, (ref == -200) | saturated)


def test_wcsaxes_plotting(obs_sns, tmp_path):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    sji = obs_sns["SJI_1400"]
    fig = plt.figure()
    ax = fig.add_subplot(1, 2, 1, projection=sji.wcs, slices=("x", "y", 3))
    ax.imshow(np.asarray(sji.data[3]), origin="lower")
    cube = obs_sns["Si IV 1403"][0]
    ax2 = fig.add_subplot(1, 2, 2, projection=cube.wcs, slices=("x", 10, "y"))
    ax2.imshow(np.asarray(cube.data[:, 10, :]).T, origin="lower", aspect="auto")
    fig.savefig(tmp_path / "wcsaxes.png")
    plt.close(fig)
    assert (tmp_path / "wcsaxes.png").stat().st_size > 1000


def test_observation_sji_frame_at(obs_raster, needs_raster_sji):
    frame = obs_raster.sji_frame_at("Si IV 1403", raster=5, step=4, sji="SJI_1400")
    t = extra_coord(obs_raster["Si IV 1403"][5], "time")[4]
    times = extra_coord(obs_raster["SJI_1400"], "time")
    k = int(np.argmin(np.abs((times - t).to_value(u.s))))
    assert abs((extra_coord(frame, "time") - times[k]).to_value(u.s)) < 1e-6
    assert frame.data.shape == obs_raster["SJI_1400"].data.shape[1:]


def test_generated_observation_times(synthetic_dir):
    """Generated headers: DATE_OBS/DATE_END bracket each file's exposures (from its aux table), ENDOBS the whole run."""
    starts, ends = [], []
    for path in sorted(synthetic_dir.glob("*.fits")):
        with fits.open(path) as hdul:
            h = hdul[0].header
            aux, ah = hdul[-2].data, hdul[-2].header
            exp = aux[:, ah["EXPTIMES"]] if "EXPTIMES" in ah else np.maximum(aux[:, ah["EXPTIMEF"]], aux[:, ah["EXPTIMEN"]])
            t0 = Time(h["STARTOBS"])
            first = t0 + aux[:, ah["TIME"]].min() * u.s
            last = t0 + (aux[:, ah["TIME"]] + exp).max() * u.s
            assert abs((Time(h["DATE_OBS"]) - first).to_value(u.s)) < 1e-3
            assert abs((Time(h["DATE_END"]) - last).to_value(u.s)) < 1e-3
            starts.append(Time(h["STARTOBS"]))
            ends.append(Time(h["ENDOBS"]))
    assert all(e == ends[0] for e in ends) and all(s == starts[0] for s in starts)
    assert ends[0] >= max(Time(fits.getheader(p)["DATE_END"]) for p in synthetic_dir.glob("*.fits"))
