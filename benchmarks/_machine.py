"""What machine a benchmark ran on: every benchmark prints this beside its figures.

The benchmarks are scripts (``python benchmarks/bench_x.py``), so this module is
imported from the script's own folder.
"""

from __future__ import annotations

import os
import platform
from pathlib import Path


def cpu_name() -> str:
    """The CPU model as the kernel reports it (``/proc/cpuinfo``), else what ``platform`` knows."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def machine_line() -> str:
    """``"<CPU model>, <n> cores"``."""
    return f"{cpu_name()}, {os.cpu_count()} cores"
