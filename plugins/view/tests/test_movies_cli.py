"""Movies (GIF/MP4 with progress), the missing-writer error, the CLI commands and viewer dispatch."""

from __future__ import annotations

import numpy as np
import pytest

import irisplug
from irisplug.errors import UnsupportedObjectError
from irisplug_view import movies
from irisplug_view.movies import MovieWriterUnavailableError, raster_position_movie, sji_movie, spectrum_movie


def _gif_frames(path):
    from PIL import Image

    with Image.open(path) as im:
        return im.n_frames


def test_spectrum_movie_gif_has_one_frame_per_exposure(sns, tmp_path):
    out = spectrum_movie(sns, tmp_path / "spec.gif", window="Si IV 1403", y=20)
    assert _gif_frames(out) == 12


def test_raster_position_movie_one_frame_per_scan(obs, tmp_path):
    out = raster_position_movie(obs, tmp_path / "pos.gif", window="Si IV 1403", position=3)
    assert _gif_frames(out) == 2


def test_sji_movie_mp4(sji, tmp_path):
    import imageio_ffmpeg

    out = sji_movie(sji, tmp_path / "sji.mp4", fps=12)
    n_frames, seconds = imageio_ffmpeg.count_frames_and_secs(str(out))
    assert n_frames == 12 and seconds == pytest.approx(1.0, abs=0.1)


def test_existing_output_needs_overwrite(sji, tmp_path):
    out = sji_movie(sji, tmp_path / "sji.gif", frames=[0, 1])
    with pytest.raises(irisplug.IrisplugError, match="exists"):
        sji_movie(sji, out, frames=[0, 1])
    sji_movie(sji, out, frames=[0, 1], overwrite=True)


def test_missing_writer_lists_what_is_available(sji, tmp_path, monkeypatch):
    with pytest.raises(MovieWriterUnavailableError, match=r"available: .*\.gif \(pillow\)"):
        sji_movie(sji, tmp_path / "x.webm")
    # no ffmpeg anywhere (imageio-ffmpeg broken, none on PATH): MP4 fails clearly, GIF still works
    import imageio_ffmpeg

    def no_binary():
        raise RuntimeError("no ffmpeg binary")

    monkeypatch.setattr(imageio_ffmpeg, "get_ffmpeg_exe", no_binary)
    monkeypatch.setattr(movies.shutil, "which", lambda name: None)
    with pytest.raises(MovieWriterUnavailableError, match=r"needs ffmpeg .*available: \.gif \(pillow\)"):
        sji_movie(sji, tmp_path / "x.mp4")
    assert not (tmp_path / "x.mp4").exists()


def test_view_dispatch_picks_the_viewer(obs, sji):
    from irisplug_iris import synthetic_velocity_maps
    from irisplug_view.quicklook import RasterQuickLook
    from irisplug_view.sji_viewer import SJIViewer

    assert isinstance(irisplug.view(obs), RasterQuickLook)
    assert isinstance(irisplug.view(obs["Si IV 1403"]), RasterQuickLook)
    assert isinstance(irisplug.view(sji), SJIViewer)
    fig = irisplug.view(synthetic_velocity_maps())
    assert len(fig.axes) == 6


def test_view_of_something_else_lists_the_viewers():
    with pytest.raises(UnsupportedObjectError, match=r"raster-quicklook.*sji-viewer"):
        irisplug.view(np.zeros(3))


def test_plugin_contract():
    import irisplug_view.plugin as plugin
    from irisplug.testing import check_plugin

    record = check_plugin(plugin, "view")
    assert record.status == "active"


@pytest.mark.filterwarnings("ignore")
def test_sji_movie_on_iris_test_data(iris_obs, tmp_path):
    out = sji_movie(iris_obs, tmp_path / "sji.gif", window="SJI_1400", frames=range(0, 54, 9))
    assert _gif_frames(out) == 6


@pytest.mark.filterwarnings("ignore")
def test_cli_quicklook_and_movie_on_iris_test_data(iris_files, tmp_path):
    from irisplug.cli.main import main

    png = tmp_path / "ql.png"
    assert main(["quicklook", *map(str, iris_files[1:4]), "--out", str(png), "--window", "Si IV 1403"]) == 0
    assert png.stat().st_size > 10_000
    sji_png = tmp_path / "sji.png"
    assert main(["quicklook", str(iris_files[0]), "--out", str(sji_png)]) == 0
    assert sji_png.stat().st_size > 10_000
    mp4 = tmp_path / "pos.mp4"
    assert main(["movie", *map(str, iris_files[1:4]), "--out", str(mp4), "--window", "Si IV 1403",
                 "--kind", "raster-position", "--position", "2"]) == 0
    import imageio_ffmpeg

    assert imageio_ffmpeg.count_frames_and_secs(str(mp4))[0] == 3  # one frame per raster file


def test_cli_bad_window_is_a_clear_error(iris_raster_files, tmp_path, capsys):
    from irisplug.cli.main import main

    status = main(["quicklook", str(iris_raster_files[0]), "--out", str(tmp_path / "x.png"), "--window", "Fe XXI 1354"])
    assert status == 2
    assert "available: C II 1336" in capsys.readouterr().err


def test_viewers_given_the_wrong_object_say_what_they_need(obs, sji):
    from irisplug_view.quicklook import quicklook
    from irisplug_view.sji_viewer import sji_viewer

    with pytest.raises(UnsupportedObjectError, match=r"expected an Observation, a RasterSequence or a 3-D NDCube"):
        quicklook(sji)
    with pytest.raises(UnsupportedObjectError, match="no slit-jaw window 'SJI_2796'; available: SJI_1400"):
        sji_viewer(obs, window="SJI_2796")
    with pytest.raises(UnsupportedObjectError, match="unknown movie kind 'flipbook'; available: sji, spectrum, raster-position"):
        movies.movie(obs, "x.gif", kind="flipbook")
    with pytest.raises(UnsupportedObjectError, match=r"y = 500 is outside the slit \(0..39\)"):
        spectrum_movie(obs, "x.gif", window="Si IV 1403", y=500)
