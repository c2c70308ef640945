"""The interoperability contract (irisplug.testing.InteropContract) on the real IUVS L1B files (skips without them)."""

from __future__ import annotations

import pytest

from irisplug.testing import InteropContract


class TestIuvsL1bInterop(InteropContract):
    reader = "iuvs-l1b"
    max_cubes = 2

    @pytest.fixture(scope="class")
    @classmethod
    def sample(cls, l1b_files):
        return next(p for p in l1b_files if "-muv_" in p.name)
