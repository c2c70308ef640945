"""irisplug plugin: MAVEN IUVS L1A/L1B FITS readers, conversions and dark analysis."""

__all__: list[str] = []
