"""The interoperability contract (irisplug.testing.InteropContract) on a SHOW level-0 file in the real layout."""

from __future__ import annotations

import pytest

from irisplug.testing import InteropContract


class TestShowL0Interop(InteropContract):
    reader = "show-l0"
    max_cubes = 2

    @pytest.fixture(scope="class")
    @classmethod
    def sample(cls, show_file):
        return show_file[0]
