"""
Publication figures: spectroheliogram, SJI with raster contours, Doppler maps, spectra in time
==============================================================================================

``build_figure``-style figures without interaction, written as PNG: a
spectroheliogram with a Solar X/Y grid, the slit-jaw frame nearest in time
with the raster map as contours (placed through world coordinates), fitted
parameter maps with the Doppler velocity on a diverging map centred on zero,
and the spectra of one slit pixel over time (sit-and-stare) plus a GIF of
the normalised spectrum evolving. Generated data; outputs go to a temporary
directory or the first argument.
"""

import pathlib
import sys
import tempfile

import matplotlib

matplotlib.use("Agg")

from irisplug_iris import synthetic_observation, synthetic_velocity_maps
from irisplug_view.figures import parameter_maps, show_poi, sji_with_contour, spectroheliogram, spectrum_timeseries
from irisplug_view.movies import spectrum_movie
from irisplug_view.poi import load_pois, save_pois
from irisplug_view.quicklook import quicklook

out = pathlib.Path(sys.argv[1]) if len(sys.argv) > 1 else pathlib.Path(tempfile.mkdtemp(prefix="view_figures_"))
out.mkdir(parents=True, exist_ok=True)

obs = synthetic_observation(16, 60)
spectroheliogram(obs, window="Si IV 1403", wavelength=1402.77, out=out / "spectroheliogram.png")
sji_with_contour(obs, obs, window="Si IV 1403", sji_window="SJI_1400", out=out / "sji_contour.png")

# %%
# Maps as the fit plugin returns them (an NDCollection of 2-D NDCubes); any 2-D NDCube works too.
parameter_maps(synthetic_velocity_maps(), out=out / "parameter_maps.png")

# %%
# Sit-and-stare: spectra of one slit pixel over time, and a movie of the normalised spectrum.
sns = synthetic_observation(40, 50, sit_and_stare=True, n_scans=1)
spectrum_timeseries(sns, window="Mg II k 2796", y=25, normalise=True, out=out / "timeseries.png")
spectrum_movie(sns, out / "spectrum.gif", window="Mg II k 2796", y=25, overwrite=True, quiet=True)

# %%
# A point of interest saved from the quick-look, drawn again with show_poi.
ql = quicklook(obs, window="Si IV 1403")
ql.state.pois.append(ql.make_poi("Si IV 1403"))
save_pois(ql.state.pois, out / "poi.asdf", overwrite=True)
show_poi(load_pois(out / "poi.asdf")[0], out=out / "poi.png")
show_poi(load_pois(out / "poi.asdf")[0], show_Spectra=True, out=out / "poi_spectrum.png")
print("wrote", sorted(p.name for p in out.iterdir()), "in", out)

import matplotlib.pyplot as plt  # noqa: E402

plt.show()
