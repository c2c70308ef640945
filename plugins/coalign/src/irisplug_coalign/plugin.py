"""Hook implementations of the irisplug-coalign plugin."""

from __future__ import annotations

import irisplug

__all__: list[str] = []
