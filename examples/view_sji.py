"""
Slit-jaw images: viewer, fast movie player and MP4/GIF movies
=============================================================

Show a slit-jaw cube with histogram-optimised contrast (``histo_opt``) and
the IRIS colour map, measure the fast blitted player off-screen, and write
an SJI movie. Uses the irispy-lmsal SJI 1400 test file when present, else a
synthetic cube. Outputs go to a temporary directory or the first argument.
"""

import pathlib
import sys
import tempfile
import warnings

import matplotlib

matplotlib.use("Agg")

import irisplug
from irisplug_iris import synthetic_sji
from irisplug_view.fastmovie import SJIPlayer
from irisplug_view.movies import available_writers, sji_movie
from irisplug_view.scaling import histo_opt

out = pathlib.Path(sys.argv[1]) if len(sys.argv) > 1 else pathlib.Path(tempfile.mkdtemp(prefix="view_sji_"))
out.mkdir(parents=True, exist_ok=True)

from irisplug_iris.irispy_files import find_files  # noqa: E402

# a real SJI 1400 cube of >= 10 frames, found by content (names differ between irispy-lmsal releases)
sji_files = find_files(kind="sji", band="1400", min_frames=10)
if sji_files:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        sji = irisplug.read(sji_files[0])["SJI_1400"]
else:
    print("NOTE: irispy-lmsal (for its IRIS test files) is not installed: a synthetic slit-jaw cube instead")
    sji = synthetic_sji(20, 120, 110)

# %%
# histo_opt: cut 0.1 % of the filled histogram at each end.
print("histo_opt limits of frame 0:", histo_opt(sji.data[0], cutoff=1e-3))
viewer = irisplug.view(sji, frame=10, gamma=0.7, out=out / "sji_frame10.png")

# %%
# The fast path: uint8 LUT indices computed once, then lookup + blit per frame.
player = SJIPlayer(sji, quiet=True)
player.prepare()
print(f"fast player: {player.play():.0f} frames/s at {sji.data.shape[2]}x{sji.data.shape[1]} (off-screen Agg)")
player.close()

# %%
# Movies: MP4 through imageio-ffmpeg's ffmpeg, GIF through pillow.
print("movie writers here:", available_writers())
suffix = ".mp4" if ".mp4" in available_writers() else ".gif"
print("wrote", sji_movie(sji, out / f"sji{suffix}", frames=range(0, sji.data.shape[0], 2), fps=8, overwrite=True, quiet=True))

import matplotlib.pyplot as plt  # noqa: E402

plt.show()
