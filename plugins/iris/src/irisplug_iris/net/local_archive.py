"""A stand-in for the IRIS archive on 127.0.0.1, for tests, examples and offline demos.

:func:`build_observation` lays out a generated observation
(:func:`irisplug_iris.generator.generate`) as the LMSAL archive serves it:
``YYYY/MM/DD/<date>_<time>_<obsid>/`` holding the rasters in one
``iris_l2_<date>_<time>_<obsid>_raster.tar.gz`` and each slit-jaw file as
``..._SJI_<band>_t000.fits.gz``; it returns the observation's HCR entry in the
shape of the real ``search-events3`` JSON, with values taken from the files'
headers. :class:`LocalArchive` serves the data root (directory index pages
included) and an HCR endpoint that applies the API's filters to those
entries; ``with archive.environment():`` points the client at it.

Examples
--------
>>> import tempfile
>>> from irisplug_iris.net.local_archive import LocalArchive, build_observation
>>> root = tempfile.mkdtemp()
>>> event = build_observation(root, quiet=True)
>>> event["iris_obsid"]
'3999999901'
>>> with LocalArchive(root, [event]) as archive, archive.environment():
...     import irisplug_iris.net
...     from sunpy.net import Fido, attrs as a
...     len(Fido.search(a.iris.OBSID(3999999901))[0])
1
"""

from __future__ import annotations

import contextlib
import gzip
import json
import os
import shutil
import tarfile
import tempfile
import threading
import urllib.parse
from collections.abc import Iterator
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

__all__ = ["build_observation", "LocalArchive"]


def _headers(path: Path) -> list[dict[str, Any]]:
    from irisplug.fileinfo import iter_fits_headers

    return [h for h, _, _ in iter_fits_headers(path)]


def build_observation(root: str | os.PathLike, *, goal: str | None = None, target: str = "QS", **generate_kwargs: Any) -> dict[str, Any]:
    """Generate an observation into ``root`` in the archive's layout; return its HCR entry.

    Parameters
    ----------
    root
        The data root (what ``IRISPLUG_IRIS_DATA_URL`` points at).
    goal
        The planner's description (HCR ``goal``); default the files' OBS_DESC.
    target
        The HCR ``target`` field.
    **generate_kwargs
        Passed to :func:`irisplug_iris.generator.generate` (``obsid``, ``startobs``, ``sji``, ``quiet`` ...).
    """
    from irisplug_iris.generator import generate

    root = Path(root)
    with tempfile.TemporaryDirectory() as tmp:
        files = [Path(f) for f in generate(tmp, **generate_kwargs)]
        rasters = [f for f in files if "_raster_" in f.name]
        sjis = [f for f in files if "_SJI_" in f.name]
        primary = _headers((rasters or sjis)[0])[0]
        obsid = str(primary["OBSID"]).strip()
        date, time = files[0].name.split("_")[2:4]
        directory = f"{date[:4]}/{date[4:6]}/{date[6:8]}/{date}_{time}_{obsid}"
        out = root / directory
        out.mkdir(parents=True, exist_ok=True)
        if rasters:
            with tarfile.open(out / f"iris_l2_{date}_{time}_{obsid}_raster.tar.gz", "w:gz") as tar:
                for f in rasters:
                    tar.add(f, arcname=f.name)
        for f in sjis:
            with open(f, "rb") as src, gzip.open(out / f"{f.name}.gz", "wb") as dst:
                shutil.copyfileobj(src, dst)
        raster_fov = sji_fov = (0.0, 0.0)
        if rasters:
            hdus = _headers(rasters[0])
            step = float(primary.get("STEPS_AV", 0) or 0)
            raster_fov = (round(max(step, 0.33) * int(primary.get("NRASTERP", 1) or 1), 2),
                          round(int(hdus[1]["NAXIS2"]) * float(hdus[1]["CDELT2"]), 2))
        if sjis:
            h = _headers(sjis[0])[0]
            sji_fov = (round(int(h["NAXIS1"]) * float(h["CDELT1"]), 2), round(int(h["NAXIS2"]) * float(h["CDELT2"]), 2))
    start, stop = str(primary["STARTOBS"]), str(primary.get("ENDOBS", primary["STARTOBS"]))
    return {
        "eventId": f"ivo://sot.lmsal.com/VOEvent#VOEvent_IRIS_{date}_{time}_{obsid}_{start[:19]}{start[:19]}.xml",
        "instrument": "IRIS",
        "startTime": start[:19].replace("T", " "),
        "stopTime": stop[:19].replace("T", " "),
        "iris_obsid": obsid,
        "goal": goal if goal is not None else str(primary.get("OBS_DESC", "")).strip(),
        "target": target,
        "xCen": f"{float(primary['XCEN']):.1f}",
        "yCen": f"{float(primary['YCEN']):.1f}",
        "xFov": f"{raster_fov[0] + sji_fov[0]:g}",
        "yFov": f"{max(raster_fov[1], sji_fov[1]):g}",
        "raster_fovx": f"{raster_fov[0]:g}",
        "raster_fovy": f"{raster_fov[1]:g}",
        "sji_fovx": f"{sji_fov[0]:g}",
        "sji_fovy": f"{sji_fov[1]:g}",
        "roll_angle": f"{float(primary.get('SAT_ROT', 0.0)):.0f}",
    }


def _filter(events: list[dict[str, Any]], q: dict[str, str]) -> list[dict[str, Any]]:
    """The HCR's search semantics on canned entries: time overlap, obsId, obsDesc text, centre box, limit.

    An entry a filter cannot judge (a malformed time or centre, as tests plant) passes that filter, so
    the client sees it as a real service would send it.
    """
    from datetime import datetime

    def when(text: Any) -> datetime | None:
        try:
            return datetime.fromisoformat(str(text).strip().replace(" ", "T"))
        except ValueError:
            return None

    def number(value: Any) -> float | None:
        try:
            return float(value)
        except (TypeError, ValueError, OverflowError):
            return None

    start, stop = when(q["startTime"]), when(q["stopTime"])
    out = []
    for e in events:
        if not isinstance(e, dict):
            out.append(e)
            continue
        e_stop, e_start = when(e.get("stopTime")), when(e.get("startTime"))
        if (e_stop is not None and start is not None and e_stop < start) or (
            e_start is not None and stop is not None and e_start > stop
        ):
            continue
        if "obsId" in q and str(e.get("iris_obsid")) not in q["obsId"].split(","):
            continue
        if q.get("obsDesc") and q["obsDesc"].lower() not in f"{e.get('goal', '')} {e.get('target', '')}".lower():
            continue
        x, y = number(e.get("xCen")), number(e.get("yCen"))
        bounds = (("minXcen", x, 1), ("maxXcen", x, -1), ("minYcen", y, 1), ("maxYcen", y, -1))
        if any(key in q and value is not None and (value - float(q[key])) * sign < 0 for key, value, sign in bounds):
            continue
        out.append(e)
    return out[: int(q.get("limit", 200))]


class LocalArchive:
    """Serve a data root and an HCR endpoint on 127.0.0.1 (a free port) in a background thread.

    Parameters
    ----------
    root
        The data root: ``<root>/YYYY/MM/DD/<obs>/`` is served at ``<data_url>/YYYY/MM/DD/<obs>/``.
    events
        The HCR entries the search endpoint answers from.

    Attributes
    ----------
    routes
        ``{path: (status, content_type, body, declared_length or None)}``: canned
        answers that take precedence (error pages, malformed JSON, truncated files).
    queries
        The parameters of every HCR request received, in order.
    reply_cap
        When set, the HCR endpoint answers at most this many entries whatever
        ``limit`` asks (the real HCR stops at 400), as a server that pages would.
    ignore_filters
        When True, the HCR endpoint applies only the time range and ``limit``
        (a mirror that ignores ``obsId``, ``obsDesc`` and the pointing box).
    """

    def __init__(self, root: str | os.PathLike, events: list[dict[str, Any]] | None = None) -> None:
        self.root = Path(root)
        self.events = list(events or [])
        self.routes: dict[str, tuple[int, str, bytes, int | None]] = {}
        self.queries: list[dict[str, str]] = []
        self.reply_cap: int | None = None
        self.ignore_filters = False
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:<port>``."""
        if self._server is None:
            raise RuntimeError("the local archive is not running; use it in a with block or call start()")
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    @property
    def hcr_url(self) -> str:
        """The HCR endpoint (``IRISPLUG_IRIS_HCR_URL``)."""
        return f"{self.base_url}/hek/hcr"

    @property
    def data_url(self) -> str:
        """The data root (``IRISPLUG_IRIS_DATA_URL``)."""
        return f"{self.base_url}/data"

    def start(self) -> LocalArchive:
        """Start serving (idempotent)."""
        if self._server is not None:
            return self
        archive = self

        class Handler(SimpleHTTPRequestHandler):
            def __init__(self, *args: Any, **kwargs: Any) -> None:
                super().__init__(*args, directory=str(archive.root), **kwargs)

            def log_message(self, *args: Any) -> None:  # quiet
                pass

            def do_GET(self) -> None:
                parsed = urllib.parse.urlparse(self.path)
                if parsed.path in archive.routes:
                    status, ctype, body, declared = archive.routes[parsed.path]
                    self.send_response(status)
                    self.send_header("Content-Type", ctype)
                    self.send_header("Content-Length", str(declared if declared is not None else len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                    self.close_connection = True
                    return
                if parsed.path == "/hek/hcr":
                    q = {k: v[-1] for k, v in urllib.parse.parse_qs(parsed.query).items()}
                    archive.queries.append(q)
                    asked = q
                    if archive.ignore_filters:
                        asked = {k: v for k, v in q.items() if k in ("startTime", "stopTime", "limit")}
                    events = _filter(archive.events, asked)
                    if archive.reply_cap is not None:
                        events = events[: archive.reply_cap]
                    body = json.dumps({"Events": events}).encode()
                    self.send_response(200)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                    return
                if parsed.path.startswith("/data/") or parsed.path == "/data":
                    self.path = self.path[len("/data"):] or "/"
                    super().do_GET()
                    return
                self.send_error(404, "not found")

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(target=self._server.serve_forever, name="irisplug-local-archive", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and free the port."""
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def __enter__(self) -> LocalArchive:
        return self.start()

    def __exit__(self, *exc: Any) -> None:
        self.stop()

    @contextlib.contextmanager
    def environment(self) -> Iterator[LocalArchive]:
        """Point ``IRISPLUG_IRIS_HCR_URL`` and ``IRISPLUG_IRIS_DATA_URL`` at this server for the block."""
        keys = {"IRISPLUG_IRIS_HCR_URL": self.hcr_url, "IRISPLUG_IRIS_DATA_URL": self.data_url}
        saved = {k: os.environ.get(k) for k in keys}
        os.environ.update(keys)
        try:
            yield self
        finally:
            for k, v in saved.items():
                if v is None:
                    os.environ.pop(k, None)
                else:
                    os.environ[k] = v
