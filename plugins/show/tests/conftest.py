"""Fixtures of the SHOW plugin tests: small synthetic L0 files with known truth."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture(scope="session")
def show_file(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, object]:
    from irisplug_show.generate import generate

    path = tmp_path_factory.mktemp("show") / "show_l0_test.nc"
    truth = generate(path, shape=(64, 48), dark_exposures_ms=(100.0, 300.0), frames_per_exposure=12,
                     science_frames=6, seed=3)
    return path, truth
