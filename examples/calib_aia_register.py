"""
AIA level 1 to 1.5 registration
===============================

Register the sunpy AIA test map (rescale to 0.6"/pixel, north up, reference
pixel at the array centre) with the ``aia-register`` step and compare with
``aiapy.calibrate.register`` when aiapy is installed.
"""

import time
import warnings

import numpy as np
import sunpy.data.test
import sunpy.map

import irisplug

smap = sunpy.map.Map(sunpy.data.test.get_test_filepath("aia_171_level1.fits"))
t0 = time.perf_counter()
reg = irisplug.calibrate(smap, ["aia-register"])
print(f"irisplug aia-register: {smap.data.shape} -> {reg.data.shape} in {time.perf_counter() - t0:.2f} s")
print(f"scale {reg.scale[0]:.3f}, lvl_num {reg.meta['lvl_num']}, rotation matrix\n{reg.rotation_matrix}")

try:
    from aiapy.calibrate import register
except ImportError:
    print("aiapy not installed: no comparison")
else:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        peer = register(smap)
    rng = np.nanmax(peer.data) - np.nanmin(peer.data)
    print(f"max |irisplug - aiapy| / data range: {np.nanmax(np.abs(reg.data - peer.data)) / rng:.1e}")

# %% Exposure normalisation of the registered map (DN -> DN/s), recorded in the history
norm = irisplug.calibrate(reg, ["exposure-norm"])
print(norm.unit, [r["step"] for r in irisplug.history(norm)])
