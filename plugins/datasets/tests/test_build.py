"""The dataset builder against an independent astropy + numpy.interp computation; cluster, resume, bad input."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

from irisplug_datasets.synthetic import make_observations

GRID = (2794.013, 2805.987, 160)

zarr = pytest.importorskip("zarr")


def _reference(directory: Path, grid: np.ndarray) -> dict[str, np.ndarray]:
    """Spectra / exposure time / time of every complete spectrum, straight from the FITS files (astropy)."""
    from astropy.io import fits
    from astropy.time import Time

    spectra, exptimes, times = [], [], []
    for f in sorted(directory.glob("*raster*.fits")):
        with fits.open(f) as h, fits.open(f, do_not_scale_image_data=True) as raw:
            hdr0 = h[0].header
            k = next(i for i in range(1, hdr0["NWIN"] + 1) if hdr0[f"TDESC{i}"].startswith("Mg II k"))
            data = h[k].data.astype(np.float64)
            bad = (data == -200.0) | (raw[k].data == 32767)
            hd = h[k].header
            wl = hd["CRVAL1"] + hd["CDELT1"] * (np.arange(hd["NAXIS1"]) + 1 - hd["CRPIX1"])
            aux, col = h[-2].data, h[-2].header  # the aux table: an image, header keyword = column index
            exp = np.asarray(aux[:, col["EXPTIMEN"]], dtype=np.float64)
            t0 = Time(hdr0["STARTOBS"])
            for e in range(data.shape[0]):
                for s in range(data.shape[1]):
                    if not exp[e] > 0:
                        continue
                    y = np.where(bad[e, s], np.nan, data[e, s] / exp[e])
                    ref = np.interp(grid, wl, y, left=np.nan, right=np.nan)
                    if np.isfinite(ref).all():
                        spectra.append(ref)
                        exptimes.append(exp[e])
                        mid = t0 + (aux[e, col["TIME"]] + exp[e] / 2) / 86400.0
                        times.append(mid.utc.datetime64.astype("datetime64[ns]").astype(np.int64))
    return {"spectra": np.array(spectra), "exposure_time": np.array(exptimes), "time": np.array(times)}


def _arrays(store: Path) -> dict[str, np.ndarray]:
    root = zarr.open_group(str(store), mode="r")
    return {k: root[k][...] for k in root.array_keys()}


def test_equals_independent_computation(observations, reference_store):
    root = zarr.open_group(str(reference_store), mode="r")
    assert root.attrs["complete"]
    grid = np.linspace(*GRID)
    np.testing.assert_allclose(root["wavelength"][:], grid)
    report = root.attrs["report"]
    assert len(report) == len(observations) >= 20
    assert all(e["status"] == "ok" for e in report)
    exptimes = set()
    for i, d in enumerate(observations):
        from astropy.io import fits

        # the observation each part came from, as its files say (the reader's observation_id, not a guess)
        assert report[i]["observation_id"] == str(fits.getheader(sorted(d.glob("*raster*.fits"))[0])["OBSID"])
        ref = _reference(d, grid)
        off, n = report[i]["offset"], report[i]["count"]
        assert n == len(ref["spectra"]) > 0, d
        got = root["spectra"][off:off + n]
        # float32 store, float32 interpolation: float32 rounding of the values
        np.testing.assert_allclose(got, ref["spectra"], rtol=2e-6, atol=1e-6 * np.abs(ref["spectra"]).max())
        np.testing.assert_allclose(root["exposure_time"][off:off + n], ref["exposure_time"], rtol=1e-7)
        assert np.abs(root["time"][off:off + n] - ref["time"]).max() < 2_000_000  # 2 ms
        assert (root["observation"][off:off + n] == i).all()
        exptimes.update(np.unique(ref["exposure_time"]).tolist())
    assert len(exptimes) >= 3  # really different exposure times
    # null frames (zero exposure time, all-missing exposure) were dropped and counted
    assert sum(e["dropped_null"] for e in report) > 0
    # different pointings: the observations' mean longitudes spread over hundreds of arcsec
    means = [root["hpc_x"][e["offset"]:e["offset"] + e["count"]].mean() for e in report]
    assert np.ptp(means) > 300


def test_box_time_and_positions(observations, reference_store, tmp_path):
    from irisplug_datasets import build_dataset

    ref = _arrays(reference_store)
    x0, x1 = np.percentile(ref["hpc_x"], [20, 70])
    y0, y1 = np.percentile(ref["hpc_y"], [10, 90])
    out = tmp_path / "box.zarr"
    rep = build_dataset(observations[:6], out, line="Mg II k", grid=GRID, box=(x0, x1, y0, y1), raster_positions=[0, 2],
                        quiet=True)
    got = _arrays(out)
    assert rep.n_spectra == got["spectra"].shape[0] > 0
    assert ((got["hpc_x"] >= x0) & (got["hpc_x"] <= x1) & (got["hpc_y"] >= y0) & (got["hpc_y"] <= y1)).all()
    assert set(np.unique(got["raster_position"])) <= {0, 2}
    # the same rows are in the unfiltered store, with the same values
    sel = ref["observation"] < 6
    keep = (sel & (ref["hpc_x"] >= x0) & (ref["hpc_x"] <= x1) & (ref["hpc_y"] >= y0) & (ref["hpc_y"] <= y1)
            & np.isin(ref["raster_position"], [0, 2]))
    np.testing.assert_array_equal(got["spectra"], ref["spectra"][keep])


def test_cluster_build_is_identical(observations, reference_store, tmp_path):
    distributed = pytest.importorskip("distributed")
    from irisplug_datasets import build_dataset

    out = tmp_path / "cluster.zarr"
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster, \
            distributed.Client(cluster) as client:
        build_dataset(observations, out, line="Mg II k", grid=GRID, chunk_rows=256, client=client, quiet=True)
    a, b = _arrays(reference_store), _arrays(out)
    assert a.keys() == b.keys()
    for k in a:
        assert a[k].dtype == b[k].dtype and a[k].tobytes() == b[k].tobytes(), k
    assert dict(zarr.open_group(str(out)).attrs) == dict(zarr.open_group(str(reference_store)).attrs)


def test_kill_9_then_resume_is_identical(observations, reference_store, tmp_path):
    out = tmp_path / "killed.zarr"
    code = ("import sys; from irisplug_datasets import build_dataset; "
            f"build_dataset(sys.argv[1:], {str(out)!r}, line='Mg II k', grid={GRID!r}, chunk_rows=256, quiet=True)")
    proc = subprocess.Popen([sys.executable, "-c", code, *map(str, observations)], env={**os.environ, "IRISPLUG_QUIET": "1"})
    parts = out / "parts"
    deadline = time.monotonic() + 300
    try:
        while time.monotonic() < deadline:
            if parts.is_dir() and len(list(parts.iterdir())) >= 4:
                break
            if proc.poll() is not None:
                pytest.fail("the build finished before it could be killed")
            time.sleep(0.02)
        else:
            pytest.fail("the build made no progress")
        proc.send_signal(signal.SIGKILL)
        proc.wait(30)
    finally:
        if proc.poll() is None:
            proc.kill()
    done_before = len(list(parts.iterdir()))
    assert 4 <= done_before < len(observations)
    assert not zarr.open_group(str(out), mode="r").attrs["complete"]
    # a half-written part (as a kill during a write leaves) must be discarded
    junk = out / ".incomplete" / "000003-deadbeef"
    junk.mkdir(parents=True, exist_ok=True)
    (junk / "zarr.json").write_text("{")
    from irisplug_datasets import build_dataset

    rep = build_dataset(observations, out, line="Mg II k", grid=GRID, chunk_rows=256, quiet=True)
    assert rep.resumed == done_before and rep.discarded_incomplete >= 1
    assert not (out / ".incomplete").exists() and not (out / "parts").exists()
    a, b = _arrays(reference_store), _arrays(out)
    for k in a:
        assert a[k].tobytes() == b[k].tobytes(), k
    assert dict(zarr.open_group(str(out)).attrs) == dict(zarr.open_group(str(reference_store)).attrs)
    # a second run has nothing to do
    again = build_dataset(observations, out, line="Mg II k", grid=GRID, chunk_rows=256, quiet=True)
    assert again.resumed == len(observations) and again.n_spectra == rep.n_spectra


def test_bad_input_is_reported_not_fatal(observations, tmp_path):
    from irisplug_datasets import build_dataset, read_report

    not_iris = tmp_path / "notes"
    not_iris.mkdir()
    (not_iris / "readme.fits").write_bytes(b"not a fits file at all" * 200)
    fuv_only = make_observations(tmp_path / "fuv", 1)[0]
    for f in fuv_only.glob("*.fits"):
        f.unlink()
    from irisplug_iris.generator import generate

    generate(fuv_only, n_rasters=1, n_steps=2, n_y=8, windows=("Si IV 1403",), sji=(), quiet=True)
    sources = [observations[0], tmp_path / "missing", not_iris, fuv_only, observations[1]]
    out = tmp_path / "bad.zarr"
    rep = build_dataset(sources, out, line="Mg II k", grid=GRID, quiet=True)
    entries = read_report(out)
    assert [e["status"] for e in entries] == ["ok", "failed", "failed", "failed", "ok"]
    assert "missing" in entries[1]["reason"]
    assert entries[2]["reason"].startswith("cannot read")
    assert "no spectrograph window matching line 'Mg II k'" in entries[3]["reason"]
    assert rep.n_spectra == entries[0]["count"] + entries[4]["count"] > 0
    assert [e["index"] for e in rep.failed] == [1, 2, 3]
    # a grid partly outside the window: reported per observation, the spectra are incomplete there
    out2 = tmp_path / "wide.zarr"
    build_dataset(observations[:2], out2, line="Mg II k", grid=(2800.0, 2810.0, 101), max_missing_fraction=0.5,
                  quiet=True)
    for e in read_report(out2):
        assert e["grid_outside_points"] == np.count_nonzero(np.linspace(2800, 2810, 101) > e["window_range"][1]) > 0
        assert "outside window" in e["reason"]
    out3 = tmp_path / "outside.zarr"
    build_dataset(observations[:1], out3, line="Mg II k", grid=(1390.0, 1400.0, 11), quiet=True)
    (e,) = read_report(out3)
    assert e["status"] == "failed" and "lies outside window" in e["reason"]


def test_other_selection_refused_without_overwrite(observations, tmp_path):
    import irisplug
    from irisplug_datasets import build_dataset

    out = tmp_path / "s.zarr"
    build_dataset(observations[:1], out, line="Mg II k", grid=GRID, quiet=True)
    with pytest.raises(irisplug.InconsistentInputError, match="another selection"):
        build_dataset(observations[:1], out, line="Mg II k", grid=(2795.0, 2800.0, 50), quiet=True)
    rep = build_dataset(observations[:1], out, line="Mg II k", grid=(2795.0, 2800.0, 50), overwrite=True, quiet=True)
    assert zarr.open_group(str(out))["spectra"].shape == (rep.n_spectra, 50)


def test_loader_batches_cover_store_once_memory_bounded(reference_store):
    from irisplug_datasets import iter_batches

    root = zarr.open_group(str(reference_store), mode="r")
    n = root["spectra"].shape[0]
    seen = []
    largest = 0
    for batch in iter_batches(reference_store, 100, seed=3, buffer_chunks=2):
        assert batch["spectra"].dtype == np.float32 and batch["spectra"].shape[1] == GRID[2]
        np.testing.assert_array_equal(batch["spectra"], root["spectra"].get_orthogonal_selection((np.sort(batch["index"]),))[
            np.argsort(np.argsort(batch["index"]))])
        np.testing.assert_array_equal(batch["hpc_x"], root["hpc_x"][...][batch["index"]])
        largest = max(largest, len(batch["index"]))
        seen.append(batch["index"])
    allidx = np.concatenate(seen)
    assert sorted(allidx.tolist()) == list(range(n))
    assert not np.array_equal(allidx, np.arange(n))  # shuffled
    assert largest <= 100
    again = np.concatenate([b["index"] for b in iter_batches(reference_store, 100, seed=3, buffer_chunks=2)])
    np.testing.assert_array_equal(allidx, again)  # reproducible


def test_open_dataset_and_cli(observations, tmp_path):
    from irisplug.cli.main import main
    from irisplug_datasets import open_dataset

    out = tmp_path / "cli.zarr"
    rc = main(["extract", str(observations[0]), str(observations[2]), "--out", str(out), "--line", "Mg II k",
               "--grid", "2794.013:2805.987:160", "--quiet"])
    assert rc == 0
    ds = open_dataset(out)
    assert ds.spectra.dims == ("spectrum", "wavelength") and ds.sizes["observation"] == 2
    assert int(ds.obs_count.sum()) == ds.sizes["spectrum"]


def test_cli_workers_build_is_identical(observations, reference_store, tmp_path, monkeypatch):
    """``irisplug extract --workers 2`` (a local cluster of worker processes, irisplug.local_cluster) writes the
    in-process store, byte for byte."""
    distributed = pytest.importorskip("distributed")
    from irisplug.cli.main import main

    made = []

    class Recorded(distributed.LocalCluster):  # the real cluster, its shape noted
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            made.append((sorted(type(w).__name__ for w in self.workers.values()),
                         self.scheduler.periodic_callbacks["tick"].callback_time))

    monkeypatch.setattr(distributed, "LocalCluster", Recorded)

    out = tmp_path / "workers.zarr"
    rc = main(["extract", *map(str, observations), "--out", str(out), "--line", "Mg II k",
               "--grid", f"{GRID[0]}:{GRID[1]}:{GRID[2]}", "--chunk-rows", "256", "--workers", "2", "--quiet"])
    assert rc == 0
    assert made == [(["Nanny", "Nanny"], 500)]  # two worker processes, distributed's tick at 500 ms, not 20
    a, b = _arrays(reference_store), _arrays(out)
    assert a.keys() == b.keys()
    for k in a:
        assert a[k].dtype == b[k].dtype and a[k].tobytes() == b[k].tobytes(), k


def test_plain_xarray_opens_the_store(observations, reference_store):
    """Without irisplug: ``xarray.open_zarr`` reads the store (consolidated metadata, no warning) and decodes
    ``time`` into datetime64[ns], the exposure midpoints astropy computes from the FITS files; ``open_dataset``
    gives the same. (The time units were ``ns since ...``, which xarray cannot decode: open_zarr raised.)"""
    import warnings

    import xarray as xr

    from irisplug_datasets import open_dataset

    with warnings.catch_warnings():
        warnings.simplefilter("error")  # the "Failed to open Zarr store with consolidated metadata" warning too
        ds = xr.open_zarr(str(reference_store))
    assert ds["time"].dtype == np.dtype("datetime64[ns]")
    report = zarr.open_group(str(reference_store), mode="r").attrs["report"]
    ref = _reference(observations[1], np.linspace(*GRID))
    off, n = report[1]["offset"], report[1]["count"]
    got = ds["time"].values[off:off + n].astype(np.int64)
    assert np.abs(got - ref["time"]).max() < 2_000_000  # 2 ms, as the int64 column
    np.testing.assert_array_equal(open_dataset(reference_store)["time"].values, ds["time"].values)


def test_open_dataset_reads_the_older_time_units(reference_store, tmp_path):
    """Stores written before the CF units (``ns since 1970-01-01T00:00:00 UTC``) still open with datetimes."""
    import shutil

    from irisplug_datasets import open_dataset
    from irisplug_datasets.store import LEGACY_TIME_UNITS

    old = tmp_path / "old.zarr"
    shutil.copytree(reference_store, old)
    root = zarr.open_group(str(old), mode="a")
    root["time"].attrs.update({"units": LEGACY_TIME_UNITS})
    raw = root["time"][...]
    ds = open_dataset(old)
    np.testing.assert_array_equal(ds["time"].values.astype(np.int64), raw)
