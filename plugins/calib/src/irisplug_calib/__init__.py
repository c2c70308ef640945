"""irisplug plugin: Calibration steps: dark, flat, bad pixels, exposure normalisation, AIA-style registration, IRIS radiometric calibration."""

__all__: list[str] = []
