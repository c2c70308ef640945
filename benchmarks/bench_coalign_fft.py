"""FFT cross-correlation of two float32 images: irisplug-coalign vs pyFFTW vs scikit-image.

Ours: ``CrossCorrelator.surface`` (float32/complex64, all cores) with FFTW
plans measured once by ``plan_fft`` (not timed; the wisdom is kept per
machine, so it is a one-time cost) and the surface written into a reused
array, and the same without plans (``scipy.fft``, fresh output). Peer 1:
pyfftw.builders rfft2/irfft2 (threads=2, ``planner_effort="FFTW_MEASURE"``,
plans built once, not timed, its output array reused by pyFFTW) doing the
same cross-correlation. Peer 2:
``skimage.registration.phase_cross_correlation``: its integer peak
(upsample_factor=1) against our full-size integer peak
(``CrossCorrelator.estimate(upsample=1)``) and against our default shift
estimator ``estimate_shift`` (coarse-to-fine, 1/100 pixel); and its 1/100
pixel mode against ``estimate_shift``. Interleaved repeats, medians and
ratios from one run. ``python benchmarks/bench_coalign_fft.py [--quick]``.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time

import numpy as np


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="1024x1024 instead of 4096x4096")
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--only-xcorr", action="store_true", help="only the cross-correlation rows")
    args = parser.parse_args()
    n = 1024 if args.quick else 4096
    import pyfftw
    import pyfftw.builders
    import scipy.ndimage as ndi
    from _machine import machine_line
    from skimage.registration import phase_cross_correlation

    from irisplug_coalign import _fft
    from irisplug_coalign.phase_correlation import CrossCorrelator, plan_fft

    print(f"CPU: {machine_line()}")
    _fft._load_wisdom(pyfftw)  # earlier runs' measurements: the peer's planning below is then quick too
    rng = np.random.default_rng(0)
    a = ndi.gaussian_filter(rng.normal(size=(n, n)).astype(np.float32), 2)
    b = np.roll(a, (7, -11), axis=(0, 1)).astype(np.float32)

    ours = CrossCorrelator((n, n), normalization=None, window=0, missing=None)

    def run_scipy() -> np.ndarray:  # ours without FFTW plans (as before plan_fft): scipy.fft, fresh output
        os.environ["IRISPLUG_FFT"] = "scipy"
        try:
            return ours.surface(b, a, prepared=True)
        finally:
            del os.environ["IRISPLUG_FFT"]

    t0 = time.perf_counter()
    ia = pyfftw.empty_aligned((n, n), dtype="float32")
    ib = pyfftw.empty_aligned((n, n), dtype="float32")
    fa = pyfftw.builders.rfft2(ia, threads=2, planner_effort="FFTW_MEASURE")
    fb = pyfftw.builders.rfft2(ib, threads=2, planner_effort="FFTW_MEASURE")
    spec = pyfftw.empty_aligned((n, n // 2 + 1), dtype="complex64")
    inv = pyfftw.builders.irfft2(spec, s=(n, n), threads=2, planner_effort="FFTW_MEASURE")
    t1 = time.perf_counter()
    surface_scipy = run_scipy()
    plan_fft((n, n))
    print(f"planning (not timed below): pyFFTW builders FFTW_MEASURE {t1 - t0:.1f} s; ours plan_fft {time.perf_counter() - t1:.2f} s "
          f"(reuses the wisdom the peer's planning just left in FFTW)")
    reused = _fft.empty_aligned((n, n), np.float32)  # like the peer's output: aligned for FFTW

    def run_ours() -> np.ndarray:
        return ours.surface(b, a, prepared=True, out=reused)

    def run_fftw() -> np.ndarray:
        ia[:] = a
        ib[:] = b
        np.multiply(np.conj(fa()), fb(), out=spec)
        return inv()

    def run_ours_shift() -> object:
        return ours.estimate(a, b, upsample=1, prepared=True)

    def run_sk() -> object:
        return phase_cross_correlation(a, b, upsample_factor=1, normalization=None)

    from irisplug_coalign.phase_correlation import estimate_shift

    def run_ours_sub() -> object:
        return estimate_shift(a, b)  # coarse-to-fine for large images, 1/100 px

    def run_sk_sub() -> object:
        return phase_cross_correlation(a, b, upsample_factor=100, normalization=None)

    # correctness: same surface, same peak
    s1, s2 = run_ours(), run_fftw()
    assert np.allclose(s1, s2, rtol=1e-3, atol=1e-3 * float(np.abs(s2).max())), "surfaces differ"
    print(f"surface max |ours - pyFFTW| / max: {float(np.abs(s1 - s2).max() / np.abs(s2).max()):.1e}; "
          f"ours FFTW vs ours scipy: {float(np.abs(s1 - surface_scipy).max() / np.abs(s2).max()):.1e}")
    print(f"peak ours {ours.estimate(a, b, upsample=1, prepared=True).shift}  skimage (opposite sign) {tuple(run_sk()[0])}")
    print(f"sub-pixel ours {run_ours_sub().shift}  skimage 1/100 (opposite sign) {tuple(run_sk_sub()[0])}")

    pairs = {
        "xcorr": (run_ours, run_fftw),
        "xcorr unplanned": (run_scipy, run_fftw),
        "full-size integer": (run_ours_shift, run_sk),
        "shift vs sk int": (run_ours_sub, run_sk),
        "sub-pixel 1/100": (run_ours_sub, run_sk_sub),
    }
    if args.only_xcorr:
        pairs = {k: v for k, v in pairs.items() if k.startswith("xcorr")}
    times: dict[str, list[list[float]]] = {k: [[], []] for k in pairs}
    cpu: dict[str, list[list[float]]] = {k: [[], []] for k in pairs}
    for _ in range(args.repeats):
        for key, fns in pairs.items():
            if key == "sub-pixel 1/100" and n > 2048 and len(times[key][0]) >= 2:
                continue  # skimage's full-size upsampled DFT is slow; 2 repeats suffice
            for j, fn in enumerate(fns):
                c0, t0 = time.process_time(), time.perf_counter()
                fn()
                times[key][j].append(time.perf_counter() - t0)
                cpu[key][j].append(time.process_time() - c0)
    print(f"{n}x{n} float32, medians of {args.repeats} interleaved repeats")
    peer = {"xcorr": "pyFFTW", "xcorr unplanned": "pyFFTW", "full-size integer": "skimage", "shift vs sk int": "skimage", "sub-pixel 1/100": "skimage"}
    for key, (t_ours, t_peer) in times.items():
        mo, mp = statistics.median(t_ours), statistics.median(t_peer)
        co, cp = statistics.median(cpu[key][0]), statistics.median(cpu[key][1])
        ratios = [o / p for o, p in zip(t_ours, t_peer, strict=True)]
        print(f"{key:18s} wall: ours {mo * 1e3:8.1f} ms  {peer[key]:7s} {mp * 1e3:8.1f} ms  ours/peer {mo / mp:5.2f} "
              f"(per-repeat {min(ratios):.2f}-{max(ratios):.2f})"
              f"  | CPU: ours {co * 1e3:8.1f} ms  peer {cp * 1e3:8.1f} ms  ours/peer {co / cp:5.2f}")
    print("(wall time on a shared machine is noisy; CPU time counts all threads, ours uses 2)")


if __name__ == "__main__":
    import sys
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parent))
    main()
