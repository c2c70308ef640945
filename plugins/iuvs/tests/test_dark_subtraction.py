"""IUVS time-interpolated darks against the values stored in real L1B files."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from astropy.io import fits

from irisplug.errors import InconsistentInputError
from irisplug_iuvs import interpolate_darks


def _read(path):
    with fits.open(path) as h:
        return {
            "raw": h["detector_raw"].data.astype(float),
            "dds": h["detector_dark_subtracted"].data.astype(float),
            "bg": h["background_dark"].data.astype(float),
            "darks": h["detector_dark"].data,
            "dark_et": np.array(h["Dark_Integration"].data["ET"], dtype=float),
            "et": np.array(h["Integration"].data["ET"], dtype=float),
        }


def test_background_dark_matches_l1b_files(l1b_files):
    for path in l1b_files:
        f = _read(path)
        raw = f["raw"] if f["raw"].ndim == 3 else f["raw"][None]
        bg = interpolate_darks(f["darks"], f["dark_et"], f["et"])
        ref = f["bg"].reshape(bg.shape)
        assert np.abs(bg - ref).max() <= 1.0, path.name
        # the pipeline's floor: exact wherever the two darks differ
        nd = f["darks"].shape[0] // 2
        differ = f["darks"][:nd][: bg.shape[0]] != f["darks"][nd:][: bg.shape[0]]
        assert np.array_equal(bg[differ], ref[differ]), path.name
        # the file's own identity
        assert np.array_equal(raw - ref, f["dds"].reshape(raw.shape))


def test_step_on_cube_recovers_dark_subtracted(l1b_files):
    import astropy.wcs
    import ndcube

    import irisplug

    f = _read(l1b_files[0])
    raw = f["raw"] if f["raw"].ndim == 3 else f["raw"][None]
    meta = {"dark_frames": f["darks"], "dark_times": f["dark_et"], "light_times": f["et"]}
    cube = ndcube.NDCube(raw.copy(), wcs=astropy.wcs.WCS(naxis=3), meta=meta)
    out = irisplug.calibrate(cube, ["iuvs-dark"])
    assert np.abs(out.data - f["dds"].reshape(raw.shape)).max() <= 1.0
    assert np.array_equal(cube.data, raw)  # input untouched
    assert [r["step"] for r in irisplug.history(out)] == ["iuvs-dark"]
    assert "background_dark" not in cube.meta


def test_interpolation_weights_and_bad_input():
    d = np.stack([np.zeros((2, 2)), np.full((2, 2), 1.0), np.full((2, 2), 10.0), np.full((2, 2), 11.0)])
    bg = interpolate_darks(d, [0, 1, 10, 11], [5.0, 6.0], floor=False)
    assert np.allclose(bg[0], 5.0) and np.allclose(bg[1], 6.0)
    with pytest.raises(InconsistentInputError, match="even number"):
        interpolate_darks(d[:3], [0, 1, 2], [1.0])
    with pytest.raises(InconsistentInputError, match="dark times"):
        interpolate_darks(d, [0, 1], [1.0])


def test_step_on_iuvs_reader_product(l1b_files):
    import irisplug

    try:
        prod = irisplug.read(l1b_files[0])
    except irisplug.UnknownFormatError:
        pytest.skip("no IUVS reader installed")
    if not hasattr(prod, "tables"):
        pytest.skip("the IUVS reader returns no product with tables")
    out = irisplug.calibrate(prod, ["iuvs-dark"])
    ref = _read(l1b_files[0])["dds"]
    assert np.abs(np.asarray(out.data) - ref.reshape(out.data.shape)).max() <= 1.0


def test_the_step_is_this_plugins_and_runs_before_the_generic_steps():
    import irisplug

    desc = irisplug.get_plugin_manager().get("calibrator", "iuvs-dark")
    assert desc.plugin == "iuvs"
    with pytest.warns(irisplug.errors.IrisplugWarning, match=r"\(iuvs-dark.before\)"):
        plan = irisplug.plan_calibration(["exposure-norm", "flat", "iuvs-dark"])
    assert [d.name for d in plan] == ["iuvs-dark", "flat", "exposure-norm"]


def test_accepts_products_with_darks_and_cubes_not_other_observations(l1b_files):
    import astropy.wcs
    import ndcube

    import irisplug
    from irisplug.model import Observation
    from irisplug_iuvs.dark_subtraction import accepts_dark_subtraction

    prod = irisplug.read(l1b_files[0])
    assert accepts_dark_subtraction(prod)
    assert accepts_dark_subtraction(prod["raw"])
    # another instrument's observation: windows without IUVS dark frames (was accepted, then failed inside)
    cube = ndcube.NDCube(np.zeros((2, 3, 4)), wcs=astropy.wcs.WCS(naxis=3))
    other = Observation({"Si IV 1403": cube, "C II 1336": cube}, meta={"TELESCOP": "X"})
    verdict = accepts_dark_subtraction(other)
    assert not verdict and "observation" in verdict.reason
    with pytest.raises(irisplug.UnsupportedObjectError, match="iuvs-dark"):
        irisplug.calibrate(other, ["iuvs-dark"])


def test_calib_names_forward_with_a_deprecation_warning():
    import irisplug_calib
    import irisplug_calib.iuvs
    import irisplug_iuvs

    # the old module warns on every access (the package's lazy name warns on its first access only, and
    # another test may have made it)
    with pytest.warns(DeprecationWarning, match="moved to irisplug_iuvs.interpolate_darks"):
        forwarded = irisplug_calib.iuvs.interpolate_darks
    assert forwarded is irisplug_iuvs.interpolate_darks
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        assert irisplug_calib.subtract_iuvs_dark is irisplug_iuvs.subtract_iuvs_dark
    assert "iuvs-dark" not in [d.name for d in irisplug_calib.plugin.irisplug_calibrators()]
