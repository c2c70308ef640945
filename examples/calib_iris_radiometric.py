"""
IRIS radiometric calibration and slit-jaw registration
======================================================

Convert an IRIS spectral window from DN to erg s-1 sr-1 cm-2 A-1 with the
time-dependent effective area, and register slit-jaw frames (north up, each
frame its own roll and pointing). Uses the IRIS test files of irispy-lmsal.
"""

import numpy as np

import irisplug
from irisplug_iris import effective_area
from irisplug_iris.irispy_files import SNS_OBSID, find_files

# %% Effective area at the observation date
print("FUV effective area at C II 1335.7 / Si IV 1402.8 on 2021-09-05:",
      effective_area([1335.7, 1402.8], "2021-09-05", "FUV").round(4))

# %% Radiometric calibration of a spectral window (exposure normalisation happens first)
# The IRIS test files of irispy-lmsal, found by what they hold (their names change between releases).
sns_raster = find_files(obsid=SNS_OBSID, kind="raster")
if not sns_raster:
    print("NOTE: irispy-lmsal (for its IRIS test files) is not installed: calibration of a real window skipped")
else:
    obs = irisplug.read(sns_raster[0])
    win = obs["C II 1336"]
    cal = irisplug.calibrate(win, ["iris-radiometric"])
    cube = cal.data[0]
    print("unit:", cube.unit)
    print("peak radiance:", float(np.nanmax(np.asarray(cube.data))))
    print("history:", [r["step"] for r in irisplug.history(cube)])

# %% Slit-jaw frames registered north up (the largest SJI 1400 test file)
sji_files = find_files(kind="sji", band="1400", min_frames=5)
if not sji_files:
    print("NOTE: irispy-lmsal (for its IRIS test files) is not installed: slit-jaw registration skipped")
else:
    from astropy.io import fits

    path = max(sji_files, key=lambda p: fits.getheader(p)["NAXIS1"] * fits.getheader(p)["NAXIS2"])
    sji = irisplug.read(path)["SJI_1400"][:5]
    reg = irisplug.calibrate(sji, ["sji-register"])
    print("SJI", sji.data.shape, "->", reg.data.shape, "rolls (deg):", irisplug.history(reg)[-1]["inputs"]["rolls_deg"][:3])
