"""
Build an ML-ready dataset from several observations
===================================================

Generate six small IRIS observations (different pointings, exposure times,
null frames), extract their Mg II k spectra into one zarr store (exposure
normalised, resampled onto a common grid, with Mg II h & k features as extra
columns), run the build again (it finds every observation complete: a killed
build resumes the same way), read the per-observation report, and iterate over the store in shuffled batches as training code would.
"""

import sys
import tempfile
from pathlib import Path

import numpy as np

from irisplug_datasets import build_dataset, iter_batches, open_dataset, read_report
from irisplug_datasets.synthetic import make_observations

work = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(tempfile.mkdtemp())
observations = make_observations(work / "observations", 6, n_steps=3, n_y=16, windows=("Mg II k 2796",))
sources = [*observations, work / "not-there"]  # a bad source: reported, not fatal
store = work / "mg_k.zarr"

grid = "2794.013:2805.987:240"
report = build_dataset(sources, store, line="Mg II k", grid=grid, features=("mgii",), quiet=True)
print(report)

print("resumed run:", build_dataset(sources, store, line="Mg II k", grid=grid, features=("mgii",), quiet=True).resumed,
      "observations already complete")

for entry in read_report(store):
    print(f"  obs {entry['index']}: {entry['status']:6s} kept {entry['count']:4d}, dropped null {entry['dropped_null']:3d},"
          f" incomplete {entry['dropped_missing']:3d}  {entry['reason']}")

ds = open_dataset(store)
print(ds.spectra.shape, "spectra x wavelength;", "k3 found in",
      int(np.isfinite(ds.k3_velocity.values).sum()), "spectra; median k2 peak separation",
      round(float(np.nanmedian(ds.k_separation.values)), 1), "km/s")

n = 0
for batch in iter_batches(store, batch_size=128, seed=0):
    n += len(batch["spectra"])  # a training step would go here: batch["spectra"], batch["exposure_time"], ...
print("iterated", n, "spectra in shuffled batches of", len(batch["spectra"]) if n <= 128 else 128)
