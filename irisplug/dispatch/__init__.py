"""Dispatch: pick the plugin contribution for a call and run it."""

from irisplug.dispatch.calibrate import calibrate, plan_calibration
from irisplug.dispatch.methods import coalign, fetch, fit, view
from irisplug.dispatch.read import choose_reader, read
from irisplug.dispatch.write import choose_writer, write

__all__ = [
    "read",
    "choose_reader",
    "write",
    "choose_writer",
    "calibrate",
    "plan_calibration",
    "fit",
    "view",
    "coalign",
    "fetch",
]
