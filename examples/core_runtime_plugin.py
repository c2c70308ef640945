"""
A plugin in a notebook
======================

A plugin does not have to be installed: any object with hook implementations
can be registered at run time and goes through the same checks as an
installed one. Here: a reader for a two-column text spectrum, then a read
through ``irisplug.read``, which picks the reader by its ``identify``.
"""

import tempfile
from pathlib import Path

import astropy.units as u
import numpy as np
from astropy.wcs import WCS
from ndcube import NDCube

import irisplug


class TwoColumnPlugin:
    @staticmethod
    def identify(info):
        return info.head(12) == b"# two-column"

    @staticmethod
    def read(paths, **kwargs):
        wave, flux = np.loadtxt(paths[0], unpack=True)
        wcs = WCS(naxis=1)
        wcs.wcs.ctype, wcs.wcs.cunit = ["WAVE"], ["Angstrom"]
        wcs.wcs.crpix, wcs.wcs.crval, wcs.wcs.cdelt = [1], [wave[0]], [wave[1] - wave[0]]
        return NDCube(flux, wcs=wcs, unit=u.DN)

    @irisplug.hookimpl
    def irisplug_readers(self):
        return [irisplug.ReaderDescriptor(name="two-column", read=self.read, identify=self.identify)]


irisplug.get_plugin_manager().register(TwoColumnPlugin(), name="two-column")

###############################################################################
# Write a file in that format and read it back through the dispatcher.
path = Path(tempfile.mkdtemp()) / "spectrum.dat"
wave = 1402.77 + 0.026 * np.arange(-20, 21)
flux = 100 * np.exp(-0.5 * ((wave - 1402.80) / 0.05) ** 2) + 5
np.savetxt(path, np.column_stack([wave, flux]), header="two-column", comments="# ")
cube = irisplug.read(path)
print(irisplug.choose_reader(path).name, cube.data.shape, cube.unit)
print("peak at", cube.axis_world_coords()[0][np.argmax(cube.data)])
