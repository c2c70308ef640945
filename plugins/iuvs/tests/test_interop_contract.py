"""The interoperability contract (irisplug.testing.InteropContract) on the real IUVS L1B files (skips without them)."""

from __future__ import annotations

from typing import ClassVar

import pytest

from irisplug.testing import InteropContract

#: the IUVS wavelength is a 2-D lookup table (each spatial bin has its own wavelengths) held in a gwcs Tabular2D;
#: astropy's tabular models have no inverse above 1-D, so gwcs falls back to a numerical inverse that assumes
#: celestial axes: every world -> pixel route fails (sunpy/ndcube#407: "tabular models in astropy modeling do not
#: support inverse transforms for higher than 1D tables")
_TABULAR_2D = "2-D wavelength lookup table without inverse (astropy Tabular2D) in gwcs: sunpy/ndcube#407"
#: combined_wcs adds ndcube lookup tables of the per-integration values, constant ones without inverse
_NDCUBE_416 = "constant extra-coordinate lookup tables have no inverse in gwcs: sunpy/ndcube#416"


def _old_gwcs() -> bool:
    from importlib.metadata import version

    return int(version("gwcs").split(".")[0]) < 1


#: before gwcs 1.0 the same numerical inverse raises astropy's TypeError ("only dimensionless scalar quantities")
#: for a time-only crop beyond the integrations, where gwcs 1.0 lets ndcube say the points are outside
_OLD_GWCS_INVERSE = f"{_TABULAR_2D}; gwcs < 1.0 raises TypeError in its numerical inverse (oldest dependencies)"


class TestIuvsL1bInterop(InteropContract):
    reader = "iuvs-l1b"
    max_cubes = 2
    upstream_xfails: ClassVar[dict[str, str]] = {
        "test_world_to_pixel_through_wcs": _TABULAR_2D,
        "test_world_to_pixel_through_combined_wcs": f"{_TABULAR_2D}; {_NDCUBE_416}",
        "test_crop_by_spectral_coord": _TABULAR_2D,
        "test_crop_by_values": _TABULAR_2D,
        **({"test_crop_by_time_outside_is_refused": _OLD_GWCS_INVERSE} if _old_gwcs() else {}),
    }

    @pytest.fixture(scope="class")
    @classmethod
    def sample(cls, l1b_files):
        return next(p for p in l1b_files if "-muv_" in p.name)
