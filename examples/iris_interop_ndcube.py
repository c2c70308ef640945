"""
IRIS cubes in the ndcube / sunpy / sunraster ecosystem
======================================================

Each exposure's SkyCoord carries its own obstime and observer (here: the
slit-jaw frames of the sit-and-stare test observation, hours apart), so sunpy
can rotate a feature from one frame to another; ndcube's crop by a
SpectralCoord, ``crop_by_values``, ``reproject_to`` and sunraster's exposure
correction work on the cubes as on any NDCube.
"""

import warnings

import astropy.units as u
from sunpy.coordinates import propagate_with_solar_surface

import irisplug
from irisplug_iris.irispy_files import SNS_OBSID, find_files

files = find_files(obsid=SNS_OBSID)
if not files:
    print("irispy-lmsal's test files are not installed: nothing to show")
else:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        obs = irisplug.read(files)
    sji = obs["SJI_1400"]
    last = sji.shape[0] - 1
    sky, time = sji.wcs.pixel_to_world(10, 10, last)
    print(f"frame {last}: obstime {sky.obstime.isot} ({(sky.obstime - sji.wcs.pixel_to_world(0, 0, 0)[1]).to(u.h):.2f} "
          f"after frame 0), observer at {sky.observer.radius.to(u.AU):.6f}")
    with propagate_with_solar_surface():  # differential rotation back to frame 0's time and observer
        back = sky.transform_to(sji.wcs.low_level_wcs.exposure_frame(0))
    print(f"the same solar feature in frame 0's frame: Tx {back.Tx:.1f} (frame {last}: {sky.Tx:.1f})")

    raster = obs[next(k for k in obs if not k.startswith("SJI"))][0]
    wave = raster.axis_world_coords("em.wl")[0]
    cut = raster.crop((wave[len(wave) // 4], None, None), (wave[len(wave) // 2], None, None))  # a SpectralCoord alone
    print(f"crop by SpectralCoord: {raster.shape} -> {cut.shape}")
    per_s = raster.apply_exposure_time_correction()  # sunraster's own method
    print(f"sunraster exposure correction: {raster.unit} -> {per_s.unit}")
    frame = sji.frame(0)
    small = frame.reproject_to(frame[5:25, 5:25].wcs, shape_out=(20, 20))
    print(f"reproject_to a sub-region: {frame.shape} -> {small.shape}")
