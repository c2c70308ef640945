"""
Tutorial: from an archive search to Doppler maps co-aligned with AIA
====================================================================

One IRIS observation, end to end, the way you would work on real data:

1. search the IRIS archive with sunpy's ``Fido`` and download the files;
2. read them with ``irisplug.read`` (lazily: nothing is decoded until used);
3. calibrate the Si IV 1403 window to radiance;
4. co-align the raster with the slit-jaw images (a pointing error is found and
   written into the raster's world coordinates);
5. fit the Si IV 1402.77 line in every spectrum and look at the Doppler map;
6. bring in AIA: build the co-temporal AIA query and co-align on an AIA image.

This page was built offline. The "archive" is a stand-in served on
127.0.0.1 by the iris plugin (``irisplug_iris.net.local_archive``), holding
an observation made by the plugin's synthetic Level 2 generator in the
archive's exact layout (int16 FITS with BSCALE/BZERO, auxiliary tables, a
``*_raster.tar.gz`` and gzipped slit-jaw files). With a network, leave out
the lines marked *stand-in*: the same calls talk to LMSAL's archive.
"""

# ruff: noqa: E402  (a tutorial imports each tool where it is first used)
import os
import tempfile
from pathlib import Path

import astropy.units as u
import matplotlib.pyplot as plt
import numpy as np

import irisplug

work = Path(tempfile.mkdtemp(prefix="irisplug-tutorial-"))

# %%
# The stand-in archive
# --------------------
# A dense 32-step Si IV raster with a 1400 slit-jaw channel. The generator
# records the slit-jaw pointing 1.2 arcsec off in x and -0.8 arcsec in y
# (a known error for step 4 to find), as real slit-jaw and raster pointing
# disagree by an arcsecond or two.
from irisplug_iris.net.local_archive import LocalArchive, build_observation  # stand-in

archive_root = work / "archive"  # stand-in
event = build_observation(  # stand-in
    archive_root, obsid="3999999901", startobs="2014-03-29T14:09:38.830", goal="Tutorial raster near AR 12014",
    n_rasters=1, n_steps=32, step_size=0.35, n_y=64, windows=("Si IV 1403",), sji=("SJI_1400",),
    sji_pointing_error=(1.2, -0.8), missing=False, quiet=True,
)
archive = LocalArchive(archive_root, [event]).start()  # stand-in
# stand-in: the IRIS client asks these two URLs (LMSAL's search service and data tree by default)
os.environ["IRISPLUG_IRIS_HCR_URL"] = archive.hcr_url  # stand-in
os.environ["IRISPLUG_IRIS_DATA_URL"] = archive.data_url  # stand-in

# %%
# 1. Search and download
# ----------------------
# Importing ``irisplug_iris.net`` registers the IRIS client with ``Fido``
# and adds the ``a.iris`` attributes (OBSID, product, description, pointing).
from sunpy.net import Fido
from sunpy.net import attrs as a

import irisplug_iris.net  # noqa: F401

result = Fido.search(a.Time("2014-03-29 14:00", "2014-03-29 15:00"), a.iris.OBSID(3999999901))
print(result)
files = Fido.fetch(result, path=work / "data" / "{file}", progress=False)
print("downloaded:", sorted(Path(f).name for f in files))

# %%
# 2. Read
# -------
# ``irisplug.read`` takes the files as downloaded (the raster tarball is
# unpacked once and the ``.fits.gz`` decompressed once, into the cache) and
# returns an ``Observation``: spectral windows as raster sequences, slit-jaw
# channels as cubes, all with per-exposure world coordinates.
obs = irisplug.read(files)
print(obs)
raster = obs["Si IV 1403"][0]  # the first (here the only) raster scan
sji = obs["SJI_1400"]
print("raster", raster.data.shape, "(steps, slit pixels, wavelengths); slit-jaw", sji.data.shape)

# %%
# 3. Calibrate to radiance
# ------------------------
# ``iris-radiometric`` divides by the exposure time and converts DN to
# erg s-1 sr-1 cm-2 A-1 with the effective area at the observation date. The
# steps applied are recorded in the cube's history.
calibrated = irisplug.calibrate(raster, ["iris-radiometric"])
print("unit:", calibrated.unit)
print("history:", [step["step"] for step in irisplug.history(calibrated)])

# %%
# 4. Co-align the raster with the slit-jaw images
# -----------------------------------------------
# ``sji-raster`` builds a synthetic slit-jaw image from the Si IV spectra,
# finds the slit-jaw frames nearest in time, and measures the offset between
# them. The correction is written into the raster's world coordinates.
aligned = irisplug.coalign(calibrated, sji, method="sji-raster")
offset = aligned.meta["irisplug_coalign"]["offset_arcsec"]
print(f"measured offset ({offset[0]:+.2f}, {offset[1]:+.2f}) arcsec; planted (+1.20, -0.80)")

# %%
# 5. Fit Si IV 1402.77 and look at the Doppler map
# ------------------------------------------------
# ``irisplug.fit`` fits every spectrum at once with the batched
# Levenberg-Marquardt engine and returns the maps as 2-D NDCubes that keep
# the (co-aligned) world coordinates: intensity, Doppler velocity, width,
# non-thermal velocity and a status flag per spectrum.
maps = irisplug.fit(aligned, method="lm", template="si_iv_1403")
print(sorted(maps.keys()))
velocity = maps["si_iv_1403.velocity"]
status = np.asarray(maps["status"].data)
print(f"{100 * np.mean(status == 0):.1f} % of the fits converged; median Doppler velocity "
      f"{np.nanmedian(np.asarray(velocity.data)):+.2f} {velocity.unit}")

from irisplug_view import parameter_maps, sji_with_contour

parameter_maps(maps, keys=["si_iv_1403.intensity", "si_iv_1403.velocity"])

# %%
# The raster intensity as contours on the slit-jaw frame nearest in time,
# placed through world coordinates (dotted lines: the slit positions).
sji_with_contour(sji, aligned, sji_window="SJI_1400")

# %%
# 6. Bring in AIA
# ---------------
# The query for AIA images co-temporal with the observation (AIA 1600 for
# the 1400 slit-jaw channel) is built from the observation's own times:
from irisplug_iris.net.context import aia_query

print(aia_query(obs, sji=1400))
for key in ("IRISPLUG_IRIS_HCR_URL", "IRISPLUG_IRIS_DATA_URL"):  # stand-in
    del os.environ[key]  # stand-in
archive.stop()  # stand-in

# %%
# With a network, the next lines fetch and register that image and co-align
# the slit-jaw cube on it; the raster then follows the slit-jaw images as in
# step 4::
#
#     aia_files = Fido.fetch(Fido.search(aia_query(obs, sji=1400)), path=work / "aia/{file}")
#     aia = irisplug.calibrate(sunpy.map.Map(aia_files[0]), ["aia-register"])
#     sji_on_aia = irisplug.coalign(sji, aia, method="fft", drift="linear")
#     aligned = irisplug.coalign(calibrated, sji_on_aia, method="sji-raster")
#
# Offline there is no AIA image of this (synthetic) Sun, so the
# co-alignment call is shown on sunpy's AIA 171 test map (a 128 x 128
# full-disk image, 19 arcsec pixels; registering it to 0.6 arcsec pixels
# would make it 4096 x 4096, see the AIA registration example): a copy
# whose recorded pointing is 30 arcsec off in x is co-aligned back on it.
import sunpy.data.test
import sunpy.map

aia = sunpy.map.Map(sunpy.data.test.get_test_filepath("aia_171_level1.fits"))
mispointed = sunpy.map.Map(aia.data, dict(aia.meta))
mispointed.meta["crval1"] = aia.meta["crval1"] + 30.0  # arcsec: the recorded pointing is wrong
on_aia = irisplug.coalign(mispointed, aia, method="fft")
change = on_aia.meta["irisplug_coalign"]["pointing_change_arcsec"]
print("pointing change found (arcsec):", np.round(change, 2), "(expected -30, 0)")

fig = plt.figure(figsize=(10, 4.5))
for i, (m, title) in enumerate([(mispointed, "recorded pointing 30\" off"), (on_aia, "after irisplug.coalign")]):
    ax = fig.add_subplot(1, 2, i + 1, projection=aia)
    aia.plot(axes=ax, title=title, clip_interval=(1, 99.5) * u.percent)
    m.draw_contours([50, 80] * u.percent, axes=ax, colors=["tab:cyan"])
    ax.set_xlim(10, 60)  # pixels: the active regions north-east of disk centre
    ax.set_ylim(65, 115)
fig.tight_layout()
plt.show()
