"""The calib plugin's version, recorded in every step's provenance (a module without imports)."""

VERSION = "0.1.0"
