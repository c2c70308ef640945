"""
A second slit spectrograph through irisplug
===========================================

The ``irisplug-spice-example`` plugin (this folder, installed with
``pip install -e examples/second_spectrograph_plugin``) reads Solar
Orbiter/SPICE level 2 rasters with sunraster and hands them over in the
model contract (``irisplug.model.kind_of``: spectral cubes (step, slit,
wavelength)). The built-in calibrate, fit, view and co-align plugins then
take them unchanged.
"""

import tempfile
import warnings
from pathlib import Path

import astropy.units as u
import sunpy.map

import irisplug
from irisplug.model import kind_of

warnings.simplefilter("ignore")  # astropy's notes on the SPICE header (CROTA, DATEREF) are not the point here
work = Path(tempfile.mkdtemp())
(path,) = irisplug.fetch("spice-synthetic", work)  # a generated SPICE L2 raster in the real layout
obs = irisplug.read(path)
cube = obs["WINDOW0_76.52"]
print(kind_of(obs).kind, {name: kind_of(c).kind.value for name, c in obs.items()})

calibrated = irisplug.calibrate(cube, ["exposure-norm"])  # ADU -> ADU/s with the file's XPOSURE
maps = irisplug.fit(calibrated, template="peak")  # one Gaussian at the brightest feature
print("velocity range (km/s):", maps["peak.velocity"].data.min().round(1), maps["peak.velocity"].data.max().round(1))

irisplug.view(obs, out=work / "quicklook.png")  # the raster quick-look
irisplug.view(maps, out=work / "maps.png")  # parameter maps

# co-align the raster image on a reference whose pointing differs by 6 arcsec in solar x
from irisplug_spice.reader import intensity_map  # noqa: E402  (the plugin's public helper)

image = intensity_map(calibrated)
meta = dict(image.meta)
meta["crval1"] += (6 * u.arcsec).to_value(meta["cunit1"])
aligned = irisplug.coalign(image, sunpy.map.Map(image.data, meta), method="fft", differential_rotation=False)
print("pointing change (arcsec):", [round(v, 2) for v in aligned.meta["irisplug_coalign"]["pointing_change_arcsec"]])
