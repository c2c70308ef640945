"""
SHOW-style dark and flat calibration
====================================

Generate a SHOW level-0-like stack (known dark current, known flat, Poisson and
read noise), build master darks per exposure time and a flat field from arm A +
arm B white-light sets, calibrate science frames with ``irisplug.calibrate`` and
compare with the truth. Optional argument: an output directory for the figure.
"""

import sys
import tempfile
from pathlib import Path

import astropy.units as u
import astropy.wcs
import ndcube
import numpy as np
from astropy.nddata import StdDevUncertainty

import irisplug
from irisplug_calib import make_flat, master_darks

rng = np.random.default_rng(42)
shape = (64, 48)
gain_e = 39.6  # electrons per DN (SHOW ER-2 2023)
read_dn = 150 / gain_e
y, x = np.mgrid[: shape[0], : shape[1]]
offset, rate = 200 + 5 * np.sin(x / 6), 300 + 40 * np.cos(y / 9)  # dark = offset + rate * t
flat_true = 0.75 + 0.25 * np.exp(-((x - 24) ** 2 + (y - 32) ** 2) / 600)
scene = 1500 + 1000 * np.sin(x / 4) ** 2  # DN/s


def frames(signal, t, n):
    sig = rng.poisson(np.clip(signal, 0, None) * gain_e, size=(n, *shape)) / gain_e
    return np.round(sig + offset + rate * t + rng.normal(0, read_dn, (n, *shape)))


def cube(data, t, **kw):
    return ndcube.NDCube(data, wcs=astropy.wcs.WCS(naxis=3), unit=u.DN,
                         meta={"exposure_time": np.full(len(data), t) * u.s}, **kw)


# %% Master darks per exposure time (SHOW statistics: mean, std, standard error, per-frame median)
dark_stack = np.concatenate([frames(np.zeros(shape), t, 20) for t in (0.1, 0.3)])
darks = master_darks(dark_stack, exposure_times=np.repeat([0.1, 0.3], 20))
for d in darks:
    print(f"dark {d.exposure_time:.1f} s: {d.nframes} frames, mean {d.mean.mean():.1f} DN, error {d.error.mean():.2f} DN")

# The same from a lazy (dask) stack, as a large netCDF opens: persist() computes the darks once
import dask.array as da  # noqa: E402

lazy_darks = master_darks(da.from_array(dark_stack, chunks=(10, *shape)), exposure_times=np.repeat([0.1, 0.3], 20)).persist()
assert np.allclose(np.asarray(lazy_darks.find(0.3).mean), darks.find(0.3).mean)

# %% Flat field from arm A + arm B (the modulation cancels in the sum)
mod = 0.5 * np.cos(np.arange(shape[1]) / 2)
white = 2e4 * flat_true * 0.3
flat = make_flat(cube(frames(white * (1 + mod), 0.3, 20), 0.3), cube(frames(white * (1 - mod), 0.3, 20), 0.3), darks=darks)
print(f"flat: normalised by {flat.normalisation:.0f} DN, {int(flat.mask.sum())} pixels masked")

# %% Science frames through irisplug.calibrate (steps are ordered: dark, flat, exposure-norm)
raw = frames(scene * flat_true * 0.3, 0.3, 10)
sigma = np.sqrt(read_dn**2 + np.clip(raw - offset - rate * 0.3, 0, None) / gain_e)
sci = cube(raw, 0.3, uncertainty=StdDevUncertainty(sigma))
out = irisplug.calibrate(sci, ["exposure-norm", "flat", "dark"], dark={"darks": darks}, flat={"flat": flat})
truth = scene * flat.normalisation / (2 * 2e4 * 0.3)
z = ((out.data - truth) / out.uncertainty.array)[~np.asarray(out.mask)]
print("history:", [r["step"] for r in irisplug.history(out)])
print(f"(calibrated - truth) / sigma: mean {z.mean():+.3f}, std {z.std():.3f}  (noise-limited: ~0 and ~1)")

# %% Figure
import matplotlib.pyplot as plt  # noqa: E402

outdir = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(tempfile.mkdtemp())
fig = plt.figure(figsize=(9, 3))
for ax, img, title in zip(fig.subplots(1, 3), (raw[0], out.data[0], out.data.mean(0) - truth),
                          ("raw DN", "calibrated DN/s", "mean residual"), strict=True):
    ax.imshow(img, origin="lower")
    ax.set_title(title)
fig.savefig(outdir / "calib_show_dark_flat.png")
print("figure:", outdir / "calib_show_dark_flat.png")
plt.show()
