"""irisplug plugin: Batched spectral line fitting, templates and derived quantities."""

__all__: list[str] = []
