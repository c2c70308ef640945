"""Which compiled kernel a fit needs, decided without importing numba.

Three numba kernels serve every fit, each compiled once (one type signature
each, see :func:`irisplug_fit.kernels.kernel_arguments`):

* ``"gauss"``: :func:`irisplug_fit.kernels.lm_fit_gauss`, Gaussians + a
  polynomial background with every parameter free on a uniform grid (most
  fits of spectrograph data; see :func:`fast_path`);
* ``"plain"``: the general kernel without Voigt code (ties, fixed values,
  Lorentzians, non-uniform grids);
* ``"voigt"``: the general kernel with Voigt code.

:mod:`irisplug_fit.warm` compiles and tracks them by these names.

Examples
--------
>>> import numpy as np
>>> variant(np.zeros(1, np.int64), fast=True)
'gauss'
>>> variant(np.array([0, 2]), fast=False)
'voigt'
"""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["KERNEL_VARIANTS", "fast_path", "variant"]

#: the names of the compiled kernels, in the order a full warm-up compiles them
KERNEL_VARIANTS = ("gauss", "plain", "voigt")


def fast_path(pmap: Any, lead: Any, tscale: Any, toff: Any, kinds: Any, dx: float, nbg: int = 1) -> bool:
    """True when :func:`irisplug_fit.kernels.lm_fit_gauss` fits this template.

    Gaussians only, every parameter free (``pmap`` the identity, no ties or
    fixed values), a background (``nbg >= 1``), a uniform grid (``dx > 0``).

    Examples
    --------
    >>> import numpy as np
    >>> fast_path(np.arange(4), np.arange(4), np.ones(4), np.zeros(4), np.zeros(1, np.int64), 0.02)
    True
    >>> fast_path(np.arange(4), np.arange(4), np.ones(4), np.zeros(4), np.ones(1, np.int64), 0.02)
    False
    """
    pmap, lead, kinds = np.asarray(pmap), np.asarray(lead), np.asarray(kinds)
    return bool(dx > 0.0 and nbg >= 1 and kinds.size > 0 and np.all(kinds == 0) and lead.size == pmap.size
                and np.array_equal(pmap, np.arange(pmap.size)) and np.all(np.asarray(tscale) == 1.0)
                and np.all(np.asarray(toff) == 0.0))


def variant(kinds: Any, *, fast: bool) -> str:
    """The kernel a fit runs: ``"gauss"`` (``fast``, see :func:`fast_path`), ``"voigt"`` or ``"plain"``.

    ``kinds``: the template's profile codes (2 = Voigt).
    """
    if fast:
        return "gauss"
    return "voigt" if bool(np.any(np.asarray(kinds) == 2)) else "plain"
