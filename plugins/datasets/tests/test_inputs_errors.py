"""Bad and repeated input: Fido results (failed downloads, slit-jaw files, overlapping searches), repeated sources,
time ranges in other scales, the command line's checks, full disks and paths that are not stores."""

from __future__ import annotations

import datetime as dt
import os
import resource
import subprocess
import sys
import tarfile
import textwrap
import warnings
from pathlib import Path

import numpy as np
import pytest

zarr = pytest.importorskip("zarr")

GRID = (2794.013, 2805.987, 160)
GRID_TEXT = f"{GRID[0]}:{GRID[1]}:{GRID[2]}"


# ---------------------------------------------------------------- Fido search results


@pytest.fixture(scope="module")
def archive(tmp_path_factory):
    """Two observations in the archive's layout (raster tarball + one slit-jaw file each)."""
    pytest.importorskip("sunpy.net")
    pytest.importorskip("parfive")
    from irisplug_iris.net.local_archive import build_observation

    root = tmp_path_factory.mktemp("archive")
    events = [build_observation(root, obsid=f"39999999{i:02d}", startobs=f"2014-03-2{i}T10:00:00.000", n_steps=2,
                                n_y=8, windows=("Mg II k 2796",), sji=("SJI_1400",), quiet=True) for i in (1, 2)]
    return root, events


def test_fido_result_grouped_by_observation_failed_download_named(archive, tmp_path, monkeypatch, capfd):
    """Each observation's raster and slit-jaw files are one observation; a raster that 404s fails its observation
    with the URL; slit-jaw files are never failed observations of their own; no progress bar when quiet."""
    from sunpy.net import Fido
    from sunpy.net import attrs as a

    import irisplug_iris.net  # noqa: F401 - registers the client
    from irisplug_datasets import build_dataset
    from irisplug_iris.net.local_archive import LocalArchive

    monkeypatch.setenv("IRISPLUG_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("CI", raising=False)
    monkeypatch.delenv("IRISPLUG_QUIET", raising=False)
    root, events = archive
    with LocalArchive(root, events) as arc, arc.environment():
        res = Fido.search(a.Time("2014-03-01", "2014-04-01"), a.iris.OBSID(3999999901) | a.iris.OBSID(3999999902))
        urls = [u for block in res for row in block for u in row["URLs"]]
        bad = next(u for u in urls if "3999999902_raster" in u)
        arc.routes[bad.split(arc.base_url, 1)[1]] = (404, "text/html", b"<html>Not Found</html>", None)
        capfd.readouterr()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            rep = build_dataset(res, tmp_path / "fido.zarr", line="Mg II k", grid=GRID, quiet=True)
        err = capfd.readouterr().err
    assert "%|" not in err  # parfive's bars are off under quiet=True
    assert [e["status"] for e in rep.entries] == ["ok", "failed"]
    assert [e["observation_id"] for e in rep.entries] == ["3999999901", "3999999902"]
    ok, failed = rep.entries
    assert any("raster" in f for f in ok["source"].split(" + ")) and "SJI_1400" in ok["source"]
    assert ok["count"] > 0 and not ok["failed_downloads"]
    assert failed["failed_downloads"] == [bad]
    assert bad in failed["reason"] and "HTTP 404" in failed["reason"]
    assert "only slit-jaw windows ['SJI_1400']" in failed["reason"]


def test_overlapping_searches_fetch_and_extract_once(archive, tmp_path, monkeypatch):
    from sunpy.net import Fido
    from sunpy.net import attrs as a

    import irisplug_iris.net  # noqa: F401
    from irisplug_datasets import build_dataset
    from irisplug_iris.net.local_archive import LocalArchive

    monkeypatch.setenv("IRISPLUG_CACHE_DIR", str(tmp_path / "cache"))
    root, events = archive
    x, y = float(events[0]["xCen"]), float(events[0]["yCen"])
    with LocalArchive(root, events[:1]) as arc, arc.environment():
        res = Fido.search(a.Time("2014-03-01", "2014-04-01"), a.iris.Pointing(x - 100, x + 10, y - 100, y + 100)
                          | a.iris.Pointing(x - 10, x + 100, y - 100, y + 100))
        # the same observation found by both searches (each block one row; sunpy may hold the client more than
        # once in its registry when another test registered it again: then more blocks, the same row)
        assert len(res) >= 2 and all(len(block) == 1 for block in res)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            rep = build_dataset(res, tmp_path / "o.zarr", window="Mg II k 2796", grid=GRID, quiet=True)
    assert [e["status"] for e in rep.entries] == ["ok"]
    spectra = zarr.open_group(str(tmp_path / "o.zarr"), mode="r")["spectra"][:]
    assert spectra.shape[0] == rep.n_spectra == np.unique(spectra, axis=0).shape[0] > 0
    assert any("more than one search" in n for n in rep.notes)


# ---------------------------------------------------------------- repeated sources


def test_repeated_sources_are_extracted_once_and_reported(observations, tmp_path):
    from irisplug_datasets import build_dataset, read_report

    obs = observations[0]
    archive = tmp_path / "obs0.tar.gz"
    with tarfile.open(archive, "w:gz") as tar:
        for f in sorted(obs.iterdir()):
            tar.add(f, arcname=f.name)
    copy = tmp_path / "copy.tar.gz"
    copy.write_bytes(archive.read_bytes())
    sources = [obs, f"{obs}/", observations[1], archive, copy]
    rep = build_dataset(sources, tmp_path / "d.zarr", line="Mg II k", grid=GRID, quiet=True)
    single = build_dataset([obs, observations[1]], tmp_path / "s.zarr", line="Mg II k", grid=GRID, quiet=True)
    entries = read_report(tmp_path / "d.zarr")
    assert [e["status"] for e in entries] == ["ok", "duplicate", "ok", "duplicate", "duplicate"]
    assert "the same directory as [0]" in entries[1]["reason"]
    assert "the same observation" in entries[3]["reason"] and "[0]" in entries[3]["reason"]  # the tarball of obs
    assert "the same file content as [3]" in entries[4]["reason"]
    assert rep.n_spectra == single.n_spectra
    a, b = zarr.open_group(str(tmp_path / "d.zarr")), zarr.open_group(str(tmp_path / "s.zarr"))
    np.testing.assert_array_equal(a["spectra"][:], b["spectra"][:])
    assert len(rep.notes) == 3 and not rep.failed
    assert "3 repeated" in str(rep)


# ---------------------------------------------------------------- time ranges


def _midpoints(directory: Path):
    """Exposure midpoints of the raster file, from the FITS file with astropy (UTC)."""
    import astropy.units as u
    from astropy.io import fits
    from astropy.time import Time

    f = sorted(directory.glob("*raster*.fits"))[0]
    with fits.open(f) as h:
        aux, col = h[-2].data, h[-2].header
        t0 = Time(h[0].header["STARTOBS"], scale="utc")
        return t0 + (aux[:, col["TIME"]] + aux[:, col["EXPTIMEN"]] / 2) * u.s


def test_time_range_in_tai_and_aware_datetimes_select_the_right_exposure(observations, tmp_path):
    import astropy.units as u

    import irisplug
    from irisplug_datasets import build_dataset

    src = observations[1]
    mids = _midpoints(src)
    target = mids[1]
    expected = target.utc.datetime64.astype("datetime64[ns]").astype(np.int64)
    lo, hi = (target - 3 * u.s).tai, (target + 3 * u.s).tai  # the same instants in TAI (35 s from UTC in 2014)
    build_dataset([src], tmp_path / "tai.zarr", line="Mg II k", grid=GRID, time_range=(lo, hi), quiet=True)
    got = np.unique(zarr.open_group(str(tmp_path / "tai.zarr"), mode="r")["time"][:])
    assert got.size == 1 and abs(int(got[0]) - int(expected)) < 2_000_000
    tz = dt.timezone(dt.timedelta(hours=2))
    aware = ((target - 3 * u.s).to_datetime(timezone=tz), (target + 3 * u.s).to_datetime(timezone=tz))
    build_dataset([src], tmp_path / "tz.zarr", line="Mg II k", grid=GRID, time_range=aware, quiet=True)
    got = np.unique(zarr.open_group(str(tmp_path / "tz.zarr"), mode="r")["time"][:])
    assert got.size == 1 and abs(int(got[0]) - int(expected)) < 2_000_000
    with pytest.raises(irisplug.InconsistentInputError, match="starts after it ends"):
        build_dataset([src], tmp_path / "r.zarr", line="Mg II k", grid=GRID, time_range=(hi, lo), quiet=True)
    with pytest.raises(irisplug.InconsistentInputError, match="'yesterday' is not a time"):
        build_dataset([src], tmp_path / "y.zarr", line="Mg II k", grid=GRID, time_range=("yesterday", hi), quiet=True)
    assert not (tmp_path / "r.zarr").exists() and not (tmp_path / "y.zarr").exists()


# ---------------------------------------------------------------- the command line


@pytest.mark.parametrize("extra, option, words", [
    (["--grid", "foo"], "--grid", "START:STOP:N"),
    (["--grid", "2806:2794:10"], "--grid", "stop > start"),
    (["--grid", "2794:2806:1e3"], "--grid", "integer number of points"),
    (["--grid", "2794:2806:10", "--box", "5", "1", "2", "3"], "--box", "XMIN < XMAX"),
    (["--grid", "2794:2806:10", "--time", "yesterday", "now"], "--time", "'yesterday' is not a time"),
    (["--grid", "2794:2806:10", "--time", "2015-01-01", "2014-01-01"], "--time", "is after END"),
    (["--grid", "2794:2806:10", "--scheduler", "not-an-address"], "--scheduler", "not a scheduler address"),
])
def test_cli_refuses_bad_values_while_parsing(observations, tmp_path, capsys, extra, option, words):
    from irisplug.cli.main import main

    with pytest.raises(SystemExit) as exc:
        main(["extract", str(observations[0]), "--out", str(tmp_path / "c.zarr"), "--line", "Mg II k", *extra])
    assert exc.value.code == 2
    err = capsys.readouterr().err
    assert f"argument {option}: " in err and words in err, err
    assert "internal error" not in err
    assert not (tmp_path / "c.zarr").exists()


def test_cli_time_range_outside_the_observation_says_why(observations, tmp_path, capsys):
    from irisplug.cli.main import main

    rc = main(["extract", str(observations[0]), "--out", str(tmp_path / "t.zarr"), "--line", "Mg II k",
               "--grid", GRID_TEXT, "--time", "2015-01-01", "2015-01-02", "--quiet"])
    out, err = capsys.readouterr()
    assert rc == 1 and "0 spectra" in out
    assert "irisplug extract: error: no spectrum was kept" in err
    assert "outside --time" in err


# ---------------------------------------------------------------- full disks


def _limited(limit: int):
    def set_limit() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    return set_limit


def _run_limited(code: str, limit: int) -> subprocess.CompletedProcess:
    env = {**os.environ, "CI": "true", "PYTHONDONTWRITEBYTECODE": "1"}
    return subprocess.run([sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True, env=env,
                          preexec_fn=_limited(limit), timeout=300)


def test_resample_wavelength_write_error_names_the_file(observations, tmp_path):
    """A file-size limit below the result's size: WriteError naming the file, no partial file left."""
    out = tmp_path / "res.f32"
    code = f"""
        import numpy as np, astropy.units as u, irisplug
        from irisplug.model.resample import resample_wavelength
        cube = irisplug.read({str(observations[0])!r})["Mg II k 2796"].data[0]
        try:
            resample_wavelength(cube, np.linspace(2794, 2806, 20000) * u.AA, out={str(out)!r}, quiet=True)
        except irisplug.WriteError as err:
            print("WriteError", err)
        """
    proc = _run_limited(code, 256 << 10)
    assert proc.returncode == 0, proc.stderr
    assert f"WriteError {out}: cannot write the resampled spectra (File too large)" in proc.stdout, proc.stdout
    assert not out.exists()


def test_extract_on_a_full_disk_names_the_file(observations, tmp_path):
    """``irisplug extract`` under a file-size limit: an error naming the file, nothing unfinished left behind."""
    store = tmp_path / "full.zarr"
    code = f"""
        import sys
        from irisplug.cli.main import main
        sys.exit(main(["extract", {str(observations[0])!r}, "--out", {str(store)!r}, "--line", "Mg II k",
                       "--grid", "2794:2806:20000", "--keep-null", "--max-missing", "1"]))
        """
    proc = _run_limited(code, 256 << 10)
    assert proc.returncode == 2, proc.stderr
    line = proc.stderr.strip().splitlines()[-1]
    assert line.startswith(f"irisplug: error: {store}/.incomplete/") and "(File too large)" in line, line
    assert not any((store / ".incomplete").rglob("*.*")) if (store / ".incomplete").exists() else True


# ---------------------------------------------------------------- paths that are not stores


def test_readers_refuse_paths_that_are_not_stores(reference_store, tmp_path):
    import irisplug
    from irisplug_datasets import iter_batches, open_dataset, read_report

    plain = tmp_path / "plain"
    plain.mkdir()
    a_file = tmp_path / "f.zarr"
    a_file.write_text("x")
    other = tmp_path / "other.zarr"
    zarr.open_group(str(other), mode="w").attrs["x"] = 1
    cases = [(tmp_path / "missing.zarr", irisplug.SourceNotFoundError, "no such dataset store"),
             (plain, irisplug.UnknownFormatError, "is not a dataset store"),
             (a_file, irisplug.UnknownFormatError, "is a file, not a dataset store"),
             (other, irisplug.UnknownFormatError, "not a dataset store")]
    for path, error, words in cases:
        for reader in (open_dataset, read_report, lambda p: next(iter_batches(p, 4))):
            with pytest.raises(error, match=words) as exc:
                reader(path)
            assert exc.value.path == str(path)
            assert "build_dataset" in str(exc.value)
    assert read_report(reference_store)[0]["status"] == "ok"  # a real store still opens
