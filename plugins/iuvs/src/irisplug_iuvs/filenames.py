"""Parse and build MAVEN IUVS product file names.

Convention (formats.md 1.2)::

    mvn_iuv_<level>_<segment>-orbit<NNNNN>-<channel>_<YYYYMMDD>T<HHMMSS>_v<VV>_<r|s><RR>.fits[.gz]

Segments may contain hyphens (``relay-echelle``). Cruise-era products have no
orbit token (``cruisecal2-mode080-muv``, ``muv-ISON1-narrowshort-cycle06``);
their other tokens go to ``mode``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from irisplug_iuvs.errors import IUVSFilenameError

__all__ = ["IUVSFilename", "parse_filename", "CHANNELS"]

#: channel tokens, with the dark variants
CHANNELS = ("fuv", "muv", "ech", "fuvdark", "muvdark", "echdark")

_NAME = re.compile(
    r"^mvn_iuv_(?P<level>l[0-3][a-c]?)_(?P<block>[^_]+)_(?P<date>\d{8})T(?P<time>\d{6})"
    r"_v(?P<version>\d{2})_(?P<revkind>[rs])(?P<revision>\d{2})(?P<ext>\.fits(?:\.gz)?)?$"
)
_ORBIT_BLOCK = re.compile(r"^(?P<segment>.+?)-orbit(?P<orbit>\d+)-(?P<channel>[a-z]+)$")


@dataclass(frozen=True)
class IUVSFilename:
    """The facts in an IUVS product name.

    Attributes
    ----------
    level : str
        ``"l1a"``, ``"l1b"``, ...
    segment : str
        Orbit segment or cruise phase (``"apoapse"``, ``"relay-echelle"``, ``"cruisecal2"``).
    orbit : int or None
        None for cruise-era names without an orbit token.
    channel : str
        ``"fuv"``, ``"muv"``, ``"ech"`` or a ``...dark`` variant.
    timestamp : datetime.datetime
        Start time in the name (UTC).
    version, revision : int
        ``v13`` -> 13, ``r01`` -> 1.
    revision_kind : str
        ``"r"`` or ``"s"``.
    mode : str or None
        Extra tokens of cruise-era names (``"mode080"``).
    extension : str
        ``".fits.gz"``, ``".fits"`` or ``""``.

    Examples
    --------
    >>> f = parse_filename("mvn_iuv_l1b_apoapse-orbit18001-muv_20230114T071804_v13_r01.fits.gz")
    >>> f.level, f.segment, f.orbit, f.channel, f.version, f.revision
    ('l1b', 'apoapse', 18001, 'muv', 13, 1)
    >>> f.name == "mvn_iuv_l1b_apoapse-orbit18001-muv_20230114T071804_v13_r01.fits.gz"
    True
    """

    level: str
    segment: str
    orbit: int | None
    channel: str
    timestamp: datetime
    version: int
    revision: int
    revision_kind: str = "r"
    mode: str | None = None
    extension: str = ".fits.gz"
    orbit_digits: int = 5
    channel_first: bool = False

    @property
    def is_dark(self) -> bool:
        """True for dark products (channel ``fuvdark``, ``muvdark``, ``echdark``)."""
        return self.channel.endswith("dark")

    @property
    def xuv(self) -> str:
        """The detector: ``"FUV"``, ``"MUV"`` or ``"ECH"``."""
        return self.channel.removesuffix("dark").upper()

    @property
    def orbit_folder(self) -> str | None:
        """The archive folder of the orbit, e.g. ``orbit18000`` (None without orbit)."""
        return None if self.orbit is None else f"orbit{self.orbit - self.orbit % 100:05d}"

    @property
    def block(self) -> str:
        """The segment/orbit/channel token of the name."""
        if self.orbit is not None:
            return f"{self.segment}-orbit{self.orbit:0{self.orbit_digits}d}-{self.channel}"
        parts = [self.segment, *(self.mode.split("-") if self.mode else [])]
        return "-".join([self.channel, *parts] if self.channel_first else [*parts, self.channel])

    @property
    def obs_id(self) -> str:
        """The name up to the time stamp (identifies an observation across versions)."""
        return f"mvn_iuv_{self.level}_{self.block}_{self.timestamp:%Y%m%dT%H%M%S}"

    @property
    def name(self) -> str:
        """The file name these facts describe."""
        return f"{self.obs_id}_v{self.version:02d}_{self.revision_kind}{self.revision:02d}{self.extension}"

    def as_meta(self) -> dict:
        """The facts as a plain dict (for ``cube.meta``)."""
        return {
            "level": self.level,
            "segment": self.segment,
            "orbit": self.orbit,
            "channel": self.channel,
            "timestamp": self.timestamp.isoformat(),
            "version": self.version,
            "revision": self.revision,
            "revision_kind": self.revision_kind,
            "mode": self.mode,
            "is_dark": self.is_dark,
        }


def _split_cruise_block(block: str, path: str) -> tuple[str, str, str | None, bool]:
    tokens = block.split("-")
    hits = [i for i, t in enumerate(tokens) if t in CHANNELS]
    if not hits:
        raise IUVSFilenameError(
            f"no channel token ({', '.join(CHANNELS)}) in {block!r}; expected e.g. 'apoapse-orbit18001-muv'",
            path=path,
        )
    i = hits[-1] if tokens[-1] in CHANNELS else hits[0]
    channel = tokens[i]
    rest = tokens[:i] + tokens[i + 1 :]
    if not rest or not rest[0]:
        raise IUVSFilenameError(f"no segment before/after the channel in {block!r}", path=path)
    return rest[0], channel, "-".join(rest[1:]) or None, i == 0 and len(tokens) > 1


def parse_filename(name: str | Path) -> IUVSFilename:
    """Parse an IUVS product file name (a path is fine; only its name is used).

    Raises
    ------
    IUVSFilenameError
        Naming the file and the part that does not match.

    Examples
    --------
    >>> parse_filename("mvn_iuv_l1b_cruisecal2-mode080-muv_20140521T120029_v01_r01.fits.gz").mode
    'mode080'
    >>> parse_filename("mvn_iuv_l1a_relay-echelle-orbit03456-ech_20160701T000000_v13_s02.fits").segment
    'relay-echelle'
    """
    base = Path(name).name
    m = _NAME.match(base)
    if m is None:
        if not base.startswith("mvn_iuv_"):
            why = "does not start with 'mvn_iuv_'"
        elif not re.search(r"_\d{8}T\d{6}(_|\.|$)", base):
            why = "has no _YYYYMMDDTHHMMSS_ time stamp"
        elif not re.search(r"_v\d{2}_[rs]\d{2}", base):
            why = "has no _vNN_rNN version/revision"
        else:
            why = "does not match mvn_iuv_<level>_<segment>-orbit<N>-<channel>_<time>_v<VV>_r<RR>.fits[.gz]"
        raise IUVSFilenameError(f"not an IUVS product name: {why}", path=str(name))
    try:
        timestamp = datetime.strptime(m["date"] + m["time"], "%Y%m%d%H%M%S")
    except ValueError as exc:
        raise IUVSFilenameError(f"invalid time stamp {m['date']}T{m['time']}: {exc}", path=str(name)) from None
    block = m["block"]
    ob = _ORBIT_BLOCK.match(block)
    if ob is not None and ob["channel"] in CHANNELS:
        segment, orbit, channel, mode, first = ob["segment"], int(ob["orbit"]), ob["channel"], None, False
        digits = len(ob["orbit"])
    else:
        if "orbit" in block and ob is not None:
            raise IUVSFilenameError(f"unknown channel {ob['channel']!r} in {block!r}", path=str(name))
        segment, channel, mode, first = _split_cruise_block(block, str(name))
        orbit, digits = None, 5
    return IUVSFilename(
        level=m["level"],
        segment=segment,
        orbit=orbit,
        channel=channel,
        timestamp=timestamp,
        version=int(m["version"]),
        revision=int(m["revision"]),
        revision_kind=m["revkind"],
        mode=mode,
        extension=m["ext"] or "",
        orbit_digits=digits,
        channel_first=first,
    )
