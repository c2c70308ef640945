"""
Fit Voigt line profiles
=======================

Generate Poisson spectra of a Voigt line (Gaussian sigma convolved with a
Lorentzian of half width gamma) next to a Gaussian blend, fit them with a
template mixing one Voigt and one Gaussian component, and print the fitted
gamma, the Voigt FWHM and the recovered truth. Also fits one line with
gamma held fixed. Writes a figure to a temporary directory (or the path
given on the command line).
"""

import sys
import tempfile
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
from scipy.special import voigt_profile

from irisplug_fit.engine import fit_spectra
from irisplug_fit.line_templates import generic_template, get_template
from irisplug_fit.maps import result_maps
from irisplug_fit.status import Status

out = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(tempfile.mkdtemp())
out.mkdir(parents=True, exist_ok=True)


def peak_voigt(x, amplitude, centre, sigma, gamma):
    """Voigt profile with peak height ``amplitude`` (scipy's is unit area)."""
    return amplitude * voigt_profile(x - centre, sigma, gamma) / voigt_profile(0.0, sigma, gamma)


# %%
# 500 spectra: a Voigt at 1402.6 A and a Gaussian at 1403.05 A on a constant
rng = np.random.default_rng(0)
n = 500
x = np.linspace(1401.77, 1403.77, 100)
sigma = rng.uniform(0.025, 0.04, n)
gamma = rng.uniform(0.01, 0.03, n)
model = 25.0 + peak_voigt(x[None], 700.0, 1402.6, sigma[:, None], gamma[:, None]) \
    + 250.0 * np.exp(-0.5 * ((x[None] - 1403.05) / 0.04) ** 2)
spectra = rng.poisson(model).astype(float)

# %%
# Template: background, then amplitude/centre/sigma/gamma of the Voigt, then
# amplitude/centre/sigma of the Gaussian
template = generic_template([25.0, 650.0, 1402.6, 0.03, 0.015, 230.0, 1403.05, 0.04],
                            [x[0], x[-1]], profiles=["voigt", "gaussian"], rest=[1402.77, 1402.77])
print("parameters:", ", ".join(template.param_names))
res = fit_spectra(spectra, x, template, uncertainty="poisson")  # counts: Poisson weights
ok = res.status == Status.CONVERGED
print(f"converged: {ok.mean():.1%}, mean iterations {res.niter.mean():.1f}")
maps = result_maps(res)
dg = maps["c1.gamma"][0][ok] - gamma[ok]
print(f"gamma - truth: median {np.median(dg) * 1e3:+.2f} mA, spread {np.std(dg) * 1e3:.2f} mA, "
      f"median 1-sigma error {np.median(maps['c1.gamma_err'][0][ok]) * 1e3:.2f} mA")
print(f"Voigt FWHM: median {np.median(maps['c1.fwhm'][0][ok]):.4f} A "
      f"= {np.median(maps['c1.fwhm_velocity'][0][ok]):.1f} km/s")

# %%
# One Voigt line with gamma held fixed (e.g. known from elsewhere)
one = rng.poisson(20.0 + peak_voigt(x, 900.0, 1402.8, 0.03, 0.02)).astype(float)
fixed = fit_spectra(one, x, get_template("si_iv_1403", voigt=True), fixed={"si_iv_1403.gamma": 0.02})
print("gamma fixed at 0.02 A:", dict(zip(fixed.param_names, np.round(fixed.params, 4).tolist(), strict=True)))

# %%
# Plot one spectrum with its two components
fig, ax = plt.subplots(figsize=(6, 3.5))
ax.plot(x, spectra[0], ".", color="k", label="data")
ax.plot(x, res.model(x)[0], label="fit")
for comp in ("c1", "c2"):
    ax.plot(x, res.model(x, component=comp)[0], "--", label=comp)
ax.set_xlabel("wavelength [A]")
ax.set_ylabel("counts")
ax.legend()
fig.tight_layout()
fig.savefig(out / "fit_voigt.png", dpi=80)
print("figure:", out / "fit_voigt.png")
plt.show()
