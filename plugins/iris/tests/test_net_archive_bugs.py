"""Paging, download checks, argument checks, malformed entries and the text filter of the IRIS archive client.

Every server here is a :class:`~irisplug_iris.net.local_archive.LocalArchive` on 127.0.0.1 (no network).
"""

from __future__ import annotations

import datetime
import gzip
import json
import logging
import warnings
from pathlib import Path

import pytest

pytest.importorskip("parfive")
pytest.importorskip("sunpy.net")

from hypothesis import given, settings
from hypothesis import strategies as st
from sunpy.net import Fido
from sunpy.net import attrs as a

import irisplug
import irisplug_iris.net  # noqa: F401  (registers the client)
from irisplug_iris.net import HCRError, api, hcr
from irisplug_iris.net.client import IRISClient
from irisplug_iris.net.local_archive import LocalArchive

OBS = "20140329_140938_3860258481"
SJI = f"iris_l2_{OBS}_SJI_1400_t000.fits.gz"
RASTER = f"iris_l2_{OBS}_raster.tar.gz"
DIR = f"/data/2014/03/29/{OBS}"


def _event(obsid: int, start: datetime.datetime, minutes: int = 30, **extra: str) -> dict:
    stamp = start.strftime("%Y%m%d_%H%M%S")
    return {"eventId": f"ivo://sot.lmsal.com/VOEvent#VOEvent_IRIS_{stamp}_{obsid}_x.xml", "instrument": "IRIS",
            "startTime": start.strftime("%Y-%m-%d %H:%M:%S"),
            "stopTime": (start + datetime.timedelta(minutes=minutes)).strftime("%Y-%m-%d %H:%M:%S"),
            "iris_obsid": str(obsid), "goal": "QS", "xCen": "0", "yCen": "0", "raster_fovx": "10",
            "raster_fovy": "60", "sji_fovx": "60", "sji_fovy": "60", **extra}


def _many(n: int) -> list[dict]:
    t0 = datetime.datetime(2014, 1, 1)
    return [_event(3600000000 + i, t0 + datetime.timedelta(hours=i)) for i in range(n)]


@pytest.fixture
def archive(tmp_path, monkeypatch):
    with LocalArchive(tmp_path / "root") as served:
        monkeypatch.setenv("IRISPLUG_IRIS_HCR_URL", served.hcr_url)
        monkeypatch.setenv("IRISPLUG_IRIS_DATA_URL", served.data_url)
        monkeypatch.setenv("IRISPLUG_CACHE_DIR", str(tmp_path / "cache"))
        monkeypatch.setenv("IRISPLUG_QUIET", "1")
        monkeypatch.delenv("IRISPLUG_IRIS_MAX_ROWS", raising=False)
        monkeypatch.setattr(Fido, "registry", {IRISClient: IRISClient._can_handle_query})
        yield served
    import gc

    gc.collect()  # parfive leaves its event loops open; close them here, in the main thread


# ---------------------------------------------------------------- 1. paging


@pytest.mark.parametrize("cap", [None, 400])
def test_search_pages_past_one_reply(archive, cap):
    """900 observations, replies cut at the page size (or at 400 whatever limit asks): every one comes back once."""
    archive.events = _many(900)
    archive.reply_cap = cap
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no warning: the bound is not reached
        rows = hcr.search_all(hcr.HCRQuery(start="2014-01-01T00:00", stop="2014-03-01T00:00"))
    assert [o.obsid for o in rows] == [3600000000 + i for i in range(900)]
    assert len(archive.queries) > 1 and all(int(q["limit"]) <= 400 for q in archive.queries)


def test_search_bound_is_a_warning_naming_it(archive, monkeypatch):
    archive.events = _many(900)
    monkeypatch.setenv("IRISPLUG_IRIS_MAX_ROWS", "450")
    with pytest.warns(irisplug.IrisplugWarning, match=r"more than 450 .*IRISPLUG_IRIS_MAX_ROWS"):
        rows = hcr.search_all(hcr.HCRQuery(start="2014-01-01T00:00", stop="2014-03-01T00:00"))
    assert [o.obsid for o in rows] == [3600000000 + i for i in range(450)]  # the earliest, in time order
    monkeypatch.setenv("IRISPLUG_IRIS_MAX_ROWS", "lots")
    with pytest.raises(irisplug.IrisplugError, match="IRISPLUG_IRIS_MAX_ROWS"):
        hcr.search_all(hcr.HCRQuery(start="2014-01-01T00:00", stop="2014-03-01T00:00"))


def test_server_ignoring_the_time_range_is_asked_once_for_everything(archive):
    archive.events = _many(600)
    archive.ignore_filters = True
    archive.events.append(_event(3999, datetime.datetime(2016, 1, 1)))  # outside every interval asked
    import irisplug_iris.net.local_archive as la

    original = la._filter
    la._filter = lambda events, q: events[: int(q.get("limit", 200))]  # ignores time, honours limit
    try:
        rows = hcr.search_all(hcr.HCRQuery(start="2014-01-01T00:00", stop="2014-03-01T00:00"))
    finally:
        la._filter = original
    assert len(rows) == 601  # all of them (the client's own time filter drops the 2016 one)


def test_cli_and_fido_search_return_every_row(archive, capsys, monkeypatch):
    from irisplug.cli.main import main

    archive.events = _many(600)
    monkeypatch.setattr("irisplug_iris.net.client._list_or_none", lambda directory: ([], None))
    assert main(["search", "--start", "2014-01-01", "--end", "2014-02-01", "--json"]) == 0
    assert len(json.loads(capsys.readouterr().out)) == 600
    assert len(Fido.search(a.Time("2014-01-01", "2014-02-01"), a.Instrument("IRIS"))[0]) == 600
    with pytest.warns(irisplug.IrisplugWarning, match="more than 100"):
        assert main(["search", "--start", "2014-01-01", "--end", "2014-02-01", "--json", "--max-rows", "100"]) == 0
    assert len(json.loads(capsys.readouterr().out)) == 100


# ---------------------------------------------------------------- 2. download checks


def _fits_gz() -> bytes:
    return gzip.compress(b"SIMPLE  =                    T" + b" " * 2850, mtime=0)  # the same bytes on every call


BAD_BODIES = [
    pytest.param((200, "text/html", b"<!DOCTYPE html><html><p>Please log in</p></html>", None), id="html-page"),
    pytest.param((200, "application/gzip", b"", None), id="empty"),
    pytest.param((200, "text/html", _fits_gz(), None), id="html-content-type"),
    pytest.param((200, "application/octet-stream", b"not gzip at all, plain bytes" * 10, None), id="wrong-magic"),
    pytest.param((200, "application/gzip", gzip.compress(b"<html>gzipped page</html>" * 30), None), id="gzipped-page"),
]


@pytest.mark.parametrize("route", BAD_BODIES)
def test_get_url_refuses_what_is_not_data(archive, tmp_path, route):
    from irisplug.cli.main import main

    archive.routes[f"{DIR}/{SJI}"] = route
    out = tmp_path / "out"
    with pytest.raises(irisplug.DownloadError, match=r"not a FITS file|named as"):
        api.get(f"{archive.data_url}/2014/03/29/{OBS}/{SJI}", out, quiet=True)
    assert list(out.iterdir()) == []  # nothing left behind
    assert main(["get", f"{archive.data_url}/2014/03/29/{OBS}/{SJI}", "--out", str(out), "--quiet"]) == 2
    assert list(out.iterdir()) == []


@pytest.mark.parametrize("route", BAD_BODIES)
def test_read_url_refuses_what_is_not_data(archive, tmp_path, route):
    archive.routes[f"{DIR}/{SJI}"] = route
    with pytest.raises(irisplug.DownloadError):
        irisplug.read(f"{archive.data_url}/2014/03/29/{OBS}/{SJI}")
    assert not [p for p in (tmp_path / "cache").rglob("*") if p.is_file()]


@pytest.mark.parametrize("route", BAD_BODIES)
def test_fido_fetch_lists_what_is_not_data_as_an_error(archive, tmp_path, route):
    archive.events = [_event(3860258481, datetime.datetime(2014, 3, 29, 14, 9, 38))]
    archive.routes[f"{DIR}/"] = (200, "text/html",
                                 f'<a href="{SJI}">s</a><a href="{RASTER}">r</a>'.encode(), None)
    archive.routes[f"{DIR}/{SJI}"] = route
    archive.routes[f"{DIR}/{RASTER}"] = (200, "application/gzip", _raster_tar_gz(), None)
    res = Fido.search(a.Time("2014-03-29", "2014-03-30"), a.iris.OBSID(3860258481))
    for files in (Fido.fetch(res, path=tmp_path / "f" / "{file}", progress=False),  # Fido's own downloader
                  IRISClient().fetch(res[0], path=tmp_path / "c" / "{file}", progress=False)):  # the client's
        assert [e.url.rsplit("/", 1)[1] for e in files.errors] == [SJI]
        assert [Path(p).name for p in files] == [RASTER]
    assert sorted(p.name for p in (tmp_path / "f").iterdir()) == [RASTER]
    assert sorted(p.name for p in (tmp_path / "c").iterdir()) == [RASTER]


def _raster_tar_gz() -> bytes:
    import io
    import tarfile

    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w:gz") as tf:
        data = b"SIMPLE  =                    T" + b" " * 2850
        info = tarfile.TarInfo("iris_l2_raster_t000_r00000.fits")
        info.size = len(data)
        tf.addfile(info, io.BytesIO(data))
    return buf.getvalue()


def test_get_replaces_a_bad_file_left_in_the_folder(archive, tmp_path):
    archive.routes[f"{DIR}/{SJI}"] = (200, "application/gzip", _fits_gz(), None)
    out = tmp_path / "out"
    out.mkdir()
    (out / SJI).write_bytes(b"<html>an earlier login page</html>")
    files = api.get(f"{archive.data_url}/2014/03/29/{OBS}/{SJI}", out, quiet=True)
    assert files[0].read_bytes() == _fits_gz()


def test_check_download_accepts_data_files(tmp_path):
    from irisplug.sources import check_download

    for name, body in ((SJI, _fits_gz()), (RASTER, _raster_tar_gz()), ("a.fits", b"SIMPLE  =" + b" " * 100),
                       ("a.zip", b"PK\x03\x04rest"), ("x.nc", b"CDF\x01....")):
        (tmp_path / name).write_bytes(body)
        check_download(tmp_path / name, url=f"http://h/{name}")
        assert (tmp_path / name).exists()


# ---------------------------------------------------------------- 3. bad arguments


@pytest.mark.parametrize(
    ("argv", "option"),
    [
        (["search", "--obsid", "abc"], "--obsid"),
        (["search", "--pointing=5,1,2,3"], "--pointing"),
        (["search", "--pointing=1,2,3"], "--pointing"),
        (["search", "--start", "yesterday-ish"], "--start"),
        (["search", "--start", "2015-01-01", "--end", "2014-01-01"], "--end"),
        (["search", "--obsid", "1", "--product", "foo"], "--product"),
        (["search", "--obsid", "1", "--max-rows", "0"], "--max-rows"),
        (["get", "20141329_140938_3860258481"], "target"),
        (["get", "not-an-obsid"], "target"),
        (["get", "3860258481", "--sji", "foo"], "--sji"),
        (["get", "3860258481", "--start", "2015-01-01", "--end", "2014-01-01"], "--end"),
    ],
)
def test_bad_arguments_are_usage_errors(argv, option, capsys, monkeypatch, tmp_path):
    from irisplug.cli.main import main

    monkeypatch.setenv("IRISPLUG_IRIS_HCR_URL", "http://127.0.0.1:9/hek/hcr")  # never asked
    monkeypatch.chdir(tmp_path)
    try:
        status = main(argv)
    except SystemExit as exc:
        status = exc.code
    err = capsys.readouterr().err
    assert status == 2, err
    assert "internal error" not in err and option in err


def test_bad_arguments_to_the_python_api():
    with pytest.raises(irisplug.IrisplugError, match="not an observation name"):
        api.get("20141329_140938_3860258481", ".")
    with pytest.raises(irisplug.IrisplugError, match="unknown IRIS product"):
        api.get("3860258481", ".", sji=["foo"])
    with pytest.raises(irisplug.IrisplugError, match="after end"):
        api.search(start="2015-01-01", end="2014-01-01")
    with pytest.raises(irisplug.IrisplugError, match="not an OBSID"):
        api.search(obsid="abc")
    with pytest.raises(irisplug.IrisplugError, match="minimum above its maximum"):
        api.search(pointing="5,1,2,3")


# ---------------------------------------------------------------- 4. malformed entries

GOOD = _event(3860258481, datetime.datetime(2014, 3, 29, 14, 9, 38))
JUNK = [None, "", "n/a", "abc", 3.5, -1, float("nan"), float("inf"), 10**400, True, [], {}, [1, 2], {"a": 1}]


@pytest.mark.parametrize("field", ["startTime", "stopTime"])
@pytest.mark.parametrize("value", [None, "", "n/a", "2014-13-45 99:00:00", 20140329, [], {}])
def test_unusable_times_are_hcr_errors(archive, field, value):
    archive.events = [dict(GOOD, **{field: value})]
    with pytest.raises(HCRError, match=f"entry 0 lacks a usable .*{field}"):
        api.search(start="2014-03-29", end="2014-03-30")


def test_unusable_time_on_the_cli_is_exit_2(archive, capsys):
    from irisplug.cli.main import main

    archive.events = [dict(GOOD, stopTime=None)]
    assert main(["search", "--start", "2014-03-29", "--end", "2014-03-30"]) == 2
    err = capsys.readouterr().err
    assert "internal error" not in err and "lacks a usable" in err


@pytest.mark.parametrize("field", sorted(GOOD))
@pytest.mark.parametrize("value", [*JUNK, "missing"])
def test_every_field_missing_or_wrong(field, value):
    event = {k: v for k, v in GOOD.items() if k != field} if value == "missing" else dict(GOOD, **{field: value})
    try:
        rows = hcr.parse_events({"Events": [event]}, "http://hcr")
    except HCRError:
        assert field in ("iris_obsid", "startTime", "stopTime")
        return
    assert len(rows) == 1 and isinstance(rows[0].obsid, int)


_json = st.recursive(st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
                     lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
                     max_leaves=6)


@settings(max_examples=300, deadline=None)
@given(overrides=st.dictionaries(st.sampled_from(sorted(GOOD)), _json, max_size=6), payload=_json)
def test_fuzzed_entries_raise_only_hcr_errors(overrides, payload):
    for reply in ({"Events": [dict(GOOD, **overrides)]}, {"Events": [payload]}, payload):
        try:
            rows = hcr.parse_events(reply, "http://hcr")
        except HCRError:
            continue
        for row in rows:
            assert isinstance(row.obsid, int) and row.start <= row.stop


def test_fuzzed_entry_through_the_client(archive):
    """A whole search (table building included) with odd but usable fields gives a row, never a raw error."""
    archive.events = [dict(GOOD, xCen="abc", yCen=None, goal=["x"], eventId=5, raster_fovx=10**400, iris_obsid=3.860258481e9)]
    archive.routes[f"{DIR}/"] = (404, "text/html", b"<html>no</html>", None)
    with pytest.warns(irisplug.IrisplugWarning):
        table = api.search(start="2014-03-29", end="2014-03-30")
    assert list(table["OBSID"]) == [3860258481]


# ---------------------------------------------------------------- 5. the text filter


def test_text_filter_is_applied_again_by_the_client(archive, monkeypatch):
    monkeypatch.setattr("irisplug_iris.net.client._list_or_none", lambda directory: ([], None))
    archive.events = [_event(3860258481, datetime.datetime(2014, 3, 29, 14), goal="Flare watch AR 12017"),
                      _event(3620258102, datetime.datetime(2014, 3, 29, 16), goal="Quiet Sun at disk centre"),
                      _event(3620258103, datetime.datetime(2014, 3, 29, 18), goal="QS", obsTitle="Large FLARE program")]
    archive.ignore_filters = True  # a mirror that ignores obsDesc
    got = sorted(int(o) for o in api.search(start="2014-03-29", end="2014-03-30", text="flare")["OBSID"])
    assert got == [3620258103, 3860258481]
    assert sorted(int(o) for o in api.search(start="2014-03-29", end="2014-03-30", text="ar  12017")["OBSID"]) == [3860258481]
    assert len(api.search(start="2014-03-29", end="2014-03-30", text="IRIS")) == 0  # eventId/instrument are not text


# ---------------------------------------------------------------- 6. parfive's log lines


def test_quiet_get_shows_no_parfive_log_lines(archive, tmp_path, capfd):
    handler = logging.StreamHandler()  # as drms's logging.basicConfig leaves the root logger (INFO and up shown)
    handler.setFormatter(logging.Formatter("%(asctime)s - %(name)s - %(levelname)s: %(message)s"))
    root = logging.getLogger()
    level = root.level
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    try:
        with pytest.raises(irisplug.DownloadError, match="HTTP 404"):
            api.get(f"{archive.data_url}/2014/03/29/{OBS}/{SJI}", tmp_path / "o", quiet=True)
    finally:
        root.removeHandler(handler)
        root.setLevel(level)
    err = capfd.readouterr().err
    assert "parfive" not in err and "failed to download" not in err
