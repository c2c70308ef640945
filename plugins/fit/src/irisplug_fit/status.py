"""Per-pixel fit status flags.

A fit never raises for one bad spectrum: each spectrum gets one of these
codes in the ``status`` map, and parameter maps are NaN where no fit was made.

Examples
--------
>>> int(Status.CONVERGED), Status(4).name
(0, 'LINE_OUTSIDE_WINDOW')
"""

from __future__ import annotations

from enum import IntEnum

__all__ = ["Status", "STATUS_DESCRIPTIONS", "FITTED"]


class Status(IntEnum):
    """Status code of one spectrum's fit."""

    CONVERGED = 0
    MAX_ITER = 1
    TOO_FEW_POINTS = 2
    ALL_MASKED = 3
    LINE_OUTSIDE_WINDOW = 4
    SINGULAR = 5
    NOT_SIGNIFICANT = 6
    AT_BOUND = 7


STATUS_DESCRIPTIONS = {
    Status.CONVERGED: "converged",
    Status.MAX_ITER: "stopped at the iteration limit (values kept, use with care)",
    Status.TOO_FEW_POINTS: "fewer valid points than free parameters + 1: not fitted",
    Status.ALL_MASKED: "every point NaN, masked or zero-weight: not fitted",
    Status.LINE_OUTSIDE_WINDOW: "the template's lines lie outside the wavelength window: not fitted",
    Status.SINGULAR: "the normal matrix is singular at the solution (e.g. amplitude 0): no usable fit",
    Status.NOT_SIGNIFICANT: "converged, but every line amplitude is below the significance threshold: no line",
    Status.AT_BOUND: ("converged with a line parameter on a bound of its range (a boundary solution, e.g. an absent "
                      "component at amplitude 0): the maps of the parameters at a bound, and of what derives from "
                      "them, are NaN; the others are shown"),
}

#: statuses whose parameter values are shown in the maps (the others are NaN there;
#: the raw values stay in ``FitResult.params``)
FITTED = (Status.CONVERGED, Status.MAX_ITER, Status.AT_BOUND)
