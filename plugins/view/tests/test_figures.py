"""Publication figures against stored baselines, on generated data and on the IRIS test data."""

from __future__ import annotations

import numpy as np
import pytest

from irisplug.errors import UnsupportedObjectError
from irisplug_iris import synthetic_velocity_maps
from irisplug_view.figures import parameter_maps, sji_with_contour, spectroheliogram, spectrum_timeseries
from irisplug_view.quicklook import quicklook
from irisplug_view.sji_viewer import sji_viewer


def test_quicklook_baseline(obs, baseline):
    baseline(quicklook(obs, window="Si IV 1403").fig, "quicklook_synthetic")


def test_sit_and_stare_quicklook_baseline(sns, baseline):
    baseline(quicklook(sns, window="Mg II k 2796").fig, "quicklook_sns_synthetic")


def test_sji_viewer_baseline(sji, baseline):
    baseline(sji_viewer(sji, frame=5).fig, "sji_viewer_synthetic")


def test_spectroheliogram_baseline(obs, baseline):
    baseline(spectroheliogram(obs, window="Si IV 1403"), "spectroheliogram_synthetic")


def test_parameter_maps_baseline_and_velocity_centred_on_zero(baseline):
    fig = parameter_maps(synthetic_velocity_maps())
    baseline(fig, "parameter_maps_synthetic")
    vel = [im for ax in fig.axes for im in ax.images if im.cmap.name == "RdBu_r"]
    assert len(vel) == 1
    norm = vel[0].norm
    assert norm.vcenter == 0 and norm.vmin == -norm.vmax


def test_positive_velocity_quantities_keep_a_sequential_map():
    """Doppler velocity diverges around zero; its error, FWHM and non-thermal velocity (all >= 0) do not."""
    import astropy.units as u
    from ndcube import NDCollection, NDCube

    maps = synthetic_velocity_maps()
    v = maps["velocity"]
    extra = {"si_iv.velocity": v, "si_iv.velocity_err": NDCube(np.abs(v.data) * 0.1 + 0.5, wcs=v.wcs, unit=u.km / u.s),
             "si_iv.vnt": NDCube(np.abs(v.data) + 10, wcs=v.wcs, unit=u.km / u.s),
             "si_iv.fwhm_velocity": NDCube(np.abs(v.data) + 30, wcs=v.wcs, unit=u.km / u.s),
             "si_iv.gamma_velocity": NDCube(np.abs(v.data) + 5, wcs=v.wcs, unit=u.km / u.s)}  # Voigt half-width
    fig = parameter_maps(NDCollection(list(extra.items())))
    cmaps = {ax.get_title().split(" (")[0]: ax.images[0].cmap.name for ax in fig.axes if ax.images}
    assert cmaps == {"si_iv.velocity": "RdBu_r", "si_iv.velocity_err": "viridis", "si_iv.vnt": "viridis",
                     "si_iv.fwhm_velocity": "viridis", "si_iv.gamma_velocity": "viridis"}


def test_parameter_maps_accept_any_2d_cube_and_list_missing_keys():
    maps = synthetic_velocity_maps()
    fig = parameter_maps(maps["velocity"])
    assert fig.axes[0].images[0].cmap.name == "RdBu_r"  # km/s unit → diverging
    with pytest.raises(UnsupportedObjectError, match="available: intensity, velocity, width"):
        parameter_maps(maps, keys=["doppler"])


def test_parameter_names_select_every_components_map():
    """docs/view.md's ``keys=["intensity", "velocity"]`` on the fit plugin's maps, named ``<component>.<parameter>``."""
    from ndcube import NDCollection

    maps = synthetic_velocity_maps()
    named = NDCollection([(f"{c}.{k}", maps[k]) for c in ("blue", "core") for k in maps.keys()], aligned_axes="all")
    fig = parameter_maps(named, keys=["velocity", "core.intensity"])
    titles = [ax.get_title().split(" (")[0] for ax in fig.axes if ax.images]
    assert titles == ["blue.velocity", "core.velocity", "core.intensity"]
    with pytest.raises(UnsupportedObjectError, match="no map 'speed'"):
        parameter_maps(named, keys=["speed"])


def test_spectrum_timeseries_baseline(sns, baseline):
    baseline(spectrum_timeseries(sns, window="Mg II k 2796", y=20, normalise=True), "timeseries_sns_synthetic")


def test_spectrum_timeseries_normalised_peak_is_one(sns):
    fig = spectrum_timeseries(sns, window="Si IV 1403", y=20, normalise=True)
    img = fig.axes[0].images[0].get_array()
    np.testing.assert_allclose(img.max(axis=0), 1.0)


def test_contours_land_where_world_coordinates_say(obs):
    """A bright raster pixel must be contoured at the SJI pixel astropy's WCS maps it to."""
    raster = obs["Si IV 1403"].data[0]
    data = np.array(raster.data)
    data[:] = 1.0
    data[5, 20, :] = 100.0  # one bright pixel: step 5, y 20
    raster.data[:] = data
    fig = sji_with_contour(obs, obs, window="Si IV 1403", levels=[50], frame=0, show_slit=False)
    verts = np.concatenate([p.vertices for p in fig.cs.get_paths() if len(p.vertices)])
    centre = (verts.min(axis=0) + verts.max(axis=0)) / 2  # closed paths repeat a vertex: no mean
    # independent reference: astropy FITS-WCS of the raster pixel (wcslib works in deg) into the SJI FITS-WCS
    _, lat, lon = raster.wcs.pixel_to_world_values(0, 20, 5)
    x, y = obs["SJI_1400"].wcs.celestial.world_to_pixel_values(lon, lat)
    assert centre == pytest.approx([float(x), float(y)], abs=1.0)


def test_bad_window_label_lists_the_windows(obs):
    with pytest.raises(UnsupportedObjectError, match="available: Si IV 1403, Mg II k 2796"):
        spectroheliogram(obs, window="Fe XXI 1354")
    with pytest.raises(UnsupportedObjectError, match="available: Si IV 1403, Mg II k 2796"):
        quicklook(obs, window="Fe XXI 1354")


@pytest.mark.filterwarnings("ignore")
def test_figures_render_on_iris_test_data(iris_obs, iris_sns, tmp_path):
    """The irispy-lmsal test files through irisplug.read: every figure renders, with finite content."""
    ql = quicklook(iris_obs, window="Si IV 1403", out=tmp_path / "ql.png")
    assert np.isfinite(ql.im_map.get_array()).any()
    sji_viewer(iris_obs, window="SJI_1400", out=tmp_path / "sji.png")
    spectroheliogram(iris_obs, window="Mg II k 2796", out=tmp_path / "shg.png")
    fig = sji_with_contour(iris_obs, iris_obs, window="Si IV 1403", scan=3, out=tmp_path / "ctr.png")
    assert any(len(p.vertices) for p in fig.cs.get_paths())
    ql_sns = quicklook(iris_sns, window="Mg II k 2796", out=tmp_path / "sns.png")
    assert ql_sns.win.sit_and_stare
    spectrum_timeseries(iris_sns, window="Mg II k 2796", y=20, out=tmp_path / "ts.png")
    spectrum_timeseries(iris_obs, window="Si IV 1403", y=50, position=3, out=tmp_path / "ts_pos.png")
    for name in ("ql", "sji", "shg", "ctr", "sns", "ts", "ts_pos"):
        assert (tmp_path / f"{name}.png").stat().st_size > 10_000


def test_doppler_conversion_matches_astropy_optical_convention():
    import astropy.units as u
    from ndcube import NDCollection, NDCube

    maps = synthetic_velocity_maps(6, 8)
    lam = 1402.77 + np.linspace(-0.2, 0.2, 48).reshape(6, 8)
    centroid = NDCube(lam, wcs=maps["intensity"].wcs, unit=u.AA)
    fig = parameter_maps(NDCollection([("centroid", centroid)], aligned_axes="all"), rest_wavelength=1402.77)
    (im,) = [im for ax in fig.axes for im in ax.images]
    want = (lam * u.AA).to_value(u.km / u.s, equivalencies=u.doppler_optical(1402.77 * u.AA))
    np.testing.assert_allclose(im.get_array().T, want, rtol=1e-9)  # the map is shown with Solar X horizontal
    assert im.cmap.name == "RdBu_r" and im.norm.vcenter == 0


@pytest.mark.filterwarnings("ignore")
def test_parameter_maps_of_the_fit_plugin_on_iris_test_data(iris_raster_obs, tmp_path):
    import irisplug

    if "moments" not in irisplug.get_plugin_manager().contributions("fitter"):
        pytest.skip("the fit plugin's moments fitter is not installed")
    maps = irisplug.fit(iris_raster_obs["Si IV 1403"], method="moments")  # one NDCollection per raster scan
    fig = irisplug.view(maps, scan=1, out=tmp_path / "fit.png")
    assert len([ax for ax in fig.axes if ax.images]) >= 2
    assert (tmp_path / "fit.png").stat().st_size > 10_000


def test_the_image_comparison_can_fail(obs, baseline):
    """Same layout, other window (Mg II instead of Si IV): the RMS check must reject it."""
    with pytest.raises(AssertionError, match="RMS"):
        baseline(quicklook(obs, window="Mg II k 2796").fig, "quicklook_synthetic")
    ql = quicklook(obs, window="Si IV 1403")
    for _ in range(6):
        ql.state.handle_key("p")  # a contrast change alone must be caught too
    ql.redraw(draw=False)
    with pytest.raises(AssertionError, match="RMS"):
        baseline(ql.fig, "quicklook_synthetic")


def test_spectroheliogram_figure_refuses_a_wavelength_outside_the_window_as_the_model_does(iris_raster_obs):
    """More than half a pixel beyond the window's last pixel: the figure and ``cube.spectroheliogram`` raise the
    same error (the figure quietly drew the edge pixel up to 1 Å outside); within half a pixel both use the edge."""
    import astropy.units as u

    from irisplug.errors import IrisplugError, WavelengthOutOfRangeError

    cube = iris_raster_obs["Si IV 1403"][0]
    waves = cube.axis_world_coords("em.wl")[0].to_value(u.AA)
    step = waves[1] - waves[0]
    for outside in (waves[-1] + 0.6 * step, waves[-1] + 0.9, waves[0] - 0.6 * step):
        with pytest.raises(WavelengthOutOfRangeError) as fig_err:
            spectroheliogram(iris_raster_obs, window="Si IV 1403", wavelength=outside)
        with pytest.raises(WavelengthOutOfRangeError) as model_err:
            cube.spectroheliogram(outside * u.AA)
        assert isinstance(fig_err.value, IrisplugError)
        assert str(fig_err.value) == str(model_err.value)
    fig = spectroheliogram(iris_raster_obs, window="Si IV 1403", wavelength=waves[-1] + 0.4 * step)
    assert f"{waves[-1]:.2f} Å" in fig.axes[0].get_title()


def test_contour_figure_refuses_a_wavelength_outside_the_window(obs):
    import astropy.units as u

    from irisplug.errors import WavelengthOutOfRangeError

    waves = obs["Si IV 1403"][0].axis_world_coords_values("em.wl")[0].to_value(u.AA)
    with pytest.raises(WavelengthOutOfRangeError, match="lies outside window 'Si IV 1403'"):
        sji_with_contour(obs, obs, window="Si IV 1403", wavelength=(waves.max() + 0.5) * u.AA)
