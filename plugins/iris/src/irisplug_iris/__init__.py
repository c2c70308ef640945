"""irisplug plugin: IRIS Level 2 raster and slit-jaw readers, writers (FITS, ASDF) and a synthetic L2 generator."""

__all__: list[str] = []
