"""irisplug plugin: SHOW level-0 netCDF reader."""

__all__: list[str] = []
