"""Template matching (normalised cross-correlation): irisplug-coalign vs scikit-image.

Ours: ``irisplug_coalign.template_matching.match_template`` (real FFT sized to
the image, float32, integral-image denominators). Peer:
``skimage.feature.match_template``. Same inputs, the peak position is
checked equal; interleaved repeats, medians and the ratio from one run.
``python benchmarks/bench_coalign_template.py [--quick]``.
"""

from __future__ import annotations

import argparse
import statistics
import time

import numpy as np


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="512x512 image instead of 2048x2048")
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    n = 512 if args.quick else 2048
    t = n // 2
    import scipy.ndimage as ndi
    from skimage.feature import match_template as sk_match

    from irisplug_coalign.template_matching import match_template

    rng = np.random.default_rng(0)
    image = ndi.gaussian_filter(rng.normal(size=(n, n)).astype(np.float32), 2)
    template = image[n // 5 : n // 5 + t, n // 3 : n // 3 + t].copy()
    a, b = match_template(image, template), sk_match(image, template)
    pa, pb = np.unravel_index(a.argmax(), a.shape), np.unravel_index(b.argmax(), b.shape)
    assert pa == pb, (pa, pb)
    print(f"peak ours {tuple(int(v) for v in pa)} skimage {tuple(int(v) for v in pb)}, max |diff| {float(np.abs(a - b).max()):.2e}")
    times: list[list[float]] = [[], []]
    cpu: list[list[float]] = [[], []]
    for _ in range(args.repeats):
        for j, fn in enumerate((lambda: match_template(image, template), lambda: sk_match(image, template))):
            c0, t0 = time.process_time(), time.perf_counter()
            fn()
            times[j].append(time.perf_counter() - t0)
            cpu[j].append(time.process_time() - c0)
    mo, mp = statistics.median(times[0]), statistics.median(times[1])
    co, cp = statistics.median(cpu[0]), statistics.median(cpu[1])
    print(f"image {n}x{n}, template {t}x{t}, float32, medians of {args.repeats} interleaved repeats")
    print(f"wall: ours {mo * 1e3:.1f} ms   skimage {mp * 1e3:.1f} ms   skimage/ours {mp / mo:.1f}x")
    print(f"CPU:  ours {co * 1e3:.1f} ms   skimage {cp * 1e3:.1f} ms   skimage/ours {cp / co:.1f}x  (all threads)")


if __name__ == "__main__":
    main()
