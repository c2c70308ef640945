"""A damaged archive never unpacks into wrong bytes: it raises ``CorruptFileError`` naming the file.

The reference is the member's own bytes, written by the test through the
standard library's ``tarfile`` / ``zipfile``; the damage is one flipped bit
at positions spread over the compressed stream. Before the compressed stream
was read to its end (gzip's CRC-32 and length, bzip2's stream CRC come after
the tar's last member), 39 of 40 such .tar.gz files and 11 of 40 .tar.bz2
files unpacked without error into wrong bytes.
"""

from __future__ import annotations

import io
import tarfile
import zipfile

import numpy as np
import pytest

import irisplug
from irisplug.sources import resolve_sources

#: compressible member content (4 symbols), so most flipped bits still decompress, into other bytes
DATA = (np.random.default_rng(0).integers(0, 4, 200_000, dtype=np.uint8) + 65).tobytes()
FLIPS = 12


@pytest.fixture(autouse=True)
def _quiet(monkeypatch):
    monkeypatch.setenv("IRISPLUG_QUIET", "1")


@pytest.fixture(params=["isal", "zlib"])
def gzip_lib(request, monkeypatch):
    if request.param == "isal":
        pytest.importorskip("isal", reason="ISA-L (python-isal) not installed: zlib only")
    monkeypatch.setenv("IRISPLUG_GZIP", request.param)
    from irisplug.sources_fetch import gzip_backend

    assert gzip_backend()[0].__name__ == ("isal.isal_zlib" if request.param == "isal" else "zlib")
    return request.param


def _tar(comp: str) -> bytes:
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode=f"w:{comp}") as tf:
        info = tarfile.TarInfo("obs/raster.fits")
        info.size = len(DATA)
        tf.addfile(info, io.BytesIO(DATA))
    return buf.getvalue()


def _zip() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("obs/raster.fits", DATA)
    return buf.getvalue()


def _check(raw: bytes, suffix: str, tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("IRISPLUG_CACHE_DIR", str(tmp_path / "cache-intact"))
    intact = tmp_path / f"intact{suffix}"
    intact.write_bytes(raw)
    (member,) = resolve_sources(intact)
    assert member.read_bytes() == DATA
    wrong = []
    for k in range(FLIPS):
        pos = 40 + (len(raw) - 80) * k // FLIPS  # inside the compressed data, past the headers
        damaged = bytearray(raw)
        damaged[pos] ^= 0x10
        path = tmp_path / f"damaged{k}{suffix}"
        path.write_bytes(bytes(damaged))
        monkeypatch.setenv("IRISPLUG_CACHE_DIR", str(tmp_path / f"cache{k}"))
        try:
            (got,) = resolve_sources(path)
        except irisplug.CorruptFileError as err:
            assert err.path == str(path)
            assert not list((tmp_path / f"cache{k}").rglob("*.fits"))  # nothing half-unpacked stays
            continue
        if got.read_bytes() != DATA:
            wrong.append(pos)
    assert wrong == [], f"damaged archives unpacked into wrong bytes (flipped bit at {wrong})"


@pytest.mark.usefixtures("gzip_lib")
def test_damaged_tar_gz(tmp_path, monkeypatch):
    _check(_tar("gz"), ".tar.gz", tmp_path, monkeypatch)


@pytest.mark.parametrize("comp", ["bz2", "xz"])
def test_damaged_tar_bz2_xz(comp, tmp_path, monkeypatch):
    _check(_tar(comp), f".tar.{comp}", tmp_path, monkeypatch)


def test_damaged_zip(tmp_path, monkeypatch):
    _check(_zip(), ".zip", tmp_path, monkeypatch)
