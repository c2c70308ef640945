"""irisplug plugin: Coordinate-aware co-alignment of slit-jaw, raster and AIA images."""

__all__: list[str] = []
