"""The interoperability contract (irisplug.testing.InteropContract) on a SHOW level-0 file in the real layout."""

from __future__ import annotations

from typing import ClassVar

import pytest

from irisplug.testing import InteropContract


class TestShowL0Interop(InteropContract):
    reader = "show-l0"
    max_cubes = 2
    #: the per-exposure values (exposure time, gain, temperatures) are ndcube lookup tables; the constant ones
    #: have no inverse and gwcs' numerical inverse then fails
    upstream_xfails: ClassVar[dict[str, str]] = {"test_world_to_pixel_through_combined_wcs":
                       "constant extra-coordinate lookup tables have no inverse in gwcs: sunpy/ndcube#416"}

    @pytest.fixture(scope="class")
    @classmethod
    def sample(cls, show_file):
        return show_file[0]
