"""Example third-party irisplug plugin for the ``spectext`` format."""

__all__: list[str] = []
