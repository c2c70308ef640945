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


#: the fit plugin's modules whose numba functions are cached, compiled into one another
KERNEL_MODULES = ("profiles.py", "kernels.py")


def kernel_cache_dir() -> Path:
    """The per-user directory of the compiled fit kernels (shared by every environment and dask worker).

    ``$IRISPLUG_CACHE_DIR/numba`` or ``~/.cache/irisplug/numba`` (irisplug's
    cache, :func:`irisplug.sources.cache_dir`), one sub-directory per
    version of the kernels' sources. Kernels compiled for several CPUs
    coexist (numba keys each entry by CPU name and features).

    Examples
    --------
    >>> kernel_cache_dir().name
    'numba'
    """
    root = os.environ.get("IRISPLUG_CACHE_DIR")
    return (Path(root) if root else Path.home() / ".cache" / "irisplug") / "numba"


def numba_version() -> str:
    """The installed numba's version, without importing numba when it is not imported yet ("" if absent).

    A numba another thread is still importing is in ``sys.modules`` without
    its ``__version__`` yet (two dask worker threads of one process loading
    their first kernels): the installed distribution's version then.
    """
    import sys

    version = getattr(sys.modules.get("numba"), "__version__", None)
    if version is not None:
        return str(version)
    from importlib import metadata

    try:
        return metadata.version("numba")
    except metadata.PackageNotFoundError:
        return ""


def kernel_cache_path() -> Path:
    """The folder of this version of the kernels in :func:`kernel_cache_dir` (computed without importing numba).

    Named by the SHA-256 of the kernels' sources and the numba version: any
    change of either starts a fresh folder.

    Examples
    --------
    >>> kernel_cache_path().parent == kernel_cache_dir()
    True
    """
    here = Path(__file__).resolve().parent
    digest = sources_digest([here / m for m in KERNEL_MODULES])
    return kernel_cache_dir() / f"{digest[:20]}-numba{numba_version()}"


def install_kernel_cache() -> Path | None:
    """Make numba cache the fit kernels in :func:`kernel_cache_dir` (call before their ``@njit``).

    numba's own locations are keyed by the path of the installed source
    file (every new environment and every copy of the package starts empty)
    and watch one file each (the kernels inline ``profiles.py``). This
    locator keys the cache by the contents of all the kernels' sources
    instead: a new environment with the same irisplug-fit finds the kernels
    compiled, and any source change gets a fresh directory. Other packages'
    numba functions are unaffected. When ``NUMBA_CACHE_DIR`` is set, numba's
    own locator is used (and :func:`drop_stale_cache` keeps it fresh).

    Returns the directory, or None when numba's defaults apply.
    """
    global _INSTALLED
    if _INSTALLED is not None:
        return _INSTALLED or None
    from numba.core import caching

    impl = getattr(caching, "CacheImpl", None) or getattr(caching, "_CacheImpl", None)
    base = getattr(caching, "_CacheLocator", None)
    here = Path(__file__).resolve().parent
    if (os.environ.get("NUMBA_CACHE_DIR") or os.environ.get("NUMBA_CACHE_LOCATOR_CLASSES") or impl is None
            or base is None or not isinstance(getattr(impl, "_locator_classes", None), list)):
        _INSTALLED = False
        return None
    digest = sources_digest([here / m for m in KERNEL_MODULES])
    path = kernel_cache_path()
    kernel_files = {str(here / m) for m in KERNEL_MODULES}

    class _KernelCacheLocator(base):
        def __init__(self, py_func, py_file):
            self._lineno = py_func.__code__.co_firstlineno
            self._py_file = py_file  # numba's "cannot cache" warning names it (seen with NUMBA_OPT=0)

        def get_cache_path(self):
            return str(path)

        def get_source_stamp(self):
            return digest

        def get_disambiguator(self):
            return str(self._lineno)

        @classmethod
        def from_function(cls, py_func, py_file):
            try:
                if str(Path(py_file).resolve()) not in kernel_files:
                    return None
                self = cls(py_func, py_file)
                self.ensure_cache_path()
            except OSError:  # not writable: numba's default locations
                return None
            return self

    impl._locator_classes = [_KernelCacheLocator, *impl._locator_classes]  # numba internals, checked above
    _INSTALLED = path
    _remove_unused_versions(path)
    return path


#: kernels compiled for other versions of the sources (or of numba) that no environment has loaded for this long
#: are removed from the per-user cache (3-6 MB each; one more per upgrade otherwise, for good)
UNUSED_VERSION_DAYS = 30


def _remove_unused_versions(path: Path) -> None:
    """Mark this version's folder used; remove the other versions' folders unused for :data:`UNUSED_VERSION_DAYS`."""
    from irisplug.cache import remove_unused

    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError:  # not writable: numba falls back to its own locations
        return
    remove_unused(path.parent, UNUSED_VERSION_DAYS * 86400.0, keep=path)


_INSTALLED: Path | bool | None = None
