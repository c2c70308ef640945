"""asdf extension: the tag, schema and converter of :class:`irisplug.model.PerExposureWCS`.

Registered through asdf's own entry points (``asdf.extensions`` and
``asdf.resource_mappings`` in this distribution's ``pyproject.toml``), so any
``asdf.open`` with irisplug-io installed reads the tag, with or without
irisplug's readers. Every other class in irisplug's ASDF files goes through
ndcube's converters (NDCube) and asdf-astropy's (FITS WCS, sliced WCS,
units, uncertainties), or asdf's gwcs schemas.

Examples
--------
>>> import asdf
>>> "asdf://irisplug.org/irisplug/extensions/irisplug-1.0.0" in [e.extension_uri for e in asdf.get_config().extensions]
True
"""

from __future__ import annotations

from typing import Any

__all__ = ["PerExposureWCSConverter", "get_extensions", "get_resource_mappings", "PER_EXPOSURE_WCS_TAG", "EXTENSION_URI"]

EXTENSION_URI = "asdf://irisplug.org/irisplug/extensions/irisplug-1.0.0"
MANIFEST_URI = "asdf://irisplug.org/irisplug/manifests/irisplug-1.0.0"
PER_EXPOSURE_WCS_TAG = "asdf://irisplug.org/irisplug/tags/per_exposure_wcs-1.0.0"


class PerExposureWCSConverter:
    """asdf converter for :class:`irisplug.model.PerExposureWCS` (its ``to_dict``; arrays as binary blocks)."""

    tags = ("asdf://irisplug.org/irisplug/tags/per_exposure_wcs-1.*",)
    types = ("irisplug.model.wcs.PerExposureWCS",)

    def to_yaml_tree(self, obj: Any, tag: str, ctx: Any) -> dict[str, Any]:
        import numpy as np

        d = obj.to_dict()
        node = {k: d[k] for k in ("header", "exposure_axis", "lon_axis", "lat_axis", "reference_time")}
        for key in ("crval_lon", "crval_lat", "times"):
            node[key] = np.asarray(d[key], dtype=np.float64)
        node["pc"] = None if d["pc"] is None else np.asarray(d["pc"], dtype=np.float64)
        node["observer"] = None if d["observer"] is None else [float(v) for v in d["observer"]]
        if d.get("observers") is not None:
            node["observers"] = np.asarray(d["observers"], dtype=np.float64)
        return node

    def from_yaml_tree(self, node: dict[str, Any], tag: str, ctx: Any) -> Any:
        import numpy as np

        from irisplug.model import PerExposureWCS

        d = dict(node)
        for key in ("crval_lon", "crval_lat", "times"):
            d[key] = np.asarray(d[key], dtype=np.float64)
        if d.get("pc") is not None:
            d["pc"] = np.asarray(d["pc"], dtype=np.float64)
        if d.get("observers") is not None:
            d["observers"] = np.asarray(d["observers"], dtype=np.float64)
        return PerExposureWCS.from_dict(d)


def get_resource_mappings() -> list[Any]:
    """The schema and manifest folders (entry point ``asdf.resource_mappings``)."""
    from importlib import resources

    from asdf.resource import DirectoryResourceMapping

    root = resources.files("irisplug_io") / "resources"
    return [
        DirectoryResourceMapping(root / "schemas", "asdf://irisplug.org/irisplug/schemas/"),
        DirectoryResourceMapping(root / "manifests", "asdf://irisplug.org/irisplug/manifests/"),
    ]


def get_extensions() -> list[Any]:
    """irisplug's asdf extension (entry point ``asdf.extensions``)."""
    from asdf.extension import ManifestExtension

    return [ManifestExtension.from_uri(MANIFEST_URI, converters=[PerExposureWCSConverter()])]
