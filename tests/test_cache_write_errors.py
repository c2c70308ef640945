"""A cache that cannot take a write (disk full, quota, file-size limit) is a ``WriteError`` naming the cache file.

Before, a full disk while decompressing a ``.fits.gz`` or downloading raised
a raw ``OSError``, and while unpacking an archive a ``CorruptFileError``
blaming the archive. The limit is real: each case runs in a child process
whose file-size limit (``RLIMIT_FSIZE``, 1 MB) stops the 3 MB write, as a
full disk would. Nothing is left in the cache.
"""

from __future__ import annotations

import gzip
import io
import json
import os
import subprocess
import sys
import tarfile
import threading
import zipfile
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="RLIMIT_FSIZE and SIGXFSZ: tested on Linux")

DATA = b"SIMPLE  =" + os.urandom(3_000_000)

_CHILD = """
import json, os, resource, signal, sys
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # a write over the limit fails with EFBIG instead of killing
resource.setrlimit(resource.RLIMIT_FSIZE, (1_000_000, resource.RLIM_INFINITY))
import irisplug
from irisplug.sources import decompressed, resolve_sources
source = sys.argv[1]
try:
    decompressed(source) if source.endswith(".fits.gz") else resolve_sources(source)
    print(json.dumps({"error": None}))
except Exception as exc:
    print(json.dumps({"error": type(exc).__name__, "irisplug": isinstance(exc, irisplug.IrisplugError),
                      "path": getattr(exc, "path", None), "message": str(exc)}))
"""


def _run(source: str, cache) -> dict:
    env = dict(os.environ, IRISPLUG_CACHE_DIR=str(cache), IRISPLUG_QUIET="1")
    out = subprocess.run([sys.executable, "-c", _CHILD, source], capture_output=True, text=True, env=env,
                         timeout=120, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def _left(cache) -> list:
    return [p for p in cache.rglob("*") if p.is_file()] if cache.exists() else []


def _sources(tmp_path) -> dict[str, str]:
    gz = tmp_path / "big.fits.gz"
    gz.write_bytes(gzip.compress(DATA))
    tgz = tmp_path / "obs.tar.gz"
    with tarfile.open(tgz, "w:gz") as tf:
        info = tarfile.TarInfo("obs/big.fits")
        info.size = len(DATA)
        tf.addfile(info, io.BytesIO(DATA))
    zp = tmp_path / "obs.zip"
    with zipfile.ZipFile(zp, "w") as zf:
        zf.writestr("obs/big.fits", DATA)
    return {"gzip": str(gz), "tar.gz": str(tgz), "zip": str(zp)}


@pytest.mark.parametrize("kind", ["gzip", "tar.gz", "zip"])
def test_a_full_cache_while_unpacking(kind, tmp_path):
    source = _sources(tmp_path)[kind]
    cache = tmp_path / "cache"
    got = _run(source, cache)
    assert got["error"] == "WriteError" and got["irisplug"], got
    assert "irisplug's cache" in got["message"] and "File too large" in got["message"]
    assert got["path"].startswith(str(cache))  # the file being written, not the source blamed
    assert os.path.basename(source) in got["message"]
    assert _left(cache) == []
    # without the limit the same source unpacks (the test's failure is the cache's, not the file's)
    env = dict(os.environ, IRISPLUG_CACHE_DIR=str(tmp_path / "roomy"), IRISPLUG_QUIET="1")
    code = "import sys; from irisplug.sources import resolve_sources; print(resolve_sources(sys.argv[1]))"
    subprocess.run([sys.executable, "-c", code, source], check=True, env=env, capture_output=True, timeout=120)


def test_a_full_cache_while_downloading(tmp_path):
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def do_GET(self):
            self.send_response(200)
            self.send_header("Content-Type", "application/fits")
            self.send_header("Content-Length", str(len(DATA)))
            self.end_headers()
            self.wfile.write(DATA)

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        cache = tmp_path / "cache"
        got = _run(f"http://127.0.0.1:{httpd.server_address[1]}/big.fits", cache)
    finally:
        httpd.shutdown()
        httpd.server_close()
    assert got["error"] == "WriteError" and got["irisplug"], got
    assert "the download of big.fits" in got["message"] and got["path"].startswith(str(cache))
    assert _left(cache) == []
