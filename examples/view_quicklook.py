"""
Raster quick-look: three linked panels driven by keys
=====================================================

Open the quick-look on the IRIS test raster (or on a synthetic observation
when irispy-lmsal's test data is absent), drive it with the same key presses
a user would type, add points of interest and save them, and write the
figure as PNG. Runs headless (``MPLBACKEND=Agg``); outputs go to a temporary
directory or to the directory given as the first argument.
"""

import pathlib
import sys
import tempfile
import warnings

import matplotlib

matplotlib.use("Agg")

import irisplug
from irisplug_iris import synthetic_observation
from irisplug_view._figure_kit import send_key
from irisplug_view.poi import get_pois, load_pois, save_pois

out = pathlib.Path(sys.argv[1]) if len(sys.argv) > 1 else pathlib.Path(tempfile.mkdtemp(prefix="view_quicklook_"))
out.mkdir(parents=True, exist_ok=True)


def iris_test_observation():
    """The 2014-03-29 raster of the irispy-lmsal test data, read with irisplug.read (None if absent)."""
    from irisplug_iris.irispy_files import RASTER_OBSID, find_files

    # found by content (OBSID, kind, band): file names and the SJI files differ between irispy-lmsal releases
    files = find_files(obsid=RASTER_OBSID, band="1400") + find_files(obsid=RASTER_OBSID, kind="raster")[:4]
    if not files:
        print("NOTE: irispy-lmsal (for its IRIS test files) is not installed: a synthetic observation instead")
        return None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return irisplug.read(files)


obs = iris_test_observation() or synthetic_observation(8, 60)
print(obs)

# %%
# ``irisplug.view`` picks the raster quick-look for an Observation.
ql = irisplug.view(obs, window="Si IV 1403")

# %%
# Keys as in iris_lmsalpy: move the point, step in wavelength, raise the
# upper contrast limit, add a point in this window (a) and in all (A).
for key in ["right", "up", "up", "x", "x", "p", "a", "m", "A"]:
    send_key(ql.fig, key)
print("window", ql.state.label, "point", (ql.state.x, ql.state.y), "points of interest:", len(get_pois(obs)))
ql.savefig(out / "quicklook.png", dpi=100)

# %%
# Points of interest are stored on the object and saved as JSON (or ASDF).
path = save_pois(obs, out / "points.json", overwrite=True)
print("saved", [(p.window, p.step, p.y) for p in load_pois(path)], "to", path)
print("wrote", sorted(p.name for p in out.iterdir()))

import matplotlib.pyplot as plt  # noqa: E402

plt.show()
