"""Example third-party irisplug plugin: Solar Orbiter/SPICE level 2 rasters (a second slit spectrograph)."""

__all__: list[str] = []
