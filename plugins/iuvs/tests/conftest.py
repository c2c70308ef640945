"""Fixtures of the IUVS plugin tests: the real L1B sample files (never copied into the repo)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest


def iuvs_data_dir() -> Path:
    """``$IRISPLUG_IUVS_DATA`` or ``<repo root>/../shared/data/iuvs``."""
    env = os.environ.get("IRISPLUG_IUVS_DATA")
    if env:
        return Path(env)
    repo = Path(__file__).resolve().parents[3]
    return repo.parent / "shared" / "data" / "iuvs"


@pytest.fixture(scope="session")
def l1b_files() -> list[Path]:
    files = sorted(iuvs_data_dir().glob("mvn_iuv_l1b_*.fits*"))
    if not files:
        pytest.skip(f"no IUVS L1B sample files in {iuvs_data_dir()} (set IRISPLUG_IUVS_DATA)")
    return files


@pytest.fixture(scope="session")
def muv_file(l1b_files: list[Path]) -> Path:
    return next(p for p in l1b_files if "-muv_" in p.name)


@pytest.fixture(scope="session")
def l1a_dir(l1b_files: list[Path], tmp_path_factory: pytest.TempPathFactory) -> Path:
    """L1A light + dark files built from every L1B sample (formats.md 1.4)."""
    from irisplug_iuvs.l1a_make import make_l1a_from_l1b

    out = tmp_path_factory.mktemp("l1a")
    for p in l1b_files:
        make_l1a_from_l1b(p, out)
    return out
