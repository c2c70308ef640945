"""Issue 16, core half: the header walker, discovery race, plugin trust, limits, atomic writes.

Each test reproduces one class of the hostile inputs the issue reports.
"""

from __future__ import annotations

import subprocess
import sys
import threading
from pathlib import Path

import numpy as np
import pytest
from astropy.io import fits

from irisplug.errors import (
    CorruptFileError,
    IrisplugError,
    LimitExceededError,
)
from irisplug.fileinfo import iter_fits_headers

BROKEN = Path(__file__).resolve().parent / "broken_plugins"
sys.path.insert(0, str(BROKEN))

# -- 1. the header walker ----------------------------------------------------


def _fits_file(path: Path) -> Path:
    """Three HDUs (image, image extension, binary table) written by astropy."""
    primary = fits.PrimaryHDU(np.arange(12, dtype=">i2").reshape(3, 4))
    ext = fits.ImageHDU(np.ones((2, 5), ">f4"), name="IMG")
    table = fits.BinTableHDU.from_columns([fits.Column(name="A", format="E", array=np.arange(3.0))], name="TAB")
    fits.HDUList([primary, ext, table]).writeto(path)
    return path


def _set_card(raw: bytearray, hdu_offset: int, key: str, value: str) -> None:
    """Replace the value of ``key`` in the header that starts at ``hdu_offset`` (value field, 20 chars)."""
    for start in range(hdu_offset, len(raw), 80):
        if raw[start : start + 8].decode().rstrip() == key:
            raw[start + 10 : start + 30] = value.rjust(20).encode()
            return
    raise AssertionError(f"{key} not in the header")


def _walk_in_thread(path: Path, timeout: float = 10.0) -> tuple[bool, BaseException | None]:
    outcome: list[BaseException | None] = []

    def run() -> None:
        try:
            for _ in iter_fits_headers(path):
                pass
            outcome.append(None)
        except BaseException as exc:  # noqa: BLE001 - judged by the caller
            outcome.append(exc)

    t = threading.Thread(target=run, daemon=True)
    t.start()
    t.join(timeout)
    return (not t.is_alive()), (outcome[0] if outcome else None)


def test_walker_matches_astropy(tmp_path):
    path = _fits_file(tmp_path / "a.fits")
    ours = [(h.get("EXTNAME", ""), off, n) for h, off, n in iter_fits_headers(path)]
    with fits.open(path) as hdul:
        ref = [(h.header.get("EXTNAME", ""), h._data_offset, h._data_size) for h in hdul]
    assert [(e, off) for e, off, _ in ours] == [(e, off) for e, off, _ in ref]
    # ours is padded to whole blocks, astropy's is not
    assert [n for *_, n in ours] == [(n + 2879) // 2880 * 2880 for *_, n in ref]


@pytest.mark.parametrize(
    ("hdu", "key", "value", "words"),
    [
        (0, "NAXIS2", "-3", ["HDU 0", "NAXIS2", ">= 0"]),
        (2, "GCOUNT", "-1", ["HDU 2", "GCOUNT"]),
        (2, "PCOUNT", "-9", ["HDU 2", "PCOUNT"]),
        (0, "BITPIX", "'x'", ["HDU 0", "BITPIX", "not an integer"]),
        (0, "BITPIX", "24", ["HDU 0", "BITPIX = 24"]),
        (1, "NAXIS", "1000", ["HDU 1", "NAXIS = 1000"]),
        (1, "NAXIS", "-1", ["HDU 1", "NAXIS"]),
        (0, "NAXIS1", "1.5", ["HDU 0", "NAXIS1", "not an integer"]),
        (1, "NAXIS2", "99999999999999999999", ["HDU 1"]),
    ],
)
def test_walker_rejects_bad_structural_keywords(tmp_path, hdu, key, value, words):
    path = _fits_file(tmp_path / "a.fits")
    offsets = [0, *[off + n for _, off, n in iter_fits_headers(path)][:-1]]
    raw = bytearray(path.read_bytes())
    _set_card(raw, offsets[hdu], key, value)
    path.write_bytes(bytes(raw))
    finished, exc = _walk_in_thread(path)
    assert finished, "the walker hangs"
    assert isinstance(exc, CorruptFileError), repr(exc)
    for word in words:
        assert word in str(exc)
    assert str(path) in str(exc)


def test_walker_negative_naxis_in_gzip_and_info_cli(tmp_path):
    """The reported hang: a negative size sent the walker backwards, forever; also via `irisplug info DIR`."""
    import gzip

    path = _fits_file(tmp_path / "a.fits")
    raw = bytearray(path.read_bytes())
    _set_card(raw, 0, "NAXIS2", "-3")
    gz = tmp_path / "d" / "b.fits.gz"
    gz.parent.mkdir()
    gz.write_bytes(gzip.compress(bytes(raw)))
    finished, exc = _walk_in_thread(gz)
    assert finished and isinstance(exc, CorruptFileError)
    proc = subprocess.run(
        [sys.executable, "-m", "irisplug", "info", str(gz.parent)], capture_output=True, text=True, timeout=120
    )
    assert proc.returncode != 0
    assert "Traceback" not in proc.stderr


def test_walker_header_card_limit(tmp_path, monkeypatch):
    path = tmp_path / "noend.fits"
    cards = ["SIMPLE  =                    T", "BITPIX  =                    8", "NAXIS   =                    0"]
    cards += [f"COMMENT {i}" for i in range(5000)]
    path.write_bytes("".join(c.ljust(80) for c in cards).encode().ljust(2880 * 200, b" "))
    monkeypatch.setenv("IRISPLUG_MAX_HEADER_CARDS", "1000")
    with pytest.raises(LimitExceededError, match="IRISPLUG_MAX_HEADER_CARDS"):
        list(iter_fits_headers(path))


def test_walker_fuzz_never_hangs_never_raw(tmp_path_factory):
    """Hypothesis: arbitrary byte mutations of real headers only ever end or raise an IrisplugError."""
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    base_dir = tmp_path_factory.mktemp("fuzz")
    sources = [_fits_file(base_dir / "gen.fits")]
    try:  # real IRIS level 2 files (raster and SJI), from the irispy-lmsal wheel's test data
        from importlib.resources import files

        real = sorted(Path(str(files("irispy") / "data" / "test")).rglob("*.fits*"))
        sources += real[:1] + [p for p in real if "SJI" in p.name.upper()][:1]
    except (ImportError, OSError):
        pass
    heads = [Path(s).read_bytes()[: 2880 * 12] for s in sources]
    alphabet = st.sampled_from([*list(b"0123456789 -+.'=EDTFXN"), 0, 255])
    mutation = st.tuples(st.integers(min_value=0, max_value=2880 * 12 - 1), alphabet)

    @settings(max_examples=300, deadline=None, suppress_health_check=list(HealthCheck))
    @given(which=st.integers(0, len(heads) - 1), edits=st.lists(mutation, min_size=1, max_size=12),
           cut=st.one_of(st.none(), st.integers(0, 2880 * 12)))
    def check(which, edits, cut):
        raw = bytearray(heads[which])
        for pos, byte in edits:
            if pos < len(raw):
                raw[pos] = byte
        if cut is not None:
            raw = raw[:cut]
        path = base_dir / "mutant.fits"
        path.write_bytes(bytes(raw))
        finished, exc = _walk_in_thread(path, timeout=10)
        assert finished, f"hang on edits {edits}"
        assert exc is None or isinstance(exc, IrisplugError), repr(exc)

    check()
