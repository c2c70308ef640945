"""Throughput of irisplug-fit against a scipy curve_fit loop and astropy's parallel_fit_dask.

Runs ours and the peers in the same process, interleaved, several repeats;
prints per-spectrum medians (wall clock, and CPU time summed over threads)
and the ratios. On a shared, loaded machine the wall-clock ratio depends on
how many cores the parallel fit gets; the CPU-time ratio does not. Peers are timed on a subset
(per-spectrum throughput compared). Warm numba cache (one warm-up call).

    python benchmarks/bench_fit_throughput.py [--quick]
"""

from __future__ import annotations

import argparse
import time
import warnings

import numpy as np

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


def run(quick: bool) -> None:
    repeats = 5
    cases = [("1 Gaussian + constant, 100 pts", 1, 100, 40000 if not quick else 4000),
             ("3 Gaussians + constant, 100 pts", 3, 100, 20000 if not quick else 2000),
             ("7 Gaussians + constant, 200 pts", 7, 200, 6000 if not quick else 600)]
    peer_n = 150 if not quick else 40
    print(f"{'case':34s} {'ours us/spec':>13s} {'curve_fit us':>13s} {'ratio':>7s} {'astropy us':>11s} {'ratio':>7s}")
    for label, ncomp, npts, n in cases:
        x = np.linspace(1401.77, 1401.77 + 0.02 * npts, npts)
        y, truth = poisson_gaussians(n, x, ncomp=ncomp, seed=ncomp, centre=float(x.mean()))
        p0 = truth * np.where(np.arange(truth.shape[1]) % 3 == 2, 1.0, 1.05)  # amplitudes/widths off by 5 %
        t = generic_template(p0[0], [x[0], x[-1]])
        fit_spectra(y[:64], x, t, p0=p0[:64])  # warm-up (numba cache)
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
            if ncomp == 1:
                t0 = time.perf_counter()
                _astropy_dask(x, y[: 4 * peer_n], p0[: 4 * peer_n])
                ap.append((time.perf_counter() - t0) / (4 * peer_n))
        o, c = np.median(ours), np.median(cf)
        a = np.median(ap) if ap else np.nan
        conv = np.mean(res.status == 0)
        print(f"{label:34s} {o * 1e6:13.1f} {c * 1e6:13.1f} {c / o:7.1f} {a * 1e6:11.1f} {a / o:7.1f}"
              f"   (converged {conv:.1%}, mean iterations {res.niter.mean():.1f})")
        oc, cc = np.median(ours_cpu), np.median(cf_cpu)
        print(f"{'  CPU time (all threads)':34s} {oc * 1e6:13.1f} {cc * 1e6:13.1f} {cc / oc:7.1f}"
              "   (work ratio: independent of the machine's load)")


def cold_compile() -> None:
    """First call in a fresh process with an empty numba cache directory."""
    import os
    import subprocess
    import sys
    import tempfile

    with tempfile.TemporaryDirectory() as d:
        env = dict(os.environ, NUMBA_CACHE_DIR=d)
        code = ("import time,numpy as np;t=time.perf_counter();from irisplug_fit.engine import fit_spectra;"
                "x=np.linspace(1401.77,1403.77,100);fit_spectra(np.ones((2,100)),x,'si_iv_1403');"
                "print(f'{time.perf_counter()-t:.1f}')")
        cold = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True).stdout.strip()
        warm = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True).stdout.strip()
    print(f"first call, empty numba cache: {cold} s; next process (cache on disk): {warm} s")


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--no-compile", action="store_true", help="skip the cold-compile measurement")
    args = ap.parse_args()
    run(args.quick)
    if not args.no_compile:
        cold_compile()
