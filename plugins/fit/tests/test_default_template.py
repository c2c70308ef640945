"""The default line template comes from the window label the reader sets (the model's ``window`` meta).

``irisplug.fit(obs["Si IV 1403"])`` used to fail with "no line template is declared for window None": the fit
guessed the label from ``window``/``label``/``TDESC1`` keys, and an IRIS window sequence carries the primary
header, where ``TDESC1`` is absent; where a primary header does carry ``TDESC1`` it names the file's *first*
window whatever the cube holds. The reference here is the fit with the template named explicitly, on the real
irispy-lmsal observation.
"""

from __future__ import annotations

import numpy as np
import pytest

import irisplug


def _same_maps(a, b) -> None:
    assert list(a.keys()) == list(b.keys())
    for key in a.keys():
        np.testing.assert_array_equal(np.asarray(a[key].data), np.asarray(b[key].data))


def test_window_sequence_gets_its_template(iris_obs):
    window = iris_obs["Si IV 1403"]
    auto = irisplug.fit(window, progress=False)
    named = irisplug.fit(window, template="si_iv_1403", progress=False)
    assert len(auto) == len(named) == len(window.data)
    for a, b in zip(auto, named, strict=True):
        assert a["si_iv_1403.centre"].meta["template"] == "si_iv_1403"
        _same_maps(a, b)


def test_a_cube_and_a_slice_taken_out_keep_the_label(iris_obs):
    cube = iris_obs["Si IV 1403"][0][2:5]
    _same_maps(irisplug.fit(cube, progress=False), irisplug.fit(cube, template="si_iv_1403", progress=False))


def test_each_window_its_own_template(iris_obs):
    """Not the first window's: C II 1336 and Si IV 1403 of one file get different templates."""
    from irisplug_fit.cube import resolve_template

    assert resolve_template(None, iris_obs["C II 1336"]).name != resolve_template(None, iris_obs["Si IV 1403"]).name
    assert resolve_template(None, iris_obs["Si IV 1403"][0]).name == "si_iv_1403"


def test_one_spectrum_taken_out_gets_the_window_template(iris_obs):
    from irisplug_fit.cube import cube_wavelength
    from irisplug_fit.single import fit_spectrum

    spectrum = iris_obs["Si IV 1403"][0][3, 60]
    fit = fit_spectrum(spectrum, cube_wavelength(spectrum), plot=False)
    assert fit.result.template.name == "si_iv_1403"


def test_no_label_no_guess():
    """A cube without the ``window`` meta gets no instrument template from other header keywords."""
    import astropy.units as u
    from astropy.wcs import WCS
    from ndcube import NDCube

    from irisplug.errors import UnsupportedObjectError
    from irisplug_fit.cube import resolve_template

    w = WCS(naxis=1)
    w.wcs.ctype, w.wcs.cunit, w.wcs.cdelt, w.wcs.crval = ["WAVE"], ["Angstrom"], [0.0127], [1401.5]
    cube = NDCube(np.ones(200), wcs=w, unit=u.DN, meta={"TDESC1": "C II 1336", "TDESC": "Si IV 1403"})
    with pytest.raises(UnsupportedObjectError, match="window None"):
        resolve_template(None, cube)
