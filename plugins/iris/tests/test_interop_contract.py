"""The interoperability contract (irisplug.testing.InteropContract) on the IRIS Level 2 reader's real files."""

from __future__ import annotations

from typing import ClassVar

import pytest

from irisplug.testing import InteropContract
from irisplug_iris.irispy_files import find_files

#: ndcube's extra coordinates are gwcs lookup tables; the exposure-time and repeat tables are constant within a
#: file, such a table has no inverse and gwcs' numerical inverse then fails (a plain NDCube with the same tables
#: fails alike: plugins/iris/tests/test_interop_ops.py)
_NDCUBE_416 = "constant / repeating extra-coordinate lookup tables have no inverse in gwcs: sunpy/ndcube#416"


class TestIrisRasterInterop(InteropContract):
    reader = "iris-l2"
    max_cubes = 2
    upstream_xfails: ClassVar[dict[str, str]] = {"test_world_to_pixel_through_combined_wcs": _NDCUBE_416}

    @pytest.fixture(scope="class")
    @classmethod
    def sample(cls, raster_files):
        return raster_files[0]


class TestIrisRasterSequenceInterop(InteropContract):
    """Three raster files of one observation: sequences whose rasters differ in time and observer (printing such a
    sequence raised ValueError from sunraster's ``celestial``)."""

    reader = "iris-l2"
    max_cubes = 1
    upstream_xfails: ClassVar[dict[str, str]] = {"test_world_to_pixel_through_combined_wcs": _NDCUBE_416}

    @pytest.fixture(scope="class")
    @classmethod
    def sample(cls, raster_files):
        return raster_files[:3]


class TestIrisSlitJawInterop(InteropContract):
    reader = "iris-l2"
    max_cubes = 1
    upstream_xfails: ClassVar[dict[str, str]] = {"test_world_to_pixel_through_combined_wcs": _NDCUBE_416}

    @pytest.fixture(scope="class")
    @classmethod
    def sample(cls):
        files = [p for p in find_files(kind="sji") if "1400" in p.name]
        if not files:
            pytest.skip("irispy-lmsal's slit-jaw test files are not installed")
        return files[0]
