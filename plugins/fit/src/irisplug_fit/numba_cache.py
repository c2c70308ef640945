"""Keep numba's on-disk cache of the fit kernels in step with every source they compile in.

numba invalidates a cached function when *its own* file changes, but the
kernels in ``kernels.py`` inline the profile functions of ``profiles.py``:
after an edit of ``profiles.py`` alone, numba would keep loading kernels
compiled with the old profiles (seen during development: Voigt timings 4x
too slow from a stale cache). This module stamps the cache directory with a
hash of all the sources and deletes the kernels' cache files when it changes.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable
from pathlib import Path

__all__ = ["sources_digest", "drop_stale_cache"]

_STAMP = "irisplug_fit_sources.stamp"


def sources_digest(sources: Iterable[str | Path]) -> str:
    """SHA-256 of the sources' contents, in the given order.

    Examples
    --------
    >>> len(sources_digest([__file__]))
    64
    """
    h = hashlib.sha256()
    for path in sources:
        h.update(Path(path).read_bytes())
    return h.hexdigest()


def drop_stale_cache(cache_dir: str | Path, module: str, sources: Iterable[str | Path]) -> bool:
    """Delete ``module``'s numba cache files in ``cache_dir`` if ``sources`` changed since the last stamp.

    Returns True when files were dropped (or the stamp was missing), False
    when the cache is current. Races between processes are harmless: a file
    deleted twice is ignored and the stamp is replaced atomically.

    Examples
    --------
    >>> import tempfile
    >>> d = tempfile.mkdtemp()
    >>> drop_stale_cache(d, "kernels", [__file__]), drop_stale_cache(d, "kernels", [__file__])
    (True, False)
    """
    cache_dir = Path(cache_dir)
    digest = sources_digest(sources)
    stamp = cache_dir / f"{module}.{_STAMP}"
    try:
        if stamp.read_text() == digest:
            return False
    except OSError:
        pass
    try:
        for f in list(cache_dir.glob(f"{module}.*.nbi")) + list(cache_dir.glob(f"{module}.*.nbc")):
            f.unlink(missing_ok=True)
        tmp = stamp.with_name(f"{stamp.name}.{os.getpid()}.tmp")
        tmp.write_text(digest)
        os.replace(tmp, stamp)
    except OSError:  # read-only cache location: numba cannot write there either
        pass
    return True
