"""
Limits, crash-safe writes and the cache's bound
===============================================

A small archive that unpacks to far more than it should is stopped while
streaming, at the first byte beyond the limit; a temporary file that a
killed write left behind is removed by the next write into that directory
(or by ``irisplug clean DIR``); the cache of decompressed ``.gz`` copies,
unpacked archives and downloads stays within ``IRISPLUG_CACHE_MAX_BYTES``,
the least recently used entries going first (``irisplug cache`` shows it,
``irisplug cache --clear`` empties it).
"""

import io
import os
import tarfile
import tempfile
from pathlib import Path

import irisplug
from irisplug.atomic import clean_stale_temp_files

work = Path(tempfile.mkdtemp())
os.environ["IRISPLUG_CACHE_DIR"] = str(work / "cache")

# An archive of 40 kB holding 40 MB of zeros.
archive = work / "suspicious.tar.gz"
with tarfile.open(archive, "w:gz") as tf:
    info = tarfile.TarInfo("obs/data.fits")
    info.size = 40 * 2**20
    tf.addfile(info, io.BytesIO(bytes(info.size)))

os.environ["IRISPLUG_MAX_DECOMPRESSED_BYTES"] = str(8 * 2**20)  # 8 MiB for this example
try:
    irisplug.read(archive)
except irisplug.LimitExceededError as err:
    print("stopped:", err)
finally:
    del os.environ["IRISPLUG_MAX_DECOMPRESSED_BYTES"]

# A temporary file left by a write whose process no longer exists.
stale = work / ".cube.fits.irisplug-tmp-999999999-1a2b3c4d.fits"
stale.write_bytes(b"half a cube")
print("stale temporary files:", [p.name for p in clean_stale_temp_files(work, dry_run=True)])
with irisplug.atomic_path(work / "notes.txt") as tmp:  # any write into the directory cleans it
    tmp.write_text("done")
print("left in the directory:", sorted(p.name for p in work.iterdir() if p.is_file()))

# The cache: two gzipped files, each decompressed once into it.
import gzip  # noqa: E402
import time  # noqa: E402

from irisplug import cache  # noqa: E402
from irisplug.sources import decompressed  # noqa: E402

copies = []
for i in range(2):
    gz = work / f"file{i}.fits.gz"
    gz.write_bytes(gzip.compress(b"SIMPLE  =" + os.urandom(2**20)))
    copies.append(decompressed(gz, quiet=True))
print("cache:", cache.usage())
# A week later (the first copy unused since), with a bound of 1.5 MiB, the least recently used goes.
week_ago = time.time() - 7 * 86400
os.utime(copies[0].parent, (week_ago, week_ago))
print("pruned:", [e.path.name for e in cache.prune(int(1.5 * 2**20))], "first copy still there:", copies[0].exists())
