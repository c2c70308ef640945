"""A plugin that fails when imported."""

raise RuntimeError("this plugin is broken on purpose: it raises on import")
