"""pytest plugin of irisplug (registered through the ``pytest11`` entry point)."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from irisplug.plugin_manager import PluginManager, set_plugin_manager


@pytest.fixture
def irisplug_manager() -> Iterator[PluginManager]:
    """A fresh manager with the installed plugins, process-wide for this test."""
    pm = PluginManager()
    old = set_plugin_manager(pm)
    try:
        yield pm
    finally:
        set_plugin_manager(old)


@pytest.fixture
def empty_plugin_manager() -> Iterator[PluginManager]:
    """A fresh manager without entry points, process-wide for this test."""
    pm = PluginManager(entry_points=False)
    old = set_plugin_manager(pm)
    try:
        yield pm
    finally:
        set_plugin_manager(old)


@pytest.fixture(scope="session")
def shared_data(request: pytest.FixtureRequest) -> Callable[..., list[Path]]:
    """``shared_data(name, pattern="*")``: real data files kept outside the repository.

    Looks in ``$IRISPLUG_SHARED_DATA/<name>`` or else ``<rootdir>/../shared/data/<name>``
    (the layout of a checkout with the shared folder beside it) and skips the
    test, saying where it looked, when no file matches. Such files are never
    committed.
    """

    def find(name: str, pattern: str = "*") -> list[Path]:
        root = os.environ.get("IRISPLUG_SHARED_DATA")
        base = Path(root) if root else Path(request.config.rootpath).resolve().parent / "shared" / "data"
        files = sorted((base / name).glob(pattern))
        if not files:
            pytest.skip(f"no {pattern} files in {base / name} (set IRISPLUG_SHARED_DATA to the folder holding {name}/)")
        return files

    return find
