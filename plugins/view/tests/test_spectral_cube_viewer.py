"""The spectral-cube viewer: spectral cubes without solar coordinates (MAVEN IUVS) on their own axes.

``irisplug.view`` of an IUVS product raised "the cube has no helioprojective longitude and latitude": the only
viewer that took spectral cubes drew maps on the sky. The figure is checked against the values stored in the
real files (astropy), not against our reader.
"""

from __future__ import annotations

import warnings

import numpy as np
import pytest


def test_iuvs_product_is_shown_on_its_own_axes(shared_data):
    from astropy.io import fits

    import irisplug
    from irisplug_view.spectral_cube import SpectralCubeView

    for path in shared_data("iuvs", "mvn_iuv_l1b_*.fits*"):
        with fits.open(path) as h:
            radiance = np.asarray(h[0].data, dtype=np.float32)
            wavelength_nm = np.asarray(h["Observation"].data["WAVELENGTH"][0], dtype=float)
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            view = irisplug.view(irisplug.read(path), exposure=1)
        assert isinstance(view, SpectralCubeView) and view.label == "radiance"
        # the middle panel: integration 1's spectra at every bin's own wavelengths (the file's table, nm -> A)
        np.testing.assert_allclose(view.wavelength, wavelength_nm * 10.0, rtol=1e-6)
        shown = np.ma.filled(view.im_spectra.get_array(), np.nan).reshape(radiance.shape[1:])
        np.testing.assert_array_equal(shown, radiance[1])
        # the lines: the middle bin's spectrum against its own wavelengths
        mid = radiance.shape[1] // 2
        x, y = view.ax_lines.lines[-1].get_data()
        np.testing.assert_allclose(x, wavelength_nm[mid] * 10.0, rtol=1e-6)
        np.testing.assert_array_equal(y, radiance[1, mid])
        # the mean over wavelength of every integration and bin
        mean = np.ma.filled(view.im_mean.get_array(), np.nan).reshape(radiance.shape[1], radiance.shape[0])
        np.testing.assert_allclose(mean, np.nanmean(radiance, axis=2).T, rtol=1e-6)


def _cube(ctype_y: str, unit_y: str, data=None):
    import astropy.units as u
    from astropy.wcs import WCS
    from ndcube import NDCube

    w = WCS(naxis=3)
    w.wcs.ctype = ["WAVE", ctype_y, "UTC"]
    w.wcs.cunit = ["nm", unit_y, "s"]
    w.wcs.crval, w.wcs.cdelt, w.wcs.crpix = [120.0, 0.0, 0.0], [0.5, 1.0, 2.0], [1, 1, 1]
    w.wcs.mjdref = [60000.0, 0.0]
    return NDCube(np.ones((3, 4, 10)) if data is None else data, wcs=w, unit=u.R)


def test_dispatch_sends_cubes_off_the_sky_here_and_rasters_to_the_quick_look(iris_sns):
    import irisplug
    from irisplug_view.quicklook import RasterQuickLook
    from irisplug_view.spectral_cube import SpectralCubeView

    assert isinstance(irisplug.view(_cube("SOLX", "arcsec")), SpectralCubeView)
    assert isinstance(irisplug.view(iris_sns), RasterQuickLook)
    assert isinstance(irisplug.view(iris_sns["Si IV 1403"]), RasterQuickLook)
    # named, it takes a raster on the sky too (its own axes: step, position along the slit)
    view = irisplug.view(iris_sns["Si IV 1403"], viewer="spectral-cube")
    assert isinstance(view, SpectralCubeView) and view.label == "Si IV 1403"


def test_missing_spectra_draw_blank_without_warnings():
    data = np.ones((3, 4, 10))
    data[1, 2] = np.nan
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        from irisplug_view.spectral_cube import spectral_cube_view

        view = spectral_cube_view(_cube("SOLX", "arcsec", data), exposure=-2)
    assert view.exposure == 1
    assert np.isnan(np.ma.filled(view.im_mean.get_array(), np.nan).reshape(4, 3)[2, 1])


def test_refusals_name_the_problem():
    from irisplug.errors import UnsupportedObjectError
    from irisplug_view.spectral_cube import spectral_cube_view

    with pytest.raises(UnsupportedObjectError, match="exposure 3 out of range"):
        spectral_cube_view(_cube("SOLX", "arcsec"), exposure=3)
    with pytest.raises(UnsupportedObjectError, match="no spectral cube 'x'"):
        spectral_cube_view(_cube("SOLX", "arcsec"), window="x")
    with pytest.raises(UnsupportedObjectError, match="holds no spectral cube"):
        spectral_cube_view(42)
    # wavelengths that change from exposure to exposure (a PC term with the time axis): not a spectral cube of the
    # model, refused by name, never drawn on a wrong table
    drifting = _cube("SOLX", "arcsec")
    drifting.wcs.wcs.pc = [[1.0, 0.0, 0.3], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]]
    with pytest.raises(UnsupportedObjectError, match="holds no spectral cube"):
        spectral_cube_view(drifting)


def test_quicklook_command_on_an_iuvs_file(shared_data, tmp_path):
    """``irisplug quicklook`` of an IUVS file wrote nothing: "the cube has no helioprojective longitude"."""
    import matplotlib.image

    from irisplug.cli.main import main

    path = shared_data("iuvs", "mvn_iuv_l1b_*.fits*")[0]
    png = tmp_path / "iuvs.png"
    assert main(["quicklook", str(path), "--out", str(png), "--window", "dark_subtracted", "--dpi", "50"]) == 0
    assert matplotlib.image.imread(png).shape[:2] == (400, 550)  # figsize (11, 8) at 50 dpi


def test_detector_frames_without_solar_coordinates_on_pixel_axes(tmp_path):
    """SHOW level-0 frames (a detector: no sky) in the slit-jaw viewer on their pixel axes, the values h5py reads
    from the file; ``irisplug.view`` and ``irisplug quicklook`` of a SHOW file raised "no helioprojective
    longitude and latitude"."""
    import h5py

    import irisplug
    from irisplug.cli.main import main
    from irisplug_show.generate import generate
    from irisplug_view.sji_viewer import SJIViewer

    path = tmp_path / "show.nc"
    generate(path, shape=(64, 48), dark_exposures_ms=(100.0,), frames_per_exposure=4, science_frames=2, seed=3)
    obj = irisplug.read(path)
    label = next(iter(obj.keys()))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        v = irisplug.view(obj, window=label)
    assert isinstance(v, SJIViewer) and v.frames.label == label
    with h5py.File(path, "r") as f:
        frame0 = np.asarray(f[label]["image"][0], dtype=np.float32)
    np.testing.assert_array_equal(np.ma.filled(v.im.get_array(), np.nan), frame0)
    assert v.ax.get_xlabel() == "pixelrow [pixel]" and v.ax.get_ylabel() == "heightrow [pixel]"
    assert np.isnan(v.make_poi().lon)  # a point of interest on a detector has no solar position
    png = tmp_path / "show.png"
    assert main(["quicklook", str(path), "--out", str(png), "--dpi", "40"]) == 0 and png.stat().st_size > 0


@pytest.mark.filterwarnings("ignore:target cannot be converted to ICRS")  # astropy: this test WCS has no observer
def test_a_grid_per_row_on_the_sky_goes_to_the_spectral_cube_viewer():
    """A helioprojective raster whose wavelengths depend on the slit position (a PC term coupling them): the
    quick-look drew every row on row 0's wavelength axis; now dispatch gives it to the spectral-cube viewer,
    which draws each row against its own wavelengths (ndcube's), and the quick-look, named, refuses it."""
    import astropy.units as u
    from astropy.wcs import WCS
    from ndcube import NDCube

    import irisplug
    from irisplug.errors import UnsupportedObjectError
    from irisplug_view.spectral_cube import SpectralCubeView

    w = WCS(naxis=3)
    w.wcs.ctype = ["WAVE", "HPLT-TAN", "HPLN-TAN"]
    w.wcs.cunit = ["Angstrom", "arcsec", "arcsec"]
    w.wcs.cdelt, w.wcs.crval, w.wcs.crpix = [0.025, 0.33, 0.35], [1402.0, 100.0, 200.0], [1, 1, 1]
    w.wcs.pc = [[1.0, 0.4, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]]  # wavelength shifts 0.01 A per slit pixel
    cube = NDCube(np.random.default_rng(0).random((4, 6, 20)), wcs=w, unit=u.DN)
    v = irisplug.view(cube)
    assert isinstance(v, SpectralCubeView)
    np.testing.assert_allclose(v.wavelength, cube.axis_world_coords_values("em.wl")[0].to_value(u.AA), atol=1e-9)
    assert np.ptp(v.wavelength[:, 0]) > 0.04
    with pytest.raises(UnsupportedObjectError, match="differ between its spectra"):
        irisplug.view(cube, viewer="raster-quicklook")
