"""
Fit a raster sequence on a dask cluster
=======================================

Every block of every raster file goes to the cluster at once; the block
size comes from the cluster's threads and each worker fits with as many
threads as it has. With one engine the maps are bit-identical with the
in-process fit: ``engine="auto"`` (the default) fits small jobs with numpy
until the compiled kernel is ready, and cluster workers always use the
compiled kernel, so this example asks for ``engine="numba"`` on both sides.

Runs on generated IRIS raster files in a temporary directory (or the path given).
"""

import sys
import tempfile
from pathlib import Path

import numpy as np

import irisplug
from irisplug_iris.generator import generate

out = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(tempfile.mkdtemp())
generate(out / "obs", n_rasters=3, n_steps=8, n_y=64, windows=("Si IV 1403",), sji=(), spectral_summing=1, quiet=True)
obs = irisplug.read(out / "obs")

###############################################################################
# In-process: the rasters one after another, each on all cores.
local = irisplug.fit(obs, method="lm", window="Si IV 1403", template="si_iv_1403", scheduler="local", engine="numba")

###############################################################################
# On a cluster: here ``irisplug.local_cluster``, a LocalCluster of 2
# single-threaded workers with distributed's self-monitoring made light
# (threads of this process for the example; by default worker processes,
# one per CPU this process may use, ``irisplug.usable_cpus()``, each
# reusing the memory its tasks free). A ``Client("tcp://host:8786")`` of
# ``dask scheduler`` / ``dask worker`` processes works the same.
from distributed import Client  # noqa: E402

with irisplug.local_cluster(2, threads_per_worker=1, processes=False) as cluster, Client(cluster) as client:
    remote = irisplug.fit(obs, method="lm", window="Si IV 1403", template="si_iv_1403", client=client,
                          engine="numba")

for a, b in zip(local, remote, strict=True):
    assert np.array_equal(np.asarray(a["si_iv_1403.velocity"].data), np.asarray(b["si_iv_1403.velocity"].data),
                          equal_nan=True)
print(f"{irisplug.usable_cpus()} usable CPUs here; {len(remote)} rasters fitted on the cluster, identical to in-process; median velocity "
      f"{np.nanmedian(np.asarray(remote[0]['si_iv_1403.velocity'].data)):.2f} km/s")
