"""The IRIS Fido client against a local archive on 127.0.0.1 (started here; no network).

The archive serves observations made by the project's generator, laid out as
LMSAL serves them (raster tarball, gzipped slit-jaw files, directory index
pages), and an HCR endpoint answering in the real ``search-events3`` JSON
shape. Expected values come from the uncompressed generated files.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import astropy.units as u
import numpy as np
import pytest

pytest.importorskip("parfive")
pytest.importorskip("sunpy.net")

from sunpy.net import Fido
from sunpy.net import attrs as a

import irisplug
import irisplug_iris.net  # noqa: F401  (registers the client)
from irisplug_iris.generator import generate
from irisplug_iris.net.client import IRISClient
from irisplug_iris.net.local_archive import LocalArchive, build_observation

OBS_A = {"obsid": "3999999901", "startobs": "2014-03-29T14:09:38.830", "seed": 0}
OBS_B = {"obsid": "3888888802", "startobs": "2014-03-30T10:00:00.000", "seed": 1, "sji": ["SJI_1330"]}


@pytest.fixture(scope="module")
def archive(tmp_path_factory):
    root = tmp_path_factory.mktemp("archive")
    a_event = build_observation(root, quiet=True, **OBS_A)
    b_event = build_observation(root, quiet=True, goal="AR 12345 flare watch", **OBS_B)
    b_event["xCen"], b_event["yCen"] = "-650.0", "-120.0"  # elsewhere on the disk, to tell them apart by pointing
    empty_event = dict(a_event, eventId=a_event["eventId"].replace("20140329_140938", "20140331_080000"),
                       startTime="2014-03-31 08:00:00", stopTime="2014-03-31 09:00:00", iris_obsid="3777777703",
                       goal="planned but never processed")
    with LocalArchive(root, [a_event, b_event, empty_event]) as served:
        yield served


@pytest.fixture(autouse=True)
def _env(archive, tmp_path, monkeypatch):
    monkeypatch.setenv("IRISPLUG_IRIS_HCR_URL", archive.hcr_url)
    monkeypatch.setenv("IRISPLUG_IRIS_DATA_URL", archive.data_url)
    monkeypatch.setenv("IRISPLUG_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("IRISPLUG_QUIET", "1")
    # only this client answers (VSO also claims a.Instrument("IRIS") and would go to the network)
    monkeypatch.setattr(Fido, "registry", {IRISClient: IRISClient._can_handle_query})
    archive.routes.clear()
    yield
    import gc

    gc.collect()  # parfive leaves its event loops open; close them here, in the main thread


@pytest.fixture(scope="module")
def originals(tmp_path_factory):
    """The same observations, uncompressed, straight from the generator (deterministic per seed)."""
    out = {}
    for spec in (OBS_A, OBS_B):
        d = tmp_path_factory.mktemp(f"orig{spec['obsid']}")
        generate(d, quiet=True, **spec)
        out[spec["obsid"]] = d
    return out


def _obsids(result) -> list[int]:
    return sorted(int(x) for table in result for x in table["OBSID"])


ALL_TIME = a.Time("2014-03-01", "2014-04-30")


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ((a.Time("2014-03-29 14:00", "2014-03-29 15:00"), a.Instrument("IRIS")), [3999999901]),
        ((ALL_TIME, a.Instrument("IRIS"), a.Level(2)), [3777777703, 3888888802, 3999999901]),
        ((ALL_TIME, a.iris.OBSID(3888888802)), [3888888802]),
        ((a.iris.OBSID("3999999901"),), [3999999901]),
        ((ALL_TIME, a.iris.Description("flare")), [3888888802]),
        ((ALL_TIME, a.iris.Pointing(400 * u.arcsec, 600 * u.arcsec, 200, 400)), [3777777703, 3999999901]),
        ((ALL_TIME, a.iris.Pointing(-700, -600, -200, 0)), [3888888802]),
        ((ALL_TIME, a.iris.Product("SJI_1330")), [3888888802]),
        ((ALL_TIME, a.iris.Product(1400)), [3999999901]),
        ((ALL_TIME, a.iris.Product("raster")), [3888888802, 3999999901]),
        ((ALL_TIME, a.iris.OBSID(1234567890)), []),
        ((a.Time("2015-01-01", "2015-01-02"), a.Instrument("IRIS")), []),
    ],
)
def test_search_finds_with_each_attribute(query, expected):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", irisplug.IrisplugWarning)  # the never-processed observation has no files
        result = Fido.search(*query)
    assert _obsids(result) == expected


def test_or_of_products_gives_one_block_each():
    result = Fido.search(ALL_TIME, a.iris.Product("SJI_1400") | a.iris.Product("SJI_1330"))
    assert [list(t["OBSID"]) for t in result] == [[3999999901], [3888888802]]
    assert all("SJI_1400" in u for u in result[0][0]["URLs"])


def test_table_columns_and_show():
    result = Fido.search(ALL_TIME, a.iris.OBSID(3999999901))
    table = result[0]
    assert isinstance(table.client, IRISClient)
    row = table[0]
    assert row["Start Time"].isot.startswith("2014-03-29T14:09:38")
    assert row["xCen"] == 490 * u.arcsec and row["Level"] == 2 and row["Instrument"] == "IRIS"
    assert row["Products"] == "SJI_1400, SJI_2796, raster"
    import astropy

    with astropy.conf.set_temp("max_width", 1000):  # the console width would elide middle columns (astropy 6.1)
        text = str(table)
    assert "URLs" not in text and "Directory" not in text and "Description" in text
    shown = table.show()
    assert {"URLs", "Directory", "Event ID"} <= set(shown.colnames)
    assert len(row["URLs"]) == 3
    assert table.show("OBSID", "Products").colnames == ["OBSID", "Products"]


def _assert_same_observation(got, expected_obs):
    assert sorted(got.keys()) == sorted(expected_obs.keys())
    for label in expected_obs.keys():
        g, e = got[label], expected_obs[label]
        g_cubes = [g] if hasattr(g, "wcs") else list(g)
        e_cubes = [e] if hasattr(e, "wcs") else list(e)
        assert len(g_cubes) == len(e_cubes)
        for gc, ec in zip(g_cubes, e_cubes, strict=True):
            np.testing.assert_array_equal(np.asarray(gc.data), np.asarray(ec.data))
            np.testing.assert_array_equal(np.asarray(gc.mask), np.asarray(ec.mask))
            grid = np.meshgrid(*[np.unique(np.linspace(0, n - 1, 5).astype(int)) for n in gc.data.shape[::-1]], indexing="ij")
            np.testing.assert_array_equal(np.asarray(gc.wcs.pixel_to_world_values(*grid)),
                                          np.asarray(ec.wcs.pixel_to_world_values(*grid)))


def test_fetch_and_read_equals_uncompressed_originals(tmp_path, originals):
    from astropy.io import fits

    result = Fido.search(ALL_TIME, a.iris.OBSID(3999999901))
    files = Fido.fetch(result, path=tmp_path / "dl" / "{file}", progress=False)
    assert not files.errors
    names = sorted(Path(f).name for f in files)
    assert names == ["iris_l2_20140329_140938_3999999901_SJI_1400_t000.fits.gz",
                     "iris_l2_20140329_140938_3999999901_SJI_2796_t000.fits.gz",
                     "iris_l2_20140329_140938_3999999901_raster.tar.gz"]
    got = irisplug.read(files)
    expected = irisplug.read(originals["3999999901"])
    _assert_same_observation(got, expected)
    # independent check against astropy on the original SJI file
    orig_sji = originals["3999999901"] / "iris_l2_20140329_140938_3999999901_SJI_1400_t000.fits"
    with fits.open(orig_sji) as hdul:
        np.testing.assert_array_equal(np.asarray(got["SJI_1400"].data), hdul[0].data)


def test_fetch_default_path_is_the_irisplug_cache(tmp_path):
    result = Fido.search(ALL_TIME, a.iris.OBSID(3888888802), a.iris.Product("SJI_1330"))
    files = Fido.fetch(result, progress=False)  # sunpy's default path: replaced by IRISPLUG_CACHE_DIR
    assert not files.errors and len(files) == 1
    assert Path(files[0]).is_relative_to(tmp_path / "cache" / "iris" / "2014" / "03" / "30")


def test_fetch_row_and_client_directly(tmp_path):
    table = Fido.search(ALL_TIME, a.iris.OBSID(3888888802), a.iris.Product("raster"))[0]
    files = IRISClient().fetch(table[0], path=tmp_path / "{obsid}" / "{file}")
    assert [Path(f).relative_to(tmp_path).parts[0] for f in files] == ["3888888802"]


def test_read_urls_and_mixed_sources(archive, tmp_path, originals):
    row = Fido.search(ALL_TIME, a.iris.OBSID(3999999901))[0][0]
    sji_url, raster_url = row["URLs"][0], row["URLs"][2]
    local_sji = Fido.fetch(Fido.search(ALL_TIME, a.iris.OBSID(3999999901), a.iris.Product(2796)),
                           path=tmp_path / "{file}", progress=False)
    got = irisplug.read([raster_url, sji_url, local_sji])  # URL, URL and a Fido Results in one call
    _assert_same_observation(got, irisplug.read(originals["3999999901"]))
    # a search result is fetched into the cache and read
    _assert_same_observation(irisplug.read(Fido.search(ALL_TIME, a.iris.OBSID(3999999901))),
                             irisplug.read(originals["3999999901"]))


def test_fetcher_contribution_and_cli(archive, tmp_path, capsys):
    import json

    from irisplug.cli.main import main

    files = irisplug.fetch("iris-archive", tmp_path / "f", obsid="3999999901", sji=[1400], raster=False)
    assert [f.name for f in files] == ["iris_l2_20140329_140938_3999999901_SJI_1400_t000.fits.gz"]
    assert main(["search", "--start", "2014-03-29", "--end", "2014-03-31", "--text", "flare", "--json"]) == 0
    rows = json.loads(capsys.readouterr().out)
    assert [r["obsid"] for r in rows] == [3888888802] and rows[0]["products"] == ["SJI_1330", "raster"]
    assert main(["search", "--pointing=-700,-600,-200,0", "--start", "2014-03-01", "--end", "2014-04-01"]) == 0
    assert "3888888802" in capsys.readouterr().out
    assert main(["get", "20140330_100000_3888888802", "--out", str(tmp_path / "g"), "--sji", "1330", "--quiet"]) == 0
    printed = capsys.readouterr().out.split()
    assert sorted(Path(p).name for p in printed) == ["iris_l2_20140330_100000_3888888802_SJI_1330_t000.fits.gz",
                                                     "iris_l2_20140330_100000_3888888802_raster.tar.gz"]
    url = Fido.search(ALL_TIME, a.iris.OBSID(3999999901), a.iris.Product(1400))[0][0]["URLs"][0]
    assert main(["get", url, "--out", str(tmp_path / "u"), "--quiet"]) == 0
    assert capsys.readouterr().out.strip().endswith("SJI_1400_t000.fits.gz")


# ---------------------------------------------------------------- bad input


def test_hcr_down_error_page(archive):
    from irisplug_iris.net import HCRError

    archive.routes["/hek/hcr"] = (503, "text/html", b"<html><body>Service Unavailable</body></html>", None)
    with pytest.raises(HCRError, match="HTTP 503") as err:
        IRISClient().search(ALL_TIME, a.iris.OBSID(3999999901))
    assert archive.hcr_url in str(err.value) and "IRISPLUG_IRIS_HCR_URL" in str(err.value)
    archive.routes["/hek/hcr"] = (200, "text/html", b"<!DOCTYPE html><html>maintenance</html>", None)
    with pytest.raises(HCRError, match="web page instead of JSON"):
        IRISClient().search(ALL_TIME, a.iris.OBSID(3999999901))


@pytest.mark.parametrize(("body", "match"), [(b'{"Events": [{"iris_obsid": ', "malformed JSON"),
                                             (b'{"Error": "bad query"}', "no 'Events' list"),
                                             (b'{"Events": [{"goal": "x"}]}', "lacks a usable iris_obsid")])
def test_hcr_malformed_replies(archive, body, match):
    from irisplug_iris.net import HCRError

    archive.routes["/hek/hcr"] = (200, "application/json", body, None)
    with pytest.raises(HCRError, match=match):
        IRISClient().search(ALL_TIME, a.iris.OBSID(3999999901))


def test_hcr_unreachable(monkeypatch):
    from irisplug_iris.net import HCRError

    monkeypatch.setenv("IRISPLUG_IRIS_HCR_URL", "http://127.0.0.1:9/hek/hcr")
    with pytest.raises(HCRError, match="cannot reach the HCR"):
        IRISClient().search(a.iris.OBSID(3999999901))


def test_observation_without_files(tmp_path):
    from irisplug_iris.net import NoFilesError

    with pytest.warns(irisplug.IrisplugWarning, match="no data directory"):
        table = IRISClient().search(ALL_TIME, a.iris.OBSID(3777777703))
    assert len(table) == 1 and table[0]["Products"] == "" and len(table[0]["URLs"]) == 0
    with pytest.warns(irisplug.IrisplugWarning), pytest.raises(NoFilesError, match="20140331_080000_3777777703"):
        irisplug.fetch("iris-archive", tmp_path, obsid="3777777703")
    with pytest.warns(irisplug.IrisplugWarning, match="no Level 2 files to fetch"):
        assert list(IRISClient().fetch(table, path=tmp_path / "{file}")) == []


def test_missing_band_and_ambiguous_obsid(archive, tmp_path, monkeypatch):
    from irisplug_iris.net import NoFilesError
    from irisplug_iris.net.api import AmbiguousObservationError, get

    with pytest.raises(NoFilesError, match="has no SJI_1400"):
        get("20140330_100000_3888888802", tmp_path, sji=[1400])
    # the program 3888888802 run a second time (its directory is not on the server)
    rerun = dict(archive.events[1], eventId=archive.events[1]["eventId"].replace("20140330_100000", "20140402_120000"),
                 startTime="2014-04-02 12:00:00", stopTime="2014-04-02 13:00:00")
    monkeypatch.setattr(archive, "events", [*archive.events, rerun])
    with pytest.warns(irisplug.IrisplugWarning), pytest.raises(AmbiguousObservationError, match="matches 2 observations"):
        get("3888888802", tmp_path)
    files = get("3888888802", tmp_path, start="2014-03-30", end="2014-03-31", raster=False)
    assert [f.name for f in files] == ["iris_l2_20140330_100000_3888888802_SJI_1330_t000.fits.gz"]


def test_404_for_one_file_is_a_results_error(archive, tmp_path):
    table = Fido.search(ALL_TIME, a.iris.OBSID(3999999901))
    gone = table[0][0]["URLs"][1]
    archive.routes[gone.split(archive.base_url, 1)[1]] = (404, "text/html", b"<html>Not Found</html>", None)
    files = Fido.fetch(table, path=tmp_path / "{file}", progress=False)
    assert [e.url for e in files.errors] == [gone]
    assert len(files) == 2
    assert not (tmp_path / gone.rsplit("/", 1)[1]).exists()
    with pytest.raises(irisplug.DownloadError, match=r"1 download\(s\) failed.*Fido.fetch\(results\)"):
        irisplug.read(files)


def test_truncated_download(archive, tmp_path):
    url = Fido.search(ALL_TIME, a.iris.OBSID(3999999901), a.iris.Product(1400))[0][0]["URLs"][0]
    path = url.split(archive.base_url, 1)[1]
    body = (archive.root / path.removeprefix("/data/")).read_bytes()
    archive.routes[path] = (200, "application/gzip", body[: len(body) // 2], len(body))
    files = Fido.fetch(Fido.search(ALL_TIME, a.iris.OBSID(3999999901), a.iris.Product(1400)),
                       path=tmp_path / "{file}", progress=False)
    assert [e.url for e in files.errors] == [url] and list(files) == []
    assert list(tmp_path.iterdir()) == []  # parfive removed the partial file
    with pytest.raises(irisplug.DownloadError, match=r"truncated: .* bytes arrived") as err:
        irisplug.read(url)
    assert url in str(err.value)
    left = list((tmp_path / "cache").rglob("*")) if (tmp_path / "cache").exists() else []
    assert not [p for p in left if p.is_file()]


def test_corrupt_gz_from_the_archive(archive, tmp_path):
    url = Fido.search(ALL_TIME, a.iris.OBSID(3999999901), a.iris.Product(1400))[0][0]["URLs"][0]
    path = url.split(archive.base_url, 1)[1]
    body = bytearray((archive.root / path.removeprefix("/data/")).read_bytes())
    body[len(body) // 2 : len(body) // 2 + 64] = bytes(64)  # damaged in the middle, size intact
    archive.routes[path] = (200, "application/gzip", bytes(body), None)
    with pytest.raises(irisplug.CorruptFileError, match="gzip stream is damaged") as err:
        irisplug.read(url)
    assert "SJI_1400_t000.fits.gz" in str(err.value)
    assert not [p for p in (tmp_path / "cache" / "gunzip").rglob("*") if p.is_file()]


def test_url_that_is_not_data(archive):
    archive.routes["/data/notes/iris_l2_x_SJI_1400_t000.fits"] = (200, "text/html", b"<!DOCTYPE html><p>login</p>", None)
    with pytest.raises(irisplug.DownloadError, match="not a FITS file or archive"):
        irisplug.read(f"{archive.data_url}/notes/iris_l2_x_SJI_1400_t000.fits")
    with pytest.raises(irisplug.DownloadError, match="HTTP 404"):
        irisplug.read(f"{archive.data_url}/2014/03/29/nothing_here.fits.gz")
