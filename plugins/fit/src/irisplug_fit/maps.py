"""Turn a :class:`~irisplug_fit.engine.FitResult` into an ndcube ``NDCollection`` of parameter maps."""

from __future__ import annotations

import functools
from typing import Any

import numpy as np

from irisplug_fit.at_bound import at_bound_mask
from irisplug_fit.derived import (
    doppler_velocity,
    fwhm_from_width,
    line_intensity,
    line_intensity_error,
    nonthermal_velocity,
    nonthermal_velocity_error,
    voigt_fwhm,
    voigt_fwhm_error,
)
from irisplug_fit.engine import FitResult
from irisplug_fit.status import FITTED, STATUS_DESCRIPTIONS

__all__ = ["result_maps", "to_collection"]


def result_maps(res: FitResult, *, inst_fwhm: float | None = None) -> dict[str, tuple[np.ndarray, str]]:
    """``{name: (array, unit)}`` of every map: parameters, uncertainties and derived quantities.

    Per component ``C``: ``C.amplitude`` (data unit), ``C.centre`` (Angstrom),
    ``C.velocity`` (km/s, against the vacuum rest wavelength), ``C.width``
    (Gaussian or Voigt sigma / Lorentzian HWHM, Angstrom), ``C.fwhm``
    (Angstrom) and ``C.fwhm_velocity`` (the FWHM as a velocity, km/s),
    ``C.intensity`` (amplitude x Angstrom), ``C.vnt`` (non-thermal velocity,
    Gaussians only, when the instrumental FWHM is known: ``inst_fwhm`` (given,
    or the reader's ``instrumental_fwhm`` meta), else the template line's
    ``instrument_fwhm``), each parameter with a ``_err`` twin; ``bgK``
    background coefficients. Voigt components also get ``C.gamma``
    (Lorentzian HWHM, Angstrom) and ``C.gamma_velocity`` (km/s), and their
    ``C.fwhm`` is the Voigt FWHM (Olivero & Longbothum 1977, 0.02 %; its
    ``_err`` ignores the sigma-gamma covariance); no ``C.vnt`` for them
    (the thermal/non-thermal split applies to a purely Gaussian line: for
    the Doppler part of a Voigt, pass ``fwhm_from_width(C.width)`` to
    :func:`~irisplug_fit.derived.nonthermal_velocity` yourself);
    ``chi2``, ``redchi2``, ``dof``, ``niter``, ``status``.
    Parameter maps are NaN where the status says no fit was made.
    ``C.intensity_err`` (when the fit computed ``covariance=True``)
    propagates the amplitude and width errors with their covariance
    (``res.covariance``), ``C.vnt_err`` the width error.
    ``C.at_bound`` (uint8) has the bits of the component's parameters that
    ended on a bound (1 amplitude, 2 centre, 4 width, 8 gamma): such a
    parameter is a limit, not a measurement, and its maps and what derives
    from them are NaN (all but the amplitude when the amplitude is on a
    bound: a component at amplitude 0 has no centre or width).

    Examples
    --------
    >>> sorted(result_maps(res))[:3]  # doctest: +SKIP
    ['bg0', 'bg0_err', 'chi2']
    """
    t = res.template
    fitted = _fitted(res.status)
    ncomp = len(t.components)
    # the quantities first, the map axes last (``[i]`` is one map): contiguous maps when the result's rows are
    # (a cluster's packed result), and no more passes than before when its parameters are last (an in-process fit)
    flags = (np.zeros((ncomp, *res.shape), np.uint8) if res.bound_flags is None
             else np.where(fitted, np.moveaxis(res.bound_flags, -1, 0), 0).astype(np.uint8))
    # shown: fitted, and not a parameter on a bound (at_bound_mask), which is never set where nothing was fitted
    shown = fitted & ~np.moveaxis(at_bound_mask(t, np.moveaxis(flags, 0, -1)), -1, 0)
    p = np.where(shown, np.moveaxis(res.params, -1, 0), np.nan)
    e = np.where(shown, np.moveaxis(res.errors, -1, 0), np.nan)
    cov = (np.full((ncomp, 3, *res.shape), np.nan) if res.covariance is None
           else np.where(fitted, np.moveaxis(res.covariance, (-2, -1), (0, 1)), np.nan))
    out: dict[str, tuple[np.ndarray, str]] = {}
    for b in range(t.n_bg):
        unit = "data" if b == 0 else f"data / Angstrom{'' if b == 1 else f'{b}'}"
        out[f"bg{b}"] = (p[b], unit)
        out[f"bg{b}_err"] = (e[b], unit)
    kms = "km / s"
    for ci, (c, o) in enumerate(zip(t.components, t.param_offsets, strict=True)):
        a, mu, w = p[o], p[o + 1], p[o + 2]
        ea, emu, ew = e[o], e[o + 1], e[o + 2]
        rest = c.line.rest
        out[f"{c.name}.amplitude"] = (a, "data")
        out[f"{c.name}.amplitude_err"] = (ea, "data")
        out[f"{c.name}.centre"] = (mu, "Angstrom")
        out[f"{c.name}.centre_err"] = (emu, "Angstrom")
        out[f"{c.name}.velocity"] = (doppler_velocity(mu, rest), "km / s")
        out[f"{c.name}.velocity_err"] = (doppler_velocity(emu + rest, rest), "km / s")
        out[f"{c.name}.width"] = (w, "Angstrom")
        out[f"{c.name}.width_err"] = (ew, "Angstrom")
        if c.profile == "voigt":
            g, eg = p[o + 3], e[o + 3]
            out[f"{c.name}.gamma"] = (g, "Angstrom")
            out[f"{c.name}.gamma_err"] = (eg, "Angstrom")
            out[f"{c.name}.gamma_velocity"] = (doppler_velocity(g + rest, rest), kms)
            out[f"{c.name}.gamma_velocity_err"] = (doppler_velocity(eg + rest, rest), kms)
            fwhm, efwhm = voigt_fwhm(w, g), voigt_fwhm_error(w, g, ew, eg)
            out[f"{c.name}.intensity"] = (line_intensity(a, w, c.profile, gamma=g), "data Angstrom")
            if res.covariance is not None:
                out[f"{c.name}.intensity_err"] = (line_intensity_error(
                    a, w, ea, ew, cov[ci, 0], c.profile, gamma=g, gamma_err=eg,
                    cov_amplitude_gamma=cov[ci, 1], cov_width_gamma=cov[ci, 2]), "data Angstrom")
        else:
            fwhm, efwhm = fwhm_from_width(w, c.profile), fwhm_from_width(ew, c.profile)
            out[f"{c.name}.intensity"] = (line_intensity(a, w, c.profile), "data Angstrom")
            if res.covariance is not None:
                out[f"{c.name}.intensity_err"] = (line_intensity_error(a, w, ea, ew, cov[ci, 0], c.profile),
                                                  "data Angstrom")
        out[f"{c.name}.fwhm"] = (fwhm, "Angstrom")
        out[f"{c.name}.fwhm_err"] = (efwhm, "Angstrom")
        out[f"{c.name}.fwhm_velocity"] = (doppler_velocity(fwhm + rest, rest), kms)
        out[f"{c.name}.fwhm_velocity_err"] = (doppler_velocity(efwhm + rest, rest), kms)
        inst = inst_fwhm if inst_fwhm is not None else c.line.instrument_fwhm
        if c.profile == "gaussian" and inst is not None and c.line.log_t is not None and c.line.mass is not None:
            out[f"{c.name}.vnt"] = (nonthermal_velocity(fwhm_from_width(w), rest, c.line.log_t, c.line.mass, inst),
                                    "km / s")
            out[f"{c.name}.vnt_err"] = (nonthermal_velocity_error(fwhm_from_width(w), fwhm_from_width(ew), rest,
                                                                  c.line.log_t, c.line.mass, inst), "km / s")
        out[f"{c.name}.at_bound"] = (flags[ci], "")
    out["chi2"] = (res.chi2, "")
    out["redchi2"] = (res.redchi2, "")
    out["dof"] = (res.dof.astype(np.int32), "")
    out["niter"] = (res.niter.astype(np.int32), "")
    out["status"] = (res.status.astype(np.uint8), "")
    return out


#: status code -> fitted (a table: ``np.isin`` took ~0.1 ms of each raster's maps)
_FITTED_TABLE = np.isin(np.arange(256), [int(s) for s in FITTED])


def _fitted(status: np.ndarray) -> np.ndarray:
    """True where ``status`` (:class:`~irisplug_fit.status.Status` codes, all below 256) is one of
    :data:`~irisplug_fit.status.FITTED`."""
    return _FITTED_TABLE[np.asarray(status).astype(np.uint8, copy=False)]


def to_collection(res: FitResult, *, wcs: Any = None, data_unit: Any = None, meta: dict[str, Any] | None = None,
                  inst_fwhm: float | None = None) -> Any:
    """An ``NDCollection`` of NDCube maps sharing ``wcs`` (the input's spatial WCS).

    Examples
    --------
    >>> maps = to_collection(res)  # doctest: +SKIP
    >>> maps["si_iv_1403.velocity"].unit  # doctest: +SKIP
    Unit("km / s")
    """
    import astropy.units as u
    from ndcube import NDCollection, NDCube

    dunit = u.Unit(data_unit) if data_unit is not None else u.dimensionless_unscaled
    base = {
        "template": res.template.name,
        "fit_engine": res.meta.get("engine", ""),
        "absolute_sigma": bool(res.absolute_sigma),
        "status_codes": "; ".join(f"{int(k)}={v}" for k, v in STATUS_DESCRIPTIONS.items()),
    }
    base.update(meta or {})
    items = []
    for name, (arr, unit) in result_maps(res, inst_fwhm=inst_fwhm).items():
        un = _unit(unit, dunit)
        m = dict(base)
        comp = name.split(".")[0] if "." in name else None
        if comp is not None:
            c = next(c for c in res.template.components if c.name == comp)
            m.update(rest_wavelength=c.line.rest, line=c.line.label, profile=c.profile)
        items.append((name, NDCube(np.asarray(arr), wcs=wcs if wcs is not None else _pixel_wcs(res.shape), unit=un,
                                   meta=m)))
    return NDCollection(items, aligned_axes="all")


def _unit(spec: str, dunit: Any) -> Any:
    """``"data / Angstrom"`` etc. with the data unit substituted."""
    if not spec:
        return None
    if "data" not in spec:
        return _parsed_unit(spec)
    rest = spec.replace("data", "").strip()
    if not rest:
        return dunit
    if rest.startswith("/"):
        return dunit / _parsed_unit(rest[1:].strip())
    return dunit * _parsed_unit(rest)


@functools.cache
def _parsed_unit(spec: str) -> Any:
    """``astropy.units.Unit(spec)``, parsed once per process (units are immutable; astropy's parser took ~0.3 ms a
    string, 2-3 ms of every raster's maps, in the client while the workers of a cluster fit)."""
    import astropy.units as u

    return u.Unit(spec)


def _pixel_wcs(shape: tuple[int, ...]) -> Any:
    """A pixel-only WCS for maps of plain arrays."""
    from astropy.wcs import WCS

    w = WCS(naxis=max(len(shape), 1))
    w.wcs.ctype = ["PIXEL"] * w.naxis
    return w
