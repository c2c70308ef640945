"""The model contract of irisplug.model: kinds by world coordinates, accepts with reasons, reader-set data levels."""

from __future__ import annotations

import astropy.units as u
import numpy as np
import pytest
from astropy.wcs import WCS
from ndcube import NDCollection, NDCube, NDCubeSequence

import irisplug
from irisplug.model import Kind, Verdict, accepting, instrumental_fwhm, invalid_mask, kind_of, with_levels


def _wcs(*ctypes: str) -> WCS:
    """A FITS WCS with these CTYPEs (FITS order: the last is array axis 0)."""
    w = WCS(naxis=len(ctypes))
    w.wcs.ctype = list(ctypes)
    w.wcs.cunit = ["Angstrom" if c.startswith("WAVE") else "s" if c == "TIME" else "arcsec" if c.startswith("HP")
                   else "" for c in ctypes]
    w.wcs.cdelt = [0.05 if c.startswith("WAVE") else 1.0 for c in ctypes]
    w.wcs.crval = [1400.0 if c.startswith("WAVE") else 0.0 for c in ctypes]
    return w


def _cube(shape, *ctypes, **kw):
    return NDCube(np.ones(shape), wcs=_wcs(*ctypes), unit=u.DN, **kw)


RASTER = ("WAVE", "HPLT-TAN", "HPLN-TAN")  # array axes (step=lon, slit=lat, wavelength)
IMAGES = ("HPLN-TAN", "HPLT-TAN", "TIME")  # array axes (time, y, x)


@pytest.mark.parametrize(("shape", "ctypes", "kind"), [
    ((4, 5, 6), RASTER, Kind.SPECTRAL_CUBE),
    ((4, 5, 6), IMAGES, Kind.IMAGE_CUBE),
    ((5, 6), ("HPLN-TAN", "HPLT-TAN"), Kind.IMAGE),
    ((6,), ("WAVE",), Kind.SPECTRA),
    ((5, 6), ("WAVE", "PIXEL"), Kind.SPECTRA),
    ((4, 5, 6), ("PIXEL", "PIXEL", "TIME"), Kind.DETECTOR_ARRAY),
])
def test_cube_kinds(shape, ctypes, kind):
    c = kind_of(_cube(shape, *ctypes))
    assert c.kind is kind, c.reason


@pytest.mark.parametrize(("ctypes", "reason"), [
    (("HPLN-TAN", "HPLT-TAN", "WAVE"), "spectral world axis is on array axis 0"),
    (("HPLN-TAN", "WAVE", "HPLT-TAN"), "spectral world axis is on array axis 1"),
])
def test_refusal_reasons_name_the_axis(ctypes, reason):
    c = kind_of(_cube((4, 5, 6), *ctypes))
    assert c.kind is None and reason in c.reason


def test_spectra_whose_wavelength_varies_along_axis_0():
    # one frame of a 3-D spectral cube whose wavelength depends on the position (a 2-D wavelength table) or on the
    # time (a drifting wavelength): still spectra; a wavelength varying along an axis that is neither is refused
    def coupled(*ctypes):
        w = _wcs(*ctypes)
        w.wcs.pc = [[1.0, 0.1], [0.0, 1.0]]  # the wavelength (FITS axis 1) depends on array axis 0 too
        return NDCube(np.ones((5, 6)), wcs=w, unit=u.DN)

    timed = coupled("WAVE", "TIME")
    assert timed.array_axis_physical_types[0] == ("em.wl", "time")
    assert kind_of(timed).kind is Kind.SPECTRA
    c = kind_of(coupled("WAVE", "PIXEL"))
    assert c.kind is None and "nor shared only with a spatial or time axis 0" in c.reason


def test_containers():
    raster = _cube((4, 5, 6), *RASTER)
    images = _cube((4, 5, 6), *IMAGES)
    assert kind_of(NDCubeSequence([raster, raster])).kind is Kind.RASTER_SEQUENCE
    assert kind_of(NDCubeSequence([images, images])).kind is Kind.IMAGE_SEQUENCE
    obs = irisplug.model.Observation({"a": NDCubeSequence([raster]), "b": images})
    c = kind_of(obs)
    assert c.kind is Kind.OBSERVATION and c.parts == {Kind.RASTER_SEQUENCE, Kind.IMAGE_CUBE}
    maps = NDCollection([("v", _cube((4, 5), "HPLN-TAN", "HPLT-TAN")), ("w", _cube((4, 5), "HPLN-TAN", "HPLT-TAN"))])
    assert kind_of(maps).kind is Kind.FIT_RESULTS
    assert kind_of([maps, maps]).kind is Kind.FIT_RESULTS
    assert kind_of(42).kind is None


def test_deferred_windows_are_classified_without_building():
    built = []

    def build():
        built.append(1)
        return _cube((4, 5, 6), *RASTER)

    obs = irisplug.model.Observation({"a": irisplug.model.Deferred(build, {
        "kind": "spectrograph", "detector": "X", "shape": (1, 4, 5, 6), "wave_min": 1.0, "wave_max": 2.0, "n_files": 1})})
    assert kind_of(obs).kind is Kind.OBSERVATION and not built


def test_accepting_gives_reasons():
    rule = accepting(Kind.SPECTRAL_CUBE, what="the test fitter")
    ok = rule(_cube((4, 5, 6), *RASTER))
    assert isinstance(ok, Verdict) and ok
    no = rule(_cube((4, 5, 6), *IMAGES))
    assert not no and "image-cube" in no.reason and "the test fitter takes spectral-cube" in no.reason


def test_dispatch_reports_why_each_contribution_refused(empty_plugin_manager):
    class Fitters:
        @irisplug.hookimpl
        def irisplug_fitters(self):
            return [irisplug.FitterDescriptor(name="cube-fit", fit=lambda o, **k: o,
                                              accepts=accepting(Kind.SPECTRAL_CUBE, what="cube-fit")),
                    irisplug.FitterDescriptor(name="silent", fit=lambda o, **k: o, accepts=lambda o: False)]

    empty_plugin_manager.register(Fitters(), name="fitters")
    with pytest.raises(irisplug.UnsupportedObjectError) as info:
        irisplug.fit(_cube((4, 5, 6), *IMAGES), manager=empty_plugin_manager)
    text = str(info.value)
    assert "cube-fit: a image-cube (3-D cube (time, y, x)); cube-fit takes spectral-cube" in text
    assert "silent: its accepts() returned False (no reason given)" in text


def test_levels_apply_in_their_unit_only():
    data = np.array([5.0, -200.0, -150.0, 16383.0, np.nan])
    meta = with_levels({}, missing_value=-200 * u.DN, valid_min=-100 * u.DN, saturation_level=16383 * u.DN,
                       instrumental_fwhm=31.8 * u.mAA)
    dn = NDCube(data, wcs=_wcs("WAVE"), unit=u.DN, meta=meta)
    assert invalid_mask(dn).tolist() == [False, True, True, True, True]
    assert invalid_mask(dn, levels=("missing_value",)).tolist() == [False, True, False, False, True]
    per_s = NDCube(data, wcs=_wcs("WAVE"), unit=u.DN / u.s, meta=meta)
    assert invalid_mask(per_s).tolist() == [False, False, False, False, True]  # DN levels say nothing about DN/s
    assert instrumental_fwhm(dn).to_value(u.AA) == pytest.approx(0.0318)
    assert instrumental_fwhm(NDCube(data, wcs=_wcs("WAVE"))) is None
    with pytest.raises(ValueError, match="length Quantity"):
        with_levels({}, instrumental_fwhm=3 * u.s)


def test_fit_uses_the_readers_instrumental_width(empty_plugin_manager):
    """The non-thermal velocity map exists only when the reader states the width, and uses it."""
    fit = pytest.importorskip("irisplug_fit.cube")
    rng = np.random.default_rng(3)
    wave = 1402.0 + 0.0254 * np.arange(60)
    model = 10 + 300 * np.exp(-0.5 * ((wave - 1402.77) / 0.03) ** 2)
    data = rng.poisson(np.broadcast_to(model, (3, 4, 60))).astype(float)
    w = _wcs(*RASTER)
    w.wcs.crval = [1402.0, 0, 0]
    w.wcs.cdelt = [0.0254, 1, 1]
    # a template with no instrumental width of its own (no instrument plugin is installed here)
    from irisplug_fit import generic_template

    template = generic_template([10, 300, 1402.77, 0.03], (1402.3, 1403.3), rest=[1402.77],
                                element="Si", ion="IV", log_t=4.9)
    plain = NDCube(data, wcs=w, unit=u.DN)
    assert not any(k.endswith(".vnt") for k in fit.fit_cube(plain, template, progress=False).keys())
    stated = NDCube(data, wcs=w, unit=u.DN, meta=with_levels({}, instrumental_fwhm=0.0318 * u.AA))
    maps = fit.fit_cube(stated, template, progress=False)
    given = fit.fit_cube(plain, template, inst_fwhm=0.0318, progress=False)
    vnt = [k for k in maps.keys() if k.endswith(".vnt")]
    assert vnt
    np.testing.assert_array_equal(maps[vnt[0]].data, given[vnt[0]].data)


def test_no_nonthermal_velocity_for_a_line_of_unknown_ion(empty_plugin_manager):
    """A "peak" or generic template names no ion: with the reader's width known there is still no .vnt map
    (a guessed ion, e.g. Si IV's mass and log T = 4.9, would make it silently wrong for any other line)."""
    fit = pytest.importorskip("irisplug_fit.cube")
    from irisplug_fit import generic_template

    rng = np.random.default_rng(4)
    wave = 1334.0 + 0.0254 * np.arange(60)
    model = 10 + 300 * np.exp(-0.5 * ((wave - 1334.53) / 0.03) ** 2)  # C II, not Si IV
    data = rng.poisson(np.broadcast_to(model, (3, 4, 60))).astype(float)
    w = _wcs(*RASTER)
    w.wcs.crval = [1334.0, 0, 0]
    w.wcs.cdelt = [0.0254, 1, 1]
    stated = NDCube(data, wcs=w, unit=u.DN, meta=with_levels({}, instrumental_fwhm=0.0286 * u.AA))
    for template in ("peak", generic_template([10, 300, 1334.53, 0.03], (1334.0, 1335.0))):
        keys = fit.fit_cube(stated, template, progress=False).keys()
        assert not any(k.endswith(".vnt") for k in keys), template
        assert any(k.endswith(".fwhm") for k in keys)



# -- the model's own WCS refuses what it cannot evaluate, with the hierarchy's error ---------------------------

_PEW_HEADER = {"NAXIS": 3, "NAXIS1": 4, "NAXIS2": 5, "NAXIS3": 2,
               "CTYPE1": "WAVE", "CUNIT1": "Angstrom", "CRPIX1": 1, "CRVAL1": 1400, "CDELT1": 0.1,
               "CTYPE2": "HPLT-TAN", "CUNIT2": "arcsec", "CRPIX2": 3, "CRVAL2": 0, "CDELT2": 0.2,
               "CTYPE3": "HPLN-TAN", "CUNIT3": "arcsec", "CRPIX3": 1, "CRVAL3": 0, "CDELT3": 1.0}


@pytest.mark.parametrize("bad", [float("nan"), float("inf")])
def test_per_exposure_wcs_refuses_non_finite_times(bad):
    """A NaN exposure time once reached astropy.time as a raw ValueError when exposure 0's frame was built."""
    from irisplug.errors import InconsistentInputError
    from irisplug.model.wcs import PerExposureWCS

    with pytest.raises(InconsistentInputError, match="the time of exposure 1 is"):
        PerExposureWCS(_PEW_HEADER, exposure_axis=3, lon_axis=3, lat_axis=2, crval_lon=[10.0, 11.0],
                       crval_lat=[5.0, 5.0], times=[4.0, bad], reference_time="2014-03-29T14:09:38")


def test_per_exposure_wcs_keywords_wcslib_refuses():
    """Keywords wcslib refuses (positions in degrees beyond the pole: a header without CUNIT) are an IrisplugError
    when an exposure's WCS is built, not astropy's InvalidTransformError; astropy's own WCS refuses the same."""
    from astropy.wcs import WCS, WcsError

    from irisplug.errors import InconsistentInputError
    from irisplug.model.wcs import PerExposureWCS

    header = {k: v for k, v in _PEW_HEADER.items() if k != "CUNIT2"}
    header["CRVAL2"] = 300.0  # 300 "degrees" of latitude
    with pytest.raises(WcsError):
        reference = WCS(naxis=3)
        reference.wcs.ctype = [header[f"CTYPE{i}"] for i in (1, 2, 3)]
        reference.wcs.crval = [header[f"CRVAL{i}"] for i in (1, 2, 3)]
        reference.wcs.set()
    w = PerExposureWCS(header, exposure_axis=3, lon_axis=3, lat_axis=2, crval_lon=[10.0, 11.0],
                       crval_lat=[300.0, 300.0], times=[4.0, 14.0], reference_time="2014-03-29T14:09:38")
    with pytest.raises(InconsistentInputError, match="wcslib refuses the WCS keywords"):
        w.pixel_to_world_values(0, 2, 1)
