"""Throughput of irisplug-fit against a scipy curve_fit loop and astropy's parallel_fit_dask.

Runs ours and the peers in the same process, interleaved, several repeats;
prints per-spectrum medians (wall clock, and CPU time summed over threads),
the median of the per-repeat ratios with their min-max, and the CPU it ran
on. On a shared, loaded machine the wall-clock ratio depends on how many
cores the parallel fit gets; the CPU-time (work) ratio much less. Peers are
timed on a subset (per-spectrum throughput compared). Warm kernel cache (one
warm-up call); the cold start is measured by ``bench_fit_cold_start.py``.

``--kernels``: also times, on one thread and interleaved, the general
kernel (``kernels.lm_fit_scalar``) against the Gaussian fast path
(``kernels.lm_fit_gauss``, which ``fit_spectra`` runs for these
templates) on the same arguments: a before/after of the fast path in one
process, insensitive to how many cores the load leaves free.

``--baseline OLD/kernels.py``: also times, the same way, the fast path and
the general kernel of another version of ``kernels.py`` (e.g. ``git show
REV:plugins/fit/src/irisplug_fit/kernels.py > /tmp/kernels_old.py``)
against this one's, and checks that both give the same statuses,
iterations and (to 1e-12) parameters: a before/after of a kernel change in
one process.

``--guess``: the ``--kernels`` and ``--baseline`` rows time the kernels
without initial values (``use_p0`` False, no bounds given: the moment
guesses and their bounds computed per spectrum, as ``fit_cube`` runs
them); with ``--baseline`` the parameters must then be identical to the bit.

    python benchmarks/bench_fit_throughput.py [--quick] [--repeats 5] [--no-astropy] [--kernels] [--baseline FILE] [--guess]
"""

from __future__ import annotations

import argparse
import time
import warnings

import numpy as np
from _machine import machine_line

from irisplug_fit.engine import fit_spectra
from irisplug_fit.line_templates import generic_template
from irisplug_fit.synthetic import poisson_gaussians


def _curve_fit_loop(x, y, p0, ncomp):
    from scipy.optimize import curve_fit

    def model(x, c0, *p):
        out = c0
        for i in range(0, 3 * ncomp, 3):
            out = out + p[i] * np.exp(-0.5 * ((x - p[i + 1]) / p[i + 2]) ** 2)
        return out

    for i in range(len(y)):
        try:
            curve_fit(model, x, y[i], p0=p0[i])
        except RuntimeError:
            pass


def _astropy_dask(x, y, p0):
    from astropy.modeling import models
    from astropy.modeling.fitting import TRFLSQFitter, parallel_fit_dask
    from astropy.wcs import WCS

    g = models.Gaussian1D(amplitude=float(np.median(p0[:, 1])), mean=float(np.median(p0[:, 2])),
                          stddev=float(np.median(p0[:, 3]))) + models.Const1D(float(np.median(p0[:, 0])))
    wcs = WCS(naxis=2)
    wcs.wcs.ctype = ["WAVE", "PIXEL"]
    wcs.wcs.cunit = ["Angstrom", ""]
    wcs.wcs.crval = [x[0], 0]
    wcs.wcs.cdelt = [x[1] - x[0], 1]
    wcs.wcs.crpix = [1, 1]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        parallel_fit_dask(model=g, fitter=TRFLSQFitter(), data=y, fitting_axes=1, world=wcs, scheduler="threads")


def _ratio(peer: list[float], ours: list[float]) -> str:
    r = np.asarray(peer) / np.asarray(ours)
    d = 2 if np.median(r) < 10 else 1  # kernel before/after ratios near 1: two decimals
    return f"{np.median(r):6.{d}f}x ({r.min():.{d}f}-{r.max():.{d}f})"


def _load_baseline(path: str):
    """``kernels.py`` of another version, imported from ``path`` as a module of its own (its numba cache beside it)."""
    import importlib.util
    import sys

    name = "irisplug_fit_kernels_baseline"
    spec = importlib.util.spec_from_file_location(name, path)
    mod = importlib.util.module_from_spec(spec)
    sys.modules[name] = mod  # numba's cache finds the module by name when it loads the kernels
    spec.loader.exec_module(mod)
    return mod


def _kernel_pair(x, y, p0, t, repeats: int, first=None, second=None, guess: bool = False
                 ) -> tuple[list[float], list[float]]:
    """CPU time per spectrum of two kernels (default: the general kernel, the fast path), one thread, interleaved.

    ``guess``: without initial values or bounds (the kernels compute the moment guesses).
    """
    from irisplug_fit import kernels
    from irisplug_fit.engine import parameter_mapping
    from irisplug_fit.guess import component_table

    P = t.n_params
    pmap, lead, tscale, toff = parameter_mapping(t, dict(t.fixed), list(t.ties))
    comp, single = component_table(t)
    inf = np.full(P, np.nan if guess else np.inf)
    args = kernels.kernel_arguments(x, y, np.empty((0, 0)), False, p0, not guess, -inf, inf, np.full(P, np.nan), comp,
                                    single, pmap, lead, tscale, toff, t.profile_codes, t.param_offsets, t.n_bg,
                                    t.reference, 200, 1e-8, False, (x[-1] - x[0]) / (x.size - 1))
    n = y.shape[0]
    pair = (("general", first or kernels.lm_fit_scalar), ("fast", second or kernels.lm_fit_gauss))
    times: dict[str, list[float]] = {"general": [], "fast": []}
    outs = {}
    for r in range(repeats + 1):
        for name, kern in pair if r % 2 == 0 else pair[::-1]:
            out = (np.empty((n, P)), np.empty((n, P)), np.empty(n), np.empty(n, np.int32), np.empty(n, np.uint8),
                   np.empty(n, np.int32))
            c0 = time.process_time()
            kern(*args, 0, n, *out)
            times[name].append((time.process_time() - c0) / n)
            outs[name] = out
    if first is not None:  # a baseline: the same fits
        a, b = outs["general"], outs["fast"]
        np.testing.assert_array_equal(a[4], b[4])
        np.testing.assert_array_equal(a[3], b[3])
        if guess:  # the same guesses: the same operations, the same bits
            np.testing.assert_array_equal(a[0], b[0])
        else:
            np.testing.assert_allclose(a[0], b[0], rtol=1e-12)
    return times["general"][1:], times["fast"][1:]  # the first round loads/compiles


def run(quick: bool, repeats: int, astropy: bool, kernels: bool = False, baseline: str | None = None,
        guess: bool = False) -> None:
    cases = [("1 Gaussian + constant, 100 pts", 1, 100, 40000 if not quick else 4000),
             ("3 Gaussians + constant, 100 pts", 3, 100, 20000 if not quick else 2000),
             ("7 Gaussians + constant, 200 pts", 7, 200, 6000 if not quick else 600)]
    peer_n = 150 if not quick else 40
    print(f"CPU: {machine_line()}; {repeats} interleaved repeats; per-spectrum medians; ratio = median of the "
          "per-repeat ratios (min-max)")
    base = _load_baseline(baseline) if baseline else None
    for label, ncomp, npts, n in cases:
        x = np.linspace(1401.77, 1401.77 + 0.02 * npts, npts)
        y, truth = poisson_gaussians(n, x, ncomp=ncomp, seed=ncomp, centre=float(x.mean()))
        p0 = truth * np.where(np.arange(truth.shape[1]) % 3 == 2, 1.0, 1.05)  # amplitudes/widths off by 5 %
        t = generic_template(p0[0], [x[0], x[-1]])
        fit_spectra(y[:64], x, t, p0=p0[:64])  # warm-up (kernel cache)
        ours, cf, ap, ours_cpu, cf_cpu = [], [], [], [], []
        for _ in range(repeats):
            t0, c0 = time.perf_counter(), time.process_time()
            res = fit_spectra(y, x, t, p0=p0)
            ours.append((time.perf_counter() - t0) / n)
            ours_cpu.append((time.process_time() - c0) / n)
            t0, c0 = time.perf_counter(), time.process_time()
            _curve_fit_loop(x, y[:peer_n], p0[:peer_n], ncomp)
            cf.append((time.perf_counter() - t0) / peer_n)
            cf_cpu.append((time.process_time() - c0) / peer_n)
            if ncomp == 1 and astropy:
                t0 = time.perf_counter()
                _astropy_dask(x, y[: 4 * peer_n], p0[: 4 * peer_n])
                ap.append((time.perf_counter() - t0) / (4 * peer_n))
        print(f"{label}: converged {np.mean(res.status == 0):.1%}, mean iterations {res.niter.mean():.2f}")
        print(f"  wall  ours {np.median(ours) * 1e6:8.2f} us  curve_fit {np.median(cf) * 1e6:8.1f} us  "
              f"ratio {_ratio(cf, ours)}")
        print(f"  CPU   ours {np.median(ours_cpu) * 1e6:8.2f} us  curve_fit {np.median(cf_cpu) * 1e6:8.1f} us  "
              f"ratio {_ratio(cf_cpu, ours_cpu)}  (work: all threads' CPU time)")
        if ap:
            print(f"  wall  astropy parallel_fit_dask {np.median(ap) * 1e6:8.1f} us  ratio {_ratio(ap, ours)}")
        if kernels:
            gen, fast = _kernel_pair(x, y, p0, t, repeats, guess=guess)
            print(f"  CPU   1 thread: general kernel {np.median(gen) * 1e6:8.2f} us  fast path {np.median(fast) * 1e6:8.2f} us"
                  f"  speed-up {_ratio(gen, fast)}")
        if base is not None:
            from irisplug_fit import kernels as this

            for kind, name in (("fast path", "lm_fit_gauss"), ("general kernel", "lm_fit_scalar")):
                old, new = _kernel_pair(x, y, p0, t, repeats, getattr(base, name), getattr(this, name), guess)
                print(f"  CPU   1 thread: {kind} baseline {np.median(old) * 1e6:8.2f} us ({min(old) * 1e6:.2f}-"
                      f"{max(old) * 1e6:.2f})  this {np.median(new) * 1e6:8.2f} us ({min(new) * 1e6:.2f}-"
                      f"{max(new) * 1e6:.2f})  speed-up {_ratio(old, new)}  (same statuses, iterations, parameters)"
                      + ("  [no p0: moment guesses]" if guess else ""))


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--repeats", type=int, default=5)
    ap.add_argument("--no-astropy", action="store_true", help="skip the astropy parallel_fit_dask peer")
    ap.add_argument("--kernels", action="store_true", help="also time the general kernel against the fast path")
    ap.add_argument("--baseline", metavar="FILE", help="another version's kernels.py: its kernels against this one's")
    ap.add_argument("--guess", action="store_true", help="kernel rows without initial values (moment guesses)")
    args = ap.parse_args()
    run(args.quick, args.repeats, not args.no_astropy, args.kernels, args.baseline, args.guess)
