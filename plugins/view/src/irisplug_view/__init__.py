"""irisplug plugin: Quick-look viewers, animations and publication figures."""

__all__: list[str] = []
