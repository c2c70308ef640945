"""How many CPUs this process may use: the one answer every thread pool of the core and the plugins sizes itself by."""

from __future__ import annotations

import os

__all__ = ["usable_cpus"]


def usable_cpus() -> int:
    """The number of CPUs this process may run on (at least 1).

    ``os.process_cpu_count()`` on Python 3.13+ (which honours
    ``PYTHON_CPU_COUNT`` and ``-X cpu_count``); before that, the process's
    CPU affinity (``os.sched_getaffinity``: a ``taskset``, a batch system's
    or a container's cpuset limit), and ``os.cpu_count()`` where there is
    none (macOS, Windows). A machine's core count can be several times what
    a job was given; thread pools sized by it oversubscribe.

    Returns
    -------
    int
        CPUs usable by this process.

    Examples
    --------
    >>> import os
    >>> import irisplug
    >>> 1 <= irisplug.usable_cpus() <= (os.cpu_count() or 1)
    True
    """
    counted = getattr(os, "process_cpu_count", None)
    if counted is not None:  # Python 3.13+
        return max(counted() or 1, 1)
    try:
        return max(len(os.sched_getaffinity(0)), 1)
    except AttributeError:  # pragma: no cover - not Linux
        return max(os.cpu_count() or 1, 1)
