"""Line templates come from instrument plugins (hook irisplug_line_templates); fit resolves `template` in one place."""

from __future__ import annotations

import importlib

import astropy.units as u
import numpy as np
import pytest
from astropy.wcs import WCS
from ndcube import NDCube

import irisplug
from irisplug_fit import Component, Line, Template
from irisplug_fit.line_templates import default_template_name, get_template, template_names

REST = 195.119  # Fe XII, CHIANTI (an EIS line: nothing IRIS about it)


def build(name):
    line = Line("Fe XII 195.12", "Fe", "XII", REST, 6.2, instrument_fwhm=0.056)
    return Template(name, (Component("fe_xii_195", line, width=0.03),), (REST - 0.3, REST + 0.3),
                    windows=("Fe XII 195.120",), description="Fe XII 195.12")


class _EISLines:
    @irisplug.hookimpl
    def irisplug_line_templates(self):
        return [irisplug.LineTemplateDescriptor(name="fe_xii_195", build=f"{__name__}:build",
                                                windows=("Fe XII 195.120",), instrument="EIS")]


def _cube(centre: float) -> NDCube:
    """A (4, 3, 60) cube of Gaussians at ``centre`` with a wavelength axis last (EIS-like)."""
    wcs = WCS(naxis=3)
    wcs.wcs.ctype = ["WAVE", "HPLT-TAN", "HPLN-TAN"]
    wcs.wcs.cunit = ["Angstrom", "arcsec", "arcsec"]
    wcs.wcs.cdelt = [0.0223, 1.0, 2.0]
    wcs.wcs.crval = [REST - 0.3, 0.0, 0.0]
    wcs.wcs.crpix = [1.0, 1.0, 1.0]
    x = REST - 0.3 + 0.0223 * np.arange(60)
    profile = 5.0 + 200.0 * np.exp(-0.5 * ((x - centre) / 0.03) ** 2)
    return NDCube(np.broadcast_to(profile, (4, 3, 60)).copy(), wcs=wcs, unit=u.ct, meta={"window": "Fe XII 195.120"})


def test_without_an_instrument_plugin_no_template_is_known(empty_plugin_manager):
    assert template_names() == []
    with pytest.raises(irisplug.UnknownContributionError, match="no instrument plugin contributes line templates"):
        get_template("si_iv_1403")


def test_a_third_party_template_is_found_by_name_and_window(empty_plugin_manager):
    empty_plugin_manager.register(_EISLines(), name="eis-lines")
    empty_plugin_manager.register(importlib.import_module("irisplug_fit.plugin"), name="fit")
    assert default_template_name("Fe XII 195.120") == "fe_xii_195"
    assert get_template("fe_xii_195") is get_template("fe_xii_195")  # built once
    shift = 0.02  # Angstrom to the red
    maps = irisplug.fit(_cube(REST + shift), method="lm")  # no template: the one declared for the window
    v = np.asarray(maps["fe_xii_195.velocity"].data)
    expected = shift / REST * 299792.458  # km/s, the Doppler formula, independently of the fit code
    np.testing.assert_allclose(v, expected, rtol=2e-3)
    assert "fe_xii_195.vnt" in maps  # the contributed line carries its instrumental width


def test_peak_is_resolved_once_for_cubes_and_sequences(empty_plugin_manager):
    from ndcube import NDCubeSequence

    from irisplug_fit.cube import fit_any

    seq = NDCubeSequence([_cube(REST + 0.01), _cube(REST + 0.01)])
    maps = fit_any(seq, "peak")
    assert len(maps) == 2
    cen = np.asarray(maps[0]["peak.centre"].data)
    np.testing.assert_allclose(cen, REST + 0.01, atol=2e-4)
    assert "peak.vnt" not in maps[0]  # no instrumental width known for a peak template
