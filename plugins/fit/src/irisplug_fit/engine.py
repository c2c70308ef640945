"""Batched fitting of spectra held in numpy arrays (spectral axis last).

This is the engine every other entry point (cubes, dask, CLI, single
spectrum) calls.

Examples
--------
>>> import numpy as np
>>> from irisplug_fit.engine import fit_spectra
>>> x = np.linspace(1401.77, 1403.77, 100)
>>> y = 10 + 200 * np.exp(-0.5 * ((x - 1402.80) / 0.035) ** 2)
>>> res = fit_spectra(y[None, :], x, "si_iv_1403", engine="numpy")
>>> round(float(res.params[0, 2]), 3), int(res.status[0])
(1402.8, 0)
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from irisplug_fit.at_bound import bound_flags
from irisplug_fit.covariance import component_covariance
from irisplug_fit.guess import component_table
from irisplug_fit.line_templates import get_template
from irisplug_fit.status import Status
from irisplug_fit.templates import Template, Tie

__all__ = ["FitResult", "fit_spectra", "resolve_engine", "parameter_mapping", "numba_available", "DEFAULT_TOL",
           "DEFAULT_MAX_ITER"]

DEFAULT_TOL = 1e-8
DEFAULT_MAX_ITER = 200


def numba_available() -> bool:
    """True when the compiled kernels can be used."""
    import importlib.util
    import sys

    if "numba" in sys.modules:
        return True
    try:  # without importing it (0.2-0.3 s): the numpy engine does not need it
        return importlib.util.find_spec("numba") is not None
    except (ImportError, ValueError):  # pragma: no cover - numba is a dependency
        return False


def parameter_mapping(template: Template, fixed: Mapping[str, Any], ties: Sequence[Tie]
                      ) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """``(pmap, lead, tscale, toff)`` of the kernels (see :mod:`irisplug_fit.kernels`).

    Examples
    --------
    >>> t = get_template("si_iv_1403_2comp")
    >>> pmap, lead, *_ = parameter_mapping(t, {"bg0": 0.0}, [])
    >>> int(pmap[0]), lead.size
    (-1, 6)
    """
    names = template.param_names
    npar = len(names)
    tie_of = {t.param: t for t in ties}
    for t in ties:
        if t.leader in tie_of or t.leader in fixed:
            raise ValueError(f"tie {t.param} -> {t.leader}: the leader must be a free parameter")
        if t.param in fixed:
            raise ValueError(f"parameter {t.param!r} is both fixed and tied")
    pmap = np.full(npar, -1, dtype=np.int64)
    tscale = np.ones(npar)
    toff = np.zeros(npar)
    lead = []
    for i, nm in enumerate(names):
        if nm in fixed or nm in tie_of:
            continue
        pmap[i] = len(lead)
        lead.append(i)
    for nm, t in tie_of.items():
        i = names.index(nm)
        pmap[i] = pmap[names.index(t.leader)]
        tscale[i], toff[i] = t.scale, t.offset
    return pmap, np.asarray(lead, dtype=np.int64), tscale, toff


@dataclass
class FitResult:
    """Fitted parameters of a batch of spectra (leading shape ``shape``).

    Attributes
    ----------
    template
        The template fitted.
    params, errors
        ``shape + (P,)``: values and 1-sigma uncertainties (NaN where not
        fitted; 0 for fixed parameters; tied ones inherit their leader's).
    chi2, dof, niter, status
        ``shape``: chi-square (weighted when uncertainties were given),
        degrees of freedom, LM iterations, :class:`~irisplug_fit.status.Status` code.
    wavelength
        The wavelengths used (within the template's range).
    absolute_sigma
        True when uncertainties came from the data (errors not rescaled).
    bound_flags
        ``shape + (n_components,)`` uint8: which of a component's parameters
        ended on a bound of its range (bits of :mod:`irisplug_fit.at_bound`:
        1 amplitude, 2 centre, 4 width, 8 gamma); None when not computed.
    covariance
        ``shape + (n_components, 3)``: covariances of each component's
        (amplitude, width), (amplitude, gamma), (width, gamma)
        (:mod:`irisplug_fit.covariance`); None when not computed.
    """

    template: Template
    params: np.ndarray
    errors: np.ndarray
    chi2: np.ndarray
    dof: np.ndarray
    niter: np.ndarray
    status: np.ndarray
    wavelength: np.ndarray
    absolute_sigma: bool = False
    meta: dict[str, Any] = field(default_factory=dict)
    bound_flags: np.ndarray | None = None
    covariance: np.ndarray | None = None

    @property
    def param_names(self) -> tuple[str, ...]:
        """Names of the last axis of ``params``."""
        return self.template.param_names

    @property
    def shape(self) -> tuple[int, ...]:
        """Shape of the maps."""
        return self.status.shape

    def param(self, name: str) -> np.ndarray:
        """One parameter's map."""
        return self.params[..., self.template.index(name)]

    def error(self, name: str) -> np.ndarray:
        """One parameter's 1-sigma uncertainty map."""
        return self.errors[..., self.template.index(name)]

    @property
    def redchi2(self) -> np.ndarray:
        """Reduced chi-square."""
        with np.errstate(all="ignore"):
            return np.where(self.dof > 0, self.chi2 / np.maximum(self.dof, 1), np.nan)

    def model(self, wavelength: np.ndarray | None = None, component: str | None = None) -> np.ndarray:
        """The fitted model (or one component without background) on ``wavelength``.

        Examples
        --------
        >>> res.model().shape  # doctest: +SKIP
        (1, 80)
        """
        from irisplug_fit.lm_numpy import model_and_jacobian

        x = self.wavelength if wavelength is None else np.asarray(wavelength, dtype=float)
        t = self.template
        p = self.params.reshape(-1, t.n_params).copy()
        kinds = t.profile_codes
        if component is not None:
            ci = [c.name for c in t.components].index(component)
            p[:, : t.n_bg] = 0.0
            keep = np.zeros(len(t.components), bool)
            keep[ci] = True
            for j in np.flatnonzero(~keep):
                p[:, t.param_offsets[j]] = 0.0
        f, _ = model_and_jacobian(x, p, kinds, t.n_bg, t.reference, jacobian=False, offsets=t.param_offsets)
        return f.reshape((*self.shape, x.size))


def _uniform_step(x: np.ndarray) -> float:
    """The grid step when ``x`` is uniform to 1e-9 of a step (enables the fast Gaussian), else 0."""
    if x.size < 3:
        return 0.0
    d = np.diff(x)
    step = (x[-1] - x[0]) / (x.size - 1)
    return float(step) if step > 0 and np.max(np.abs(d - step)) <= 1e-9 * step else 0.0


def _peak_of(y: np.ndarray, x: np.ndarray, mask: Any) -> Template:
    """The ``"peak"`` template of arrays: one line at the brightest feature of their mean spectrum."""
    import warnings

    from irisplug_fit.line_templates import peak_template

    flat = y.reshape(-1, y.shape[-1])
    if mask is not None:
        flat = np.where(np.broadcast_to(np.asarray(mask, dtype=bool), y.shape).reshape(flat.shape), np.nan, flat)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN columns
        mean = np.nanmean(flat, axis=0)
    order = np.argsort(x)
    return peak_template(x[order], mean[order])


def _real(a: Any) -> np.ndarray:
    """``a`` as a numpy array of real numbers: floats and integers as they are (converted to float64 per fitted
    chunk), anything else as float64."""
    arr = np.asarray(a)
    return arr if arr.dtype.kind in "fiu" else np.asarray(a, dtype=float)


def fit_spectra(
    data: np.ndarray,
    wavelength: np.ndarray,
    template: str | Template | None = None,
    *,
    uncertainty: np.ndarray | None = None,
    mask: np.ndarray | None = None,
    p0: np.ndarray | None = None,
    bounds: Mapping[str, tuple[float, float]] | None = None,
    fixed: Mapping[str, float | None] | None = None,
    ties: Sequence[Tie] = (),
    lorentz: bool = False,
    voigt: bool = False,
    engine: str = "auto",
    max_iter: int = DEFAULT_MAX_ITER,
    tol: float = DEFAULT_TOL,
    absolute_sigma: bool | None = None,
    significance: float = 3.0,
    chunk: int = 65536,
    progress: bool | None = None,
    threads: int | None = None,
    covariance: bool = False,
) -> FitResult:
    """Fit every spectrum of ``data`` (spectral axis last) with one template.

    Parameters
    ----------
    data
        ``(..., n_wave)`` intensities; NaN points are ignored.
    wavelength
        ``(n_wave,)`` wavelengths in Angstrom (vacuum), increasing or decreasing.
    template
        A template name (see :func:`~irisplug_fit.line_templates.template_names`;
        instrument plugins contribute them), a
        :class:`~irisplug_fit.templates.Template`, or ``None``/``"peak"``
        (default): one line at the brightest feature of the mean spectrum
        (:func:`~irisplug_fit.line_templates.peak_template`).
    uncertainty
        1-sigma uncertainties like ``data``: weights ``1/sigma^2`` and
        uncertainties not rescaled (``absolute_sigma``). ``"poisson"``: data
        in counts; fitted once with ``sigma^2 = max(data, 1)``, then again with
        ``sigma^2 = max(model, 1)`` (Pearson weights, unbiased for Poisson data). Without it every
        point has weight 1 and the covariance is scaled by the reduced
        chi-square (``curve_fit``'s default, iris_lmsalpy's behaviour).
    mask
        True where a point must be ignored.
    p0
        Initial values ``(P,)`` or ``(..., P)`` instead of the moment guesses.
    bounds
        ``{param: (lower, upper)}`` overriding the template's ranges.
    fixed
        ``{param: value}`` held fixed (``None``: keep the initial value).
    ties
        :class:`~irisplug_fit.templates.Tie` constraints, e.g. equal widths
        ``Tie("b.width", "a.width")`` or a fixed separation
        ``Tie("b.centre", "a.centre", offset=9.01)``.
    lorentz
        Fit Lorentzian instead of Gaussian components.
    voigt
        Fit Voigt instead of Gaussian components (parameters ``amplitude``,
        ``centre``, ``width`` = Gaussian sigma, ``gamma`` = Lorentzian HWHM);
        exclusive with ``lorentz``.
    engine
        ``"numba"`` (compiled, parallel), ``"numpy"`` or ``"auto"`` (default):
        numba when its kernel is compiled (in this process or the per-user
        cache); before that, numpy for a fit the numpy engine finishes in a
        few seconds while a background process compiles the kernel, and
        numba (compiled first) for a larger one (see :mod:`irisplug_fit.warm`).
        ``meta["engine"]`` records the engine used. Both engines agree to
        ~1e-10 relative on interior (CONVERGED) fits, not bit for bit; an
        AT_BOUND fit can end in different local minima (docs/fit.md): pass
        ``"numba"`` or ``"numpy"`` for results identical across runs.
    max_iter
        LM iteration (trial step) limit per spectrum.
    tol
        Convergence: the last step lowered chi-square by less than
        ``tol * chi2`` and moved less than ``sqrt(tol)`` standard deviations.
    significance
        A converged fit whose every line amplitude is below this many
        sigma gets status ``NOT_SIGNIFICANT`` (values kept).
    covariance
        Also compute each component's (amplitude, width[, gamma])
        covariances (``FitResult.covariance``), from which the maps give
        ``C.intensity_err``. Off by default: it rebuilds the normal equations
        after the fit and costs about as much as the fit of a one-line
        spectrum (4 us per spectrum measured).
    chunk
        Spectra per batch (memory bound; one progress step per batch).
    progress
        Show a progress bar (default: when there is more than one batch).
    threads
        Fit threads of the numba engine (default: ``IRISPLUG_FIT_THREADS`` if
        above 0, else the usable CPUs; a dask worker should pass its own
        thread count).
        Results do not depend on it.

    Returns
    -------
    FitResult

    Examples
    --------
    >>> x = np.linspace(1401.77, 1403.77, 100)
    >>> y = 10 + 200 * np.exp(-0.5 * ((x - 1402.80) / 0.035) ** 2)
    >>> fit_spectra(y, x, "si_iv_1403").param("si_iv_1403.width").round(4)  # doctest: +SKIP
    array(0.035)
    """
    if isinstance(uncertainty, str):
        if uncertainty != "poisson":
            raise ValueError(f"uncertainty must be an array, None or 'poisson', got {uncertainty!r}")
        if engine == "auto":  # both passes with the same engine
            engine = _auto_engine_of(data, wavelength, template, lorentz, voigt, fixed, ties)
        return _fit_poisson(data, wavelength, template, mask=mask, p0=p0, bounds=bounds, fixed=fixed, ties=ties,
                            lorentz=lorentz, voigt=voigt, engine=engine, max_iter=max_iter, tol=tol, significance=significance,
                            chunk=chunk, progress=progress, threads=threads)
    x = np.asarray(wavelength, dtype=float)
    # real numbers stay in their own type: each chunk's fitted columns are converted to float64 below (a float32 cube
    # was converted whole first, every column, and the fitted range copied again)
    y = _real(data)
    if template is None or (isinstance(template, str) and template == "peak"):
        y = np.asarray(y, dtype=float)
        template = _peak_of(y, x, mask)
    t = get_template(template, lorentz=lorentz, voigt=voigt)
    if y.shape[-1] != x.size:
        from irisplug.errors import InconsistentInputError

        raise InconsistentInputError(f"data has {y.shape[-1]} points along its last axis but wavelength has {x.size}")
    shape = y.shape[:-1]
    flat = y.reshape(-1, x.size)
    unc = None if uncertainty is None else np.broadcast_to(_real(uncertainty), y.shape).reshape(-1, x.size)
    msk = None if mask is None else np.broadcast_to(np.asarray(mask, dtype=bool), y.shape).reshape(-1, x.size)
    if x.size > 1 and x[0] > x[-1]:
        x, flat = x[::-1], flat[:, ::-1]
        unc = None if unc is None else unc[:, ::-1]
        msk = None if msk is None else msk[:, ::-1]
    lo_w, hi_w = t.wl_range
    sel = (x >= lo_w) & (x <= hi_w)
    xs = np.ascontiguousarray(x[sel])
    hit = np.flatnonzero(sel)
    i0, i1 = (int(hit[0]), int(hit[-1]) + 1) if hit.size else (0, 0)
    fixed = dict(t.fixed) | dict(fixed or {})
    all_ties = list(t.ties) + list(ties)
    absolute = bool(unc is not None) if absolute_sigma is None else bool(absolute_sigma)
    P = t.n_params
    nspec = flat.shape[0]
    out_p = np.full((nspec, P), np.nan)
    out_e = np.full((nspec, P), np.nan)
    out_c = np.full(nspec, np.nan)
    out_n = np.zeros(nspec, dtype=np.int32)
    out_s = np.full(nspec, int(Status.LINE_OUTSIDE_WINDOW), dtype=np.uint8)
    out_d = np.zeros(nspec, dtype=np.int32)
    ncomp = len(t.components)
    out_b = np.zeros((nspec, ncomp), dtype=np.uint8)
    out_v = np.full((nspec, ncomp, 3), np.nan)
    outside = xs.size == 0 or any(not (xs[0] <= c.line.rest + c.offset <= xs[-1]) for c in t.components)
    meta = {"template": t.name, "engine": engine, "tol": tol, "max_iter": max_iter}
    if outside:
        meta["warning"] = (f"template {t.name!r} lines lie outside the data's wavelength range "
                           f"[{x.min() if x.size else np.nan:.2f}, {x.max() if x.size else np.nan:.2f}] A")
        return FitResult(t, out_p.reshape((*shape, P)), out_e.reshape((*shape, P)), out_c.reshape(shape),
                         out_d.reshape(shape), out_n.reshape(shape), out_s.reshape(shape), xs, absolute, meta,
                         out_b.reshape((*shape, ncomp)), out_v.reshape((*shape, ncomp, 3)))
    pmap, lead, tscale, toff = parameter_mapping(t, fixed, all_ties)
    from irisplug_fit import warm
    from irisplug_fit.kernel_variants import fast_path, variant

    dx = _uniform_step(xs)
    kind = variant(t.profile_codes, fast=fast_path(pmap, lead, tscale, toff, t.profile_codes, dx, t.n_bg))
    chosen = warm.choose_engine(engine, nspec, i1 - i0, P, kind=kind)
    use_numba = chosen == "numba"
    if use_numba:
        warm.ensure_compiled(kind)  # one compilation per cache folder, other processes wait and load it
        from irisplug_fit.kernels import lm_fit_threads as kernel
    else:
        from irisplug_fit.lm_numpy import lm_fit_numpy as kernel
    meta["engine"] = "numba" if use_numba else "numpy"
    comp, single = component_table(t)
    lo_u, hi_u, fixv = np.full(P, np.nan), np.full(P, np.nan), np.full(P, np.nan)
    if t.bounds is not None:
        lo_u[:], hi_u[:] = t.bounds
    elif t.init is not None:
        lo_u[:], hi_u[:] = -np.inf, np.inf
    for nm, (a, b) in (bounds or {}).items():
        lo_u[t.index(nm)], hi_u[t.index(nm)] = a, b
    for nm, v in fixed.items():
        if v is not None:
            fixv[t.index(nm)] = v
    if p0 is None and t.init is not None:
        p0 = np.asarray(t.init, dtype=float)
    user_p0 = None if p0 is None else np.broadcast_to(np.asarray(p0, dtype=float), (*shape, P)).reshape(-1, P)
    from irisplug_fit import mgii_start

    # the k2/h2 peaks of magnesium h & k templates start where the spectrum has them (the generic guesses start them off the peaks)
    own_start = user_p0 is None and mgii_start.applies(t)
    starts = range(0, nspec, max(int(chunk), 1))
    if progress is None:
        progress = len(starts) > 1
    import irisplug

    empty = np.empty((0, 0))
    for s0 in irisplug.progress(starts, total=len(starts), desc=f"fit {t.name}", quiet=not progress):
        s1 = min(s0 + chunk, nspec)
        # the fitted range is contiguous: a slice (no copy when the data are float64 C-ordered)
        if msk is None:
            yc = np.ascontiguousarray(flat[s0:s1, i0:i1], dtype=np.float64)
        else:  # a copy (the caller's data stay untouched), masked in place
            yc = np.array(flat[s0:s1, i0:i1], dtype=np.float64, order="C")
            np.copyto(yc, np.nan, where=msk[s0:s1, i0:i1])
        uc = empty if unc is None else np.ascontiguousarray(unc[s0:s1, i0:i1], dtype=np.float64)
        wc = _weights(yc, None if unc is None else uc) if own_start or covariance else None
        pc = empty if user_p0 is None else np.ascontiguousarray(user_p0[s0:s1])
        if own_start:
            pc = np.ascontiguousarray(mgii_start.mgii_starting_values(t, xs, yc, wc > 0))
        args = (xs, yc, uc, unc is not None, pc, user_p0 is not None or own_start, lo_u, hi_u, fixv, comp, single,
                pmap, lead, tscale, toff, t.profile_codes, t.param_offsets, t.n_bg, t.reference, int(max_iter),
                float(tol), absolute, dx)
        p, e, c2, n, st, dof = kernel(*args, threads=threads) if use_numba else kernel(*args, 1)
        out_p[s0:s1], out_e[s0:s1], out_c[s0:s1], out_n[s0:s1], out_s[s0:s1], out_d[s0:s1] = p, e, c2, n, st, dof
        fitted = (st == Status.CONVERGED) | (st == Status.MAX_ITER)
        if fitted.any():
            out_b[s0:s1] = bound_flags(t, xs, yc, None if wc is None else wc > 0, np.where(fitted[:, None], p, np.nan),
                                       lo_u, hi_u, pmap)
            if covariance:
                with np.errstate(all="ignore"):
                    scale = np.ones(p.shape[0]) if absolute else np.where(dof > 0, c2 / np.maximum(dof, 1), np.nan)
                out_v[s0:s1] = component_covariance(t, xs, yc, wc, p, pmap, lead, tscale, scale, fitted)
    if use_numba:
        warm.mark_ready(kind, persist=False)
    _flag_insignificant(t, out_p, out_e, out_s, significance)
    out_s[(out_s == Status.CONVERGED) & (out_b != 0).any(axis=1)] = Status.AT_BOUND
    return FitResult(t, out_p.reshape((*shape, P)), out_e.reshape((*shape, P)), out_c.reshape(shape),
                     out_d.reshape(shape), out_n.reshape(shape), out_s.reshape(shape), xs, absolute, meta,
                     out_b.reshape((*shape, ncomp)), out_v.reshape((*shape, ncomp, 3)) if covariance else None)


def _weights(y: np.ndarray, u: np.ndarray | None) -> np.ndarray:
    """The kernels' weights: ``1/u^2`` (or 1) where the data and uncertainty are usable, else 0."""
    valid = np.isfinite(y)
    if u is None:
        return valid.astype(float)
    with np.errstate(all="ignore"):
        valid &= np.isfinite(u) & (u > 0)
        return np.where(valid, 1.0 / np.where(valid, u, 1.0) ** 2, 0.0)


def resolve_engine(engine: str, template: Template, wavelength: Any, nspec: int, *,
                   fixed: Mapping[str, Any] | None = None, ties: Sequence[Tie] = ()) -> str:
    """The engine a fit of ``nspec`` spectra with ``template`` runs: ``engine``, or what ``"auto"`` picks.

    Callers fitting one data set in several calls (blocks, the two passes of
    a Poisson fit) resolve ``"auto"`` once with this and pass the result to
    every call, so the whole result comes from one engine (see
    :mod:`irisplug_fit.warm`; ``"auto"`` may launch the background compiler).

    Examples
    --------
    >>> from irisplug_fit.line_templates import peak_template
    >>> x = np.linspace(1401.77, 1403.77, 100)
    >>> resolve_engine("numpy", peak_template(x, np.exp(-0.5 * ((x - 1402.8) / 0.04) ** 2)), x, 10)
    'numpy'
    """
    if engine != "auto":
        return engine
    from irisplug_fit import warm
    from irisplug_fit.kernel_variants import fast_path, variant

    t = template
    x = np.asarray(wavelength, dtype=float)
    sel = (x >= t.wl_range[0]) & (x <= t.wl_range[1])
    pmap, lead, tscale, toff = parameter_mapping(t, dict(t.fixed) | dict(fixed or {}), list(t.ties) + list(ties))
    kind = variant(t.profile_codes, fast=fast_path(pmap, lead, tscale, toff, t.profile_codes,
                                                   _uniform_step(np.ascontiguousarray(x[sel])), t.n_bg))
    return warm.choose_engine("auto", int(nspec), int(np.count_nonzero(sel)), t.n_params, kind=kind)


def _auto_engine_of(data: Any, wavelength: Any, template: Any, lorentz: bool, voigt: bool,
                    fixed: Mapping[str, Any] | None, ties: Sequence[Tie]) -> str:
    """What ``engine="auto"`` picks for a Poisson fit (both passes counted)."""
    y = np.asarray(data)
    x = np.asarray(wavelength, dtype=float)
    if template is None or (isinstance(template, str) and template == "peak"):
        template = _peak_of(np.asarray(y, dtype=float), x, None)
    t = get_template(template, lorentz=lorentz, voigt=voigt)
    return resolve_engine("auto", t, x, int(y.size // max(y.shape[-1], 1)) * 2, fixed=fixed, ties=ties)


def _fit_poisson(data: Any, wavelength: Any, template: Any, **kw: Any) -> FitResult:
    """Two passes: Neyman weights (data), then Pearson weights (the first pass's model)."""
    y = np.asarray(data, dtype=float)
    with np.errstate(invalid="ignore"):
        first = fit_spectra(y, wavelength, template, uncertainty=np.sqrt(np.maximum(y, 1.0)), **kw)
    x = np.asarray(wavelength, dtype=float)
    model = first.model(x)
    ok = np.isfinite(model)
    sigma = np.where(ok, np.sqrt(np.maximum(np.where(ok, model, 1.0), 1.0)), np.sqrt(np.maximum(y, 1.0)))
    p0 = np.where(np.isfinite(first.params), first.params, np.nan)
    kw = dict(kw)
    if kw.get("p0") is None:
        # where the first pass failed, let the second start from its own guesses
        kw["p0"] = None if not np.isfinite(p0).all() else p0
    second = fit_spectra(y, wavelength, template, uncertainty=sigma, **kw)
    second.meta["weights"] = "poisson (Pearson, 2 passes)"
    return second


def _flag_insignificant(t: Template, p: np.ndarray, e: np.ndarray, st: np.ndarray, significance: float) -> None:
    if not significance or not t.components:
        return
    amp = t.param_offsets
    with np.errstate(all="ignore"):
        signif = np.abs(p[:, amp]) >= significance * e[:, amp]
    weak = (st == Status.CONVERGED) & ~signif.any(axis=1) & np.isfinite(e[:, amp]).all(axis=1)
    st[weak] = Status.NOT_SIGNIFICANT


def with_options(template: Template, **changes: Any) -> Template:
    """A copy of ``template`` with fields replaced (convenience for users).

    Examples
    --------
    >>> with_options(get_template("si_iv_1403"), bg_degree=1).n_params
    5
    """
    return replace(template, **changes)
