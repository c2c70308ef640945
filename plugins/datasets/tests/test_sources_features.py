"""URL sources (local HTTP server) and the optional Mg II feature columns."""

from __future__ import annotations

import functools
import http.server
import tarfile
import threading

import numpy as np
import pytest

zarr = pytest.importorskip("zarr")


@pytest.fixture
def http_root(tmp_path):
    root = tmp_path / "www"
    root.mkdir()
    handler = functools.partial(http.server.SimpleHTTPRequestHandler, directory=str(root))

    class Quiet(handler.func):  # type: ignore[misc, valid-type]
        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(root)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield root, f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def test_url_source_equals_local(observations, grid, http_root, tmp_path, monkeypatch):
    from irisplug_datasets import build_dataset, read_report

    monkeypatch.setenv("IRISPLUG_CACHE_DIR", str(tmp_path / "cache"))
    root, base = http_root
    with tarfile.open(root / "obs1.tar.gz", "w:gz") as tar:
        for f in sorted(observations[1].iterdir()):
            tar.add(f, arcname=f.name)
    local = tmp_path / "local.zarr"
    remote = tmp_path / "remote.zarr"
    build_dataset([observations[1]], local, line="Mg II k", grid=grid, quiet=True)
    build_dataset([f"{base}/obs1.tar.gz", f"{base}/absent.tar.gz"], remote, line="Mg II k", grid=grid, quiet=True)
    a, b = zarr.open_group(str(local)), zarr.open_group(str(remote))
    n = a["spectra"].shape[0]
    assert n > 0
    np.testing.assert_array_equal(b["spectra"][:n], a["spectra"][:])
    entries = read_report(remote)
    assert entries[0]["status"] == "ok" and entries[1]["status"] == "failed"
    assert "404" in entries[1]["reason"]


def test_mgii_columns_match_the_fitter(observations, grid, tmp_path):
    import irisplug
    from irisplug.model import normalize_exposure
    from irisplug_datasets import build_dataset

    out = tmp_path / "feat.zarr"
    build_dataset(observations[:2], out, line="Mg II k", grid=grid, features=("mgii",), quiet=True)
    root = zarr.open_group(str(out))
    assert np.isfinite(root["k3_velocity"][:]).mean() > 0.5
    for i in range(2):
        obs = irisplug.read(observations[i])
        seq = obs["Mg II k 2796"]
        rows = np.flatnonzero(root["observation"][:] == i)
        for r, cube in enumerate(seq.data):
            maps = irisplug.fit(normalize_exposure(cube), method="mgii")
            sel = rows[root["raster"][rows] == r]
            e, s = root["exposure"][sel], root["slit"][sel]
            for name in ("k2v_velocity", "k3_velocity", "h2r_intensity", "kh_ratio"):
                np.testing.assert_array_equal(root[name][sel], maps[name].data[e, s].astype(np.float32))
            np.testing.assert_array_equal(root["k_flag"][sel], maps["k_flag"].data[e, s])
