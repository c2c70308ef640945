"""Hook implementations of the irisplug-iris plugin."""

from __future__ import annotations

import irisplug

__all__: list[str] = []
