"""
Fit spectral lines of an IRIS raster
====================================

Fit every spectrum of a window with the batched Levenberg-Marquardt engine,
get NDCube maps (intensity, Doppler velocity, width, non-thermal velocity,
status flags), fit one spectrum with a plot, and compute moments.

Runs on the irispy-lmsal test data when installed, otherwise on generated
spectra. Writes figures to a temporary directory (or the path given).
"""

import sys
import tempfile
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np

import irisplug
from irisplug_fit.engine import fit_spectra
from irisplug_fit.single import fit_spectrum
from irisplug_fit.status import Status
from irisplug_fit.synthetic import X100, poisson_gaussians

out = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(tempfile.mkdtemp())
out.mkdir(parents=True, exist_ok=True)

###############################################################################
# 1. Generated Si IV 1402.77 spectra: 5000 spectra in one call.
y, truth = poisson_gaussians(5000, X100)
res = fit_spectra(y, X100, "si_iv_1403", uncertainty="poisson")
print("statuses:", {Status(k).name: int(n) for k, n in enumerate(np.bincount(res.status)) if n})
pull = (res.param("si_iv_1403.centre") - truth[:, 2]) / res.error("si_iv_1403.centre")
print(f"centre pulls: mean {pull.mean():+.3f}, std {pull.std():.3f}")

###############################################################################
# 2. One spectrum, fit_siiv style (two components), with the figure.
fit = fit_spectrum(y[0], X100, "si_iv_1403_2comp")
fit.figure.savefig(out / "fit_single.png")
print("single fit:", {k: round(v, 4) for k, v in fit.values.items()})

###############################################################################
# 3. A real IRIS window (irispy-lmsal test data) when available.
from irisplug_iris.irispy_files import RASTER_OBSID, find_files  # noqa: E402

raster_files = find_files(obsid=RASTER_OBSID, kind="raster")  # by content: names change between releases
if not raster_files:
    print("NOTE: irispy-lmsal (for its IRIS test files) is not installed: the real IRIS window is skipped")
else:
    obs = irisplug.read(raster_files)
    cube = obs["Si IV 1403"][0]
    maps = irisplug.fit(cube, method="lm", template="peak")  # the cropped test window holds one bright feature
    fig, axes = plt.subplots(1, 3, figsize=(10, 4))
    for ax, key in zip(axes, ["peak.intensity", "peak.velocity", "status"], strict=True):
        im = ax.imshow(np.asarray(maps[key].data).T, origin="lower", aspect="auto")
        ax.set_title(f"{key} [{maps[key].unit or ''}]")
        fig.colorbar(im, ax=ax)
    fig.tight_layout()
    fig.savefig(out / "fit_maps.png")
    moments = irisplug.fit(cube, method="moments")
    print("moment centroid median:", np.nanmedian(moments["centroid"].data))
    # no template given: the one the IRIS plugin declares for the window's label (meta["window"], set by the reader)
    auto = irisplug.fit(obs["Si IV 1403"][0][2:4], progress=False)
    print("default template of the Si IV 1403 window:", auto["si_iv_1403.centre"].meta["template"])
print("figures in", out)
plt.show()
