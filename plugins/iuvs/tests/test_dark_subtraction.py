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


def _with_darks(source, dest, keep, numbers):
    """Copy the L1B file ``source`` to ``dest`` keeping the dark frames ``keep`` (and their ``Dark_Integration``
    rows), with ``Dark_Engineering.NUMBER`` set to ``numbers``; everything else, ``background_dark`` included,
    stays the file's own."""
    with fits.open(source) as h:
        h["detector_dark"].data = h["detector_dark"].data[keep]
        dint = h["Dark_Integration"]
        h["Dark_Integration"] = fits.BinTableHDU(dint.data[keep], header=dint.header, name=dint.name)
        eng = h["Dark_Engineering"]
        data = eng.data.copy()
        data["NUMBER"] = numbers
        h["Dark_Engineering"] = fits.BinTableHDU(data, header=eng.header, name=eng.name)
        h.writeto(dest, output_verify="silentfix")
    return dest


@pytest.mark.parametrize(("keep", "numbers"), [
    ([0, 1, 2, 3, 4, 5, 6, 7], [5, 3]),  # the dark after loses its last 2 frames
    ([0, 1, 2, 5, 6, 7, 8, 9], [3, 5]),  # the dark before loses its last 2 frames
])
def test_step_splits_the_darks_by_dark_engineering_number(l1b_files, tmp_path, keep, numbers):
    """Dark products of different lengths: frame i of each product is paired (was: the stack split in halves, so
    light integration 0 of a 5 + 3 stack was interpolated between two frames of the first dark, 9751 DN off)."""
    import irisplug

    for source in l1b_files:
        changed = _with_darks(source, tmp_path / source.name, keep, numbers)
        with fits.open(source) as h:  # the reference: the pipeline's own background_dark of the unchanged file
            bg_file = h["background_dark"].data.astype(float)
            dds_file = h["detector_dark_subtracted"].data.astype(float)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            out = irisplug.calibrate(irisplug.read(changed), ["iuvs-dark"])
        bg = np.asarray(out.meta["background_dark"])
        assert bg.shape[0] == 2 <= min(numbers)  # the light integrations use frames present in both products
        assert np.abs(bg - bg_file.reshape(bg.shape)).max() <= 1.0, source.name
        assert np.abs(np.asarray(out.data) - dds_file.reshape(bg.shape)).max() <= 1.0, source.name
        assert irisplug.history(out)[-1]["inputs"]["frames_per_dark"] == numbers


def test_step_refuses_dark_counts_that_do_not_add_up_naming_the_file(muv_file, tmp_path):
    import irisplug
    from irisplug.errors import CorruptFileError

    changed = _with_darks(muv_file, tmp_path / muv_file.name, list(range(8)), [5, 4])  # 9 counted, 8 frames
    prod = irisplug.read(changed)
    with pytest.raises(CorruptFileError, match=r"NUMBER \[5, 4\]") as err:
        irisplug.calibrate(prod, ["iuvs-dark"])
    assert err.value.path == str(changed)
    assert changed.name in str(err.value)


def test_interpolation_pairs_frame_i_of_each_product():
    # 3 frames before (values 100, 200, 300 at t = 0, 1, 2), 1 after (110 at t = 4)
    d = np.stack([np.full((1, 2), v, dtype=float) for v in (100, 200, 300, 110)])
    t = [0.0, 1.0, 2.0, 4.0]
    bg = interpolate_darks(d, t, [1.0], counts=[3, 1], floor=False)
    assert np.allclose(bg, 0.75 * 100 + 0.25 * 110)  # frames 0 and 3 (halves would pair frames 0 and 2)
    with pytest.warns(UserWarning, match="last frame"):  # light 1 past the 1-frame dark after: its last frame
        bg = interpolate_darks(d, t, [1.0, 2.0], counts=[3, 1], floor=False)
    assert np.allclose(bg[1], (4 - 2) / 3 * 200 + (2 - 1) / 3 * 110)  # frame 1 (t = 1) and frame 3 (t = 4)
    for bad in ([2, 1], [4, 0], [1, 1, 2]):
        with pytest.raises(InconsistentInputError, match="two dark products"):
            interpolate_darks(d, t, [1.0], counts=bad)


def test_cube_step_takes_dark_counts_from_meta_or_parameter():
    import astropy.wcs
    import ndcube

    import irisplug

    d = np.stack([np.full((1, 2), v, dtype=float) for v in (100, 200, 300, 110)])
    meta = {"dark_frames": d, "dark_times": [0.0, 1.0, 2.0, 4.0], "light_times": [1.0]}
    raw = np.full((1, 1, 2), 500.0)
    expected = 500.0 - np.floor(0.75 * 100 + 0.25 * 110)
    cube = ndcube.NDCube(raw, wcs=astropy.wcs.WCS(naxis=3), meta={**meta, "dark_counts": [3, 1]})
    assert np.all(irisplug.calibrate(cube, ["iuvs-dark"]).data == expected)
    cube = ndcube.NDCube(raw, wcs=astropy.wcs.WCS(naxis=3), meta=meta)
    out = irisplug.calibrate(cube, ["iuvs-dark"], dark_counts=[3, 1])
    assert np.all(out.data == expected)
