"""IRIS Level 2 search and download: a sunpy ``Fido`` client backed by the LMSAL archive.

Importing this module registers :class:`~irisplug_iris.net.client.IRISClient`
with ``sunpy.net.Fido`` and its attributes as ``sunpy.net.attrs.iris``, the
sunpy way (``BaseClient`` subclasses register themselves when defined).

Base URLs come from ``IRISPLUG_IRIS_HCR_URL`` (search) and
``IRISPLUG_IRIS_DATA_URL`` (files), read at every search and fetch.

Examples
--------
>>> import irisplug_iris.net
>>> from sunpy.net import Fido, attrs as a
>>> a.iris.OBSID(3620258102).value
3620258102
"""

from __future__ import annotations

from irisplug_iris.net import attrs
from irisplug_iris.net.client import IRISClient, IRISResponseTable
from irisplug_iris.net.errors import HCRError, NoFilesError

__all__ = ["IRISClient", "IRISResponseTable", "attrs", "HCRError", "NoFilesError"]
