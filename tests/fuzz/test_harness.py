"""The fuzz harness itself: bounded mutations, and each outcome (crash, hang, memory) measured in a forked child."""

from __future__ import annotations

import os
import random
import signal
import sys
from pathlib import Path

import pytest

from tests.fuzz import worker
from tests.fuzz.mutations import BLOCK, CARD, MAX_GROWTH, fits_hdus, mutate
from tests.fuzz.seeds import Seed

pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="fork server, /proc and wait4 rusage: Linux")


def _fits(cards: dict[str, object], nbytes: int) -> bytes:
    text = "".join(f"{k:<8}= {v!s:>20}".ljust(CARD) for k, v in cards.items()) + "END".ljust(CARD)
    head = text.encode().ljust(-(-len(text) // BLOCK) * BLOCK, b" ")
    return head + b"\0" * (-(-nbytes // BLOCK) * BLOCK)


@pytest.mark.parametrize("key", ["NAXIS1", "GCOUNT", "PCOUNT", "NAXIS"])
def test_fits_walker_stops_on_negative_sizes(key: str) -> None:
    """A negative size once made the walker step backwards forever (the runner's 10 GB blow-up on seed 0)."""
    cards = {"SIMPLE": "T", "BITPIX": 8, "NAXIS": 1, "NAXIS1": 2880, "GCOUNT": 1, "PCOUNT": 0}
    data = _fits(cards, 2880) * 2
    assert len(fits_hdus(data)) == 2
    cards[key] = -5760
    assert len(fits_hdus(_fits(cards, 2880) * 2)) <= 1


def test_mutations_stay_bounded(tmp_path: Path) -> None:
    """No mutation adds more than MAX_GROWTH bytes (a FITS file with a record HDU of JSON text)."""
    from astropy.io import fits

    path = tmp_path / "seed.fits"
    table = fits.BinTableHDU.from_columns([fits.Column(name="x", format="E", array=[1.0, 2.0])])
    fits.HDUList([fits.PrimaryHDU(), fits.ImageHDU(data=[[1.0, 2.0]]), table]).writeto(path)
    seed = Seed(path, "test", "fits")
    rng = random.Random(5)
    for i in range(60):
        case = tmp_path / f"c{i}"
        case.mkdir()
        out, notes = mutate(seed, rng, case)
        assert out.stat().st_size <= path.stat().st_size + MAX_GROWTH, notes


def _crash(path: str) -> dict:
    os.kill(os.getpid(), signal.SIGSEGV)
    return {}


def _loop(path: str) -> dict:
    while True:
        pass


def _allocate(path: str) -> dict:
    import numpy as np

    block = np.ones(96 << 20, dtype=np.uint8)  # 96 MiB, touched
    return {"outcome": "ok", "sum": int(block[::4096].sum())}


def test_fork_case_outcomes(monkeypatch: pytest.MonkeyPatch) -> None:
    """A signal is a crash, CPU spent without an answer a hang, and the child's own peak RSS is measured (wait4)."""
    monkeypatch.setattr(worker, "run_case", _crash)
    out = worker.fork_case("x", timeout=20, rss_limit=2 << 30, as_limit=0)
    assert out["outcome"] == "crash" and "SIGSEGV" in out["signature"]
    monkeypatch.setattr(worker, "run_case", _loop)
    out = worker.fork_case("x", timeout=1, rss_limit=2 << 30, as_limit=0, wall_timeout=120)
    assert out["outcome"] == "hang" and "CPU" in out["signature"] and out["cpu"] >= 1
    monkeypatch.setattr(worker, "run_case", _allocate)
    small = worker.fork_case("x", timeout=20, rss_limit=2 << 30, as_limit=0)
    assert small["outcome"] == "ok"
    limited = worker.fork_case("x", timeout=20, rss_limit=small["peak_rss"] - (48 << 20), as_limit=0)
    assert limited["outcome"] == "memory"
    monkeypatch.setattr(worker, "run_case", lambda path: {"outcome": "ok"})
    idle = worker.fork_case("x", timeout=20, rss_limit=2 << 30, as_limit=0)
    assert small["peak_rss"] - idle["peak_rss"] > 64 << 20  # the 96 MiB block shows in the measured peak
