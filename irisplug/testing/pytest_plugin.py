"""pytest plugin of irisplug (registered through the ``pytest11`` entry point)."""

from __future__ import annotations

from collections.abc import Iterator

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
