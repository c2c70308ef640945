"""Hook implementations of the irisplug-view plugin."""

from __future__ import annotations

import irisplug

__all__: list[str] = []
