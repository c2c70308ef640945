"""Resource limits a user can set, with safe defaults.

Every limit is read from an environment variable each time it is needed, so a
user (or a test) can change it at run time; :func:`get_limits` returns them
all as one object. A limit of ``0`` switches that check off.

=================================== ============================ ===========================
Variable                            Limits                       Default
=================================== ============================ ===========================
``IRISPLUG_MAX_DECOMPRESSED_BYTES`` bytes unpacked from one       64 GiB
                                    archive or one ``.gz`` file
``IRISPLUG_MAX_COMPRESSION_RATIO``  unpacked / packed size, once  200
                                    more than 256 MiB is unpacked
``IRISPLUG_MAX_ARCHIVE_MEMBERS``    members of one archive        100000
``IRISPLUG_MAX_HEADER_CARDS``       cards of one FITS header      100000 (8 MB of header)
``IRISPLUG_IDENTIFY_TIMEOUT``       seconds one plugin            10
                                    ``identify`` call may take
=================================== ============================ ===========================

The ratio check is what stops a decompression bomb at the default settings:
real observation files compress a few times, a bomb hundreds to a thousand times.
"""

from __future__ import annotations

import os

from irisplug.errors import IrisplugError, LimitExceededError

__all__ = ["Limits", "get_limits", "env_number", "LimitExceededError", "RATIO_FLOOR_BYTES"]

#: the compression-ratio check starts once this many bytes are unpacked
RATIO_FLOOR_BYTES = 256 * 2**20


_DEFAULTS = {
    "max_decompressed_bytes": ("IRISPLUG_MAX_DECOMPRESSED_BYTES", 64 * 2**30, int),
    "max_compression_ratio": ("IRISPLUG_MAX_COMPRESSION_RATIO", 200.0, float),
    "max_archive_members": ("IRISPLUG_MAX_ARCHIVE_MEMBERS", 100_000, int),
    "max_header_cards": ("IRISPLUG_MAX_HEADER_CARDS", 100_000, int),
    "identify_timeout": ("IRISPLUG_IDENTIFY_TIMEOUT", 10.0, float),
}


_FIELDS = ("max_decompressed_bytes", "max_compression_ratio", "max_archive_members", "max_header_cards",
           "identify_timeout")


class Limits:
    """The limits in force; ``0`` means unlimited. Immutable, compared and hashed by value.

    (A plain class with ``__slots__``, not a frozen dataclass: building that
    class executes generated code, about 1 ms of every process's first
    ``irisplug.read``.)

    Examples
    --------
    >>> limits = Limits()
    >>> limits.max_header_cards
    100000
    >>> Limits(max_header_cards=5)
    Limits(max_decompressed_bytes=68719476736, max_compression_ratio=200.0, max_archive_members=100000, max_header_cards=5, identify_timeout=10.0)
    """

    __slots__ = _FIELDS
    max_decompressed_bytes: int
    max_compression_ratio: float
    max_archive_members: int
    max_header_cards: int
    identify_timeout: float

    def __init__(self, max_decompressed_bytes: int = 64 * 2**30, max_compression_ratio: float = 200.0,
                 max_archive_members: int = 100_000, max_header_cards: int = 100_000,
                 identify_timeout: float = 10.0) -> None:
        setter = object.__setattr__
        setter(self, "max_decompressed_bytes", max_decompressed_bytes)
        setter(self, "max_compression_ratio", max_compression_ratio)
        setter(self, "max_archive_members", max_archive_members)
        setter(self, "max_header_cards", max_header_cards)
        setter(self, "identify_timeout", identify_timeout)

    def _values(self) -> tuple:
        return tuple(getattr(self, name) for name in _FIELDS)

    def __setattr__(self, name: str, value: object) -> None:
        from dataclasses import FrozenInstanceError  # what the frozen dataclass raised (an AttributeError)

        raise FrozenInstanceError(f"cannot assign to field {name!r}")

    def __delattr__(self, name: str) -> None:
        from dataclasses import FrozenInstanceError

        raise FrozenInstanceError(f"cannot delete field {name!r}")

    def __repr__(self) -> str:
        return f"Limits({', '.join(f'{name}={getattr(self, name)!r}' for name in _FIELDS)})"

    def __eq__(self, other: object) -> bool:
        if other.__class__ is self.__class__:
            return self._values() == other._values()  # type: ignore[attr-defined]
        return NotImplemented

    def __hash__(self) -> int:
        return hash(self._values())

    def __reduce__(self) -> tuple:
        return (Limits, self._values())

    def check_unpacked(self, unpacked: int, packed: int, *, what: str, path: str | os.PathLike) -> None:
        """Raise :class:`LimitExceededError` when ``unpacked`` bytes (from ``packed``) exceed a limit.

        Examples
        --------
        >>> Limits(max_decompressed_bytes=10).check_unpacked(11, 1, what="member x", path="a.zip")
        Traceback (most recent call last):
        ...
        irisplug.errors.LimitExceededError: a.zip: member x unpacks to more than 10 bytes (IRISPLUG_MAX_DECOMPRESSED_BYTES); raise the limit if the file is trusted
        """
        if self.max_decompressed_bytes and unpacked > self.max_decompressed_bytes:
            raise LimitExceededError(
                f"{what} unpacks to more than {self.max_decompressed_bytes} bytes "
                "(IRISPLUG_MAX_DECOMPRESSED_BYTES); raise the limit if the file is trusted",
                path=path,
            )
        if self.max_compression_ratio and unpacked > RATIO_FLOOR_BYTES and unpacked > self.max_compression_ratio * max(packed, 1):
            raise LimitExceededError(
                f"{what} unpacks to more than {self.max_compression_ratio:g} times its packed size "
                f"({packed} bytes), which looks like a decompression bomb (IRISPLUG_MAX_COMPRESSION_RATIO); "
                "raise the limit if the file is trusted",
                path=path,
            )


def get_limits() -> Limits:
    """The limits from the environment, with defaults for the unset ones.

    Raises
    ------
    IrisplugError
        A variable is set to something that is not a non-negative number.

    Examples
    --------
    >>> import os
    >>> os.environ["IRISPLUG_MAX_HEADER_CARDS"] = "500"
    >>> get_limits().max_header_cards
    500
    >>> del os.environ["IRISPLUG_MAX_HEADER_CARDS"]
    """
    return Limits(**{name: env_number(env, default, kind) for name, (env, default, kind) in _DEFAULTS.items()})


def env_number(variable: str, default: float, kind: type = int) -> float:
    """A limit read from the environment variable ``variable``: ``default`` when unset, else a number >= 0.

    ``kind`` is ``int`` (``"5e6"`` is accepted) or ``float``; ``0`` means
    "no limit" to every caller.

    Raises
    ------
    IrisplugError
        The variable is set to something that is not a non-negative number.

    Examples
    --------
    >>> env_number("IRISPLUG_EXAMPLE_UNSET", 7)
    7
    """
    raw = os.environ.get(variable, "").strip()
    if not raw:
        return default
    try:
        value = kind(float(raw)) if kind is int else kind(raw)
    except ValueError:
        raise IrisplugError(f"{variable}={raw!r} is not a number") from None
    if not value >= 0:
        raise IrisplugError(f"{variable}={raw!r} must be >= 0 (0 switches the limit off)")
    return value
