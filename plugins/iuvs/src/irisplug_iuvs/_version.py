"""The iuvs plugin's version, recorded in its calibration step's provenance (a module without imports)."""

VERSION = "0.1.0"
