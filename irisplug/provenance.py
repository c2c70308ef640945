"""Processing history stored in an object's metadata.

Every calibration step (and any plugin that transforms data) appends a
record; writers store the history with the data.
"""

from __future__ import annotations

import datetime
import json
from collections.abc import Mapping
from typing import Any

__all__ = ["HISTORY_KEY", "record_step", "history", "jsonable"]

#: the meta key holding the list of records
HISTORY_KEY = "irisplug_history"


def jsonable(value: Any) -> Any:
    """A JSON-friendly stand-in for a parameter value (arrays and objects summarised).

    Examples
    --------
    >>> jsonable({"a": 1, "b": [1.5, "x"]})
    {'a': 1, 'b': [1.5, 'x']}
    """
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, Mapping):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    shape = getattr(value, "shape", None)
    if shape is not None and getattr(value, "size", 2) != 1:
        return f"<{type(value).__name__} shape={tuple(shape)}>"
    try:
        json.dumps(value)
        return value
    except TypeError:
        text = str(value)
        return text if len(text) < 200 else text[:197] + "..."


def _meta_of(obj: Any) -> Any:
    """``obj.meta``, made an empty dict where it is None (an NDCollection read without metadata)."""
    meta = getattr(obj, "meta", None)
    if meta is None:
        try:
            obj.meta = {}
            meta = obj.meta
        except (AttributeError, TypeError):  # no settable meta
            meta = None
    if meta is None:
        from irisplug.errors import UnsupportedObjectError

        raise UnsupportedObjectError(f"{type(obj).__name__} has no .meta to record its processing history in")
    return meta


def history(obj: Any) -> list[dict[str, Any]]:
    """The processing records of ``obj`` (empty if none).

    Examples
    --------
    >>> class Thing:
    ...     meta = {}
    >>> t = Thing()
    >>> record_step(t, "dark", plugin="calib", version="1.0", params={"method": "mean"})
    >>> [r["step"] for r in history(t)]
    ['dark']
    """
    meta = getattr(obj, "meta", None)
    if meta is None:
        return []
    value = meta.get(HISTORY_KEY, [])
    if isinstance(value, str):  # stored as JSON text by a FITS writer
        value = json.loads(value)
    return list(value)


def record_step(
    obj: Any,
    step: str,
    *,
    plugin: str = "",
    version: str = "",
    params: Mapping[str, Any] | None = None,
    inputs: Mapping[str, Any] | None = None,
) -> None:
    """Append a processing record to ``obj.meta`` (the object must be a new one).

    Parameters
    ----------
    step
        The step's name, e.g. ``"dark"``.
    plugin, version
        Who did it.
    params
        The parameters used (summarised to JSON-friendly values).
    inputs
        Provenance of auxiliary inputs (e.g. the dark frames' files and times).
    """
    meta = _meta_of(obj)
    records = history(obj)
    records.append(
        {
            "step": step,
            "plugin": plugin,
            "version": version,
            "params": jsonable(dict(params or {})),
            "inputs": jsonable(dict(inputs or {})),
            "time": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        }
    )
    meta[HISTORY_KEY] = records
