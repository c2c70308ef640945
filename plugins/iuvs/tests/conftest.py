"""Fixtures of the IUVS plugin tests: the real L1B sample files (never copied into the repo)."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture(scope="session")
def l1b_files(shared_data) -> list[Path]:
    """The real L1B sample files of the shared data folder (skips without them)."""
    return shared_data("iuvs", "mvn_iuv_l1b_*.fits*")


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
