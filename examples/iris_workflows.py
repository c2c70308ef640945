"""
IRIS workflows: missing exposures, DN/s, spectroheliograms, Maps, common grid
=============================================================================

On a generated IRIS Level 2 observation (int16 with BSCALE/BZERO, -200
fill, like archive files): drop all-missing exposures, normalise to DN/s,
make a Mg II k spectroheliogram and a sunpy Map of it and of the slit-jaw
frame nearest in time, resample spectra onto a common wavelength grid out of
core, write everything to FITS and ASDF, and decode every file of a window
into one reused buffer; attach photon-noise uncertainties and fit with them.

Run: ``python examples/iris_workflows.py [OUTPUT_DIR]``
"""

import sys
import tempfile
from pathlib import Path

import astropy.units as u
import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np

import irisplug
from irisplug.model import extra_coord, normalize_exposure

out = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(tempfile.mkdtemp(prefix="iris-workflows-"))
files = irisplug.fetch("iris-synthetic", out / "data")  # small: a few MB
print(f"{len(files)} generated files")

###############################################################################
# keep_null=False drops exposures whose pixels are all missing.
obs = irisplug.read(out / "data", keep_null=False)
print(obs.windows)

###############################################################################
# Divide by each exposure's exposure time (FUV, NUV and SJI kept apart); idempotent.
norm = normalize_exposure(obs)
mg = norm["Mg II k 2796"][0]
print(mg.unit, irisplug.history(mg)[-1]["step"])

###############################################################################
# Mg II k core (2796.35 A, vacuum) spectroheliogram and a sunpy Map of it.
img = mg.spectroheliogram(2796.35 * u.AA, width=0.1 * u.AA)
mg_map = img.to_map()
print(mg_map)

###############################################################################
# The slit-jaw frame nearest in time to the middle raster step.
t_mid = extra_coord(mg, "time")[mg.data.shape[0] // 2]
sji_map = norm["SJI_2796"].nearest_frame(t_mid).to_map()
fig = plt.figure(figsize=(9, 4))
ax = fig.add_subplot(1, 2, 1, projection=sji_map)
sji_map.plot(axes=ax)
ax2 = fig.add_subplot(1, 2, 2, projection=mg_map)
mg_map.plot(axes=ax2, aspect="auto")
fig.savefig(out / "sji_and_spectroheliogram.png")
print("figure:", out / "sji_and_spectroheliogram.png")
plt.show()

###############################################################################
# Spectra on a common wavelength grid, written to a memory-mapped file.
grid = np.linspace(2794.0, 2806.0, 120) * u.AA
common = mg.resample_wavelength(grid, out=out / "mg_common.f32", quiet=True)
print("common grid:", common.data.shape, common.meta["RESAMPLED_FILE"])

###############################################################################
# Write and read back (data, mask, unit, per-exposure WCS and provenance survive).
for suffix in (".fits", ".asdf"):
    path = irisplug.write(norm["Mg II k 2796"], out / f"mg_norm{suffix}", overwrite=True)
    back = irisplug.read(path)
    assert back[0].unit == u.DN / u.s
    print("wrote and re-read", path)

###############################################################################
# Extracting at scale: decode every file's window into one reused buffer
# (no fresh output per file). ``store`` is dask's own; an untouched lazy IRIS
# window takes the threaded reader straight into the buffer.
lazy = irisplug.read(out / "data")["Mg II k 2796"]
buf = np.empty(lazy[0].data.shape, lazy[0].data.dtype)
core = []
for k in range(len(lazy.data)):
    lazy[k].data.store(buf)
    core.append(np.nanmedian(np.where(buf == -200, np.nan, buf), axis=(0, 1)))
print(f"median Mg II k profile of {len(core)} files, peak {max(c.max() for c in core):.1f} DN")

###############################################################################
# Photon + read noise uncertainties (lazy, like the data), used as fit weights.
noisy = irisplug.read(out / "data", uncertainty=True)
si = noisy["Si IV 1403"][1]
print("Si IV sigma at the brightest pixel:",
      float(np.asarray(si.uncertainty.array).reshape(-1)[np.nanargmax(np.asarray(si.data))]), "DN")
try:
    from irisplug_fit.cube import fit_cube

    maps = fit_cube(si, "si_iv_1403")
    good = np.asarray(maps["status"].data) == 0
    print(f"median reduced chi2 with photon-noise weights: {np.median(np.asarray(maps['redchi2'].data)[good]):.2f}")
except ImportError:
    print("irisplug-fit not installed: no fit")
