"""Fixtures for every test path of the repository (doctests of irisplug/ and plugins/ included)."""

from __future__ import annotations

from pathlib import Path

import pytest
from _pytest.doctest import DoctestItem


@pytest.fixture(autouse=True)
def _doctests_write_into_a_temporary_folder(request: pytest.FixtureRequest, tmp_path: Path,
                                            monkeypatch: pytest.MonkeyPatch) -> None:
    """Docstring examples that write files (``irisplug.write(cube, "small.asdf")``) write into a fresh folder.

    Otherwise they write into the checkout, and a second run there (another CI job) finds the files
    and is refused with FileExistsIrisplugError.
    """
    if isinstance(request.node, DoctestItem):
        monkeypatch.chdir(tmp_path)
