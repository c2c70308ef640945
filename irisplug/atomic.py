"""Write files atomically: to a temporary file beside the target, then rename.

The temporary file is named ``.<target>.irisplug-tmp-<pid>-<random><suffixes>``
so that one left behind by a killed process is recognisable. Such stale
files (their process is gone) are removed by the next write into the same
directory and by ``irisplug clean DIR`` (:func:`clean_stale_temp_files`).

The data is flushed to disk (``fsync``) before the rename and the directory
after it, so a crash never leaves the target partial. A write that must not
replace a file (``overwrite=False``) places the temporary file with
``os.link``, which fails if the target appeared meanwhile, instead of
``os.replace``.
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
from collections.abc import Iterator
from pathlib import Path

from irisplug.errors import FileExistsIrisplugError, IrisplugError, WriteError

__all__ = ["atomic_path", "clean_stale_temp_files", "TEMP_MARKER"]

TEMP_MARKER = ".irisplug-tmp-"
_TEMP_RE = re.compile(r"^\.(?P<target>.+)\.irisplug-tmp-(?P<pid>\d+)-(?P<rand>[0-9a-f]+)")


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # exists, owned by someone else
        return True
    return True


def _process_start(pid: int) -> float | None:
    """Start time (epoch seconds) of a process on Linux, None elsewhere."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as f:
            fields = f.read().rsplit(b")", 1)[1].split()
        ticks = int(fields[19])  # field 22 of stat(5): starttime in clock ticks since boot
        with open("/proc/stat", "rb") as f:
            btime = next(int(line.split()[1]) for line in f if line.startswith(b"btime"))
        return btime + ticks / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError, StopIteration):
        return None


def _is_stale(path: Path) -> bool:
    match = _TEMP_RE.match(path.name)
    if match is None:
        return False
    pid = int(match["pid"])
    if pid == os.getpid():
        return False  # ours, perhaps being written by another thread
    if not _pid_alive(pid):
        return True
    started = _process_start(pid)
    try:
        mtime = path.lstat().st_mtime
    except OSError:
        return False
    # the pid was reused by a process that started after the file was last written
    return started is not None and started > mtime + 1


def clean_stale_temp_files(directory: str | os.PathLike, *, dry_run: bool = False) -> list[Path]:
    """Remove temporary files that interrupted irisplug writes left in ``directory``.

    Only files named like irisplug's temporary files whose writing process
    no longer exists are removed; a write in progress is never touched.

    Returns
    -------
    list of pathlib.Path
        The files removed (or that would be, with ``dry_run``).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (d / ".out.fits.irisplug-tmp-999999999-ab12.fits").write_bytes(b"partial")
    >>> [p.name for p in clean_stale_temp_files(d)]
    ['.out.fits.irisplug-tmp-999999999-ab12.fits']
    """
    directory = Path(directory)
    removed = []
    try:
        entries = list(os.scandir(directory))
    except FileNotFoundError:
        raise WriteError("no such directory", path=directory) from None
    for entry in entries:
        if not entry.name.startswith(".") or TEMP_MARKER not in entry.name:
            continue
        path = Path(entry.path)
        if not entry.is_file(follow_symlinks=False) or not _is_stale(path):
            continue
        if not dry_run:
            with contextlib.suppress(FileNotFoundError):  # another cleaner was first
                path.unlink()
        removed.append(path)
    return removed


def _fsync_file(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _fsync_dir(directory: Path) -> None:
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:  # not possible on every platform
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def _place_no_clobber(tmp: Path, target: Path) -> None:
    """Put ``tmp`` at ``target`` unless a file is there, atomically where the filesystem allows."""
    try:
        os.link(tmp, target)
    except FileExistsError:
        raise FileExistsIrisplugError(
            "appeared while it was being written; pass overwrite=True to replace it", path=target
        ) from None
    except OSError as exc:
        if exc.errno not in (errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EXDEV, errno.EMLINK):
            raise
        # no hard links on this filesystem: the best left is a check just before the rename
        if target.exists():
            raise FileExistsIrisplugError(
                "appeared while it was being written; pass overwrite=True to replace it", path=target
            ) from None
        os.replace(tmp, target)
        return
    tmp.unlink()


def _write_error(exc: OSError, target: Path) -> WriteError:
    reason = {
        errno.EACCES: "permission denied (is the directory read-only?)",
        errno.EPERM: "operation not permitted",
        errno.EROFS: "the filesystem is read-only",
        errno.ENOSPC: "no space left on the device",
        errno.EDQUOT: "disk quota exceeded",
    }.get(exc.errno or -1, exc.strerror or str(exc))
    return WriteError(f"cannot write: {reason}; nothing was written", path=target)


@contextlib.contextmanager
def atomic_path(path: str | os.PathLike, *, overwrite: bool = False) -> Iterator[Path]:
    """Yield a temporary path in the target's directory; move it to ``path`` on success.

    The temporary name keeps the target's suffixes, so libraries that pick a
    format from the name still do. On any exception the temporary file is
    removed and ``path`` is untouched. Stale temporary files of earlier,
    interrupted writes in the same directory are removed first.

    Raises
    ------
    FileExistsIrisplugError
        ``path`` exists (or appears during the write) and ``overwrite`` is False.
    WriteError
        The directory does not exist, is read-only, the disk is full, ...;
        the message names ``path``, not the temporary file.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> target = pathlib.Path(tempfile.mkdtemp()) / "out.txt"
    >>> with atomic_path(target) as tmp:
    ...     _ = tmp.write_text("done")
    >>> target.read_text()
    'done'
    """
    target = Path(path)
    if target.exists() and not overwrite:
        raise FileExistsIrisplugError("exists; pass overwrite=True to replace it", path=target)
    directory = target.parent
    if not directory.is_dir():
        raise WriteError(f"the directory {str(directory)!r} does not exist; create it first", path=target)
    with contextlib.suppress(OSError, IrisplugError):
        clean_stale_temp_files(directory)
    suffix = "".join(target.suffixes)
    tmp = directory / f".{target.name}{TEMP_MARKER}{os.getpid()}-{os.urandom(4).hex()}{suffix}"
    try:
        try:
            yield tmp
        except OSError as exc:
            if isinstance(exc, IrisplugError):
                raise
            raise _write_error(exc, target) from exc
        if not tmp.exists():
            raise WriteError("the writer did not create the file; nothing was written", path=target)
        try:
            _fsync_file(tmp)
            if overwrite:
                os.replace(tmp, target)
            else:
                _place_no_clobber(tmp, target)
            _fsync_dir(directory)
        except OSError as exc:
            if isinstance(exc, IrisplugError):
                raise
            raise _write_error(exc, target) from exc
    finally:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
