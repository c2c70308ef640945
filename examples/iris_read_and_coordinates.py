"""
Reading IRIS Level 2 files and their per-exposure world coordinates
===================================================================

Open the 8-step raster of the irispy-lmsal test data (13 files), look at the
observation table, take one spectral window, read per-exposure times and
pointings, convert pixels to world coordinates and back, crop with
SkyCoord / SpectralCoord / Time, and split the series by raster position.

Run: ``python examples/iris_read_and_coordinates.py [OUTPUT_DIR]``
"""

import sys
import tempfile
import warnings
from pathlib import Path

import astropy.units as u
import numpy as np

import irisplug
from irisplug.model import extra_coord

warnings.simplefilter("ignore")  # the down-sampled test SJI files have longer aux tables than frames
out = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(tempfile.mkdtemp(prefix="iris-example-"))
out.mkdir(parents=True, exist_ok=True)

from irisplug_iris.irispy_files import RASTER_OBSID, find_files  # noqa: E402

# The test files are found by content (OBSID, kind): their names differ between irispy-lmsal releases.
sources = find_files(obsid=RASTER_OBSID)  # 13 raster files (+ the SJI files up to irispy-lmsal 0.5)
if not sources:
    print("NOTE: irispy-lmsal (for its IRIS test files) is not installed: a generated observation instead")
    sources = [out / "data"]
    irisplug.fetch("iris-synthetic", out / "data")

###############################################################################
# Open lazily (headers only) and print the summary table.
obs = irisplug.read(sources)
print(obs.info_text())

###############################################################################
# What the observation is, in the model's keys (any reader sets them): its identifier, description and the
# header keywords the reader lists; the window table's wavelength ranges are the data's (pixel edges) and,
# for slit-jaw windows, the passband.
print(irisplug.model.observation_id(obs), "|", irisplug.model.observation_description(obs))
print(dict(irisplug.model.summary_items(obs)))
print(obs.windows["label", "detector", "wave_min", "wave_max"])

###############################################################################
# One spectral window: a RasterSequence of RasterCubes (step, slit, wavelength).
label = "Si IV 1403" if "Si IV 1403" in obs else obs.windows["label"][0]
seq = obs[label]
cube = seq[0]
print(cube.data)  # a dask array: nothing read yet
print("exposure times:", extra_coord(cube, "exposure_time"))
print("exposure midpoints:", extra_coord(cube, "time"))

###############################################################################
# World coordinates of a pixel use that exposure's own pointing (XCENIX/YCENIX/PCij).
wave, sky, time = cube.wcs.pixel_to_world(10, 50, 3)
print(wave.to(u.AA), sky, time.isot)
print("back to pixels:", cube.wcs.world_to_pixel(wave, sky, time))

###############################################################################
# Crop with high-level coordinates (all world axes given; time is coupled to the step axis).
lo = cube.wcs.pixel_to_world(5, 20, 2)
hi = cube.wcs.pixel_to_world(15, 60, 5)
cropped = cube.crop(lo, hi)
print("cropped shape:", cropped.data.shape)

###############################################################################
# Every repeat at raster position 3 (IRISreader's get_raster_pos_data).
pos3 = seq.at_raster_position(3)
print("raster position 3:", pos3.data.shape, "repeats", extra_coord(pos3, "repeat"))
lon = pos3.wcs.low_level_wcs.pixel_to_world_values(0, 50, np.arange(pos3.data.shape[0]))[2] * 3600
print("slit longitude at position 3 over time [arcsec]:", np.round(lon, 2))
(out / "summary.txt").write_text(obs.info_text() + "\n")
print("wrote", out / "summary.txt")
