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


def test_lane_kernel_matches_scalar(three_gaussians, monkeypatch):
    """The lane-group kernel takes the same steps as the scalar one (same iterations, parameters to rounding)."""
    x, y, p0, t = three_gaussians
    a = fit_spectra(y, x, t, p0=p0)
    monkeypatch.setenv("IRISPLUG_FIT_KERNEL", "lanes")
    b = fit_spectra(y, x, t, p0=p0, ties=[], lorentz=False)
    np.testing.assert_array_equal(a.status, b.status)
    np.testing.assert_array_equal(a.niter, b.niter)
    ok = a.status == Status.CONVERGED
    assert ok.mean() > 0.95
    np.testing.assert_allclose(a.params[ok], b.params[ok], rtol=1e-9)
    np.testing.assert_allclose(a.errors[ok], b.errors[ok], rtol=1e-7)
