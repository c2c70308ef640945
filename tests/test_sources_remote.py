"""``irisplug.sources``: URLs, Fido/parfive results and gzip files, against a local server on 127.0.0.1.

Instrument-agnostic: small FITS files written by astropy; expected bytes and
values come from the files served and from astropy/gzip, never from irisplug.
"""

from __future__ import annotations

import gzip
import threading
from collections import UserList
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import numpy as np
import pytest
from astropy.io import fits

from irisplug.errors import CorruptFileError, DownloadError, TruncatedFileError, UnsupportedObjectError
from irisplug.sources import cache_dir, decompressed, download, resolve_sources, resolve_sources_detailed


@pytest.fixture(autouse=True)
def _cache(tmp_path, monkeypatch):
    monkeypatch.setenv("IRISPLUG_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("IRISPLUG_QUIET", "1")


def _fits_bytes(tmp_path: Path, value: float = 1.5) -> bytes:
    path = tmp_path / f"src-{value}.fits"
    fits.PrimaryHDU(np.full((4, 5), value, dtype=">f4")).writeto(path)
    return path.read_bytes()


class _Server:
    """path -> (status, content type, body, declared length or None); counts requests."""

    def __init__(self) -> None:
        self.routes: dict[str, tuple[int, str, bytes, int | None]] = {}
        self.hits = 0
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_GET(self):
                server.hits += 1
                status, ctype, body, declared = server.routes.get(self.path, (404, "text/html", b"<html>nope</html>", None))
                self.send_response(status)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(declared if declared is not None else len(body)))
                self.end_headers()
                self.wfile.write(body)
                self.close_connection = True

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)
        self.thread.start()

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.httpd.server_address[1]}{path}"

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def server():
    s = _Server()
    yield s
    s.close()


def _cache_files() -> list[Path]:
    root = cache_dir()
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


def test_url_is_downloaded_once_into_the_cache(server, tmp_path):
    body = _fits_bytes(tmp_path)
    server.routes["/d/a%20b.fits"] = (200, "application/fits", body, None)
    url = server.url("/d/a%20b.fits")
    (path,) = resolve_sources(url)
    assert path.name == "a b.fits" and path.read_bytes() == body
    assert path.is_relative_to(cache_dir() / "downloads")
    server.close()  # the second resolution needs no server
    assert resolve_sources([url]) == [path]
    assert server.hits == 1
    assert resolve_sources_detailed(url) == [(path, True)]


def test_url_archive_is_unpacked(server, tmp_path):
    import tarfile

    for v in (1.0, 2.0):
        (tmp_path / f"m{v}.fits").write_bytes(_fits_bytes(tmp_path, v))
    with tarfile.open(tmp_path / "obs.tar.gz", "w:gz") as tar:
        for v in (1.0, 2.0):
            tar.add(tmp_path / f"m{v}.fits", arcname=f"m{v}.fits")
    server.routes["/obs.tar.gz"] = (200, "application/gzip", (tmp_path / "obs.tar.gz").read_bytes(), None)
    found = resolve_sources_detailed(server.url("/obs.tar.gz"))
    assert [(p.name, named) for p, named in found] == [("m1.0.fits", False), ("m2.0.fits", False)]
    assert found[1][0].read_bytes() == (tmp_path / "m2.0.fits").read_bytes()


@pytest.mark.parametrize(
    ("route", "match"),
    [
        ((404, "text/html", b"<html>Not Found</html>", None), "HTTP 404"),
        ((200, "text/html", b"<!DOCTYPE html><html>login</html>", None), "not a FITS file or archive"),
        ((200, "application/fits", b"SIMPLE  =" + b" " * 100, 5000), "truncated: 109 of 5000 bytes"),
    ],
    ids=["404", "html", "truncated"],
)
def test_bad_urls_name_the_url_and_leave_nothing(server, route, match):
    server.routes["/x.fits"] = route
    with pytest.raises(DownloadError, match=match) as err:
        resolve_sources(server.url("/x.fits"))
    assert err.value.path == server.url("/x.fits")
    assert _cache_files() == []


def test_unreachable_server():
    with pytest.raises(DownloadError, match="cannot reach the server"):
        download("http://127.0.0.1:9/x.fits")
    assert _cache_files() == []


def test_decompressed_equals_gzip_and_is_reused(tmp_path):
    body = _fits_bytes(tmp_path)
    gz = tmp_path / "a.fits.gz"
    gz.write_bytes(gzip.compress(body))
    plain = decompressed(gz)
    assert plain.name == "a.fits" and plain.read_bytes() == gzip.decompress(gz.read_bytes())
    stamp = plain.stat().st_mtime_ns
    other = tmp_path / "copy" / "a.fits.gz"
    other.parent.mkdir()
    other.write_bytes(gz.read_bytes())
    assert decompressed(other) == plain and plain.stat().st_mtime_ns == stamp
    # astropy reads the copy as it reads the gzip file
    with fits.open(gz) as a, fits.open(plain) as b:
        assert a[0].data.tobytes() == b[0].data.tobytes()
    src = tmp_path / "plain.fits"
    src.write_bytes(body)
    assert decompressed(src) == src


def test_decompressed_multimember_gzip(tmp_path):
    body = _fits_bytes(tmp_path)
    gz = tmp_path / "m.fits.gz"
    gz.write_bytes(gzip.compress(body[:1000]) + gzip.compress(body[1000:]))
    assert decompressed(gz).read_bytes() == body == gzip.decompress(gz.read_bytes())


def test_truncated_and_corrupt_gzip(tmp_path):
    data = gzip.compress(np.random.default_rng(0).integers(0, 255, 200_000, dtype=np.uint8).tobytes())
    cut = tmp_path / "cut.fits.gz"
    cut.write_bytes(data[: len(data) // 2])
    with pytest.raises(TruncatedFileError, match="ends early") as err:
        decompressed(cut)
    assert err.value.path == str(cut)
    bad = bytearray(data)
    bad[len(bad) // 2] ^= 0xFF
    broken = tmp_path / "bad.fits.gz"
    broken.write_bytes(bytes(bad))
    with pytest.raises(CorruptFileError, match="damaged"):
        decompressed(broken)
    assert _cache_files() == []


class _Results(UserList):
    """The shape of parfive.Results: paths plus ``errors``."""

    def __init__(self, paths, errors=()):
        super().__init__(paths)
        self.errors = list(errors)


class _Failure:
    def __init__(self, url, exception):
        self.url, self.exception = url, exception


def test_download_results_and_mixed_sources(server, tmp_path):
    local = tmp_path / "l.fits"
    local.write_bytes(_fits_bytes(tmp_path, 3.0))
    fetched = tmp_path / "f.fits"
    fetched.write_bytes(_fits_bytes(tmp_path, 4.0))
    server.routes["/u.fits"] = (200, "application/fits", _fits_bytes(tmp_path, 5.0), None)
    got = resolve_sources_detailed([local, server.url("/u.fits"), _Results([str(fetched)])])
    assert [(p.name, named) for p, named in got] == [("l.fits", True), ("u.fits", True), ("f.fits", True)]
    assert resolve_sources(_Results([str(fetched)])) == [fetched]
    failed = _Results([str(fetched)], [_Failure("http://h/a.fits", OSError("Download Failed ... [404 Not Found]>\nmore"))])
    with pytest.raises(DownloadError, match=r"1 download\(s\) failed: http://h/a.fits \(HTTP 404 Not Found\); retry"):
        resolve_sources(failed)


def test_real_parfive_results(server, tmp_path):
    parfive = pytest.importorskip("parfive")
    server.routes["/p.fits"] = (200, "application/fits", _fits_bytes(tmp_path, 6.0), None)
    dl = parfive.Downloader(progress=False)
    dl.enqueue_file(server.url("/p.fits"), path=tmp_path / "dl")
    dl.enqueue_file(server.url("/missing.fits"), path=tmp_path / "dl")
    results = dl.download()
    import gc

    gc.collect()  # parfive leaves its event loop open; close it in the main thread
    with pytest.raises(DownloadError, match=r"missing\.fits \(HTTP 404"):
        resolve_sources(results)
    ok = parfive.Results([p for p in results])
    assert [p.name for p in resolve_sources(ok)] == ["p.fits"]


def test_unsupported_objects():
    with pytest.raises(UnsupportedObjectError, match="cannot read from a int"):
        resolve_sources(42)
    with pytest.raises(UnsupportedObjectError, match="inside the list"):
        resolve_sources(["a.fits", 3.5])


def test_a_cached_download_counts_as_used_and_the_bound_removes_the_oldest(server, tmp_path, monkeypatch):
    import os
    import time

    from irisplug import cache

    bodies = {name: _fits_bytes(tmp_path, value) for name, value in (("a", 1.0), ("b", 2.0), ("c", 3.0))}
    for name, body in bodies.items():
        server.routes[f"/{name}.fits"] = (200, "application/fits", body, None)
    (a,) = resolve_sources(server.url("/a.fits"))
    (b,) = resolve_sources(server.url("/b.fits"))
    for path, hours in ((a, 5), (b, 3)):
        then = time.time() - hours * 3600
        os.utime(path.parent, (then, then))
    assert resolve_sources(server.url("/a.fits")) == [a]  # from the cache: a is now the most recently used
    assert server.hits == 2
    monkeypatch.setenv("IRISPLUG_CACHE_MAX_BYTES", str(len(bodies["a"]) + len(bodies["c"])))
    (c,) = resolve_sources(server.url("/c.fits"))
    assert a.read_bytes() == bodies["a"] and c.read_bytes() == bodies["c"] and not b.exists()
    assert sorted(e.path for e in cache.entries()) == sorted([a.parent, c.parent])
