"""IRIS slit-jaw radiometric calibration: effective areas of the four SJI passbands, DN -> radiance.

Effective area (``iris_get_response`` of SolarSoft, version 9 rules; facts
read from irispy-lmsal's ``irispy/utils/response.py``, written anew), from the
same response file as the spectrograph (:mod:`irisplug_iris.radiometric`):

1. Baseline curve of each passband ``m`` (1330, 1400, 2796, 2832):
   ``GEOM_AREA`` times the transmission of every optical element on its light
   path (``ELEMENTS[INDEX_EL_SJI[m, :]].TRANS``).
2. FUV passbands (1330, 1400): the spectrograph's time-dependent FUV "slant"
   is applied. At ``w = [C_F_LAMBDA[0], (2 C_F_LAMBDA[-2] + C_F_LAMBDA[-1]) / 3]``
   the ratio of the time-dependent FUV spectrograph area to its baseline
   (``GEOM_AREA * prod ELEMENTS[INDEX_EL_SG[0]].TRANS``) is normalised so that a
   2.4 : 1 weighted (C II : Si IV) sum of the passband's area is unchanged,
   interpolated (and extrapolated) linearly in wavelength, clipped at 0 and
   multiplied into the baseline. NUV passbands keep their baseline.
3. Every passband is scaled by its own throughput law ``fit_iris_xput``
   (``C_S_TIME[m]``, ``COEFFS_SJI[m]``).

Conversion of an SJI image (``DN2PHOT_SJI``: 12 photons/DN FUV, 18 NUV;
pixel solid angle ``Omega = CDELT1 * CDELT2``):

- default, a spectrum flat across the passband: the mean spectral radiance
  ``I_lambda = N_phot / (Omega * integral A_eff(lambda) lambda / (h c) dlambda)``
  in erg s-1 sr-1 cm-2 A-1;
- ``wavelength=`` a line (e.g. Mg II k 2796.35 A, C II 1334.53 A) that makes
  the passband's signal: the line intensity
  ``I = N_phot h c / lambda / (A_eff(lambda) Omega)`` in erg s-1 sr-1 cm-2.

Examples
--------
>>> from irisplug_iris.sji_radiometric import sji_effective_area
>>> lam, area = sji_effective_area("2014-03-29T14:10", 1400)
>>> lam.unit, bool(area.max().value > 0)
(Unit("Angstrom"), True)
"""

from __future__ import annotations

from typing import Any

import numpy as np

from irisplug.errors import CalibrationError, InconsistentInputError

__all__ = ["SJI_PASSBANDS", "sji_passband", "sji_effective_area", "sji_radiance_factor", "sji_radiometric_calibration"]

#: passband (nominal wavelength, A) -> index in the response's SJI arrays (NAME_SJI '133', '140', '279', '283')
SJI_PASSBANDS = {1330: 0, 1400: 1, 2796: 2, 2832: 3}
_FUV_WEIGHTS = np.array([2.4, 1.0])  # typical solar C II : Si IV ratio (iris_get_response)


def sji_passband(value: Any) -> int:
    """The nominal passband (1330, 1400, 2796 or 2832) of a number or label.

    Examples
    --------
    >>> sji_passband("SJI_2796"), sji_passband(1400.0), sji_passband("133")
    (2796, 1400, 1330)
    """
    text = str(value).upper().replace("SJI", "").strip(" _")
    try:
        number = float(text)
    except ValueError:
        number = float("nan")
    for band in SJI_PASSBANDS:
        if np.isfinite(number) and (abs(number - band) < 15 or abs(number * 10 - band) < 15):
            return band
    raise InconsistentInputError(f"not an IRIS slit-jaw passband: {value!r}; use 1330, 1400, 2796 or 2832")


def _baseline(resp: dict[str, Any], path: np.ndarray) -> np.ndarray:
    trans = resp["elements_trans"].astype(np.float64)
    out = np.full(resp["lambda"].shape, float(resp["geom_area"]))
    for k in np.asarray(path, dtype=int):
        out = out * trans[k]
    return out


def _sji_area_curves(date: Any, resp: dict[str, Any]) -> np.ndarray:
    """The four SJI effective-area curves (cm2) on the response grid at ``date``."""
    from irisplug_iris.radiometric import _grid_area, throughput

    lam = resp["lambda"]
    src = f"version {resp['version']} ({resp['version_date']})"
    areas = np.array([_baseline(resp, resp["index_el_sji"][m]) for m in range(4)])
    ref = resp["c_f_lambda"]
    w2 = np.array([ref[0], (2 * ref[-2] + ref[-1]) / 3])
    sg_base = np.interp(w2, lam, _baseline(resp, resp["index_el_sg"][0]))
    _, sg_now = _grid_area(date, "FUV", resp)
    slant = np.interp(w2, lam, sg_now) / sg_base
    for m in (0, 1):
        asj2 = np.interp(w2, lam, areas[m])
        norm = slant * np.sum(_FUV_WEIGHTS * asj2) / np.sum(_FUV_WEIGHTS * asj2 * slant)
        line = norm[0] + (norm[1] - norm[0]) * (lam - w2[0]) / (w2[1] - w2[0])  # linear, extrapolated
        areas[m] = areas[m] * np.clip(line, 0, None)
    for m in range(4):
        areas[m] = areas[m] * throughput(date, resp["c_s_time"][m], resp["coeffs_sji"][m], source=src)
    return areas


def sji_effective_area(date: Any, passband: Any, *, response: str | None = None) -> tuple[Any, Any]:
    """Wavelength grid (A) and effective area (cm2) of one SJI passband at ``date``.

    Raises
    ------
    ResponseCoverageError
        The response does not cover ``date``.

    Examples
    --------
    >>> lam, area = sji_effective_area("2020-01-01", "SJI_2796")
    >>> round(float(lam[np.argmax(area)].value))
    2796
    """
    import astropy.units as u

    from irisplug_iris.radiometric import load_response

    resp = load_response(response)
    if "elements_trans" not in resp:
        raise CalibrationError("this response file has no slit-jaw figures; regenerate it with tools/make_iris_response.py")
    areas = _sji_area_curves(date, resp)
    return (resp["lambda"] * u.nm).to(u.AA), areas[SJI_PASSBANDS[sji_passband(passband)]] * u.cm**2


def sji_radiance_factor(date: Any, passband: Any, *, plate_scale: Any, wavelength: Any = None,
                        response: str | None = None) -> Any:
    """Radiance per DN/s of an SJI pixel (see the module text for the two conventions).

    Parameters
    ----------
    plate_scale
        ``(x, y)`` pixel size (Quantity or arcsec), or one value for square pixels.
    wavelength
        A line wavelength: the line intensity (erg s-1 sr-1 cm-2) instead of the
        mean spectral radiance of a flat spectrum (erg s-1 sr-1 cm-2 A-1).

    Examples
    --------
    >>> sji_radiance_factor("2014-03-29", 2796, plate_scale=0.1663).unit
    Unit("erg / (Angstrom s sr cm2)")
    """
    import astropy.constants as const
    import astropy.units as u

    from irisplug_iris.radiometric import load_response

    band = sji_passband(passband)
    resp = load_response(response)
    lam, area = sji_effective_area(date, band, response=response)
    dn2phot = float(resp["dn2phot_sji"][SJI_PASSBANDS[band]]) * u.photon / u.DN
    scale = u.Quantity(plate_scale, u.arcsec).ravel()
    omega = (scale[0] * scale[-1]).to(u.sr)
    if wavelength is None:
        # photons per erg of a flat spectrum, summed over the passband: integral of A lambda / (h c)
        trapezoid = getattr(np, "trapezoid", None) or np.trapz  # np.trapezoid: numpy >= 2.0 (the plugin takes 1.26)
        weight = trapezoid(area * lam / (const.h * const.c), lam).to(u.cm**2 * u.AA / u.erg) * u.photon
        return (dn2phot / (omega * weight) * u.DN / u.s).to(u.erg / u.s / u.sr / u.cm**2 / u.AA)
    wl = u.Quantity(wavelength, u.AA)
    if wl.size != 1:
        raise InconsistentInputError(f"an SJI image takes one line wavelength, got {wl.size}")
    a_line = np.interp(wl.to_value(u.AA), lam.to_value(u.AA), area.to_value(u.cm**2)) * u.cm**2
    if a_line <= 1e-3 * area.max():  # below a thousandth of the peak: out-of-band leakage, not the passband
        raise CalibrationError(
            f"the SJI {band} effective area at {wl:.2f} is {a_line:.3g}, under 1e-3 of its peak "
            f"{area.max():.3g}: the line is outside the passband")
    energy = (const.h * const.c / wl).to(u.erg) / u.photon
    return (dn2phot * energy / (a_line * omega) * u.DN / u.s).to(u.erg / u.s / u.sr / u.cm**2)


def _cube_passband(cube: Any) -> int:
    meta = cube.meta or {}
    for key in ("TWAVE1", "WAVELNTH", "TDESC1", "TDESC", "window"):
        value = meta.get(key)
        if value is not None:
            try:
                return sji_passband(value)
            except InconsistentInputError:
                continue
    raise CalibrationError("cannot tell the slit-jaw passband from the metadata (TWAVE1/WAVELNTH); pass passband=1400")


def _plate_scale(cube: Any) -> tuple[float, float]:
    import astropy.units as u

    from irisplug_calib import frame_headers

    hdr = frame_headers(cube)[0]
    return tuple(float((hdr[f"CDELT{k}"] * u.Unit(hdr.get(f"CUNIT{k}", "deg"))).to_value(u.arcsec)) for k in (1, 2))


def sji_radiometric_calibration(cube: Any, *, date: Any = None, passband: Any = None, wavelength: Any = None,
                                plate_scale: Any = None, response: str | None = None) -> Any:
    """A slit-jaw cube (or frame) converted from DN to radiance.

    DN data are exposure-normalised first. Date, passband and plate scale come
    from the cube (``DATE_OBS``/``STARTOBS``, ``TWAVE1``, the frames' WCS)
    unless given.

    Examples
    --------
    >>> sji = irisplug.read(sji_file)["SJI_2796"]  # doctest: +SKIP
    >>> sji_radiometric_calibration(sji, wavelength=2796.35).unit  # doctest: +SKIP
    Unit("erg / (s sr cm2)")
    """
    import astropy.units as u

    from irisplug_calib import is_per_second, new_cube, normalize_exposure, record, std_of
    from irisplug_iris.radiometric import load_response

    if not is_per_second(cube.unit):
        cube = normalize_exposure(cube)
    meta = cube.meta or {}
    when = date or meta.get("DATE_OBS") or meta.get("STARTOBS") or meta.get("date_obs")
    if when is None:
        raise CalibrationError("no observation date in the metadata (DATE_OBS); pass date=...")
    band = sji_passband(passband) if passband is not None else _cube_passband(cube)
    scale = plate_scale if plate_scale is not None else _plate_scale(cube)
    f = sji_radiance_factor(when, band, plate_scale=scale, wavelength=wavelength, response=response)
    per_dn_s = (u.DN / u.s).to(cube.unit) if cube.unit is not None else 1.0
    factor = f.value * per_dn_s
    sigma = std_of(cube)
    new = new_cube(cube, cube.data * factor, uncertainty=None if sigma is None else sigma * factor, unit=f.unit)
    resp = load_response(response)
    return record(new, "iris-radiometric",
                  {"passband": band, "line_wavelength_A": None if wavelength is None else float(u.Quantity(wavelength, u.AA).value),
                   "plate_scale_arcsec": [float(v) for v in np.atleast_1d(u.Quantity(scale, u.arcsec).value)]},
                  {"response": f"IRIS response version {resp['version']} ({resp['version_date']})", "date": str(when)})
