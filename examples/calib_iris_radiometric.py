"""
IRIS radiometric calibration and slit-jaw registration
======================================================

Convert an IRIS spectral window from DN to erg s-1 sr-1 cm-2 A-1 with the
time-dependent effective area, and register slit-jaw frames (north up, each
frame its own roll and pointing). Uses the IRIS test files of irispy-lmsal.
"""

from pathlib import Path

import numpy as np

import irisplug
from irisplug_iris import effective_area

try:
    import irispy
except ImportError:
    print("irispy-lmsal (for its IRIS test files) is not installed: nothing to show")
    raise SystemExit(0) from None

root = Path(irispy.__file__).parent / "data" / "test"

# %% Effective area at the observation date
print("FUV effective area at C II 1335.7 / Si IV 1402.8 on 2021-09-05:",
      effective_area([1335.7, 1402.8], "2021-09-05", "FUV").round(4))

# %% Radiometric calibration of a spectral window (exposure normalisation happens first)
obs = irisplug.read(root / "sns" / "iris_l2_20210905_001833_3620258102_raster_t000_r00000.fits")
win = obs["C II 1336"]
cal = irisplug.calibrate(win, ["iris-radiometric"])
cube = cal.data[0]
print("unit:", cube.unit)
print("peak radiance:", float(np.nanmax(np.asarray(cube.data))))
print("history:", [r["step"] for r in irisplug.history(cube)])

# %% Slit-jaw frames registered north up
sji = irisplug.read(root / "raster" / "iris_l2_20140329_140938_3860258481_SJI_1400_t000.fits")["SJI_1400"][:5]
reg = irisplug.calibrate(sji, ["sji-register"])
print("SJI", sji.data.shape, "->", reg.data.shape, "rolls (deg):", irisplug.history(reg)[-1]["inputs"]["rolls_deg"][:3])
