"""IRIS colour maps: the choice by label/wavelength, and the display hint the readers put into every window's meta."""

from __future__ import annotations

import warnings

import pytest
from astropy.io import fits

import irisplug
from irisplug.model import colormap
from irisplug_iris import iris_cmap, iris_colormap_name

#: sunpy's colour-map names (sunpy.visualization.colormaps.cmlist) by SJI passband (TWAVE1, Angstrom)
_SUNPY_BY_PASSBAND = {1330: "irissji1330", 1400: "irissji1400", 1600: "irissji1600", 2796: "irissji2796",
                      2832: "irissji2832", 5000: "irissji5000"}


@pytest.mark.parametrize("label,name", [("SJI_1330", "irissji1330"), ("SJI_2832", "irissji2832"),
                                        ("Si IV 1403", "irissji1400"), ("C II 1336", "irissji1330"),
                                        ("Mg II k 2796", "irissji2796"), ("2814", "irissji2796"), ("nothing", "gray")])
def test_iris_colour_maps(label, name):
    import matplotlib
    import sunpy.visualization.colormaps  # noqa: F401

    assert iris_colormap_name(label) == name
    assert iris_cmap(label).name == matplotlib.colormaps[name].name


def test_sji_cubes_carry_the_colour_map_of_their_passband():
    """Every slit-jaw test file (found by content); the expected map from the file's own TWAVE1."""
    from irisplug_iris.irispy_files import require_files

    for path in require_files(kind="sji"):
        twave = round(float(fits.getheader(path)["TWAVE1"]))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            obs = irisplug.read(path)
        cube = obs[next(k for k in obs.keys() if k.startswith("SJI"))] if hasattr(obs, "keys") else obs
        assert colormap(cube) == _SUNPY_BY_PASSBAND[twave], path.name


def test_raster_windows_carry_a_colour_map_and_viewers_use_it(obs_raster):
    import matplotlib

    from irisplug_view.colormaps import display_cmap

    for label in obs_raster.keys():
        hint = colormap(obs_raster[label])
        assert hint is None or hint.startswith("irissji"), label
        if hint is not None:
            assert display_cmap(obs_raster[label]).name == matplotlib.colormaps[hint].name
    assert any(colormap(obs_raster[label]) for label in obs_raster.keys())


def test_view_aliases_still_work_with_a_deprecation_warning():
    import irisplug_view

    with pytest.warns(DeprecationWarning, match="irisplug_iris.iris_cmap"):
        assert irisplug_view.iris_cmap("SJI_1400").name == iris_cmap("SJI_1400").name
    with pytest.warns(DeprecationWarning, match="irisplug_iris.synthetic_sji"):
        from irisplug_view.synthetic import synthetic_sji
    assert synthetic_sji(2, 4, 5).data.shape == (2, 4, 5)
