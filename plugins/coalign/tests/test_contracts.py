"""The core's co-aligner contract (irisplug.testing.CoalignerContract) on this plugin's methods, with real images."""

from __future__ import annotations

import warnings

import pytest

from irisplug.testing import CoalignerContract


@pytest.fixture(scope="module")
def sji_cube(sji_file):
    import irisplug

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        obs = irisplug.read(sji_file)
    return next(iter(obs.values()))


class TestFftContract(CoalignerContract):
    coaligner = "fft"

    @pytest.fixture
    def target(self, aia_map):
        return aia_map

    @pytest.fixture
    def reference(self, aia_map):
        return aia_map


class TestJitterContract(CoalignerContract):
    coaligner = "jitter"

    @pytest.fixture
    def target(self, sji_cube):
        return sji_cube[:6]

    @pytest.fixture
    def reference(self):
        return None
