"""Damaged and hostile IUVS files: decompression bombs are refused before they fill memory; bad cards name the HDU."""

from __future__ import annotations

import gzip
import zlib
from pathlib import Path

import numpy as np
import pytest
from astropy.io import fits

from irisplug.errors import CorruptFileError, IrisplugError
from irisplug_iuvs._fits import gunzip_bounded, open_validated, parse_iuvs_utc


def _fits_bytes(n_rows: int, n_cols: int = 1024) -> bytes:
    hdu = fits.PrimaryHDU(np.zeros((n_rows, n_cols), dtype=">f4"))
    import io

    buf = io.BytesIO()
    hdu.writeto(buf)
    return buf.getvalue()


def test_bomb_refused_from_its_header(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("IRISPLUG_MAX_DECOMPRESSED_BYTES", str(8 << 20))
    raw = _fits_bytes(4096)  # 16 MiB of zeros declared and present
    packed = gzip.compress(raw, compresslevel=1)
    with pytest.raises(IrisplugError, match="IRISPLUG_MAX_DECOMPRESSED_BYTES"):
        gunzip_bounded(packed, tmp_path / "bomb.fits.gz")


def test_bomb_with_lying_trailer_and_header_stopped_while_streaming(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("IRISPLUG_MAX_DECOMPRESSED_BYTES", str(8 << 20))
    small = _fits_bytes(4)  # header declares 16 KiB
    packed = bytearray(gzip.compress(small + b"\0" * (32 << 20), compresslevel=1))
    packed[-4:] = (100).to_bytes(4, "little")  # ISIZE lies too
    with pytest.raises(IrisplugError, match="unpacks to more than"):
        gunzip_bounded(bytes(packed), tmp_path / "bomb.fits.gz")


def test_within_limit_identical_to_gzip(tmp_path: Path) -> None:
    raw = _fits_bytes(64)
    assert gunzip_bounded(gzip.compress(raw), tmp_path / "ok.fits.gz") == raw


def test_truncated_and_corrupt_streams(tmp_path: Path) -> None:
    packed = gzip.compress(_fits_bytes(64))
    with pytest.raises(CorruptFileError, match="cut short"):
        gunzip_bounded(packed[: len(packed) // 2], tmp_path / "t.fits.gz")
    bad = bytearray(packed)
    bad[20:30] = b"\xff" * 10
    with pytest.raises(CorruptFileError):
        try:
            gunzip_bounded(bytes(bad), tmp_path / "c.fits.gz")
        except zlib.error:  # pragma: no cover - must not escape
            pytest.fail("raw zlib.error")


def _noisy_fits_bytes(n_rows: int) -> bytes:
    """A FITS file of random floats: its gzip stream is random-looking bytes all along."""
    import io

    buf = io.BytesIO()
    fits.PrimaryHDU(np.random.default_rng(3).normal(size=(n_rows, 1024)).astype(">f4")).writeto(buf)
    return buf.getvalue()


def test_cut_stream_with_garbage_trailer_is_truncated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The last 4 bytes of a stream cut short are compressed data, not ISIZE: TruncatedFileError naming the file
    (was LimitExceededError whenever they read as more than the limit)."""
    from irisplug.errors import TruncatedFileError

    raw = _noisy_fits_bytes(64)
    limit = 2 * len(raw)
    monkeypatch.setenv("IRISPLUG_MAX_DECOMPRESSED_BYTES", str(limit))
    packed = gzip.compress(raw)
    cuts = [n for n in range(len(packed) // 2, len(packed) - 8) if int.from_bytes(packed[n - 4:n], "little") > limit]
    assert cuts
    for n in cuts[:: max(len(cuts) // 5, 1)]:
        path = tmp_path / f"cut{n}.fits.gz"
        with pytest.raises(TruncatedFileError, match="cut short") as err:
            gunzip_bounded(packed[:n], path)
        assert err.value.path == str(path)


def test_data_after_the_gzip_member_is_no_trailer(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Bytes after a complete gzip member that read as a size over the limit do not refuse the file."""
    raw = _fits_bytes(64)
    monkeypatch.setenv("IRISPLUG_MAX_DECOMPRESSED_BYTES", str(2 * len(raw)))
    assert gunzip_bounded(gzip.compress(raw) + b"\xff" * 8, tmp_path / "padded.fits.gz") == raw


def test_honest_oversized_stream_refused_without_holding_its_output(tmp_path: Path,
                                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    """A complete stream whose trailer (correctly) declares more than the limit: LimitExceededError, found by
    inflating without keeping the output."""
    import tracemalloc

    from irisplug.errors import LimitExceededError

    monkeypatch.setenv("IRISPLUG_MAX_DECOMPRESSED_BYTES", str(128 << 20))
    packer = zlib.compressobj(1, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    zeros = b"\0" * (16 << 20)
    packed = b"".join([*(packer.compress(zeros) for _ in range(16)), packer.flush()])  # 256 MiB of zeros
    del zeros
    assert int.from_bytes(packed[-4:], "little") == 256 << 20
    tracemalloc.start()
    try:
        with pytest.raises(LimitExceededError, match="unpacks to more than"):
            gunzip_bounded(packed, tmp_path / "big.fits.gz")
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 64 << 20  # a few chunks at a time, not the 128 MiB allowed


@pytest.mark.parametrize(("key", "value"), [("BSCALE", 0.0), ("BZERO", 5.0)])
def test_scaling_on_float_data_refused(tmp_path: Path, key: str, value: float) -> None:
    path = tmp_path / "plain.fits"
    hdu = fits.PrimaryHDU(np.zeros((4, 4), dtype=">f4"))
    hdu.writeto(path)
    with fits.open(path, mode="update") as h:
        h[0].header[key] = value
    with pytest.raises(CorruptFileError, match=key if key == "BSCALE" else "BSCALE/BZERO"):
        open_validated(path)


def test_garbled_utc_names_the_value() -> None:
    with pytest.raises(CorruptFileError, match="not an IUVS time") as err:
        parse_iuvs_utc(["2023/014 Jan 14 07:19:07.10487UTC", "garbage"], path="x.fits")
    assert err.value.path == "x.fits" and "'garbage'" in str(err.value)


def test_leap_second_utc_is_the_astropy_instant() -> None:
    from astropy.time import Time

    times = parse_iuvs_utc(["2016/366 Dec 31 23:59:59.50000UTC", "2016/366 Dec 31 23:59:60.50000UTC",
                            "2017/001 Jan 01 00:00:00.50000UTC"])
    expected = Time(["2016-12-31T23:59:59.5", "2016-12-31T23:59:60.5", "2017-01-01T00:00:00.5"], scale="utc")
    assert np.all((times - expected).sec == 0)
    assert list(times.isot) == list(expected.isot)
    with pytest.raises(CorruptFileError, match="second 60 outside a leap second") as err:
        parse_iuvs_utc(["2016/366 Dec 31 23:58:60.50000UTC"], path="x.fits")
    assert err.value.path == "x.fits"


def _card_replaced(raw: bytes, key: str, value: str, nth: int = 0) -> bytes:
    """``raw`` with the ``nth`` header card ``key`` given the raw value text ``value`` (card stays 80 bytes)."""
    start = -1
    for _ in range(nth + 1):
        start = raw.index(key.ljust(8).encode() + b"=", start + 1)
        while start % 80:
            start = raw.index(key.ljust(8).encode() + b"=", start + 1)
    card = (key.ljust(8) + "= " + value.rjust(20)).ljust(80).encode()
    return raw[:start] + card + raw[start + 80:]


@pytest.mark.parametrize(("key", "value", "astropy_error"), [
    ("TFIELDS", "0", "ValueError"),  # a table whose columns astropy cannot build
    ("EXTNAME", "INF", "VerifyError"),  # an unparsable card astropy reads only when asked
])
def test_damage_astropy_finds_late_is_a_corrupt_file(muv_file: Path, tmp_path: Path, key: str, value: str,
                                                     astropy_error: str) -> None:
    """Seen in the fuzz suite: astropy parses cards and builds columns after the checks at open; its errors
    reached the user raw (wrapped only by the host's PluginCallError). Now the reader names the file."""
    import irisplug
    from irisplug.errors import PluginCallError

    raw = gzip.decompress(muv_file.read_bytes()) if muv_file.suffix == ".gz" else muv_file.read_bytes()
    bad = tmp_path / muv_file.name.replace(".gz", "")
    bad.write_bytes(_card_replaced(raw, key, value))
    with pytest.raises(CorruptFileError) as err:
        irisplug.read(bad)
    assert not isinstance(err.value, PluginCallError)
    assert bad.name in str(err.value) and astropy_error in str(err.value)
