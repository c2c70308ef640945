"""Photon-noise (shot + read noise) uncertainties of IRIS Level 2 data.

For data ``D`` in DN, with ``g`` photons per DN and read noise ``r`` DN, the
1-sigma uncertainty is

    sigma = sqrt(max(D, 0) / g + r**2)   [DN]

(Poisson variance of the ``g D`` photons, converted back to DN, plus the read
noise). Negative values (dark-subtracted noise) count no photons. Data
already in DN/s are multiplied back by each exposure's exposure time first
and the uncertainty divided again. The step is lazy: dask data give a dask
uncertainty, computed chunk by chunk with the data.

Constants (facts, cited):

- photons per DN, from the IRIS response files (``iris_sra_c_*.geny``,
  fields ``DN2PHOT_SG = [4, 18]`` for the FUV and NUV spectrograph CCDs and
  ``DN2PHOT_SJI = [12, 12, 18, 18]`` for SJI 1330, 1400, 2796, 2832): the
  CCD gain over the photon yield, FUV 6 e-/DN / 1.5 e-/photon, NUV 18 / 1
  (De Pontieu et al. 2014, Sol. Phys. 289, 2733, the IRIS instrument paper);
- read noise 3.1 DN (FUV), 1.2 DN (NUV and SJI), the values irispy-lmsal
  uses (``irispy.utils.constants.READOUT_NOISE``), from the same paper.

irispy-lmsal's ``read_sji_lvl2(..., uncertainty=True)`` uses 18 photons/DN
for every slit-jaw passband; the response files give 12 for the FUV
passbands (1330, 1400), which this module follows. Deconvolved slit-jaw
images get no uncertainty (with a warning): their noise is not photon noise.
"""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["PHOTONS_PER_DN", "READ_NOISE_DN", "detector_constants", "photon_noise", "photon_noise_sigma", "is_iris_data"]

#: photons per DN: spectrograph CCDs and slit-jaw passbands (IRIS response DN2PHOT_SG, DN2PHOT_SJI)
PHOTONS_PER_DN = {"FUV": 4.0, "NUV": 18.0, "SJI_1330": 12.0, "SJI_1400": 12.0, "SJI_2796": 18.0, "SJI_2832": 18.0}
#: read noise in DN (De Pontieu et al. 2014; irispy-lmsal READOUT_NOISE)
READ_NOISE_DN = {"FUV": 3.1, "NUV": 1.2, "SJI": 1.2}
_STEP = "iris-photon-noise"
_VERSION = "1"


def detector_constants(meta: Any) -> tuple[float, float]:
    """``(photons per DN, read noise in DN)`` of the detector an IRIS cube's metadata names.

    Spectrograph windows carry ``DETECTOR`` FUV1, FUV2 or NUV; slit-jaw cubes
    ``DETECTOR = "SJI"`` and their passband in ``TWAVE1`` (or ``TDESC1``):
    FUV passbands (below 2000 A) have 12 photons/DN, NUV ones 18.

    Raises
    ------
    irisplug.errors.UnsupportedObjectError
        The metadata name no IRIS detector.

    Examples
    --------
    >>> detector_constants({"DETECTOR": "FUV1"})
    (4.0, 3.1)
    >>> detector_constants({"DETECTOR": "SJI", "TWAVE1": 1400.0})
    (12.0, 1.2)
    """
    from irisplug.errors import UnsupportedObjectError

    meta = meta or {}
    det = str(meta.get("DETECTOR", meta.get("detector", ""))).strip().upper()
    if det.startswith("FUV"):
        return PHOTONS_PER_DN["FUV"], READ_NOISE_DN["FUV"]
    if det.startswith("NUV"):
        return PHOTONS_PER_DN["NUV"], READ_NOISE_DN["NUV"]
    if det == "SJI":
        wave = meta.get("TWAVE1")
        if wave is None:
            digits = "".join(ch for ch in str(meta.get("TDESC1", "")) if ch.isdigit())
            wave = float(digits) if digits else None
        if wave is None:
            raise UnsupportedObjectError("slit-jaw cube without TWAVE1 / TDESC1: cannot tell its passband's photons per DN")
        label = f"SJI_{round(float(wave))}"
        g = PHOTONS_PER_DN.get(label, PHOTONS_PER_DN["SJI_1400"] if float(wave) < 2000 else PHOTONS_PER_DN["SJI_2796"])
        return g, READ_NOISE_DN["SJI"]
    name = meta.get("FILENAME", "")
    raise UnsupportedObjectError(f"{name + ': ' if name else ''}metadata DETECTOR={det!r} is not an IRIS detector "
                                 "(FUV1, FUV2, NUV, SJI); pass photons_per_dn= and read_noise=")


def photon_noise_sigma(data: Any, photons_per_dn: float, read_noise: float, exposure_time: Any = None) -> Any:
    """1-sigma photon + read noise of ``data`` (numpy or dask), in the data's unit.

    ``exposure_time`` (seconds; scalar or one per exposure along axis 0)
    means the data are in DN/s.

    Examples
    --------
    >>> photon_noise_sigma(np.array([0.0, 400.0]), 4.0, 3.0)
    array([ 3.        , 10.44030651])
    """
    dtype = np.result_type(getattr(data, "dtype", np.float64), np.float32)
    g = dtype.type(photons_per_dn)
    rn2 = dtype.type(read_noise) ** 2
    if exposure_time is None:
        return np.sqrt(np.maximum(data, 0) / g + rn2)
    t = np.asarray(exposure_time, dtype=dtype)
    if t.ndim:
        t = t.reshape((-1,) + (1,) * (np.ndim(data) - 1))
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.sqrt(np.maximum(data * t, 0) / g + rn2) / t


def _cube_noise(cube: Any, photons_per_dn: float | None, read_noise: float | None) -> Any:
    import astropy.units as u
    from astropy.nddata import StdDevUncertainty

    from irisplug.errors import UnsupportedObjectError
    from irisplug.model import extra_coord, replace_arrays
    from irisplug.provenance import record_step

    meta = cube.meta or {}
    name = meta.get("FILENAME", type(cube).__name__)
    if meta.get("DECONVOLVED"):
        import warnings

        from irisplug.errors import IrisplugWarning

        warnings.warn(f"{name}: a deconvolved slit-jaw image's noise is not photon noise; no uncertainty attached",
                      IrisplugWarning, stacklevel=3)
        return replace_arrays(cube, cube.data, cube.mask, uncertainty=None)
    if photons_per_dn is None or read_noise is None:
        g, rn = detector_constants(meta)
    g = g if photons_per_dn is None else float(photons_per_dn)
    rn = rn if read_noise is None else float(read_noise)
    unit = u.Unit(cube.unit) if cube.unit is not None else None
    if unit == u.DN:
        t = None
    elif unit == u.DN / u.s:
        t = u.Quantity(extra_coord(cube, "exposure_time")).to_value(u.s)
    else:
        raise UnsupportedObjectError(f"{name}: photon noise needs data in DN or DN/s, not {unit}; "
                                     "apply it before the radiometric calibration")
    sigma = photon_noise_sigma(cube.data, g, rn, t)
    new = replace_arrays(cube, cube.data, cube.mask, uncertainty=StdDevUncertainty(sigma, copy=False))
    record_step(new, _STEP, plugin="irisplug-iris", version=_VERSION,
                params={"photons_per_dn": g, "read_noise_dn": rn})
    return new


def photon_noise(obj: Any, *, photons_per_dn: float | None = None, read_noise: float | None = None) -> Any:
    """Attach photon + read noise uncertainties (``StdDevUncertainty``) to IRIS data.

    Parameters
    ----------
    obj
        A RasterCube or SJICube, a RasterSequence, or an Observation (every
        window with its own detector's constants), in DN or DN/s.
    photons_per_dn, read_noise
        Override the detector's constants (:data:`PHOTONS_PER_DN`,
        :data:`READ_NOISE_DN`, in DN).

    Returns
    -------
    object
        A new object of the same kind; data, mask and coordinates are shared.
        Recorded in the provenance as ``iris-photon-noise``.

    Raises
    ------
    irisplug.errors.UnsupportedObjectError
        Data not in DN or DN/s (already radiometrically calibrated), or a cube
        whose metadata name no IRIS detector.

    Examples
    --------
    >>> obs = irisplug.read(raster_dir)  # doctest: +SKIP
    >>> noisy = photon_noise(obs)  # doctest: +SKIP
    >>> noisy["Si IV 1403"][0].uncertainty  # doctest: +SKIP
    """
    from ndcube import NDCube, NDCubeSequence

    from irisplug.errors import UnsupportedObjectError

    if hasattr(obj, "map_items"):
        return obj.map_items(lambda o: photon_noise(o, photons_per_dn=photons_per_dn, read_noise=read_noise))
    if isinstance(obj, NDCubeSequence):
        new = [photon_noise(c, photons_per_dn=photons_per_dn, read_noise=read_noise) for c in obj.data]
        return type(obj)(new, common_axis=getattr(obj, "_common_axis", None), meta=dict(obj.meta or {}))
    if not isinstance(obj, NDCube):
        raise UnsupportedObjectError(f"cannot compute IRIS photon noise of a {type(obj).__name__}")
    return _cube_noise(obj, photons_per_dn, read_noise)


def is_iris_data(obj: Any) -> bool:
    """An IRIS cube, sequence or Observation (what the ``iris-photon-noise`` step accepts).

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> is_iris_data(SimpleNamespace(meta={"TELESCOP": "IRIS"})), is_iris_data(SimpleNamespace(meta={}))
    (True, False)
    """
    meta = getattr(obj, "meta", None) or {}
    return "IRIS" in (str(meta.get("TELESCOP", "")).strip().upper(), str(meta.get("INSTRUME", "")).strip().upper())
