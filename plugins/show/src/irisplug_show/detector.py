"""SHOW OWL640 detector constants (show-lib ``er2_2023.yaml``, formats.md 2.2) and the file layout names."""

from __future__ import annotations

__all__ = [
    "N_HEIGHTROWS", "N_PIXELROWS", "SATURATION_DN", "ELECTRONS_PER_DN", "READ_NOISE_E", "REQUIRED_VARIABLES",
    "EXPOSURE_UNITS",
]

#: OWL640: 640 height rows x 512 pixel (spectral) rows
N_HEIGHTROWS = 640
N_PIXELROWS = 512
#: 14-bit ADC; values >= this are saturated
SATURATION_DN = 16383
#: conversion gain and read noise of the ER-2 2023 configuration
ELECTRONS_PER_DN = 39.6
READ_NOISE_E = 150.0
#: variables each science group must hold
REQUIRED_VARIABLES = ("image", "time", "exposure_time", "temperatures", "temperature_labels", "high_gain")
#: accepted ``units`` attributes of ``exposure_time`` -> astropy unit string; a missing
#: attribute means microseconds, the unit showapi keys exposure times in
EXPOSURE_UNITS = {"us": "us", "microseconds": "us", "usec": "us", "ms": "ms", "milliseconds": "ms",
                  "s": "s", "seconds": "s", "sec": "s"}
