"""
SHOW level 0: read a netCDF file, build darks and the arm A + arm B flat, correct the science images
====================================================================================================

A synthetic level-0 file (the ``show-synthetic`` fetcher: dark frames at two
exposure times, white light through arm A and through arm B, science frames;
known dark, flat, Poisson and read noise) is read into one NDCube per group.
Master darks per exposure time, the normalised flat field and the corrected
science images follow the showapi workflow, computed by the calib plugin's
steps through ``irisplug.calibrate``; the result is compared with the truth
that made the file.
"""

import sys
import tempfile
from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np

import irisplug
from irisplug_show.generate import generate
from irisplug_show.stats import image_statistics
from irisplug_show.workflow import calibrate_show

out_dir = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(tempfile.mkdtemp())
out_dir.mkdir(parents=True, exist_ok=True)
path = out_dir / "show_l0_example.nc"
truth = generate(path, shape=(160, 128), frames_per_exposure=10, science_frames=5, seed=1)

# %% Read: one NDCube per group, keyed by group name
coll = irisplug.read(path)
for name, cube in coll.items():
    exposure = cube.axis_world_coords(wcs=cube.extra_coords["exposure_time"])[0]
    print(f"{name:36s} {cube.data.shape}  exposures {sorted({round(float(v), 3) for v in exposure.to_value('ms')})} ms")
print(coll["2023_08_01_DARK_vect"].meta["temperatures"][:3])

# %% The raw frames of a group in the frame viewer (a detector has no sky: its own pixel axes), and the same
# group as an xarray Dataset with the per-frame time, exposure time, gain and temperatures as coordinates
viewer = irisplug.view(coll, window="2023_08_01_DARK_vect", out=out_dir / "show_dark_frames.png")
print("viewer:", type(viewer).__name__, viewer.ax.get_xlabel(), "/", viewer.ax.get_ylabel())
print(irisplug.model.to_xarray(coll["2023_08_01_DARK_vect"]).coords)

# %% Darks per exposure time, flat from arm A + arm B, corrected science (calib plugin's steps)
result = calibrate_show(coll)
print("darks for", [f"{t * 1000:g} ms" for t in result.darks.exposure_times()],
      "| flat: masked pixels", int(np.asarray(result.flat.mask).sum()), "| p98 =", result.flat.normalisation)
for t in result.darks.exposure_times():
    d = result.darks.find(t)
    print(f"dark {t * 1000:g} ms: mean {float(np.mean(d.mean)):.1f} DN, truth {np.mean(truth.dark(t)):.1f} DN, "
          f"per-frame medians {np.asarray(d.median)[:3]}...")
name, corrected = next(iter(result.corrected.items()))
print("provenance:", [h["step"] for h in irisplug.history(corrected)])
stats = image_statistics(corrected)
mean = np.asarray(stats.mean)
expected = truth.scene * 0.3 * np.percentile(truth.flat, 98)
ratio = mean / expected
print(f"corrected / truth: median {np.nanmedian(ratio):.4f}, scatter {np.nanstd(ratio):.4f}")

fig = plt.figure(figsize=(11, 3.4), layout="constrained")
axes = fig.subplots(1, 3)
for ax, img, title in zip(axes, [np.asarray(coll[name].data[0], float), np.asarray(result.flat.flat), mean],
                          ["raw science frame [DN]", "flat field", "dark- and flat-corrected mean [DN]"], strict=True):
    im = ax.imshow(img, origin="lower", aspect="auto")
    ax.set_title(title)
    fig.colorbar(im, ax=ax)
fig.savefig(out_dir / "show_calibration.png")
print("wrote", out_dir / "show_calibration.png")
plt.show()
