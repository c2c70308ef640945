"""The fit kernels' drivers: work stealing over threads, the opt-in lane-group kernel, one specialisation."""

from __future__ import annotations

import numpy as np
import pytest

from irisplug_fit.engine import fit_spectra
from irisplug_fit.line_templates import generic_template
from irisplug_fit.status import Status
from irisplug_fit.synthetic import poisson_gaussians


@pytest.fixture(scope="module")
def three_gaussians():
    x = np.linspace(1401.77, 1403.77, 100)
    y, truth = poisson_gaussians(700, x, ncomp=3, seed=5, centre=float(x.mean()))
    y[3, 10:] = np.nan  # too few points
    y[4] = np.nan  # all masked
    p0 = truth * np.where(np.arange(truth.shape[1]) % 3 == 2, 1.0, 1.1)
    return x, y, p0, generic_template(p0[0], [x[0], x[-1]])


def test_threads_give_identical_results(three_gaussians):
    """Spectra are independent: any split over threads (work stealing) gives bit-identical output."""
    x, y, p0, t = three_gaussians
    one = fit_spectra(y, x, t, p0=p0, threads=1)
    two = fit_spectra(y, x, t, p0=p0, threads=2)
    for name in ("params", "errors", "chi2", "niter", "status", "dof"):
        np.testing.assert_array_equal(getattr(one, name), getattr(two, name), err_msg=name)
    assert one.status[3] == Status.TOO_FEW_POINTS and one.status[4] == Status.ALL_MASKED


def test_import_does_not_import_numba():
    """``import irisplug_fit`` (and its engine module) leave numba unimported: a fresh process checks sys.modules."""
    import subprocess
    import sys

    code = ("import sys, irisplug_fit, irisplug_fit.engine, irisplug_fit.templates, irisplug_fit.line_templates;"
            "print('numba' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False", out.stdout + out.stderr


def test_kernel_cache_is_per_user_and_keyed_by_sources(tmp_path):
    """The kernels cache under irisplug's per-user cache, in a folder named by the sources' contents
    (so a new environment with the same sources, or a dask worker, finds them compiled)."""
    import os
    import subprocess
    import sys

    import irisplug_fit
    from irisplug_fit.numba_cache import KERNEL_MODULES, sources_digest

    code = "from irisplug_fit import kernels; print(kernels.lm_fit_scalar._cache._cache_path)"
    env = dict(os.environ, IRISPLUG_CACHE_DIR=str(tmp_path))
    env.pop("NUMBA_CACHE_DIR", None)
    out = subprocess.run([sys.executable, "-c", code], env=env, check=True, capture_output=True, text=True)
    here = os.path.dirname(irisplug_fit.__file__)
    digest = sources_digest([os.path.join(here, m) for m in KERNEL_MODULES])
    paths = {os.path.realpath(p) for p in out.stdout.split()}
    assert len(paths) == 1
    (path,) = paths
    assert os.path.dirname(path) == os.path.realpath(tmp_path / "numba")
    assert os.path.basename(path).startswith(digest[:20])


def test_one_kernel_specialisation_whatever_the_inputs(three_gaussians):
    """Read-only data (broadcast p0 and uncertainties, memory maps), other dtypes, non-contiguous views and
    masks all run the one compiled kernel of non-Voigt templates (each extra one would cost ~10 s of CPU and
    escape ``warm_kernels``), with the same results as writable float64 input."""
    from numba import types

    from irisplug_fit import kernels

    x, y, p0, t = three_gaussians
    ref = fit_spectra(y[:64], x, t, p0=p0[:64], threads=1)
    ro = y[:64].copy()
    ro.flags.writeable = False
    f32 = fit_spectra(y[:64].astype(np.float32), x, t, threads=1)
    runs = [fit_spectra(ro, x, t, p0=p0[:64], threads=1),
            fit_spectra(np.asfortranarray(y[:64]), x, t, p0=p0[:64], threads=1),
            fit_spectra(y[:1], x, t, p0=p0[0], uncertainty=np.sqrt(np.maximum(y[:1], 1.0)), threads=1),
            fit_spectra(y[:64], x, t, mask=np.zeros(x.size, bool), threads=1),
            fit_spectra(y[:128:2], x.astype(np.float32), t, threads=1)]
    for r in runs[:2]:
        for name in ("params", "errors", "chi2", "niter", "status"):
            np.testing.assert_array_equal(getattr(r, name), getattr(ref, name), err_msg=name)
    assert f32.status.shape == (64,)
    plain = [s for s in kernels.lm_fit_scalar.signatures if s[23] == types.none]
    assert len(plain) == 1, plain
    assert len(kernels.lm_fit_gauss.signatures) == 1, kernels.lm_fit_gauss.signatures  # the Gaussian fast path


def test_kernels_of_versions_unused_for_30_days_leave_the_per_user_cache(tmp_path):
    """Every upgrade (of irisplug-fit's kernels or of numba) starts a new folder of compiled kernels; the folders no
    environment has loaded for ``UNUSED_VERSION_DAYS`` are removed when kernels load, the others stay."""
    import os
    import subprocess
    import sys
    import time

    from irisplug_fit.numba_cache import UNUSED_VERSION_DAYS

    root = tmp_path / "numba"
    ages = {"old-numba0.58": UNUSED_VERSION_DAYS + 1, "recent-numba0.59": UNUSED_VERSION_DAYS - 1}
    for name, days in ages.items():
        (root / name).mkdir(parents=True)
        (root / name / "kernels.lm_fit_scalar-1.py311.nbi").write_bytes(b"x" * 100)
        then = time.time() - days * 86400
        os.utime(root / name, (then, then))
    code = "from irisplug_fit import kernels; print(kernels.lm_fit_scalar._cache._cache_path)"
    env = dict(os.environ, IRISPLUG_CACHE_DIR=str(tmp_path))
    env.pop("NUMBA_CACHE_DIR", None)
    out = subprocess.run([sys.executable, "-c", code], env=env, check=True, capture_output=True, text=True)
    current = os.path.basename(os.path.realpath(out.stdout.split()[0]))
    assert sorted(p.name for p in root.iterdir()) == sorted([current, "recent-numba0.59"])
    assert time.time() - (root / current).stat().st_mtime < 600  # marked used now
